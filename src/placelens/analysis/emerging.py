"""Emerging places and activities (docs/methods/benchmarking.md, after Nesta's Innovation
Sweet Spots).

For a series y by area (or by activity within a place) over periods t0..t1: magnitude = the
mean of y over t0..t1; growth = the percentage change of the 3-year moving average between
t0 and t1 (the moving average ending at t1 against the one ending at t0). "Emerging" means
growth in the top quarter from a magnitude below the median.

The label claims to predict, so it is shown only where it earns it: ``growth_backtest``
checks on later, held-out years whether growth over one window picks out the rows that grow
fastest over the next, against naive baselines (a low or a high current level), and
``verdict`` withholds the labels ("no reliable signal") unless growth beats the best
baseline."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np
import pandas as pd

from placelens.analysis.backtest import auc


def magnitude_and_growth(panel: pd.DataFrame, t0: str, t1: str, window: int = 3
                         ) -> pd.DataFrame:
    """Magnitude (mean over t0..t1) and growth (% change of the moving average from the one
    ending at t0 to the one ending at t1) of each row.

    Parameters
    ----------
    panel
        Rows = areas (or activities), columns = periods in order.
    t0, t1
        First and last period, in order; ``window − 1`` periods must precede t0.
    window
        Length of the moving average.

    Returns
    -------
    pandas.DataFrame
        Per row: magnitude and growth (NaN where the starting average is not positive).
    """
    periods = [str(p) for p in panel.columns]
    frame = panel.set_axis(periods, axis=1)
    if t0 not in periods or t1 not in periods or periods.index(t0) >= periods.index(t1):
        raise ValueError(f"t0 and t1 must be periods of the panel in order, got {t0}, {t1}")
    start, end = periods.index(t0), periods.index(t1)
    if start + 1 < window:
        raise ValueError(f"a {window}-year moving average needs {window - 1} periods before "
                         f"{t0}")
    begin = frame.iloc[:, start - window + 1:start + 1].mean(axis=1, skipna=False)
    finish = frame.iloc[:, end - window + 1:end + 1].mean(axis=1, skipna=False)
    growth = (finish / begin.where(begin > 0) - 1) * 100
    magnitude = frame.iloc[:, start:end + 1].mean(axis=1)
    return pd.DataFrame({"magnitude": magnitude, "growth": growth})


def classify(table: pd.DataFrame, growth_quantile: float = 0.75) -> pd.Series:
    """Emerging (fast growth from below-median size), leading (fast growth, large),
    established (large, slower) or other.

    Parameters
    ----------
    table
        Magnitude and growth per row (:func:`magnitude_and_growth`).
    growth_quantile
        Growth at or above this quantile counts as fast.

    Returns
    -------
    pandas.Series
        The class of each row (NaN where growth is missing).
    """
    fast = table["growth"] >= table["growth"].quantile(growth_quantile)
    large = table["magnitude"] >= table["magnitude"].median()
    labels = np.select([fast & ~large, fast & large, ~fast & large],
                       ["emerging", "leading", "established"], default="other")
    return pd.Series(labels, index=table.index).where(table["growth"].notna())


#: Naive predictors of the next window's growth that the growth signal must beat: a low
#: current level (catch-up / regression to the mean) and a high one (the rich get richer).
BASELINES = ("low current level", "high current level")
SIGNAL = "earlier growth"


@dataclass
class EmergingResult:
    """Magnitude, growth and (where the signal is reliable) class of each row, the back-test
    behind the verdict and the verdict in words.

    ``table``: magnitude, growth and ``class`` (emerging / leading / established / other, or
    ``NO_SIGNAL`` for every row when the back-test says the signal is not reliable; rows
    below the minimum size are ``"too small"``). ``backtest``: one row per window and
    predictor (window, predictor, auc, areas, top_half_hits for the signal's emerging
    rows)."""

    table: pd.DataFrame
    backtest: pd.DataFrame
    reliable: bool
    verdict: str

    def tidy(self) -> pd.DataFrame:
        return self.table.copy()

    def summary(self) -> str:
        return self.verdict

    def to_dict(self) -> dict:
        """JSON-ready: the verdict, the rows and the back-test (NaN as None)."""
        def rows(frame: pd.DataFrame) -> list:
            return json.loads(frame.reset_index().to_json(orient="records"))
        return {"reliable": self.reliable, "verdict": self.verdict,
                "rows": rows(self.table), "backtest": rows(self.backtest)}


NO_SIGNAL = "no reliable signal"
TOO_SMALL = "too small"


def growth_backtest(panel: pd.DataFrame, windows: list[tuple[str, str, str]],
                    window: int = 3, eligible: pd.DataFrame | None = None) -> pd.DataFrame:
    """Does growth over t0..t1 pick out the rows that grow fastest over t1..t2, better than
    knowing their level at t1?

    Parameters
    ----------
    panel
        Rows = areas (or area × activity pairs), columns = periods in order.
    windows
        (t0, t1, t2) triples.
    window
        Length of the moving average.
    eligible
        Optional boolean frame (rows × t1) saying which rows count in each window (e.g. a
        minimum size); all rows with both growths count otherwise.

    Returns
    -------
    pandas.DataFrame
        window ("t0–t1→t2"), predictor (:data:`SIGNAL` or a :data:`BASELINES` entry), auc
        for reaching the top half of t1..t2 growth, areas, and for the signal the share of
        its "emerging" rows that did (``top_half_hits``).
    """
    rows = []
    for t0, t1, t2 in windows:
        first = magnitude_and_growth(panel, t0, t1, window)
        second = magnitude_and_growth(panel, t1, t2, window)
        both = first.join(second["growth"].rename("growth_next")).dropna()
        if eligible is not None:
            both = both[eligible.reindex(both.index)[t1].fillna(False).to_numpy(bool)]
        level = panel.set_axis([str(c) for c in panel.columns], axis=1).loc[both.index, t1]
        outcome = (both["growth_next"] >= both["growth_next"].median()).to_numpy()
        label = f"{t0}–{t1}→{t2}"
        emerging = (classify(both) == "emerging").to_numpy()
        predictors = {SIGNAL: both["growth"], BASELINES[0]: -level, BASELINES[1]: level}
        for name, score in predictors.items():
            rows.append({"window": label, "predictor": name, "areas": len(both),
                         "auc": auc(score.to_numpy(dtype=float), outcome),
                         "top_half_hits": float(outcome[emerging].mean())
                         if name == SIGNAL and emerging.any() else np.nan})
    return pd.DataFrame(rows)


def verdict(backtest: pd.DataFrame, margin: float = 0.02) -> tuple[bool, str]:
    """Is the growth signal reliable? Only if its mean AUC over the windows beats the best
    naive baseline's by ``margin`` and it beats chance (0.5) in every window.

    Parameters
    ----------
    backtest
        The table of :func:`growth_backtest`.
    margin
        How much the signal's mean AUC must exceed the best baseline's.

    Returns
    -------
    tuple
        Whether the labels may be shown, and a sentence with the figures.
    """
    means = backtest.groupby("predictor")["auc"].mean()
    signal = backtest.loc[backtest["predictor"] == SIGNAL, "auc"]
    best = means.reindex(list(BASELINES)).idxmax()
    reliable = bool(means[SIGNAL] >= means[best] + margin and (signal > 0.5).all())
    words = (f"earlier growth predicts the next window's top half with mean AUC "
             f"{means[SIGNAL]:.2f} over {len(signal)} windows, against {means[best]:.2f} for "
             f"the naive baseline '{best}' (0.5 = chance)")
    if reliable:
        return True, f"Reliable signal: {words}."
    return False, f"No reliable signal: {words}; the labels are withheld."


def label(table: pd.DataFrame, reliable: bool, large_enough: pd.Series | None = None
          ) -> pd.Series:
    """The class of each row when the signal is reliable, :data:`NO_SIGNAL` otherwise; rows
    failing ``large_enough`` are :data:`TOO_SMALL` either way.

    Parameters
    ----------
    table
        Magnitude and growth per row.
    reliable
        The verdict of the back-test.
    large_enough
        Optional boolean per row (e.g. at least 1% of the place's GVA).

    Returns
    -------
    pandas.Series
        The label shown for each row.
    """
    classes = classify(table) if reliable else pd.Series(NO_SIGNAL, index=table.index).where(
        table["growth"].notna())
    if large_enough is not None:
        classes = classes.where(large_enough.reindex(table.index).fillna(False), TOO_SMALL)
    return classes


def rolling_windows(periods: list[str], span: int = 5, window: int = 3
                    ) -> list[tuple[str, str, str]]:
    """Every (t0, t0 + span, t0 + 2·span) whose moving averages fit inside ``periods``.

    Parameters
    ----------
    periods
        Consecutive years, as text.
    span
        Years between the three points.
    window
        Length of the moving average (t0 needs ``window − 1`` earlier years).

    Returns
    -------
    list
        (t0, t1, t2) triples as text, earliest first.
    """
    years = sorted(int(p) for p in periods)
    first = years[0] + window - 1
    return [(str(t), str(t + span), str(t + 2 * span)) for t in range(first, years[-1] + 1)
            if t + 2 * span <= years[-1]]
