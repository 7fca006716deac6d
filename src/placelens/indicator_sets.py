"""Indicator sets (``data/benchmark_sets.yaml``) turned into area × indicator tables.

Each set is data, not code: which warehouse indicators, their polarity and the geography they
are published at. Values published for a NUTS3 or NUTS2 region are given to every district in
it, and totals marked ``per_head`` are divided by the region's population, so every district
gets a comparable intensity; the table of sources says where each value came from."""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

import numpy as np
import pandas as pd
import yaml

SETS_FILE = "benchmark_sets.yaml"


@dataclass(frozen=True)
class IndicatorSpec:
    ids: tuple[str, ...]
    label: str
    level: str
    polarity: int = 1
    per_head: bool = False
    log: bool = False
    theme: str = ""


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
    if text is None:
        text = resources.files("placelens.data").joinpath(SETS_FILE).read_text("utf-8")
    data = yaml.safe_load(text)
    sets = {}
    for kind, key in (("index", "indicators"), ("neighbours", "variables")):
        for name, body in (data.get(kind) or {}).items():
            specs = []
            for number, item in enumerate(body.get(key) or [], start=1):
                missing = [f for f in ("id", "label", "level") if f not in item]
                if missing:
                    raise ValueError(f"{SETS_FILE}: {kind}.{name}, item {number} lacks {missing}")
                ids = item["id"] if isinstance(item["id"], list) else [item["id"]]
                specs.append(IndicatorSpec(tuple(ids), item["label"], item["level"],
                                           int(item.get("polarity", 1)),
                                           bool(item.get("per_head", False)),
                                           bool(item.get("log", False)), item.get("theme", "")))
            sets[name] = IndicatorSet(name, kind, body.get("description", ""), tuple(specs),
                                      float(body.get("min_coverage", 0.5)),
                                      body.get("area_type", "LAD"),
                                      tuple(str(y) for y in body.get("years", ())))
    return sets


def parents_for(observatory, area_type: str) -> dict[str, pd.Series]:
    """For each area of the type, its NUTS3 and NUTS2 (2016) region: from the ONS lookup for
    districts; by code for ITL3 areas (ITL 2021 codes are NUTS 2016 codes with TL for UK)."""
    codes = [p.code for p in observatory.places.of_type(area_type)]
    if area_type == "LAD":
        hierarchy = observatory.warehouse.table("hierarchy")
        primary = hierarchy[(hierarchy["child_type"] == "LAD") & hierarchy["primary_parent"]]
        return {level: primary[primary["parent_type"] == level].set_index("child_code")[
            "parent_code"] for level in ("NUTS3", "NUTS2")}
    if area_type == "ITL3":
        return {"NUTS3": pd.Series(["UK" + c[2:] for c in codes], index=codes),
                "NUTS2": pd.Series(["UK" + c[2:4] for c in codes], index=codes)}
    raise ValueError(f"indicator sets are built for LAD or ITL3 areas, not {area_type!r}")


def area_table(observatory, indicator_set: IndicatorSet, area_type: str = "LAD",
               year: str | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(area × indicator values, long provenance: area, indicator, source area, period).

    Each value is the latest published (or, with ``year``, that year's) for the area itself
    or for the NUTS region holding it, per the indicator's level."""
    codes = [p.code for p in observatory.places.of_type(area_type)]
    parent_of = parents_for(observatory, area_type)
    columns, provenance = {}, []
    for spec in indicator_set.indicators:
        values, periods, sources = _indicator_values(observatory, spec, codes, parent_of,
                                                     area_type, year)
        columns[spec.label] = values
        provenance.append(pd.DataFrame({"area": codes, "indicator": spec.label,
                                        "source_area": sources, "period": periods}))
    return pd.DataFrame(columns, index=pd.Index(codes, name="area")), pd.concat(provenance)


def area_panel(observatory, indicator_set: IndicatorSet, area_type: str,
               years: list[str]) -> pd.DataFrame:
    """Long panel (area, period, indicator, value) of the set over ``years``."""
    frames = []
    for year in years:
        table, _ = area_table(observatory, indicator_set, area_type, year)
        long = table.stack().rename("value").reset_index()
        long.columns = ["area", "indicator", "value"]
        frames.append(long.assign(period=year))
    return pd.concat(frames, ignore_index=True)[["area", "period", "indicator", "value"]]


def _latest(table: pd.DataFrame, year: str | None) -> pd.DataFrame:
    """The latest published value per area (periods sort as text: years and ranges), or the
    value for ``year``."""
    table = table.dropna(subset=["value"])
    if year is not None:
        table = table[table["period"].astype(str).str[:4] == str(year)]
    table = table.sort_values("period")
    return table.drop_duplicates("area_code", keep="last").set_index("area_code")


def _indicator_values(observatory, spec: IndicatorSpec, codes: list[str],
                      parent_of: dict[str, pd.Series], area_type: str, year: str | None
                      ) -> tuple[pd.Series, list, list]:
    frames = [observatory.indicator_table(i) for i in spec.ids]
    table = pd.concat(frames, ignore_index=True)
    if spec.level == area_type:
        keys = pd.Series(codes, index=codes)
    else:
        keys = parent_of[spec.level].reindex(codes)
    table = table[table["area_type"] == spec.level]
    latest = _latest(table, year)
    values = keys.map(latest["value"])
    periods = keys.map(latest["period"])
    if spec.per_head and len(latest):
        population = _population(observatory, spec.level, keys, periods)
        values = values / population
    if spec.log:
        values = np.log(values.where(values > 0))
    values = values.astype("float64").replace([np.inf, -np.inf], np.nan)
    return values, periods.tolist(), keys.tolist()


def _population(observatory, level: str, keys: pd.Series, periods: pd.Series) -> pd.Series:
    """Population of each NUTS region from the ITL table with the same code (ITL 2021 codes
    match NUTS 2016 codes with TL for UK), the nearest year to the value's."""
    table = observatory.indicator_table("population")
    table = table[table["area_type"] == level.replace("NUTS", "ITL")]
    if level.startswith("ITL"):
        keys = keys.map(lambda k: k if pd.isna(k) else "UK" + str(k)[2:])
    wide = table.pivot_table(index="area_code", columns="period", values="value")
    out = []
    for key, period in zip(keys, periods, strict=True):
        code = None if pd.isna(key) else "TL" + str(key)[2:]
        if code not in wide.index or pd.isna(period):
            out.append(np.nan)
            continue
        years = wide.columns.astype(int)
        nearest = wide.columns[np.abs(years - int(str(period)[:4])).argmin()]
        out.append(wide.loc[code, nearest])
    return pd.Series(out, index=keys.index, dtype="float64")
