"""ONS business counts (local units, 2024) and regional BERD: parsing, checks and use."""

from __future__ import annotations

import pandas as pd
import pytest

from placelens.errors import DataFormatError
from placelens.sources import ons_berd, ons_business_counts


def test_local_units_match_the_published_totals(datapack):
    activity, codes = ons_business_counts.read_local_units(
        datapack / ons_business_counts.LOCAL_UNITS_FILE)
    lads = activity[activity["area_type"] == "LAD"]
    # SOURCES.md: 361 districts; 3,173,655 local units in the UK
    assert lads["area_code"].nunique() == 361 and len(codes) == 17
    assert lads["value"].sum() == 3_173_655
    assert activity.loc[activity["area_type"] == "UK", "value"].sum() == 3_173_655


def test_local_units_that_do_not_add_up_name_the_row(tmp_path, datapack):
    text = (datapack / ons_business_counts.LOCAL_UNITS_FILE).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    # raise the first district's agriculture count without touching its total
    for number, line in enumerate(lines):
        if line.startswith("E06000001"):
            fields = line.split(",")
            fields[3] = str(int(fields[3]) + 5)
            lines[number] = ",".join(fields)
            row = number + 1
            break
    path = tmp_path / "units.csv"
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataFormatError, match=rf"units.csv, row {row}, column 'Total'"):
        ons_business_counts.read_local_units(path)


def test_berd_regions_add_up_and_map_to_itl1(datapack):
    table = ons_berd.read_berd(datapack / ons_berd.CURRENT_FILE, ons_berd.INDICATOR,
                               "areacd", "period", "observation")
    uk = table[table["area_type"] == "UK"].set_index("period")["value"]
    # SOURCES.md: UK 50,841 / 53,195 / 55,615 (£m, 2022-2024)
    assert uk.to_dict() == {"2022": 50841.0, "2023": 53195.0, "2024": 55615.0}
    regions = table[table["area_type"] == "ITL1"]
    assert sorted(regions["area_code"].unique()) == sorted(ons_berd.GSS_TO_ITL1.values())
    london = regions[(regions["area_code"] == "TLI") & (regions["period"] == "2023")]
    assert london["value"].iloc[0] == pytest.approx(12696.0)  # revised from 10,997


def test_region_codes_agree_with_the_district_lookups(observatory):
    # every district's ITL1 parent agrees with the GSS region → ITL1 table (England)
    hierarchy = observatory.warehouse.table("hierarchy")
    itl1 = hierarchy[(hierarchy["child_type"] == "LAD") & (hierarchy["parent_type"] == "ITL1")
                     & hierarchy["primary_parent"]].set_index("child_code")["parent_code"]
    assert itl1["E08000021"] == ons_berd.GSS_TO_ITL1["E12000001"]  # Newcastle: North East
    assert itl1["E09000033"] == ons_berd.GSS_TO_ITL1["E12000007"]  # Westminster: London
    assert itl1["W06000015"] == ons_berd.GSS_TO_ITL1["W92000004"]  # Cardiff: Wales


def test_business_structure_and_profile_use(observatory):
    cornwall = observatory.place("Cornwall")
    table = observatory.economy.business_structure(cornwall)
    assert table["share"].sum() == pytest.approx(1.0)
    assert table.index[0] == "01-03"  # agriculture: Cornwall's GVA table suppresses it
    uk = observatory.economy.business_structure(observatory.place("K02000001"))
    assert uk["lq"].tolist() == pytest.approx([1.0] * 17)
    from placelens.report.profile import ProfileBuilder

    builder = ProfileBuilder(observatory)
    profile = builder.build(cornwall)
    berd = profile.context["innovation"]["berd"]
    assert berd["region"] == "South West" and berd["period"] == "2024"
    assert berd["revised"]["period"] == "2023"


def _damaged(tmp_path, datapack, relative, change):
    lines = (datapack / relative).read_text(encoding="utf-8-sig").splitlines()
    path = tmp_path / relative.rsplit("/", 1)[-1]
    path.write_text("\n".join(change(lines)) + "\n", encoding="utf-8")
    return path


def _negated(line, field):
    """The CSV line with field number ``field`` (no quoted commas before it) made negative."""
    fields = line.split(",")
    fields[field] = "-" + fields[field]
    return ",".join(fields)


def _row_of(lines, prefix):
    return next(n for n, line in enumerate(lines, start=1) if line.startswith(prefix))


@pytest.mark.parametrize("case", ["truncated", "duplicate", "negative", "unknown"])
def test_berd_refuses_damaged_files_naming_where(tmp_path, datapack, case):
    relative = ons_berd.CURRENT_FILE
    lines = (datapack / relative).read_text(encoding="utf-8-sig").splitlines()
    london = _row_of(lines, "E12000007")
    changes = {
        "truncated": lambda rows: rows[:-10],                     # cut at a line boundary
        "duplicate": lambda rows: rows + [rows[london - 1]],
        "negative": lambda rows: [_negated(r, 5) if n == london - 1 else r
                                  for n, r in enumerate(rows)],
        "unknown": lambda rows: rows + [rows[london - 1].replace("E12000007", "E12000099")]}
    path = _damaged(tmp_path, datapack, relative, changes[case])
    with pytest.raises(DataFormatError) as info:
        ons_berd.read_berd(path, ons_berd.INDICATOR, "areacd", "period", "observation")
    message = str(info.value)
    assert path.name in message
    if case == "truncated":
        assert "do not add up to the UK" in message
    if case == "duplicate":
        assert f"row {len(lines) + 1}" in message and "second value" in message
    if case == "negative":
        assert f"row {london}" in message and "column 'observation'" in message
    if case == "unknown":
        assert f"row {len(lines) + 1}, column 'areacd'" in message


@pytest.mark.parametrize("case", ["duplicate", "negative", "unknown"])
def test_local_units_refuse_damaged_files_naming_where(tmp_path, datapack, case):
    relative = ons_business_counts.LOCAL_UNITS_FILE
    lines = (datapack / relative).read_text(encoding="utf-8-sig").splitlines()
    hartlepool = _row_of(lines, "E06000001")
    changes = {
        "duplicate": lambda rows: rows + [rows[hartlepool - 1]],
        "negative": lambda rows: [_negated(r, 3) if n == hartlepool - 1 else r
                                  for n, r in enumerate(rows)],
        "unknown": lambda rows: [r.replace("E06000001", "E07000030") for r in rows]}
    path = _damaged(tmp_path, datapack, relative, changes[case])
    lads = set(pd.read_csv(datapack / "lookups/ons_lad23_lau1_itl3_itl2_itl1_jan2021_lookup_uk"
                           ".csv")["LAD23CD"])
    with pytest.raises(DataFormatError) as info:
        ons_business_counts.read_local_units(path, lads)
    message = str(info.value)
    if case == "duplicate":
        assert f"row {len(lines) + 1}, column 'area_code'" in message and "twice" in message
    if case == "negative":
        assert f"row {hartlepool}" in message and "negative count" in message
    if case == "unknown":
        assert f"row {hartlepool}, column 'area_code'" in message  # Eden, abolished 2023


def test_a_damaged_new_source_leaves_the_previous_warehouse_intact(tmp_path, datapack,
                                                                   warehouse_path):
    import hashlib
    import os
    import shutil

    from placelens.warehouse import build_warehouse

    previous = tmp_path / "previous.duckdb"
    shutil.copy(warehouse_path, previous)
    before = hashlib.sha256(previous.read_bytes()).hexdigest()
    mirror = tmp_path / "datapack"
    shutil.copytree(datapack, mirror, copy_function=os.symlink)
    target = mirror / ons_berd.CURRENT_FILE
    target.unlink()
    rows = (datapack / ons_berd.CURRENT_FILE).read_text(encoding="utf-8-sig").splitlines()
    target.write_text("\n".join(rows[:-10]) + "\n", encoding="utf-8")
    with pytest.raises(DataFormatError, match="research-and-development-business.csv"):
        build_warehouse(previous, mirror, show_progress=False, verify_manifest=False)
    assert hashlib.sha256(previous.read_bytes()).hexdigest() == before
