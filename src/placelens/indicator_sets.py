"""Indicator sets (``data/benchmark_sets.yaml``) turned into area × indicator tables.

Each set is data, not code: which warehouse indicators, their polarity, unit, the one period
each is taken from, and the geography it is published at. Values published for a NUTS3 or
NUTS2 region are given to every district in it (a *regional input*: it cannot tell the
district from its neighbours, and the explanation says so); district-level totals are summed
over the member districts of larger areas. Totals marked ``per_head`` are divided by the
population of the area they are published for, so every area gets a comparable intensity.
The table of sources says where and when each value came from.

A period is declared per indicator rather than "the latest value of each area": an area
whose latest value is years older than everyone else's would otherwise be compared with
them as if it were current."""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from placelens.analysis.aggregation import combination_rule, combine_members

SETS_FILE = "benchmark_sets.yaml"


@dataclass(frozen=True)
class IndicatorSpec:
    """One indicator of a set: warehouse ids (alternatives, the first with a value wins),
    label, the geography it is published at, polarity, scaling, unit and the declared period
    of each id (``periods``; empty for panels, which take each year in turn). ``sampling``
    describes its sampling error (see :func:`sampling_se`). ``absent_is_zero``: the source is
    a complete register, so an area it lists in some period but not in this one had none."""

    ids: tuple[str, ...]
    label: str
    level: str
    polarity: int = 1
    per_head: bool = False
    log: bool = False
    theme: str = ""
    unit: str = ""
    periods: tuple[str, ...] = ()
    sampling: tuple[tuple[str, float], ...] = ()
    absent_is_zero: bool = False

    @property
    def regional(self) -> bool:
        """Published for a region larger than a district (NUTS3, NUTS2) and copied down."""
        return self.level.startswith("NUTS")


@dataclass(frozen=True)
class IndicatorSet:
    name: str
    kind: str  # "index" or "neighbours"
    description: str
    indicators: tuple[IndicatorSpec, ...]
    min_coverage: float = 0.5
    area_type: str = "LAD"
    years: tuple[str, ...] = ()


def load_sets(text: str | None = None) -> dict[str, IndicatorSet]:
    """Every set in the packaged YAML (or in ``text``), checked for required fields."""
    return dict(_packaged_sets()) if text is None else _parse_sets(text)


@cache
def _packaged_sets() -> dict[str, IndicatorSet]:
    """The packaged sets, parsed once per process (every index and neighbour look-up of
    every profile asks for a set)."""
    return _parse_sets(resources.files("placelens.data").joinpath(SETS_FILE).read_text("utf-8"))


#: libyaml's safe loader where PyYAML was built with it: the same results as the pure-Python
#: one in a tenth of the time (2 ms against 22 ms for the packaged sets).
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse_sets(text: str) -> dict[str, IndicatorSet]:
    data = yaml.load(text, Loader=SAFE_LOADER)  # noqa: S506 (a safe loader)
    sets = {}
    for kind, key in (("index", "indicators"), ("neighbours", "variables")):
        for name, body in (data.get(kind) or {}).items():
            specs = []
            for number, item in enumerate(body.get(key) or [], start=1):
                missing = [f for f in ("id", "label", "level") if f not in item]
                if missing:
                    raise ValueError(f"{SETS_FILE}: {kind}.{name}, item {number} lacks {missing}")
                ids = _as_list(item["id"])
                periods = [str(p) for p in _as_list(item.get("period", []))]
                if periods and len(periods) != len(ids):
                    raise ValueError(f"{SETS_FILE}: {kind}.{name}, item {number}: give one "
                                     f"period per id ({len(ids)} ids, {len(periods)} periods)")
                specs.append(IndicatorSpec(
                    tuple(ids), item["label"], item["level"], int(item.get("polarity", 1)),
                    bool(item.get("per_head", False)), bool(item.get("log", False)),
                    item.get("theme", ""), item.get("unit", ""), tuple(periods),
                    tuple(sorted((item.get("sampling") or {}).items())),
                    bool(item.get("absent_is_zero", False))))
            sets[name] = IndicatorSet(name, kind, body.get("description", ""), tuple(specs),
                                      float(body.get("min_coverage", 0.5)),
                                      body.get("area_type", "LAD"),
                                      tuple(str(y) for y in body.get("years", ())))
    return sets


def _as_list(value) -> list:
    return value if isinstance(value, list) else [value]


#: ITL 2021 numbers Northern Ireland's eleven ITL3 areas 06…0G; NUTS 2016 numbered the same
#: areas UKN06…UKN16 (every other ITL code is the NUTS 2016 code with TL for UK).
_NI_LETTERS = {"A": "10", "B": "11", "C": "12", "D": "13", "E": "14", "F": "15", "G": "16"}


def nuts_code(itl: str) -> str:
    """The NUTS 2016 code of an ITL 2021 code: ``TLK30`` → ``UKK30``, ``TLN0A`` → ``UKN10``."""
    if itl.startswith("TLN0") and len(itl) == 5 and itl[4] in _NI_LETTERS:
        return "UKN" + _NI_LETTERS[itl[4]]
    return "UK" + itl[2:]


def itl_code(nuts: str) -> str:
    """The ITL 2021 code of a NUTS 2016 code (inverse of :func:`nuts_code`)."""
    numbers = {v: k for k, v in _NI_LETTERS.items()}
    if nuts.startswith("UKN") and nuts[3:] in numbers:
        return "TLN0" + numbers[nuts[3:]]
    return "TL" + nuts[2:]


def parents_for(indicators, area_type: str) -> dict[str, pd.Series]:
    """For each area of the type, its NUTS3 and NUTS2 (2016) region: from the ONS lookup for
    districts; by code for ITL3 areas (:func:`nuts_code`)."""
    codes = [p.code for p in indicators.places.of_type(area_type)]
    if area_type == "LAD":
        hierarchy = indicators.warehouse.table("hierarchy")
        primary = hierarchy[(hierarchy["child_type"] == "LAD") & hierarchy["primary_parent"]]
        return {level: primary[primary["parent_type"] == level].set_index("child_code")[
            "parent_code"] for level in ("NUTS3", "NUTS2")}
    if area_type == "ITL3":
        return {"NUTS3": pd.Series([nuts_code(c) for c in codes], index=codes),
                "NUTS2": pd.Series([nuts_code(c[:4]) for c in codes], index=codes)}
    raise ValueError(f"indicator sets are built for LAD or ITL3 areas, not {area_type!r}")


def area_table(indicators, indicator_set: IndicatorSet, area_type: str = "LAD",
               year: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(area × indicator values, long provenance: area, indicator, source area, period).

    Each value is the one published for the indicator's declared period (or, with ``year``,
    that year's) for the area itself, for the NUTS region holding it, or summed over its
    member districts, per the indicator's level."""
    if indicator_set.area_type == "LAD" and area_type != "LAD":
        return combined_table(indicators, indicator_set, area_type, year)
    codes = [p.code for p in indicators.places.of_type(area_type)]
    parent_of = parents_for(indicators, area_type)
    columns, provenance = {}, []
    for spec in indicator_set.indicators:
        values, periods, sources = _indicator_values(indicators, spec, codes, parent_of,
                                                     area_type, year)
        columns[spec.label] = values
        provenance.append(pd.DataFrame({"area": codes, "indicator": spec.label,
                                        "source_area": sources, "period": periods}))
    return pd.DataFrame(columns, index=pd.Index(codes, name="area")), pd.concat(provenance)


def combined_table(indicators, indicator_set: IndicatorSet, area_type: str,
                   year: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A district set's values combined onto every place of ``area_type`` (combined
    authorities, city regions, ITL regions, countries, area sets): totals summed over member
    districts, everything else weighted by population
    (:mod:`placelens.analysis.aggregation`); logs taken after combining."""
    unlogged = replace(indicator_set, indicators=tuple(
        replace(spec, log=False) for spec in indicator_set.indicators))
    districts, district_sources = area_table(indicators, unlogged, "LAD", year)
    places = indicators.places.of_type(area_type)
    members = {p.code: p.members for p in places}
    meta = indicators.warehouse.table("indicators").set_index("indicator")["additive"]
    totals = {spec.label for spec in indicator_set.indicators if spec.level == "LAD"
              and not spec.per_head and bool(meta.get(spec.ids[0], False))}
    combined = combine_members(districts, members, _district_population(indicators, year),
                               totals)
    provenance = []
    for spec in indicator_set.indicators:
        if spec.log:
            combined[spec.label] = np.log(combined[spec.label].where(combined[spec.label] > 0))
        periods = district_sources[district_sources["indicator"] == spec.label].set_index(
            "area")["period"]
        provenance.append(pd.DataFrame({
            "area": list(members), "indicator": spec.label,
            "source_area": [combination_rule(spec.label in totals, len(m))
                            for m in members.values()],
            "period": [periods.reindex(list(m)).dropna().iloc[0]
                       if periods.reindex(list(m)).notna().any() else None
                       for m in members.values()]}))
    combined.index.name = "area"
    return combined.astype("float64"), pd.concat(provenance, ignore_index=True)


def _district_population(indicators, year: str | None) -> pd.Series:
    """District population (GDHI-implied) in ``year``, or the latest year, as weights."""
    table = indicators.table("population_gdhi_implied")
    wide = table[table["area_type"] == "LAD"].pivot_table(index="area_code", columns="period",
                                                          values="value")
    columns = sorted(wide.columns)
    chosen = str(year) if year is not None and str(year) in columns else columns[-1]
    return wide[chosen]


def area_panel(indicators, indicator_set: IndicatorSet, area_type: str,
               years: list[str]) -> pd.DataFrame:
    """Long panel (area, period, indicator, value) of the set over ``years``."""
    frames = []
    for year in years:
        table, _ = area_table(indicators, indicator_set, area_type, year)
        long = table.stack().rename("value").reset_index()
        long.columns = ["area", "indicator", "value"]
        frames.append(long.assign(period=year))
    return pd.concat(frames, ignore_index=True)[["area", "period", "indicator", "value"]]


def _published(indicators, spec: IndicatorSpec, year: str | None) -> pd.DataFrame:
    """One value per area: for each id its declared period (or, with ``year``, that year's
    value), the first id with a value winning."""
    frames = []
    for number, indicator in enumerate(spec.ids):
        table = indicators.table(indicator)
        table = table[(table["area_type"] == spec.level)].dropna(subset=["value"])
        if year is not None:
            table = table[table["period"].astype(str).str[:4] == str(year)]
        elif spec.periods:
            table = table[table["period"].astype(str) == spec.periods[number]]
        frames.append(table)
    table = pd.concat(frames, ignore_index=True)
    if year is None and not spec.periods:
        table = table.sort_values("period", kind="stable")
        return table.drop_duplicates("area_code", keep="last").set_index("area_code")
    return table.drop_duplicates("area_code", keep="first").set_index("area_code")


def _indicator_values(indicators, spec: IndicatorSpec, codes: list[str],
                      parent_of: dict[str, pd.Series], area_type: str, year: str | None
                      ) -> tuple[pd.Series, list, list]:
    published = _published(indicators, spec, year)
    if spec.level == "LAD" and area_type != "LAD":
        return _member_sums(indicators, spec, codes, published)
    if spec.level == area_type:
        keys = pd.Series(codes, index=codes)
    else:
        keys = parent_of[spec.level].reindex(codes)
    values = keys.map(published["value"])
    periods = keys.map(published["period"])
    if spec.absent_is_zero:
        values, periods = _absent_as_zero(indicators, spec, keys, values, periods, year)
    if spec.per_head and len(published):
        population = _population(indicators, spec.level, keys, periods)
        values = values / population
    if spec.log:
        values = np.log(values.where(values > 0))
    values = values.astype("float64").replace([np.inf, -np.inf], np.nan)
    return values, periods.tolist(), keys.tolist()


def _absent_as_zero(indicators, spec: IndicatorSpec, keys: pd.Series, values: pd.Series,
                    periods: pd.Series, year: str | None) -> tuple[pd.Series, pd.Series]:
    """Zero for areas the register lists in some period but not in this one (an area it never
    lists, e.g. under a code it does not use, stays missing)."""
    known = set()
    for indicator in spec.ids:
        table = indicators.table(indicator)
        known |= set(table.loc[table["area_type"] == spec.level, "area_code"])
    period = str(year) if year is not None else (spec.periods[0] if spec.periods else None)
    fill = values.isna() & keys.isin(known)
    return values.mask(fill, 0.0), periods.mask(fill, period)


def _member_sums(indicators, spec: IndicatorSpec, codes: list[str],
                 published: pd.DataFrame) -> tuple[pd.Series, list, list]:
    """A district-level total summed over each area's member districts (NaN unless every
    member has a value), per head of the members' population when ``per_head``."""
    membership = pd.DataFrame([(code, lad) for code in codes
                               for lad in indicators.places.get(code).members],
                              columns=["area", "lad"])
    rows = membership.join(published[["value", "period"]], on="lad")
    if spec.per_head:
        rows["people"] = _population(indicators, "LAD", rows["lad"], rows["period"]).to_numpy()
    grouped = rows.groupby("area", sort=False)
    complete = grouped["value"].count() == grouped.size()
    values = grouped["value"].sum().where(complete)
    if spec.per_head:
        values = values / grouped["people"].sum(min_count=1)
    periods = grouped["period"].first().where(complete)
    sources = [combination_rule(True, n) for n in grouped.size().reindex(codes)]
    return (values.reindex(codes).astype("float64"), periods.reindex(codes).tolist(), sources)


def _population(indicators, level: str, keys: pd.Series, periods: pd.Series) -> pd.Series:
    """Population of each area in the year nearest the value's: districts from GDHI-implied
    population; NUTS regions from the ITL table with the same code (ITL 2021 codes match NUTS
    2016 codes with TL for UK)."""
    if level == "LAD":
        table = indicators.table("population_gdhi_implied")
        wide = table[table["area_type"] == "LAD"].pivot_table(
            index="area_code", columns="period", values="value")
        return pd.Series([_nearest(wide, key, period) for key, period in
                          zip(keys, periods, strict=True)], index=keys.index, dtype="float64")
    table = indicators.table("population")
    table = table[table["area_type"] == level.replace("NUTS", "ITL")]
    if level.startswith("ITL"):
        keys = keys.map(lambda k: k if pd.isna(k) else nuts_code(str(k)))
    wide = table.pivot_table(index="area_code", columns="period", values="value")
    out = [_nearest(wide, None if pd.isna(key) else itl_code(str(key)), period)
           for key, period in zip(keys, periods, strict=True)]
    return pd.Series(out, index=keys.index, dtype="float64")


def _nearest(wide: pd.DataFrame, code: str | None, period) -> float:
    """The value of ``code`` in the year column nearest to ``period``'s year."""
    if code not in wide.index or period is None or pd.isna(period):
        return np.nan
    years = wide.columns.astype(int)
    return wide.loc[code, wide.columns[np.abs(years - int(str(period)[:4])).argmin()]]


def sampling_se(indicator_set: IndicatorSet, panel: pd.DataFrame) -> pd.Series | None:
    """Stated proxy standard errors for the panel's rows (indicator, value), from each
    indicator's ``sampling`` entry: ``proportion_n: N`` gives the binomial standard error of a
    percentage p from an effective sample of N, 100·√(p/100·(1 − p/100)/N); ``cv: C`` gives
    C × value. NaN where an indicator states none; None when no indicator does."""
    rules = {spec.label: dict(spec.sampling) for spec in indicator_set.indicators
             if spec.sampling}
    if not rules:
        return None
    out = pd.Series(np.nan, index=panel.index, dtype="float64")
    for label, rule in rules.items():
        rows = panel["indicator"] == label
        value = panel.loc[rows, "value"].astype("float64")
        if "proportion_n" in rule:
            share = (value / 100).clip(0, 1)
            out[rows] = 100 * np.sqrt(share * (1 - share) / float(rule["proportion_n"]))
        elif "cv" in rule:
            out[rows] = float(rule["cv"]) * value.abs()
        else:
            raise ValueError(f"{SETS_FILE}: {indicator_set.name}, {label}: sampling must give "
                             f"proportion_n or cv, not {sorted(rule)}")
    return out
