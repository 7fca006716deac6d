"""Charts as Vega-Lite specs, drawn either as offline SVG (vl-convert: no CDN, no browser) for
PDFs and self-contained pages, or in the browser from the same spec (web pages, and offline
profiles written with ``charts="browser"``). The SVG is rendered only when a page asks for it:
it is most of a profile's time.

Every chart has a title, axis titles with units and a source line; the caller shows the data
table beside it, so the chart is never the only way to read the numbers."""

from __future__ import annotations

import json
import math
import re
import textwrap
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

FONT = "DejaVu Sans"
SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"
PALETTE = {"place": "#1d70b8", "region": "#f47738", "uk": "#505a5f", "highlight": "#d4351c"}
Spec = dict[str, Any]


#: How an HTML page draws its charts: ``svg`` embeds them (self-contained, as PDFs need);
#: ``browser`` draws them from their specs with the Vega scripts beside the page.
CHART_MODES = ("svg", "browser")


#: ARIA roles Vega still gives some mark groups (line marks) with ``aria: false``: inside an
#: image labelled as a whole they would be read out one by one, and axe flags them.
_MARK_ROLES = re.compile(r' (?:role="graphics-symbol"|aria-roledescription="[^"]*")')


class Chart:
    """A chart: its Vega-Lite ``spec`` and ``title``; ``svg`` (rendered on first use) is
    the offline image, labelled with the title. In a template the chart renders as its SVG."""

    def __init__(self, spec: Spec, title: str) -> None:
        self.spec = spec
        self.title = title

    @cached_property
    def svg(self) -> str:
        import vl_convert as vlc

        svg = _MARK_ROLES.sub("", vlc.vegalite_to_svg(self.spec))
        return svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(self.title)}" ', 1)

    @cached_property
    def spec_json(self) -> Markup:
        """The spec as JSON safe inside a script element, serialised once (a map's spec
        holds every boundary, and web pages are served many times)."""
        from jinja2.utils import htmlsafe_json_dumps

        return htmlsafe_json_dumps(self.spec)

    def __html__(self) -> str:
        return self.svg


#: Width in pixels of an average character of the 13 px bold title and the 10 px source.
TITLE_CHAR_WIDTH, SOURCE_CHAR_WIDTH = 8, 6


def _wrapped(text: str, width: int, char_width: int) -> list[str]:
    """``text`` in lines that fit the chart's ``width``: one long line (a source naming GtR
    and Code-Point Open is 190 characters; a combined authority's full name makes a long
    title) made the image up to 960 px wide, so pages scaled the whole chart, its labels
    included, to under half size."""
    return textwrap.wrap(text, max(30, width // char_width)) or [text]


def _finish(body: Spec, title: str, source: str, width: int, height: int,
            datasets: dict[str, list] | None = None) -> Chart:
    """Title, source line and size; the SVG is one image labelled with the title (marks carry
    no ARIA roles of their own: the data table beside the chart is the accessible form).

    Specs are written as plain Vega-Lite dicts: building them with Altair cost a third of a
    profile's time (schema validation and deep copies); the tests validate every chart's
    spec against the Vega-Lite schema instead."""
    title_lines = _wrapped(title, width, TITLE_CHAR_WIDTH)
    spec: Spec = {
        "$schema": SCHEMA,
        "config": {"view": {"continuousWidth": 300, "continuousHeight": 300, "stroke": None},
                   "aria": False, "font": FONT},
        **body,
        "title": {"text": title if len(title_lines) == 1 else title_lines,
                  "subtitle": _wrapped(f"Source: {source}", width, SOURCE_CHAR_WIDTH),
                  "anchor": "start", "fontSize": 13, "subtitleFontSize": 10,
                  "subtitleColor": "#505a5f"},
        "width": width, "height": height}
    if datasets:
        spec["datasets"] = datasets
    return Chart(spec, title)


def _values(frame: pd.DataFrame) -> dict[str, list]:
    """Inline data of a frame: Python values, exactly as stored; NaN and infinities as null."""
    return {"values": [{key: None if isinstance(value, float) and not math.isfinite(value)
                        else value for key, value in row.items()}
                       for row in frame.to_dict(orient="records")]}


def _field(name: str, kind: str, **options: Any) -> Spec:
    """An encoding of field ``name``; ``kind`` is the Vega-Lite type (quantitative, ...)."""
    return {"field": name, "type": kind, **options}


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def trend_chart(frame: pd.DataFrame, title: str, y_title: str, source: str,
                width: int = 420, height: int = 200) -> Chart:
    """Lines per series over years. ``frame``: columns period, value, series."""
    data = frame.assign(year=frame["period"].astype(int))
    order = list(dict.fromkeys(data["series"]))
    colours = [PALETTE["place"], PALETTE["region"], PALETTE["uk"]][: len(order)]
    body = {"data": _values(data[["year", "value", "series"]]),
            "mark": {"type": "line", "point": {"size": 18}},
            "encoding": {
                "x": _field("year", "ordinal", title="Year",
                            axis={"labelAngle": 0, "values": _ticks(data)}),
                "y": _field("value", "quantitative", title=y_title, scale={"zero": False}),
                "color": _field("series", "nominal", title=None, sort=order,
                                scale={"domain": order, "range": colours},
                                legend={"orient": "bottom"}),
                "strokeDash": _field("series", "nominal", sort=order, legend=None)}}
    return _finish(body, title, source, width, height)


def _ticks(data: pd.DataFrame) -> list[int]:
    years = sorted(data["year"].unique())
    step = max(1, len(years) // 8)
    return [int(y) for y in years[::step]]


def bar_chart(frame: pd.DataFrame, category: str, value: str, title: str, x_title: str,
              source: str, reference: float | None = None, width: int = 360,
              height: int | None = None, diverging: bool = False) -> Chart:
    """Horizontal bars in the frame's order, with an optional reference line (e.g. LQ = 1)."""
    height = height or max(120, 22 * len(frame))
    colour: Spec = {"value": PALETTE["place"]}
    if diverging:
        colour = {"condition": {"test": f"datum['{value}'] < 0", "value": PALETTE["region"]},
                  **colour}
    layers = [{"data": _values(frame[[category, value]]), "mark": {"type": "bar"},
               "encoding": {
                   "y": _field(category, "nominal", sort=list(frame[category]), title=None,
                               axis={"labelLimit": 230}),
                   "x": _field(value, "quantitative", title=x_title), "color": colour}}]
    if reference is not None:
        layers.append({"data": {"values": [{"x": reference}]},
                       "mark": {"type": "rule", "color": PALETTE["uk"], "strokeDash": [4, 3]},
                       "encoding": {"x": _field("x", "quantitative")}})
    return _finish({"layer": layers}, title, source, width, height)


def choropleth(features: list[dict], title: str, legend_title: str, source: str,
               highlight: set[str], width: int = 380, height: int = 380,
               value_format: str = ",.0f") -> Chart:
    """A map of areas coloured by ``properties.value``; ``highlight`` codes are outlined.
    The boundaries are one named dataset that both layers read (a map of 361 districts
    would otherwise carry every boundary twice)."""
    areas = {"data": {"name": "areas"}, "projection": {"type": "mercator"}}
    fill = {**areas, "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.5},
            "encoding": {
                "color": _field("properties.value", "quantitative", title=legend_title,
                                scale={"type": "quantize", "nice": True, "scheme": "blues"},
                                legend={"orient": "bottom", "format": value_format}),
                "tooltip": [_field("properties.name", "nominal", title="Area"),
                            _field("properties.value", "quantitative", title=legend_title,
                                   format=value_format)]}}
    outline = {**areas, "transform": [{"filter": {"field": "properties.code",
                                                  "oneOf": sorted(highlight)}}],
               "mark": {"type": "geoshape", "fill": None, "stroke": PALETTE["highlight"],
                        "strokeWidth": 2}}
    return _finish({"layer": [fill, outline]}, title, source, width, height,
                   datasets={"areas": _plain(features)})


def _plain(features: list[dict]) -> list[dict]:
    """A copy of GeoJSON features that the spec owns."""
    return json.loads(json.dumps(features))


def region_map(features: list[dict], title: str, source: str, width: int = 560,
               height: int = 640) -> Chart:
    """Areas coloured by ``properties.region`` (neighbouring regions get different colours
    from a 20-colour palette), with region names in the tooltip."""
    body = {"data": {"values": _plain(features)}, "projection": {"type": "mercator"},
            "mark": {"type": "geoshape", "stroke": "white", "strokeWidth": 0.3},
            "encoding": {
                "color": _field("properties.colour", "nominal", scale={"scheme": "tableau20"},
                                legend=None),
                "tooltip": [_field("properties.name", "nominal", title="District"),
                            _field("properties.region", "nominal",
                                   title="Functional region")]}}
    return _finish(body, title, source, width, height)


def placebo_chart(frame: pd.DataFrame, treated: str, title: str, y_title: str, source: str,
                  width: int = 460, height: int = 240) -> Chart:
    """Gap paths of every placebo unit (grey) with the treated unit's on top (blue)."""
    data = frame.assign(year=frame["period"].astype(int))
    axes: Spec = {"x": _field("year", "ordinal", title="Year",
                              axis={"labelAngle": 0, "values": _ticks(data)}),
                  "y": _field("value", "quantitative", title=y_title)}
    paths: Spec = {"data": {"name": "paths"}, "encoding": axes}
    mine = {"field": "unit", "equal": treated}
    others = {**paths, "transform": [{"filter": {"not": mine}}],
              "mark": {"type": "line", "color": "#b1b4b6", "strokeWidth": 0.8},
              "encoding": {**axes, "detail": _field("unit", "nominal")}}
    treated_path = {**paths, "transform": [{"filter": mine}],
                    "mark": {"type": "line", "color": PALETTE["place"], "strokeWidth": 2.5}}
    zero = {"data": {"values": [{"y": 0}]}, "mark": {"type": "rule", "color": PALETTE["uk"]},
            "encoding": {"y": _field("y", "quantitative")}}
    return _finish({"layer": [others, treated_path, zero]}, title, source, width, height,
                   datasets={"paths": _values(data[["year", "value", "unit"]])["values"]})


ACTOR_COLOURS = {"University or research organisation": "#1d70b8", "Business": "#f47738",
                 "Public body": "#00703c", "Third sector": "#912b88"}


def network_diagram(nodes: pd.DataFrame, edges: pd.DataFrame, title: str, source: str,
                    width: int = 440, height: int = 320) -> Chart:
    """Organisations as points at precomputed layout positions, links as lines.

    ``nodes``: id, x, y, label, labelled (bool), type (a key of ``ACTOR_COLOURS``), size,
    local (bool: the place's own organisations are drawn filled, partners hollow).
    ``edges``: x, y, x2, y2, weight."""
    plain = {"title": None, "labels": False, "ticks": False, "domain": False, "grid": False}
    lines = {"data": _values(edges[["x", "y", "x2", "y2", "weight"]]),
             "mark": {"type": "rule", "color": "#b1b4b6"},
             "encoding": {"x": _field("x", "quantitative", axis=plain),
                          "y": _field("y", "quantitative", axis=plain),
                          "x2": {"field": "x2"}, "y2": {"field": "y2"},
                          "strokeWidth": _field("weight", "quantitative",
                                                scale={"range": [0.4, 4]}, legend=None)}}
    types = [t for t in ACTOR_COLOURS if t in set(nodes["type"])]
    colour = _field("type", "nominal", title=None,
                    scale={"domain": types, "range": [ACTOR_COLOURS[t] for t in types]},
                    legend={"orient": "bottom", "columns": 2, "labelLimit": 260})
    position = {"x": _field("x", "quantitative"), "y": _field("y", "quantitative")}
    points = {"data": {"name": "nodes"}, "mark": {"type": "point", "strokeWidth": 1.5},
              "encoding": {**position, "color": colour,
                           "size": _field("size", "quantitative", legend=None,
                                          scale={"type": "sqrt", "range": [20, 400]}),
                           "fill": {"condition": {"test": "datum.local", **colour},
                                    "value": "white"}}}
    labels = {"data": {"name": "nodes"}, "transform": [{"filter": "datum.labelled"}],
              "mark": {"type": "text", "dy": -11, "fontSize": 9, "color": "#0b0c0c"},
              "encoding": {**position, "text": _field("label", "nominal")}}
    node_values = _values(nodes[["x", "y", "label", "labelled", "type", "size", "local"]])
    return _finish({"layer": [lines, points, labels]}, title, source, width, height,
                   datasets={"nodes": node_values["values"]})


def leadership_chart(frame: pd.DataFrame, title: str, source: str, width: int = 360,
                     height: int = 300) -> Chart:
    """The leadership 2×2: actors against deciders, each relative to what places with as much
    funded R&D have (exp of the size-model residual; log scales, 1 = as size predicts), with
    the place's trajectory over periods. ``frame``: period, actors_residual,
    deciders_residual."""
    data = frame.dropna(subset=["actors_residual", "deciders_residual"]).assign(
        actors_ratio=lambda f: np.exp(f["actors_residual"]),
        deciders_ratio=lambda f: np.exp(f["deciders_residual"]))
    ratios = data[["actors_ratio", "deciders_ratio"]].to_numpy()
    extent = max(4.0, float(ratios.max()) * 1.3, 1.3 / float(ratios.min()))
    scale = {"type": "log", "domain": [1 / extent, extent], "nice": False}
    top, bottom = extent / 1.4, 1.4 / extent
    corners = {"left": (1.1 / extent, ["Enthusiastic improvisation", "Barber shop quartet"]),
               "right": (extent / 1.1, ["Jamming super-group", "Orchestral"])}
    one = {"data": {"values": [{"v": 1.0}]},
           "mark": {"type": "rule", "color": PALETTE["uk"], "strokeDash": [4, 3]}}
    path = {"data": {"name": "path"}}
    ratio_x, ratio_y = (_field("actors_ratio", "quantitative"),
                        _field("deciders_ratio", "quantitative"))
    layers = [
        {**one, "encoding": {"x": _field("v", "quantitative", scale=scale)}},
        {**one, "encoding": {"y": _field("v", "quantitative", scale=scale)}},
        *[{"data": {"values": [{"x": x, "y": y, "text": text}
                               for y, text in zip((top, bottom), texts, strict=True)]},
           "mark": {"type": "text", "fontSize": 10, "color": "#505a5f", "align": side},
           "encoding": {"x": _field("x", "quantitative", scale=scale),
                        "y": _field("y", "quantitative", scale=scale),
                        "text": _field("text", "nominal")}}
          for side, (x, texts) in corners.items()],
        {**path, "mark": {"type": "line", "color": PALETTE["place"], "point": True},
         "encoding": {"x": {**ratio_x, "scale": scale,
                            "title": "Actors (× what its funded R&D predicts)"},
                      "y": {**ratio_y, "scale": scale,
                            "title": "Deciders (× prediction, or × 2 if more)"},
                      "order": _field("period", "ordinal")}},
        {**path, "transform": [{"filter": "datum.labelled"}],
         "mark": {"type": "text", "dx": 6, "dy": -7, "fontSize": 9, "align": "left"},
         "encoding": {"x": ratio_x, "y": ratio_y, "text": _field("period", "nominal")}},
    ]
    pixels = np.log(ratios) / (2 * np.log(extent)) * [width, height]  # on the log axes
    data = data.assign(labelled=_labels_apart(pixels))
    path_values = _values(data[["period", "actors_ratio", "deciders_ratio",
                                "labelled"]])["values"]
    return _finish({"layer": layers}, title, source, width, height,
                   datasets={"path": path_values})


#: Room a period label (9 px text such as "2015-2017") needs: width and height in pixels.
LABEL_BOX = (48.0, 11.0)


def _labels_apart(pixels: np.ndarray) -> list[bool]:
    """Which points of a path get their label: the last (latest period) first, then the
    first, then the others in order, each only if its label would not overlap one already
    placed (points closer than :data:`LABEL_BOX`). Periods close together in a stable place
    otherwise print on top of each other; the data table beside the chart lists them all."""
    count = len(pixels)
    order = dict.fromkeys([count - 1, 0, *range(1, count - 1)]) if count else {}
    placed: list[int] = []
    for point in order:
        if all((np.abs(pixels[point] - pixels[other]) >= LABEL_BOX).any() for other in placed):
            placed.append(point)
    return [point in placed for point in range(count)]
