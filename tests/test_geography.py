"""Place lookup, area sets and aggregation."""

import pandas as pd
import pytest

from placelens.errors import DataFormatError, UnknownPlaceError
from placelens.geography.area_sets import read_area_sets
from placelens.geography.places import aggregate, normalise_name


def test_resolve_by_code_and_name(observatory):
    places = observatory.places
    assert places.resolve("E08000025").name == "Birmingham"
    assert places.resolve("birmingham").code == "E08000025"  # the LAD wins over the ITL3
    assert places.resolve("Birmingham", "ITL3").code == "TLG31"
    manchester = places.resolve("Greater Manchester")
    assert manchester.code == "E47000001" and len(manchester.members) == 10
    assert places.resolve("Cardiff").parents["ITL1"] == "TLL"


def test_unknown_name_gets_suggestions(observatory):
    with pytest.raises(UnknownPlaceError) as info:
        observatory.places.resolve("Birmingam")
    assert any("E08000025" in s for s in info.value.suggestions)
    assert "Did you mean" in str(info.value)


def test_city_regions_without_gss_codes_get_placelens_codes(observatory):
    glasgow = observatory.places.resolve("Glasgow City Region")
    assert glasgow.code == "PLCR_GLASGOW_CITY_REGION" and len(glasgow.members) == 8


def test_split_lads_have_one_primary_itl3(observatory):
    # Cumberland (2023) takes LAU1s from two ITL3 areas (West Cumbria, East Cumbria).
    hierarchy = observatory.warehouse.table("hierarchy")
    cumberland = hierarchy[(hierarchy["child_code"] == "E06000063")
                            & (hierarchy["parent_type"] == "ITL3")]
    assert len(cumberland) == 2
    assert cumberland["primary_parent"].sum() == 1


def test_area_set_from_fixture(observatory):
    tees = observatory.places.resolve("PL_TEST_TEES")
    assert tees.area_type == "SET" and tees.members == ("E06000001", "E06000002", "E06000004")
    assert tees.parents["ITL1"] == "TLC"


def test_area_set_errors_name_file_line_and_field(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: X\nmembers:\n  - E06000001\n  - Hartlepool\n", encoding="utf-8")
    with pytest.raises(DataFormatError) as info:
        read_area_sets(bad)
    assert info.value.row == 4 and info.value.column == "members"
    unknown = tmp_path / "unknown.csv"
    unknown.write_text("set_code,set_name,lad_code\nPL_A,A,E06000001\nPL_A,A,E06999999\n")
    with pytest.raises(DataFormatError, match="not a LAD 2023 code") as info:
        read_area_sets(unknown, {"E06000001"})
    assert info.value.row == 3
    gss = tmp_path / "gss.yaml"
    gss.write_text("code: E06000001\nname: X\nmembers: [E06000001]\n")
    with pytest.raises(DataFormatError, match="code 'E06000001' must be PL_ followed by"):
        read_area_sets(gss)


def test_aggregation_conserves_totals(observatory):
    matrix = observatory.economy.lad_gva_matrix("2023")
    itl1 = {p.code: p for p in observatory.places.of_type("ITL1")}
    membership = {lad: code for code, p in itl1.items() for lad in p.members}
    summed = aggregate(matrix, membership)
    assert len(summed) == 12
    assert summed.sum().sum() == pytest.approx(matrix.sum().sum())
    assert sorted(membership) == sorted(observatory.places.lad_codes)  # every LAD once


def test_aggregate_keeps_all_missing_as_nan():
    frame = pd.DataFrame({"v": [1.0, None, None]}, index=["a", "b", "c"])
    out = aggregate(frame, {"a": "P", "b": "P", "c": "Q"})
    assert out.loc["P", "v"] == 1.0 and pd.isna(out.loc["Q", "v"])


def test_normalise_name():
    assert normalise_name("Greater Manchester Combined Authority") == "greater manchester"
    assert normalise_name("Hartlepool (B)") == "hartlepool"
    assert normalise_name("Barking & Dagenham") == "barking and dagenham"
    assert normalise_name("Bristol, City of") == "bristol"


def test_common_short_names_find_the_district(observatory):
    assert observatory.places.resolve("Glasgow").code == "S12000049"  # not the city region
    assert observatory.places.resolve("Bristol").code == "E06000023"
    assert observatory.places.resolve("Manchester").code == "E08000003"


def test_ambiguous_names_report_the_other_places(observatory):
    places = observatory.places
    chosen = places.resolve("North East")
    assert chosen.area_type == "CA"  # councils and partnerships before statistical regions
    assert "TLC" in [p.code for p in places.other_matches("North East", chosen)]
    # The ITL2 "Greater Manchester" covers the same districts as the CA: not worth a note.
    gm = places.resolve("Greater Manchester")
    assert "TLD3" not in [p.code for p in places.other_matches("Greater Manchester", gm)]
