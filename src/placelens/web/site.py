"""What the public pages show, computed once per place and kept: the web's read model over
the Observatory. Computation is serialised by one lock (the warehouse connection and the
services' caches are shared); finished pages are served from memory without it."""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import pandas as pd
from markupsafe import Markup

from placelens.api import Observatory
from placelens.errors import InvalidChoiceError, UnknownPlaceError
from placelens.geography.area_types import PROFILE_TYPES
from placelens.geography.places import Place
from placelens.report import brief, charts
from placelens.report.profile import Profile, ProfileBuilder
from placelens.report.regions_page import regions_context
from placelens.report.tables import as_table, fmt
from placelens.services.comparators import CONTEXT_VARIABLES
from placelens.web.rendering import ENV

MAP_TYPES = ("LAD", "ITL3", "ITL2", "ITL1")
MAX_COMPARE = 10


class _LRU(OrderedDict):
    def __init__(self, size: int):
        super().__init__()
        self.size = size

    def remember(self, key: Any, value: Any) -> Any:
        self[key] = value
        self.move_to_end(key)
        while len(self) > self.size:
            self.popitem(last=False)
        return value


def table_paths(context: Any, path: tuple[str, ...] = ()) -> dict[str, dict]:
    """Every table in a profile context (dicts with columns, data and numeric), named by
    where it sits (``benchmarking-explain``), so each can be downloaded by name."""
    found: dict[str, dict] = {}
    if isinstance(context, dict):
        if {"columns", "data", "numeric"} <= set(context):
            return {"-".join(path): context}
        for key, value in context.items():
            if isinstance(key, str) and key not in ("build", "place"):
                found.update(table_paths(value, (*path, key)))
    return found


class Site:
    """The observatory as the web pages need it, with per-place results kept in memory."""

    def __init__(self, observatory: Observatory, cached_places: int = 600):
        self.obs = observatory
        self.lock = threading.RLock()
        self._profiles: _LRU = _LRU(cached_places)
        self._other: _LRU = _LRU(256)
        self._builder: ProfileBuilder | None = None

    def _memo(self, key: tuple, compute: Callable[[], Any]) -> Any:
        if key in self._other:
            return self._other[key]
        with self.lock:
            if key not in self._other:
                self._other.remember(key, compute())
            return self._other[key]

    # ---- places -------------------------------------------------------------------------
    def place(self, code: str) -> Place:
        """A place by its exact code (URLs are keyed by code, never by name)."""
        found = self.obs.places.places.get(code)
        if found is None:
            suggestions = self.obs.places.suggest(code)
            raise UnknownPlaceError(code, suggestions)
        return found

    def resolve(self, query: str) -> Place:
        with self.lock:
            return self.obs.places.resolve(query)

    def search(self, query: str, limit: int = 12) -> pd.DataFrame:
        with self.lock:
            return self.obs.places.search(query, limit)

    def places_of_type(self, area_type: str) -> list[Place]:
        if area_type not in PROFILE_TYPES:
            raise InvalidChoiceError(f"type must be one of {', '.join(PROFILE_TYPES)}")
        return self.obs.places.of_type(area_type)

    def area(self, code: str) -> dict:
        """The place's profile context, with each table's download path added and its
        sections rendered as HTML (``sections_html``)."""
        place = self.place(code)
        if code in self._profiles:
            return self._profiles[code]
        with self.lock:
            if code not in self._profiles:
                if self._builder is None:
                    self._builder = ProfileBuilder(self.obs)
                context = self._builder.build(place).context
                context["messages"] = brief.key_messages(self.obs, place, context,
                                                         self._builder.period)
                for name, table in table_paths(context).items():
                    table["download"] = f"/areas/{code}/tables/{name}"
                # The sections are the same for every visitor: render them once.
                context["sections_html"] = Markup(ENV.get_template(
                    "_profile_sections.html.j2").render(**context))
                self._profiles.remember(code, context)
            return self._profiles[code]

    def area_tables(self, code: str) -> dict[str, dict]:
        return table_paths(self.area(code))

    def profile_html(self, code: str) -> str:
        """The offline profile (the same sections, print layout) for download."""
        context = self.area(code)
        assert self._builder is not None
        return self._builder.render_html(Profile(context["place"], context))

    def brief_html(self, code: str) -> str:
        """The board brief of the place (key messages first)."""
        context = self.area(code)
        assert self._builder is not None
        with self.lock:
            return self._builder.render_brief(Profile(context["place"], context))

    # ---- indicators -----------------------------------------------------------------------
    def catalogue(self) -> pd.DataFrame:
        return self._memo(("catalogue",), self.obs.indicators.catalogue)

    def indicator(self, indicator: str, area_type: str, period: str | None) -> dict:
        """An indicator page: its catalogue entry, every area of the type ranked, and for
        types with boundaries a map."""
        about = self.obs.indicators.describe(indicator)
        available = [t for t in PROFILE_TYPES if t in str(about["geographies"]).split(", ")]
        if area_type not in available:
            raise InvalidChoiceError(f"{indicator} is published for {', '.join(available)}, "
                                     f"not {area_type}")
        return self._memo(("indicator", indicator, area_type, period),
                          lambda: self._indicator(about, available, area_type, period))

    def _indicator(self, about: dict, available: list[str], area_type: str,
                   period: str | None) -> dict:
        indicator = about["indicator"]
        ranking = self.obs.indicators.ranking(indicator, area_type, period)
        svg = None
        if area_type in MAP_TYPES and len(ranking):
            shapes = self.obs.warehouse.boundaries(area_type, list(ranking["area_code"]))
            values = ranking.set_index("area_code")["value"]
            features = [{"type": "Feature", "geometry": json.loads(row.geojson),
                         "properties": {"code": row.area_code, "value": float(values[
                             row.area_code]), "name": str(ranking.set_index("area_code").at[
                                 row.area_code, "name"])}}
                        for row in shapes.itertuples(index=False)]
            if features:
                svg = charts.choropleth(features, f"{about['name']}, {ranking['period'][0]}",
                                        str(about["unit"] or "value"), str(about["source"]),
                                        set(), width=420, height=520, value_format=",.1f")
        return {"about": about, "available": available, "ranking": ranking, "svg": svg,
                "periods": self.obs.indicators.periods(indicator, area_type)}

    # ---- comparison and regions ------------------------------------------------------------
    def compare(self, queries: list[str]) -> pd.DataFrame:
        """Two to ten places (names, codes or postcodes) side by side on the context
        variables; the first is the place of interest."""
        chosen = [q.strip() for q in queries if q.strip()]
        if not 2 <= len(chosen) <= MAX_COMPARE:
            raise InvalidChoiceError(f"Choose between 2 and {MAX_COMPARE} places to compare "
                                     f"(you chose {len(chosen)})")
        places = list({p.code: p for p in (self.resolve(q) for q in chosen)}.values())
        if len(places) < 2:
            raise InvalidChoiceError("Choose at least two different places to compare")
        codes = tuple(p.code for p in places)
        return self._memo(("compare", codes), lambda: self.obs.comparators.compare(
            places[0], places[1:]).tidy())

    def regions(self) -> dict:
        return self._memo(("regions",), lambda: regions_context(
            self.obs, self.obs.regions.functional_regions()))


def comparison_table(table: pd.DataFrame) -> dict:
    """A comparison formatted for people: thousands separators, percentages, no NaN."""
    shown = table.reset_index()
    out = pd.DataFrame({"Place": shown["name"], "Code": shown["area_code"],
                        "Type": shown["type"]})
    for column in CONTEXT_VARIABLES:
        if column not in shown:
            continue
        values = pd.to_numeric(shown[column], errors="coerce")
        percent = column.startswith(("rural", "employment", "NVQ", "business"))
        decimals = 1 if percent or column in ("density", "GVA per hour") else 0
        unit = "£" if column in ("GVA per hour", "GDHI per head") else ""
        out[column] = [fmt(v, decimals, unit) + ("%" if percent and pd.notna(v) else "")
                       for v in values]
    return as_table(out)
