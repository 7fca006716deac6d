"""Chart specs are written as plain Vega-Lite dicts: each must be valid against the Vega-Lite
schema (Altair's copy, installed for the tests), carry its data exactly, and render to one
labelled SVG image."""

import json
import re
from importlib import resources

import jsonschema
import numpy as np
import pandas as pd
import pytest

from placelens.report import charts

SQUARE = [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]


def _feature(code: str, value: float, shift: int) -> dict:
    ring = [[[x + shift, y] for x, y in SQUARE[0]]]
    return {"type": "Feature", "geometry": {"type": "Polygon", "coordinates": ring},
            "properties": {"code": code, "name": code, "value": value, "region": "R",
                           "colour": str(shift)}}


def every_chart() -> dict[str, charts.Chart]:
    years = [str(y) for y in range(2010, 2020)]
    trend = pd.DataFrame({"period": years * 2, "value": np.r_[np.linspace(30, 40, 10),
                                                              np.linspace(32, 38, 10)],
                          "series": ["Leeds"] * 10 + ["UK"] * 10})
    bars = pd.DataFrame({"industry": ["Manufacturing", "Finance"], "lq": [1.4, -0.3]})
    features = [_feature("E1", 3.0, 0), _feature("E2", 7.0, 1)]
    placebo = pd.DataFrame({"period": years * 2, "value": np.sin(np.arange(20.0)),
                            "unit": ["California"] * 10 + ["Utah"] * 10})
    nodes = pd.DataFrame({"id": [1, 2], "x": [0.1, 0.9], "y": [0.2, 0.4],
                          "label": ["Uni", "Firm"], "labelled": [True, False],
                          "type": ["University or research organisation", "Business"],
                          "size": [5, 10], "local": [True, False]})
    edges = pd.DataFrame({"x": [0.1], "y": [0.2], "x2": [0.9], "y2": [0.4], "weight": [2]})
    leadership = pd.DataFrame({"period": ["2012-2014", "2015-2017"],
                               "actors_residual": [0.2, -0.1],
                               "deciders_residual": [-0.3, 0.5]})
    return {
        "trend": charts.trend_chart(trend, "Trend", "GVA (£)", "ONS"),
        "bar": charts.bar_chart(bars, "industry", "lq", "LQ", "Location quotient", "ONS",
                                reference=1.0, diverging=True),
        "choropleth": charts.choropleth(features, "Map", "GVA", "ONS", {"E1"}),
        "regions": charts.region_map(features, "Regions", "ONS"),
        "placebo": charts.placebo_chart(placebo, "California", "Placebos", "Gap", "ADH"),
        "network": charts.network_diagram(nodes, edges, "Network", "GtR"),
        "leadership": charts.leadership_chart(leadership, "Leadership", "GtR"),
    }


@pytest.fixture(scope="module")
def rendered() -> dict[str, charts.Chart]:
    return every_chart()


@pytest.fixture(scope="module")
def vega_lite_validator():
    schema_file = resources.files("altair.vegalite.v6.schema") / "vega-lite-schema.json"
    return jsonschema.Draft7Validator(json.loads(schema_file.read_text("utf-8")))


@pytest.mark.parametrize("name", ["trend", "bar", "choropleth", "regions", "placebo",
                                  "network", "leadership"])
def test_every_spec_is_valid_vega_lite_and_one_labelled_image(rendered, vega_lite_validator,
                                                              name):
    chart = rendered[name]
    errors = [f"{list(e.absolute_path)}: {e.message[:200]}"
              for e in vega_lite_validator.iter_errors(chart.spec)]
    assert errors == []
    assert chart.svg.startswith(f'<svg role="img" aria-label="{chart.title}"')
    assert "graphics-symbol" not in chart.svg and "aria-roledescription" not in chart.svg
    source = {"placebo": "ADH", "network": "GtR", "leadership": "GtR"}.get(name, "ONS")
    assert chart.spec["title"]["subtitle"] == [f"Source: {source}"]


def test_a_spec_that_breaks_the_schema_is_caught(vega_lite_validator):
    spec = dict(every_chart()["trend"].spec, mark={"type": "lines"})  # no such mark
    assert not vega_lite_validator.is_valid(spec)


def test_data_is_carried_exactly_with_missing_values_as_null():
    frame = pd.DataFrame({"industry": ["a", "b", "c"], "lq": [1.2214027581601699, np.nan,
                                                                 np.inf]})
    spec = charts.bar_chart(frame, "industry", "lq", "LQ", "LQ", "ONS").spec
    values = spec["layer"][0]["data"]["values"]
    assert values == [{"industry": "a", "lq": 1.2214027581601699},
                      {"industry": "b", "lq": None}, {"industry": "c", "lq": None}]
    json.dumps(spec, allow_nan=False)  # strict JSON: the browser parses it


def test_map_boundaries_are_stored_once(rendered):
    spec = rendered["choropleth"].spec
    assert [layer["data"] for layer in spec["layer"]] == [{"name": "areas"}] * 2
    assert [f["properties"]["code"] for f in spec["datasets"]["areas"]] == ["E1", "E2"]


def test_period_labels_that_would_overlap_are_left_to_the_table():
    # the latest period is placed first, then the first, then the rest if clear of both
    assert charts._labels_apart(np.array([[0.0, 0.0], [10.0, 5.0], [100.0, 0.0]])) == [
        True, False, True]  # 10 px right and 5 px down of the first: inside 48 × 11
    assert charts._labels_apart(np.array([[0.0, 0.0], [0.0, 12.0], [0.0, 24.0]])) == [
        True, True, True]   # 12 px apart vertically: clear of an 11 px label
    assert charts._labels_apart(np.array([[5.0, 5.0]])) == [True]
    assert charts._labels_apart(np.empty((0, 2))) == []


def test_a_stable_places_leadership_path_labels_only_its_latest_period():
    # Leeds 2006-2017: actors 1.18-1.38x and deciders 0.67-0.68x what size predicts
    leadership = pd.DataFrame({"period": ["2006-2008", "2009-2011", "2012-2014", "2015-2017"],
                               "actors_residual": np.log([1.27, 1.18, 1.28, 1.38]),
                               "deciders_residual": np.log([0.673, 0.673, 0.672, 0.676])})
    spec = charts.leadership_chart(leadership, "Leadership", "GtR").spec
    path = spec["datasets"]["path"]
    assert [row["labelled"] for row in path] == [False, False, False, True]
    text = spec["layer"][-1]
    assert text["transform"] == [{"filter": "datum.labelled"}]
    assert text["encoding"]["text"]["field"] == "period"


def test_long_titles_and_source_lines_wrap_instead_of_widening_the_image():
    source = ("UK Research and Innovation, Gateway to Research (GtR API snapshot, April 2018); "
              "Ordnance Survey, Code-Point Open (postcode to local authority district) "
              "(2025.4.0 (October 2025))")
    leadership = pd.DataFrame({"period": ["2015-2017"], "actors_residual": [0.3],
                               "deciders_residual": [-0.4]})
    title = "Leadership style of Greater Manchester Combined Authority over time"
    chart = charts.leadership_chart(leadership, title, source, width=360)
    assert chart.spec["title"]["text"] == [  # 360 px / 8 px: 45 characters a line
        "Leadership style of Greater Manchester", "Combined Authority over time"]
    assert chart.svg.startswith(f'<svg role="img" aria-label="{title}"')  # the whole title
    lines = chart.spec["title"]["subtitle"]
    assert len(lines) == 4 and all(len(line) <= 60 for line in lines)  # 360 px / 6 px
    assert " ".join(lines) == f"Source: {source}"
    width = int(re.search(r'<svg[^>]* width="(\d+)"', chart.svg).group(1))
    assert width < 460  # one unwrapped line made it 962 px, so pages shrank it to a third
