"""Travel To Work Areas on hand-made flow tables where the right answer is known."""

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from placelens.analysis import functional_regions as fr
from placelens.analysis import partitions
from placelens.errors import DataFormatError


def _table(rows):
    return fr.flow_table(pd.DataFrame(rows, columns=["origin", "destination", "count"]))


def test_required_containment_is_linear_between_the_sizes():
    assert fr.required_containment(3_500) == pytest.approx(0.75)
    assert fr.required_containment(25_000) == pytest.approx(0.667)
    assert fr.required_containment(100_000) == pytest.approx(0.667)
    # halfway: 0.75 - 0.083 * 10,750 / 21,500
    assert fr.required_containment(14_250) == pytest.approx(0.75 - 0.083 / 2)


def test_thresholds_exactly_at_the_boundary():
    assert fr.validity(0.75, 3_500) == pytest.approx(1.0)
    assert fr.validity(0.667, 25_000) == pytest.approx(1.0)
    assert fr.validity(0.6669, 25_000) < 1
    assert fr.validity(0.9, 3_499) < 1
    # one unit of exactly 3,500 residents with 75% working at home-unit is its own region
    table = _table([("a", "a", 2_625), ("a", "b", 875), ("b", "b", 30_000), ("b", "a", 875)])
    regions = fr.ttwa(table)
    assert regions["a"] == "a" and regions["b"] == "b"
    stats = fr.region_stats(table, regions)
    assert stats.loc["a", "supply_containment"] == pytest.approx(0.75) and stats["valid"].all()


def test_two_obvious_labour_markets():
    rows = [("a", "a", 2_000), ("a", "b", 1_500), ("b", "b", 2_000), ("b", "a", 1_500),
            ("c", "c", 2_000), ("c", "d", 1_500), ("d", "d", 2_000), ("d", "c", 1_500),
            ("a", "c", 20), ("c", "a", 20)]
    table = _table(rows)
    regions = fr.ttwa(table)
    assert regions["a"] == regions["b"] and regions["c"] == regions["d"]
    assert regions["a"] != regions["c"]
    assert fr.region_stats(table, regions)["valid"].all()


def test_a_small_unit_must_merge_with_the_market_it_commutes_to():
    rows = [("big", "big", 40_000), ("big", "small", 500), ("small", "small", 300),
            ("small", "big", 700), ("far", "far", 30_000), ("far", "small", 10),
            ("small", "far", 5)]
    regions = fr.ttwa(_table(rows))
    assert regions["small"] == "big" and regions["far"] == "far"


def test_an_isolated_small_unit_stays_alone_and_is_reported_invalid():
    table = _table([("a", "a", 100), ("b", "b", 50_000)])
    regions = fr.ttwa(table)
    assert regions["a"] == "a"
    assert not fr.region_stats(table, regions).loc["a", "valid"]


@pytest.mark.parametrize("rows,message", [
    ([("a", "b", 1)], "is not an origin unit"),
    ([("a", "a", -1)], "negative"),
    ([("a", "a", 1), ("a", "a", 2)], "appears twice"),
    ([("a", "a", "many")], "not a number"),
])
def test_bad_flow_tables_name_the_row(rows, message):
    with pytest.raises(DataFormatError, match=message) as info:
        _table(rows)
    assert info.value.row is not None


def test_missing_columns_are_named():
    with pytest.raises(DataFormatError, match="missing column"):
        fr.flow_table(pd.DataFrame({"from": ["a"], "to": ["a"], "n": [1]}))


def test_adjusted_rand_index_by_hand():
    a = pd.Series([1, 1, 2, 2], index=list("wxyz"))
    assert partitions.adjusted_rand_index(a, a.map({1: "p", 2: "q"})) == pytest.approx(1.0)
    # contingency [[1,1],[1,1]]: index 0, expected (2*2)/6 = 2/3, max 2 → ARI = -0.5
    b = pd.Series([1, 2, 1, 2], index=list("wxyz"))
    assert partitions.adjusted_rand_index(a, b) == pytest.approx(-0.5)


def test_leiden_finds_the_two_markets_stably():
    rows = [("a", "a", 2_000), ("a", "b", 1_500), ("b", "b", 2_000), ("b", "a", 1_500),
            ("c", "c", 2_000), ("c", "d", 1_500), ("d", "d", 2_000), ("d", "c", 1_500),
            ("a", "c", 20), ("c", "a", 20)]
    result = fr.leiden_regions(_table(rows), runs=5)
    assert result.loc["a", "region"] == result.loc["b", "region"] != result.loc["c", "region"]
    assert (result["stability"] == 1.0).all()


def test_containment_within_a_parent_by_hand():
    table = _table([("a", "a", 60), ("a", "b", 20), ("a", "c", 20), ("b", "b", 100),
                    ("c", "c", 100)])
    share = partitions.containment_within(table, pd.Series({"a": "P", "b": "P", "c": "Q"}))
    # a's flows out: 100 (60 to itself); in: 60 (itself). Inside P (a, b): out 60 + 20,
    # in 60 → 140 of 160.
    assert share["a"] == pytest.approx(140 / 160)


def test_real_lad_regions_meet_the_criteria_and_are_deterministic(observatory):
    found = observatory.regions.functional_regions()
    first, stats = found.units, found.stats
    assert stats["valid"].all() and len(first) == 318  # England and Wales districts
    table = observatory.regions.commuting_table()
    assert fr.ttwa(table).equals(fr.ttwa(table))  # deterministic
    assert 0.3 < found.ari_vs_ttwa_2011 < 1
    payload = found.to_dict()
    assert len(payload["regions"]) == len(stats) and len(payload["units"]) == 318
    assert "meet the criteria" in found.summary()
    manchester = first.loc["E08000003", "region"]
    assert first.loc["E08000006", "region"] == manchester  # Salford works in Manchester
    shares = first["share_within_region"]
    assert ((shares > 0) & (shares <= 1)).all()


def test_region_of_a_place_outside_england_and_wales(observatory):
    with pytest.raises(ValueError, match="outside England and Wales"):
        observatory.regions.region_of(observatory.place("Belfast"))


def test_regions_as_an_area_set_profile(tmp_path, warehouse_path):
    from typer.testing import CliRunner

    from placelens.cli import app

    sets = tmp_path / "sets"
    result = CliRunner().invoke(app, ["regions", "build", "--area-set",
                                      str(sets / "regions.csv"), "--map",
                                      str(tmp_path / "regions.html"), "--warehouse",
                                      str(warehouse_path)])
    assert result.exit_code == 0, result.output
    assert "adjusted Rand index" in result.output and "lockdown" in result.output
    page = (tmp_path / "regions.html").read_text(encoding="utf-8")
    assert "<svg" in page and "lockdown" in page and "Open Government Licence" in page
    written = pd.read_csv(sets / "regions.csv")
    assert written["lad_code"].nunique() == 318 and written["set_code"].str.startswith(
        "PL_FR_").all()


def test_unknown_method_is_refused_for_own_flows(tmp_path):
    from typer.testing import CliRunner

    from placelens.cli import app

    flows = tmp_path / "flows.csv"
    flows.write_text("origin,destination,count\na,a,10\na,b,2\nb,b,8\nb,a,1\n")
    result = CliRunner().invoke(app, ["regions", "build", "--flows", str(flows),
                                      "--method", "anything"], env={"COLUMNS": "200"})
    assert result.exit_code == 2
    assert "'anything' is not one of 'ttwa', 'leiden'" in " ".join(result.output.split())


def test_main_centre_is_the_member_with_most_jobs():
    table = fr.FlowTable(pd.Index(["suburb", "centre", "town"]),
                         scipy.sparse.csr_matrix(np.eye(3)), np.array([900.0, 100.0, 50.0]),
                         np.array([100.0, 800.0, 800.0]))
    assert fr.main_centre(table, np.array([0, 1])) == 1        # not the largest by residents
    assert fr.main_centre(table, np.array([2, 1])) == 1        # a tie goes to the lower unit


def test_district_shares_by_hand():
    from placelens.services.regions import district_shares

    table = fr.FlowTable(pd.Index(["m1", "m2", "m3", "m4"]), scipy.sparse.csr_matrix((4, 4)),
                         np.array([60.0, 40.0, 95.0, 5.0]), np.zeros(4))
    units = pd.DataFrame({"district": ["A", "A", "B", "B"], "region": ["r", "s", "s", "s"]},
                         index=table.units)
    shares = district_shares(table, units)
    assert shares.loc["A", "main_region"] == "r" and shares.loc["A", "main_share"] == 0.6
    assert shares.loc["A", "split"] and shares.loc["A", "regions"] == 2
    assert shares.loc["B", "main_share"] == 1.0 and not shares.loc["B", "split"]


def test_msoa_regions_meet_the_criteria_recomputed_from_the_raw_flows(observatory):
    """Every region's size and self-containment recomputed from the warehouse rows, without
    the flow table or region_stats: 0 violations."""
    found = observatory.regions.functional_regions(level="MSOA")
    region = found.units["region"]
    assert len(region) == 7_264 and found.stats["valid"].all()
    rows = observatory.warehouse.query(
        "SELECT origin_code, destination_code, value FROM flows WHERE source_id = "
        "'census2021_odwp01ew_msoa' AND measure <> 'works_at_home'")
    rows["home"] = rows["origin_code"].map(region)
    rows["work"] = rows["destination_code"].map(region)      # NaN outside England and Wales
    residents = rows.groupby("home")["value"].sum()
    jobs = rows.dropna(subset=["work"]).groupby("work")["value"].sum()
    inside = rows[rows["home"] == rows["work"]].groupby("home")["value"].sum()
    contained = pd.concat([inside / residents, inside / jobs], axis=1).min(axis=1)
    needed = residents.map(fr.required_containment)
    violations = (contained < needed - 1e-9) | (residents < fr.TTWAOptions().min_size)
    assert int(violations.sum()) == 0 and len(residents) == len(found.stats)


def test_msoa_regions_are_named_after_where_people_work(observatory):
    found = observatory.regions.functional_regions(level="MSOA")
    names = found.stats["name"]
    assert names.is_unique and not names.str.contains("Croydon").any()
    london = found.units.loc["E02000001", "region_name"]            # the City of London
    assert london in {"Westminster", "City of London", "Tower Hamlets", "Camden"}
    # small areas let regions cut through districts: Cornwall is no longer one region
    cornwall = found.units[found.units["district"] == "E06000052"]
    assert cornwall["region"].nunique() >= 2
    split = found.districts_split
    assert split.loc["E06000052", "split"] and split["main_share"].between(0, 1).all()
    # agreement with the 2011 TTWAs on the same small areas (docs/methods/functional_regions.md)
    assert found.ari_vs_ttwa_2011 == pytest.approx(0.641, abs=0.01)


def test_msoa_flows_cut_short_or_duplicated_are_refused(tmp_path, datapack):
    import gzip

    from placelens.errors import DataFormatError
    from placelens.sources import census2021_commuting_msoa as msoa

    source = datapack / msoa.OD_FILE
    with gzip.open(source, "rt") as handle:
        head = [next(handle) for _ in range(2_001)]
    cut = tmp_path / "cut.csv"
    cut.write_text("".join(head))
    with pytest.raises(DataFormatError, match="cut short"):
        msoa.read_flows(cut, {line.split(",")[0] for line in head[1:]})
    duplicated = tmp_path / "duplicated.csv"
    duplicated.write_text("".join(head + head[1:2]))
    with pytest.raises(DataFormatError, match="row 2002.*flow appears twice"):
        msoa.read_flows(duplicated, {line.split(",")[0] for line in head[1:]})


def test_an_msoas_2011_ttwa_is_the_one_holding_most_of_its_lsoas(tmp_path):
    """Hand case: MSOA "Town 001" has LSOAs A, B (TTWA X) and C (TTWA Y) → X; "Town 002" has
    one LSOA in Y → Y; an LSOA whose 2011 name matches no MSOA is left out."""
    from placelens.sources.census2021_commuting_msoa import msoa_ttwa_2011

    ttwa = tmp_path / "ttwa.csv"
    ttwa.write_text("LSOA11CD,LSOA11NM,TTWA11CD,TTWA11NM\n"
                    "E01000001,old,X,Xtown\nE01000002,old,X,Xtown\nE01000003,old,Y,Ytown\n"
                    "E01000004,old,Y,Ytown\nE01000005,old,Y,Ytown\n")
    lsoa = tmp_path / "lsoa.csv"
    lsoa.write_text("LSOA11CD,LSOA11NM\nE01000001,Town 001A\nE01000002,Town 001B\n"
                    "E01000003,Town 001C\nE01000004,Town 002A\nE01000005,Renamed 009A\n")
    msoa = tmp_path / "msoa.csv"
    msoa.write_text("MSOA11CD,MSOA11NM\nE02000001,Town 001\nE02000002,Town 002\n")
    found = msoa_ttwa_2011(ttwa, lsoa, msoa)
    assert found.to_dict() == {"E02000001": "X", "E02000002": "Y"}
