"""The figures behind docs/validity.md: for every label placelens shows (index group,
leadership style, emerging, place type, opportunity ranking), how stable it is and, where it
predicts, how it does against naive baselines. ``placelens benchmark validity`` prints them.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis import composite_index as ci
from placelens.analysis import emerging as em
from placelens.analysis import leadership as ls


def index_checks(obs, set_name: str = "lad_innovation") -> dict[str, float]:
    """Share of (district, indicator left out) ranks inside the rank interval (±1), median
    interval width, and the share of variance between NUTS3 areas."""
    index = obs.benchmark.innovation_index(set_name)
    scores = index.table
    table, _ = obs.benchmark.indicator_set_table(set_name)
    spec = obs.benchmark.indicator_set(set_name)
    panel = table.stack().rename("value").reset_index()
    panel.columns = ["area", "indicator", "value"]
    panel["period"] = "latest"
    ranked = scores[scores["sufficient"]]
    inside = []
    for left_out in table.columns:
        result = ci.composite_index(panel[panel["indicator"] != left_out], options=ci.IndexOptions(
            min_coverage=spec.min_coverage)).scores.set_index("area")
        rank = result.loc[ranked.index, "index"].rank(ascending=False, method="min")
        inside.append(((rank >= ranked["rank_p05"] - 1)
                       & (rank <= ranked["rank_p95"] + 1)).to_numpy())
    return {"ranked": len(ranked),
            "left_out_ranks_inside_interval": float(np.column_stack(inside).mean()),
            "median_interval_width": float((ranked["rank_p95"] - ranked["rank_p05"]).median()),
            "between_nuts3_share": index.between_nuts3_share}


def leadership_checks(obs) -> dict[str, float]:
    """Agreement of the 2015–17 styles with a pure size rule, share shown as stable, share of
    districts with one style in all periods, correlation of the residuals with size."""
    styles = obs.collaboration.leadership()
    styled = styles[styles["leadership_style"].isin(list(ls.DESCRIPTIONS))]
    latest = styled[styled["period"] == styles["period"].max()]
    size_rule = np.where(latest["projects"] > latest["projects"].median(),
                         "jamming super-group", "barber shop quartet")
    wide = styled.pivot(index="area_code", columns="period", values="leadership_style")
    complete = wide.dropna()
    return {"styled_latest": len(latest),
            "agreement_with_size_rule": float((size_rule == latest["leadership_style"]).mean()),
            "stable_share": float((styled["style_stability"] >= ls.STABLE_SHARE).mean()),
            "same_style_all_periods": float((complete.nunique(axis=1) == 1).mean()),
            "districts_styled_all_periods": len(complete),
            "actors_residual_vs_size": float(np.corrcoef(
                np.log(latest["projects"]), latest["actors_residual"])[0, 1])}


def emerging_checks(obs) -> pd.DataFrame:
    """Mean AUC of growth and the baselines for districts (real GVA and smoothed GVA per
    hour) and for district industries, with the verdict."""
    rows = []
    cardiff = obs.place("Cardiff")
    for subject, result in (
            ("districts, real GVA", obs.benchmark.emerging_places()),
            ("districts, GVA per hour (smoothed, current prices)",
             obs.benchmark.emerging_places("gva_per_hour_gbp", "2017", "2022")),
            ("industries of districts (≥ 1% of GVA)", obs.benchmark.emerging_activities(cardiff))):
        means = result.backtest.groupby("predictor")["auc"].mean()
        rows.append({"subject": subject, **{f"auc: {k}": v for k, v in means.items()},
                     "windows": result.backtest["window"].nunique(),
                     "labels shown": result.reliable})
    return pd.DataFrame(rows).set_index("subject")


def place_type_checks(obs) -> pd.DataFrame:
    """Districts per type and their mean stability under ±10% threshold changes."""
    types = obs.benchmark.place_types().table
    return types.groupby("type").agg(districts=("name", "size"),
                                     mean_stability=("type_stability", "mean"))


def opportunity_checks(obs) -> pd.DataFrame:
    """AUC (95% interval) of each opportunity predictor in the NUTS2 × SIC4 back-test."""
    return obs.complexity.opportunity_backtest().frame().set_index("predictor")


def emerging_hit_rates(obs) -> pd.Series:
    """Share of each window's 'emerging' districts (real GVA) in the next window's top half."""
    backtest = obs.benchmark.emerging_places().backtest
    signal = backtest[backtest["predictor"] == em.SIGNAL].set_index("window")
    return signal["top_half_hits"]
