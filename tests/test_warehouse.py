"""The warehouse built from the real datapack: counts match the sources, builds are atomic and
idempotent, and a damaged file leaves the previous warehouse untouched."""

import hashlib
import os
import shutil

import pandas as pd
import pytest

from placelens.errors import DataFormatError
from placelens.warehouse import Warehouse, build_warehouse


@pytest.fixture(scope="module")
def wh(warehouse_path):
    return Warehouse(warehouse_path)


def _count(wh, sql):
    return int(wh.query(sql).iloc[0, 0])


def test_queries_give_the_types_duckdb_would_give_pandas(wh):
    # Results come through Arrow: text as pandas strings, dates as datetime64[us] (as DuckDB's
    # own conversion gives), missing numbers as NaN, and parameters bound in order.
    frame = wh.query("SELECT DATE '2020-02-29' AS day, ? AS code, ?::DOUBLE * 2 AS x, "
                     "NULL::INTEGER AS n", ["E08000035", 1.25])
    assert str(frame["day"].dtype) == "datetime64[us]"
    assert frame["day"].iloc[0] == pd.Timestamp("2020-02-29")
    assert pd.api.types.is_string_dtype(frame["code"]) and frame["code"].iloc[0] == "E08000035"
    assert frame["x"].iloc[0] == 2.5 and pd.isna(frame["n"].iloc[0])
    assert wh.query("SELECT 1 AS one WHERE false").columns.tolist() == ["one"]


def test_area_counts_match_the_lookups(wh):
    areas = wh.table("areas")
    current = areas[areas["vintage"].isin(["2021", "2023"])]
    counts = current.groupby("area_type").size()
    assert counts["LAD"] == 361  # LAD 2023, UK
    assert counts["ITL3"] == 179 and counts["ITL2"] == 41 and counts["ITL1"] == 12
    assert counts["CA"] == 11  # 10 combined authorities + Greater London Authority


def test_lad_gva_covers_361_lads_and_26_years(wh):
    assert _count(wh, "SELECT count(DISTINCT area_code) FROM activity WHERE "
                      "source_id = 'ons_rgva_lad_2025'") == 361
    periods = wh.periods("ons_gva_industry", "gva_current_gbp_m", "LAD")
    assert periods[0] == "1998" and periods[-1] == "2023" and len(periods) == 26


def test_productivity_series_years_and_uk_value(wh):
    gva_hour = wh.observations("gva_per_hour_gbp", ["K02000001"])
    assert gva_hour["period"].min() == "2004" and gva_hour["period"].max() == "2022"
    assert gva_hour.set_index("period").loc["2022", "value"] == pytest.approx(39.7)
    lads = wh.observations("gva_per_hour_gbp", area_type="LAD")
    assert lads["area_code"].nunique() == 361


def test_bres_and_census_counts(wh):
    assert _count(wh, "SELECT count(DISTINCT area_code) FROM activity WHERE "
                      "source_id = 'nomis_bres_nuts2016'") == 40
    assert _count(wh, "SELECT count(DISTINCT activity_code) FROM activity WHERE "
                      "source_id = 'nomis_bres_nuts2013_sic4'") == 525
    census = wh.query("SELECT sum(value) AS v, count(DISTINCT area_code) AS n FROM activity "
                      "WHERE source_id = 'census2011_workplace_section'")
    assert census["n"][0] == 318  # current LADs in England and Wales... after 2023 mergers
    assert census["v"][0] == pytest.approx(26_526_336, rel=0.02)


def test_known_values_from_the_source_files(wh):
    # Hartlepool, construction of buildings (41), current prices 2023, from the LAD GVA file.
    value = wh.query("SELECT value FROM activity WHERE area_code = 'E06000001' AND "
                     "activity_code = '41' AND period = '1998' AND "
                     "measure = 'gva_constant_2022_gbp_m'")["value"]
    assert value.iloc[0] == 39.0
    pop = wh.observations("population", ["K02000001"]).set_index("period")["value"]
    assert pop["2022"] == 67_596_279  # "67,596,279" in the published file


def test_every_row_has_a_source_and_every_source_a_licence(wh):
    sources = wh.table("sources")
    assert sources["licence"].str.len().min() > 0
    used = set(wh.query("SELECT DISTINCT source_id FROM observations UNION "
                        "SELECT DISTINCT source_id FROM activity")["source_id"])
    assert used <= set(sources["source_id"])


def _digest(wh):
    tables = ["areas", "hierarchy", "observations", "activity", "indicators", "sources"]
    # Order-independent: the count and the sum of row hashes.
    return {t: tuple(wh.query(f"SELECT count(*), sum(hash(x)::HUGEINT) FROM {t} x").iloc[0])
            for t in tables}


def test_rebuild_is_idempotent(tmp_path, datapack, wh, warehouse_path):
    again = tmp_path / "again.duckdb"
    build_warehouse(again, datapack, show_progress=False)
    assert _digest(Warehouse(again)) == _digest(wh)


def _mirror_with_damage(datapack, tmp_path, relative, damage):
    """A datapack of symlinks to the real one, with one file replaced by a damaged copy."""
    mirror = tmp_path / "datapack"
    shutil.copytree(datapack, mirror, copy_function=os.symlink)
    target = mirror / relative
    target.unlink()
    target.write_bytes(damage((datapack / relative).read_bytes()))
    return mirror


def test_truncated_file_names_file_and_row_and_keeps_previous_warehouse(
        tmp_path, datapack, warehouse_path):
    previous = tmp_path / "previous.duckdb"
    shutil.copy(warehouse_path, previous)
    before = hashlib.sha256(previous.read_bytes()).hexdigest()
    relative = "ons_subnational_indicators/subnational_indicators_revised_data_2024.csv"
    mirror = _mirror_with_damage(datapack, tmp_path, relative,
                                 lambda data: data[: len(data) // 2])
    with pytest.raises(DataFormatError) as info:
        build_warehouse(previous, mirror, show_progress=False, verify_manifest=False)
    assert "subnational_indicators_revised_data_2024.csv" in str(info.value)
    assert info.value.row is not None and info.value.row > 1000
    assert hashlib.sha256(previous.read_bytes()).hexdigest() == before
    assert Warehouse(previous).counts()["areas"] > 0  # still opens and reads


def test_corrupted_gzip_and_bad_cell_are_reported(tmp_path, datapack):
    relative = "ons_regional_accounts_lad_2025/gdhi_lad_1997_2022_sep2024.csv.gz"
    mirror = _mirror_with_damage(datapack, tmp_path, relative, lambda d: d[: len(d) - 500])
    with pytest.raises(DataFormatError, match="gdhi_lad_1997_2022_sep2024.csv.gz.*truncated"):
        build_warehouse(tmp_path / "w.duckdb", mirror, show_progress=False,
                        verify_manifest=False)
    assert not (tmp_path / "w.duckdb").exists()

    relative = "ons_subregional_productivity/lad_filled_jobs_2024release.csv"

    def bad_cell(data):
        lines = data.decode().splitlines()
        lines[5] = lines[5].replace(",", ",n/k,", 1).rsplit(",", 1)[0]
        return ("\n".join(lines) + "\n").encode()

    mirror2 = _mirror_with_damage(datapack, tmp_path / "two", relative, bad_cell)
    with pytest.raises(DataFormatError) as info:
        build_warehouse(tmp_path / "w.duckdb", mirror2, show_progress=False,
                        verify_manifest=False)
    assert info.value.row == 6 and "lad_filled_jobs" in info.value.file



@pytest.mark.parametrize("relative", [
    "ons_subregional_productivity/lad_gva_per_hour_cp_smoothed_gbp_2024release.csv",
    "ons_regional_accounts_lad_2025/gva_lad_by_industry_1998_2023_apr2025.csv.gz",
    "census2021_commuting_od/ODWP01EW_LTLA.csv.gz"])
def test_a_file_cut_at_a_line_boundary_is_refused_by_the_manifest(tmp_path, datapack,
                                                                  warehouse_path, relative):
    """Half the rows of a valid CSV (plain or gzip) still parse; the manifest catches it."""
    import gzip

    def half_the_lines(data: bytes) -> bytes:
        zipped = relative.endswith(".gz")
        text = gzip.decompress(data) if zipped else data
        lines = text.splitlines(keepends=True)
        cut = b"".join(lines[: len(lines) // 2])
        return gzip.compress(cut) if zipped else cut

    previous = tmp_path / "previous.duckdb"
    shutil.copy(warehouse_path, previous)
    before = hashlib.sha256(previous.read_bytes()).hexdigest()
    mirror = _mirror_with_damage(datapack, tmp_path, relative, half_the_lines)
    with pytest.raises(DataFormatError, match=f"{relative}: differs from the release .*"
                       f"--accept-changed {relative}"):
        build_warehouse(previous, mirror, show_progress=False)
    assert hashlib.sha256(previous.read_bytes()).hexdigest() == before


def test_an_accepted_newer_file_is_recorded_in_the_warehouse(tmp_path, datapack):
    relative = "lookups/ons_sam_lad_dec2023_uk_area_hectares.csv"
    mirror = _mirror_with_damage(datapack, tmp_path, relative,
                                 lambda data: data + b"\n")
    path = tmp_path / "accepted.duckdb"
    report = build_warehouse(path, mirror, show_progress=False, accept_changed={relative})
    assert any(relative in note and "accepted" in note for note in report.notes)
    info = Warehouse(path).table("build_info")
    assert relative in info["accepted_changes"].iloc[0]
    with pytest.raises(DataFormatError, match="not in the datapack manifest"):
        build_warehouse(path, datapack, show_progress=False, accept_changed={"nope.csv"})


def test_two_builds_at_once_leave_one_whole_warehouse(tmp_path, datapack):
    from concurrent.futures import ThreadPoolExecutor

    from placelens.errors import BuildRunningError

    path = tmp_path / "concurrent.duckdb"

    def build(_):
        try:
            return build_warehouse(path, datapack, show_progress=False)
        except BuildRunningError as error:
            return error

    with ThreadPoolExecutor(2) as pool:
        outcomes = list(pool.map(build, range(2)))
    reports = [o for o in outcomes if not isinstance(o, Exception)]
    refused = [o for o in outcomes if isinstance(o, Exception)]
    # one build wins; a second one that starts while it runs is refused, saying why
    assert len(reports) >= 1
    assert all("another `placelens data build` is writing" in str(e) for e in refused)
    assert Warehouse(path).counts()["observations"] == reports[0].row_counts["observations"]
    assert not list(tmp_path.glob("*.tmp"))  # no temporary file left behind
