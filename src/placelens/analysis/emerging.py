"""Emerging places and activities (METHODS §6, after Nesta's Innovation Sweet Spots).

For a series y by area (or by activity within a place) over periods t0..t1: magnitude = the
mean of y over t0..t1; growth = the percentage change of the 3-year moving average between
t0 and t1 (the moving average ending at t1 against the one ending at t0). "Emerging" means
growth in the top quarter from a magnitude below the median. ``momentum_backtest`` checks
the idea on later, held-out years: does growth over one window pick out the areas that grow
fastest over the next?"""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis.backtest import auc


def magnitude_and_growth(panel: pd.DataFrame, t0: str, t1: str, window: int = 3
                         ) -> pd.DataFrame:
    """``panel``: rows = areas (or activities), columns = periods in order. Returns magnitude
    and growth (%) for each row; growth is NaN where the starting average is not positive."""
    periods = [str(p) for p in panel.columns]
    frame = panel.set_axis(periods, axis=1)
    if t0 not in periods or t1 not in periods or periods.index(t0) >= periods.index(t1):
        raise ValueError(f"t0 and t1 must be periods of the panel in order, got {t0}, {t1}")
    start, end = periods.index(t0), periods.index(t1)
    if start + 1 < window:
        raise ValueError(f"a {window}-year moving average needs {window - 1} periods before "
                         f"{t0}")
    average = frame.T.rolling(window).mean().T
    begin, finish = average[t0], average[t1]
    growth = (finish / begin.where(begin > 0) - 1) * 100
    magnitude = frame.iloc[:, start:end + 1].mean(axis=1)
    return pd.DataFrame({"magnitude": magnitude, "growth": growth})


def classify(table: pd.DataFrame, growth_quantile: float = 0.75) -> pd.Series:
    """emerging (fast growth from below-median magnitude), leading (fast growth, large),
    established (large, slower), other."""
    fast = table["growth"] >= table["growth"].quantile(growth_quantile)
    large = table["magnitude"] >= table["magnitude"].median()
    labels = np.select([fast & ~large, fast & large, ~fast & large],
                       ["emerging", "leading", "established"], default="other")
    return pd.Series(labels, index=table.index).where(table["growth"].notna())


def momentum_backtest(panel: pd.DataFrame, t0: str, t1: str, t2: str, window: int = 3
                      ) -> dict:
    """AUC of growth over t0..t1 for being in the top half of growth over t1..t2, and the
    share of t0..t1 'emerging' areas that were in that top half."""
    first = magnitude_and_growth(panel, t0, t1, window)
    second = magnitude_and_growth(panel, t1, t2, window)
    both = first.join(second.add_suffix("_next")).dropna()
    outcome = (both["growth_next"] >= both["growth_next"].median()).to_numpy()
    labels = classify(first.loc[both.index])
    emerging = labels == "emerging"
    return {"areas": len(both), "auc": auc(both["growth"].to_numpy(), outcome),
            "emerging": int(emerging.sum()),
            "emerging_top_half": float(outcome[emerging.to_numpy()].mean())
            if emerging.any() else float("nan")}
