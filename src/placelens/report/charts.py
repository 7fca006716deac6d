"""Charts as offline SVG (Vega-Lite rendered by vl-convert: no CDN, no browser), each carrying
the Vega-Lite spec it was drawn from so the web observatory can show it interactively.

Every chart has a title, axis titles with units and a source line; the caller shows the data
table beside it, so the chart is never the only way to read the numbers."""

from __future__ import annotations

import json
from typing import Literal

import altair as alt
import numpy as np
import pandas as pd
import vl_convert as vlc

FONT = "DejaVu Sans"
# Charts are rendered offline to SVG, so large tables (e.g. every placebo unit's path) are
# fine; Altair's browser-oriented 5,000-row guard does not apply.
alt.data_transformers.disable_max_rows()
PALETTE = {"place": "#1d70b8", "region": "#f47738", "uk": "#505a5f", "highlight": "#d4351c"}


class ChartSVG(str):
    """A chart's SVG markup (a ``str``, so offline pages embed it as it is) with ``spec``, the
    Vega-Lite specification it was rendered from (web pages draw that with tooltips)."""

    spec: dict

    def __new__(cls, svg: str, spec: dict) -> ChartSVG:
        chart = super().__new__(cls, svg)
        chart.spec = spec
        return chart


def _finish(chart: alt.Chart | alt.LayerChart | alt.FacetChart, title: str, source: str,
            width: int, height: int) -> ChartSVG:
    """Title, source line and size; the SVG is one image labelled with the title (marks carry
    no ARIA roles of their own: the data table beside the chart is the accessible form)."""
    spec = chart.properties(
        title=alt.TitleParams(title, subtitle=[f"Source: {source}"], anchor="start",
                              fontSize=13, subtitleFontSize=10, subtitleColor="#505a5f"),
        width=width, height=height,
    ).configure(font=FONT, aria=False).configure_view(stroke=None).to_dict(validate=False)
    svg = vlc.vegalite_to_svg(spec)
    return ChartSVG(svg.replace("<svg ", f'<svg role="img" aria-label="{_escape(title)}" ', 1),
                    spec)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")


def trend_chart(frame: pd.DataFrame, title: str, y_title: str, source: str,
                width: int = 420, height: int = 200) -> str:
    """Lines per series over years. ``frame``: columns period, value, series."""
    data = frame.assign(year=frame["period"].astype(int))
    order = list(dict.fromkeys(data["series"]))
    colours = [PALETTE["place"], PALETTE["region"], PALETTE["uk"]][: len(order)]
    chart = alt.Chart(data).mark_line(point=alt.OverlayMarkDef(size=18)).encode(
        x=alt.X("year:O", title="Year", axis=alt.Axis(labelAngle=0, values=_ticks(data))),
        y=alt.Y("value:Q", title=y_title, scale=alt.Scale(zero=False)),
        color=alt.Color("series:N", title=None, sort=order,
                        scale=alt.Scale(domain=order, range=colours),
                        legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("series:N", sort=order, legend=None),
    )
    return _finish(chart, title, source, width, height)


def _ticks(data: pd.DataFrame) -> list[int]:
    years = sorted(data["year"].unique())
    step = max(1, len(years) // 8)
    return [int(y) for y in years[::step]]


def bar_chart(frame: pd.DataFrame, category: str, value: str, title: str, x_title: str,
              source: str, reference: float | None = None, width: int = 360,
              height: int | None = None, diverging: bool = False) -> str:
    """Horizontal bars in the frame's order, with an optional reference line (e.g. LQ = 1)."""
    height = height or max(120, 22 * len(frame))
    order = list(frame[category])
    colour = alt.condition(f"datum['{value}'] < 0", alt.value(PALETTE["region"]),
                           alt.value(PALETTE["place"])) if diverging else \
        alt.value(PALETTE["place"])
    bars = alt.Chart(frame).mark_bar().encode(
        y=alt.Y(f"{category}:N", sort=order, title=None, axis=alt.Axis(labelLimit=230)),
        x=alt.X(f"{value}:Q", title=x_title), color=colour)
    layers = [bars]
    if reference is not None:
        layers.append(alt.Chart(pd.DataFrame({"x": [reference]})).mark_rule(
            color=PALETTE["uk"], strokeDash=[4, 3]).encode(x="x:Q"))
    return _finish(alt.layer(*layers), title, source, width, height)


def choropleth(features: list[dict], title: str, legend_title: str, source: str,
               highlight: set[str], width: int = 380, height: int = 380,
               value_format: str = ",.0f") -> str:
    """A map of areas coloured by ``properties.value``; ``highlight`` codes are outlined."""
    collection = {"type": "FeatureCollection", "features": features}
    data = alt.Data(values=json.loads(json.dumps(collection))["features"])
    base = alt.Chart(data).project(type="mercator")
    fill = base.mark_geoshape(stroke="white", strokeWidth=0.5).encode(
        color=alt.Color("properties.value:Q", title=legend_title,
                        scale=alt.Scale(type="quantize", nice=True, scheme="blues"),
                        legend=alt.Legend(orient="bottom", format=value_format)),
        tooltip=[alt.Tooltip("properties.name:N", title="Area"),
                 alt.Tooltip("properties.value:Q", title=legend_title,
                             format=value_format)])
    outline = base.transform_filter(
        alt.FieldOneOfPredicate(field="properties.code", oneOf=sorted(highlight))
    ).mark_geoshape(fill=None, stroke=PALETTE["highlight"], strokeWidth=2)
    return _finish(alt.layer(fill, outline), title, source, width, height)


def region_map(features: list[dict], title: str, source: str, width: int = 560,
               height: int = 640) -> str:
    """Areas coloured by ``properties.region`` (neighbouring regions get different colours
    from a 20-colour palette), with region names in the tooltip."""
    data = alt.Data(values=features)
    chart = alt.Chart(data).project(type="mercator").mark_geoshape(
        stroke="white", strokeWidth=0.3).encode(
        color=alt.Color("properties.colour:N", scale=alt.Scale(scheme="tableau20"),
                        legend=None),
        tooltip=[alt.Tooltip("properties.name:N", title="District"),
                 alt.Tooltip("properties.region:N", title="Functional region")])
    return _finish(chart, title, source, width, height)


def placebo_chart(frame: pd.DataFrame, treated: str, title: str, y_title: str, source: str,
                  width: int = 460, height: int = 240) -> str:
    """Gap paths of every placebo unit (grey) with the treated unit's on top (blue)."""
    data = frame.assign(year=frame["period"].astype(int))
    base = alt.Chart(data).encode(x=alt.X("year:O", title="Year", axis=alt.Axis(
        labelAngle=0, values=_ticks(data))), y=alt.Y("value:Q", title=y_title))
    others = base.transform_filter(alt.datum.unit != treated).mark_line(
        color="#b1b4b6", strokeWidth=0.8).encode(detail="unit:N")
    mine = base.transform_filter(alt.datum.unit == treated).mark_line(
        color=PALETTE["place"], strokeWidth=2.5)
    zero = alt.Chart(pd.DataFrame({"y": [0]})).mark_rule(color=PALETTE["uk"]).encode(y="y:Q")
    return _finish(alt.layer(others, mine, zero), title, source, width, height)


ACTOR_COLOURS = {"University or research organisation": "#1d70b8", "Business": "#f47738",
                 "Public body": "#00703c", "Third sector": "#912b88"}


def network_diagram(nodes: pd.DataFrame, edges: pd.DataFrame, title: str, source: str,
                    width: int = 440, height: int = 320) -> str:
    """Organisations as points at precomputed layout positions, links as lines.

    ``nodes``: id, x, y, label, labelled (bool), type (a key of ``ACTOR_COLOURS``), size,
    local (bool: the place's own organisations are drawn filled, partners hollow).
    ``edges``: x, y, x2, y2, weight."""
    plain = alt.Axis(title=None, labels=False, ticks=False, domain=False, grid=False)
    lines = alt.Chart(edges).mark_rule(color="#b1b4b6").encode(
        x=alt.X("x:Q", axis=plain), y=alt.Y("y:Q", axis=plain), x2="x2:Q", y2="y2:Q",
        strokeWidth=alt.StrokeWidth("weight:Q", scale=alt.Scale(range=[0.4, 4]), legend=None))
    types = [t for t in ACTOR_COLOURS if t in set(nodes["type"])]
    colour = alt.Color("type:N", title=None, scale=alt.Scale(
        domain=types, range=[ACTOR_COLOURS[t] for t in types]),
        legend=alt.Legend(orient="bottom", columns=2, labelLimit=260))
    points = alt.Chart(nodes).mark_point(strokeWidth=1.5).encode(
        x="x:Q", y="y:Q", color=colour, size=alt.Size("size:Q", scale=alt.Scale(
            type="sqrt", range=[20, 400]), legend=None),
        fill=alt.condition("datum.local", colour, alt.value("white")))
    labels = alt.Chart(nodes[nodes["labelled"]]).mark_text(
        dy=-11, fontSize=9, color="#0b0c0c").encode(x="x:Q", y="y:Q", text="label:N")
    return _finish(alt.layer(lines, points, labels), title, source, width, height)


def leadership_chart(frame: pd.DataFrame, title: str, source: str, width: int = 360,
                     height: int = 300) -> str:
    """The leadership 2×2: actors against deciders, each relative to what places with as much
    funded R&D have (exp of the size-model residual; log scales, 1 = as size predicts), with
    the place's trajectory over periods. ``frame``: period, actors_residual,
    deciders_residual."""
    data = frame.dropna(subset=["actors_residual", "deciders_residual"]).assign(
        actors_ratio=lambda f: np.exp(f["actors_residual"]),
        deciders_ratio=lambda f: np.exp(f["deciders_residual"]))
    ratios = data[["actors_ratio", "deciders_ratio"]].to_numpy()
    extent = max(4.0, float(ratios.max()) * 1.3, 1.3 / float(ratios.min()))
    scale = alt.Scale(type="log", domain=[1 / extent, extent], nice=False)
    top, bottom = extent / 1.4, 1.4 / extent
    corners: dict[Literal["left", "right"], pd.DataFrame] = {
        "left": pd.DataFrame({"x": [1.1 / extent] * 2, "y": [top, bottom],
                              "text": ["Enthusiastic improvisation", "Barber shop quartet"]}),
        "right": pd.DataFrame({"x": [extent / 1.1] * 2, "y": [top, bottom],
                               "text": ["Jamming super-group", "Orchestral"]})}
    rules = alt.Chart(pd.DataFrame({"v": [1.0]}))
    layers = [
        rules.mark_rule(color=PALETTE["uk"], strokeDash=[4, 3]).encode(
            x=alt.X("v:Q", scale=scale)),
        rules.mark_rule(color=PALETTE["uk"], strokeDash=[4, 3]).encode(
            y=alt.Y("v:Q", scale=scale)),
        *[alt.Chart(frame).mark_text(fontSize=10, color="#505a5f", align=side).encode(
            x=alt.X("x:Q", scale=scale), y=alt.Y("y:Q", scale=scale), text="text:N")
          for side, frame in corners.items()],
        alt.Chart(data).mark_line(color=PALETTE["place"], point=True).encode(
            x=alt.X("actors_ratio:Q", scale=scale,
                    title="Actors (× what its funded R&D predicts)"),
            y=alt.Y("deciders_ratio:Q", scale=scale,
                    title="Deciders (× prediction, or × 2 if more)"), order="period:O"),
        alt.Chart(data).mark_text(dx=6, dy=-7, fontSize=9, align="left").encode(
            x="actors_ratio:Q", y="deciders_ratio:Q", text="period:N"),
    ]
    return _finish(alt.layer(*layers), title, source, width, height)
