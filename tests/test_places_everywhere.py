"""Every geography in every command: retired districts, postcodes, combining districts onto
larger places and predecessors onto successors, comparators and side-by-side comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from placelens.analysis.aggregation import combination_rule, combine_members
from placelens.cli import app
from placelens.errors import InvalidChoiceError, UnknownPlaceError
from placelens.geography.area_types import upper_first
from placelens.geography.places import postcode_keys
from placelens.warehouse.successors import combine_predecessors, last_predecessors

runner = CliRunner()


def run(warehouse_path, *args):
    return runner.invoke(app, [*args, "--warehouse", str(warehouse_path)])


# --- hand-computed --------------------------------------------------------------------------

def test_postcode_keys_by_hand():
    assert postcode_keys("cb2 1tn") == [("postcode", "CB21TN"), ("sector", "CB2 1"),
                                        ("outcode", "CB2")]
    assert postcode_keys("SW1A1AA")[0] == ("postcode", "SW1A1AA")
    assert postcode_keys("CB2 1") == [("sector", "CB2 1"), ("outcode", "CB2")]
    assert postcode_keys("M1") == [("outcode", "M1")]
    assert postcode_keys("Cambridge") == [] and postcode_keys("E07000030") == []


def _changes():
    return pd.DataFrame({
        "old_code": ["A1", "A2", "B1", "B2", "B3", "B0"],
        "new_code": ["A", "A", "B", "B", "B", "B"],
        "date": ["2023-04-01", "2023-04-01", "2023-04-01", "2023-04-01", "2023-04-01",
                 "2019-03-31"],
        "population_2020": [100.0, 300.0, 1.0, 1.0, 2.0, 5.0]})


def _observations(rows):
    frame = pd.DataFrame(rows, columns=["area_code", "indicator", "period", "value"])
    return frame.assign(area_type="LAD", vintage="pre-2023", source_id="s",
                        derived_from=None)


def test_predecessors_are_summed_or_weighted_by_population():
    observations = _observations([
        ("A1", "jobs", "2021", 10.0), ("A2", "jobs", "2021", 30.0),
        ("A1", "rate", "2021", 50.0), ("A2", "rate", "2021", 70.0),
        ("B1", "rate", "2021", 1.0), ("B2", "rate", "2021", 2.0)])  # B3 missing: no value
    derived = combine_predecessors(observations, _changes(), {"jobs": True, "rate": False})
    by_key = derived.set_index(["area_code", "indicator"])["value"]
    assert by_key[("A", "jobs")] == 40.0                        # the sum is conserved
    assert by_key[("A", "rate")] == pytest.approx((50 * 100 + 70 * 300) / 400)  # 65.0
    assert ("B", "rate") not in by_key.index                    # a predecessor lacks a value
    assert derived["vintage"].eq("2023").all()
    assert derived.set_index(["area_code", "indicator"]).loc[("A", "rate"), "derived_from"] \
        .startswith("mean of predecessors A1, A2 weighted by mid-2020 population")


def test_published_successor_values_are_never_replaced():
    observations = pd.concat([
        _observations([("A1", "jobs", "2021", 10.0), ("A2", "jobs", "2021", 30.0)]),
        _observations([("A", "jobs", "2021", 41.0)]).assign(vintage="2023")])
    assert combine_predecessors(observations, _changes(), {"jobs": True}).empty


def test_last_predecessors_are_those_of_the_latest_change():
    # B0 merged into B2 in 2019; B is made of B1, B2 and B3 (2023)
    assert last_predecessors(_changes()) == {"A": ["A1", "A2"], "B": ["B1", "B2", "B3"]}


def test_combining_members_by_hand():
    values = pd.DataFrame({"jobs": [10.0, 30.0, np.nan], "rate": [50.0, 70.0, np.nan]},
                          index=["a", "b", "c"])
    population = pd.Series({"a": 1.0, "b": 3.0, "c": 0.01})
    out = combine_members(values, {"ab": ("a", "b"), "abc": ("a", "b", "c")}, population,
                          {"jobs"})
    assert out.loc["ab", "jobs"] == 40.0 and out.loc["ab", "rate"] == 65.0
    # a total needs every member; a rate members holding ≥ 95% of the population
    assert np.isnan(out.loc["abc", "jobs"]) and out.loc["abc", "rate"] == 65.0
    strict = combine_members(values, {"abc": ("a", "b", "c")}, population.replace(0.01, 1.0),
                             {"jobs"})
    assert np.isnan(strict.loc["abc", "rate"])



def test_combination_rule_names_the_rule_and_a_single_district_plainly():
    assert combination_rule(True, 10) == "sum of 10 districts"
    assert combination_rule(False, 2) == "population-weighted mean of 2 districts"
    assert combination_rule(True, 1) == combination_rule(False, 1) == \
        "its one district's figure"


def test_upper_first_keeps_acronyms():
    assert upper_first("ITL3 region") == "ITL3 region" and upper_first("UK") == "UK"
    assert upper_first("combined authority") == "Combined authority"
    assert upper_first("MSOAs") == "MSOAs" and upper_first("") == ""

# --- the real warehouse ---------------------------------------------------------------------

def test_retired_districts_lead_to_their_successor_with_a_notice(observatory):
    for query in ("Eden", "E07000030", "eden"):
        place = observatory.place(query)
        assert place.code == "E06000064"
        assert place.notice == ("Eden (E07000030) was abolished in April 2023; its area is now "
                                "part of Westmorland and Furness (E06000064).")
    assert observatory.place("Westmorland and Furness").notice == ""
    with pytest.raises(UnknownPlaceError, match="Eden \\(E07000030, retired; now Westmorland"):
        observatory.place("Edenn")


def test_a_type_narrows_a_name_to_the_one_area_it_begins(observatory):
    assert observatory.place("Cornwall", "ITL3").code == "TLK30"
    assert observatory.place("Cornwall").code == "E06000052"      # without a type: the council


def test_a_postcode_resolves_to_its_district(observatory):
    place = observatory.place("CB2 1TN")
    assert place.code == "E07000008" and "Postcode CB21TN is in Cambridge" in place.notice
    assert observatory.place("cb2").notice.startswith("Postcode district CB2 is mostly in")
    with pytest.raises(InvalidChoiceError, match="place type must be one of 'LAD', 'CA'"):
        observatory.places.of_type("FOO")


def test_successor_values_agree_with_values_published_for_the_successor(observatory):
    """GVA per hour 2021 combined from predecessors (subnational indicators, weighted by
    population) against the regional accounts' own figure for the 2023 unitaries."""
    derived = observatory.indicators.table("sni_gross_value_added_per_hour_worked")
    published = observatory.indicators.table("gva_per_hour_gbp")
    for code in ("E06000063", "E06000064", "E06000065", "E06000066"):
        ours = derived[derived["area_code"] == code]
        assert ours["derived_from"].iloc[0].startswith("mean of predecessors")
        theirs = published[(published["area_code"] == code) & (published["period"] == "2021")]
        assert ours["value"].iloc[0] == pytest.approx(theirs["value"].iloc[0], rel=0.05)


def test_the_2023_unitaries_are_ranked_and_have_neighbours(observatory):
    scores = observatory.benchmark.innovation_index(draws=50).table
    unitaries = ["E06000063", "E06000064", "E06000065", "E06000066"]
    assert scores.loc[unitaries, "sufficient"].all()
    for code in unitaries:
        assert len(observatory.comparators.neighbours(observatory.places.get(code))) == 10


def test_combined_authorities_are_ranked_among_themselves(observatory):
    index = observatory.benchmark.innovation_index(draws=50, area_type="CA")
    assert set(index.table.index) == {p.code for p in observatory.places.of_type("CA")}
    gm = observatory.place("Greater Manchester")
    explained = observatory.benchmark.explain_index(gm)
    assert explained["input"].str.startswith("member districts").all()
    assert explained.loc["Business R&D spend per head", "input"] == \
        "member districts, regional (NUTS2)"
    assert explained.loc["GVA per hour worked", "published_for"] == \
        "population-weighted mean of 10 districts"
    # a per-head value combined by population equals the ratio of summed parts
    members = observatory.comparators.district_parts().loc[list(gm.members)]
    population = members["population"]
    assert observatory.comparators.context("CA").loc[gm.code, "population"] == \
        pytest.approx(np.log(population.sum()))


def test_area_sets_are_ranked_among_districts(observatory):
    index = observatory.benchmark.innovation_index(draws=50, area_type="SET")
    assert "PL_TEST_TEES" in index.table.index and len(index.table) > 361
    neighbours = observatory.comparators.neighbours(observatory.place("PL_TEST_TEES"), k=5)
    assert not neighbours["neighbour"].str.startswith("PL_").any()


def test_cornwalls_default_neighbours_match_it_on_rurality(observatory):
    cornwall = observatory.place("Cornwall")
    neighbours = observatory.comparators.neighbours(cornwall)
    rural = observatory.comparators.context("LAD")["rural share"]
    assert abs(rural[neighbours["neighbour"]].median() - rural[cornwall.code]) <= 20
    # size alone picked Sheffield, Kirklees, Bradford, Liverpool…: none is rural
    assert not {"E08000019", "E08000034", "E08000032", "E08000012"} & set(
        neighbours["neighbour"])


def test_geographic_neighbours_are_the_published_ones(observatory):
    table = observatory.comparators.geographic_neighbours(observatory.place("Hartlepool"))
    bordering = table[table["kind"] == "shares a boundary"]["neighbour_code"].tolist()
    assert bordering == ["E06000004", "E06000047", "E06000003"]   # as published, in order
    merged = observatory.comparators.geographic_neighbours(observatory.place("Cumberland"))
    assert "E06000063" not in set(merged["neighbour_code"])          # never its own neighbour


def test_compare_three_places(warehouse_path):
    result = run(warehouse_path, "compare", "Cornwall", "Dorset", "Greater Manchester",
                 "--variable", "rural share", "--variable", "GVA per hour")
    assert result.exit_code == 0, result.output
    assert "▶ Cornwall" in result.output and "Dorset" in result.output
    assert "median of" in result.output and "Greater Manchester" in result.output


# --- every command, every geography ---------------------------------------------------------

PLACES = {"combined authority": "Greater Manchester", "ITL3": "TLK30",
          "area set": "PL_TEST_TEES", "2023 unitary": "Cumberland"}
COMMANDS = {
    "places search": ["places", "search", "{place}"],
    "profile": ["profile", "{place}", "--html-only", "--out", "{out}"],
    "benchmark explain": ["benchmark", "explain", "{place}"],
    "benchmark neighbours": ["benchmark", "neighbours", "{place}", "--k", "3"],
    "benchmark emerging": ["benchmark", "emerging", "--place", "{place}"],
    "compare": ["compare", "{place}", "Cornwall"],
    "complexity opportunities": ["complexity", "opportunities", "{place}"],
    "complexity clusters": ["complexity", "clusters", "{place}"],
    "regions show": ["regions", "show", "{place}"],
    "network show": ["network", "show", "{place}"],
    "network leadership": ["network", "leadership", "{place}"],
    "journey history": ["journey", "history", "{place}", "--folder", "{out}"],
}


@pytest.mark.parametrize("kind", list(PLACES))
@pytest.mark.parametrize("command", list(COMMANDS))
def test_every_command_for_every_geography(warehouse_path, tmp_path, command, kind):
    """Runs, or says plainly why the measure is not defined for the place: never 'no place
    matches' and never a traceback."""
    args = [a.format(place=PLACES[kind], out=tmp_path) for a in COMMANDS[command]]
    result = run(warehouse_path, *args)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.output
    assert "No place matches" not in result.output
    if result.exit_code != 0:
        assert result.exit_code == 2 and "Error:" in result.output, result.output


@pytest.mark.parametrize("area_type", ["CA", "CR", "ITL1", "ITL2", "ITL3", "SET", "LAD"])
def test_rankings_for_every_type(warehouse_path, area_type):
    result = run(warehouse_path, "benchmark", "index", "--type", area_type, "--draws", "20")
    assert result.exit_code == 0, result.output
    result = run(warehouse_path, "places", "list", "--type", area_type.lower())
    assert result.exit_code == 0 and result.output.strip()


def test_comparison_values_and_median_by_hand(observatory):
    """Density is residents over land hectares; the median row is over the others only."""
    comparators = observatory.comparators
    cornwall, others = observatory.place("Cornwall"), [observatory.place(q) for q in
                                                       ("Dorset", "Somerset", "Shropshire")]
    table = comparators.compare(cornwall, others, "list", ["rural share", "density"]).table
    parts = comparators.district_parts().loc["E06000052"]
    assert table.loc["E06000052", "density"] == pytest.approx(parts["population"] /
                                                              parts["land"])
    others_rural = [table.loc[p.code, "rural share"] for p in others]
    assert table.loc["median of comparators", "rural share"] == pytest.approx(
        sorted(others_rural)[1])
