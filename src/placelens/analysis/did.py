"""Two-way fixed effects, event studies and the evidence grade of a difference-in-differences
(docs/methods/evaluation.md).

``twfe``: the two-way fixed-effects estimate with standard errors clustered by unit (CR1, the
small-sample correction selectable). It is biased when adoption is staggered and effects vary
over time, because already-treated units act as controls;
:mod:`placelens.analysis.staggered_did` (Callaway–Sant'Anna) avoids that.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from placelens.errors import check_choice


@dataclass
class Estimate:
    """An estimate, its standard error and the method that gave it."""

    estimate: float
    std_error: float
    method: str

    @property
    def interval(self) -> tuple[float, float]:
        return (self.estimate - 1.96 * self.std_error, self.estimate + 1.96 * self.std_error)


def check_panel(panel: pd.DataFrame, columns: list[str]) -> None:
    """Refuse a panel without the named columns or with two rows for a unit and period.

    Parameters
    ----------
    panel
        Long panel.
    columns
        Required columns, the unit and time columns first.

    Returns
    -------
    None
        Raises ValueError naming what is wrong.
    """
    missing = [c for c in columns if c not in panel.columns]
    if missing:
        raise ValueError(f"the panel has no column(s) {missing}")
    if panel.duplicated(columns[:2]).any():
        raise ValueError("the panel has more than one row for some unit and period")


def _demean(values: np.ndarray, units: np.ndarray, times: np.ndarray,
            sweeps: int = 200) -> np.ndarray:
    """Remove unit and time means (alternating projections; exact for balanced panels)."""
    out = values.astype("float64").copy()
    for _ in range(sweeps):
        before = out.copy()
        for codes in (units, times):
            sums = np.zeros((codes.max() + 1,) + out.shape[1:])
            np.add.at(sums, codes, out)
            counts = np.bincount(codes)
            out = out - (sums / counts.reshape((-1,) + (1,) * (out.ndim - 1)))[codes]
        if np.abs(out - before).max() < 1e-12:
            break
    return out


def _clustered_ols(y: np.ndarray, x: np.ndarray, clusters: np.ndarray,
                   absorbed: int) -> tuple[np.ndarray, np.ndarray]:
    """OLS coefficients and CR1 cluster-robust standard errors."""
    xtx_inv = np.linalg.pinv(x.T @ x)
    beta = xtx_inv @ x.T @ y
    residual = y - x @ beta
    scores = np.zeros((clusters.max() + 1, x.shape[1]))
    np.add.at(scores, clusters, x * residual[:, None])
    meat = scores.T @ scores
    n, g, k = len(y), clusters.max() + 1, x.shape[1] + absorbed
    correction = g / (g - 1) * (n - 1) / (n - k)
    covariance = correction * xtx_inv @ meat @ xtx_inv
    return beta, np.sqrt(np.diag(covariance))


#: Small-sample corrections of the clustered standard error: how many absorbed fixed effects
#: count in K of (G / (G − 1)) (n − 1) / (n − K). ``full``: every unit and time effect (less
#: one), as Stata's areg; ``nonnested``: unit effects are nested in the unit clusters and do
#: not count, the default of pyfixest (``fixef_k="nonnested"``) and of R fixest
#: (``fixef.K = "nested"``), which gives smaller standard errors.
SMALL_SAMPLE = ("full", "nonnested")


def _absorbed(units: np.ndarray, times: np.ndarray, small_sample: str) -> int:
    check_choice("small_sample", small_sample, SMALL_SAMPLE)
    n_units, n_times = units.max() + 1, times.max() + 1
    return n_units + n_times - 1 if small_sample == "full" else n_times


def twfe(panel: pd.DataFrame, unit: str, time: str, outcome: str, treated: str,
         small_sample: str = "full") -> Estimate:
    """Two-way fixed effects, y_it = a_i + b_t + δ D_it + e_it, by two-way demeaning, with
    standard errors clustered by unit.

    Parameters
    ----------
    panel
        Long panel, one row per unit and period.
    unit, time, outcome
        Column names.
    treated
        The 0/1 treatment column D_it.
    small_sample
        Small-sample correction of the clustered standard error (:data:`SMALL_SAMPLE`).

    Returns
    -------
    Estimate
        δ, its standard error and the method.
    """
    check_panel(panel, [unit, time, outcome, treated])
    units, _ = pd.factorize(panel[unit])
    times, _ = pd.factorize(panel[time])
    data = _demean(np.column_stack([panel[outcome], panel[treated]]), units, times)
    beta, se = _clustered_ols(data[:, 0], data[:, 1:2], units,
                              absorbed=_absorbed(units, times, small_sample))
    return Estimate(float(beta[0]), float(se[0]), "two-way fixed effects")


def event_study(panel: pd.DataFrame, unit: str, time: str, outcome: str, first_treated: str,
                leads: int = 3, lags: int = 3, small_sample: str = "full") -> pd.DataFrame:
    """TWFE with dummies for years relative to first treatment (−1 omitted; ends binned).

    Parameters
    ----------
    panel
        Long panel, one row per unit and period.
    unit, time, outcome
        Column names.
    first_treated
        First treated year (NaN for never-treated units).
    leads, lags
        Years before and after treatment with their own dummy (the ends are binned).
    small_sample
        As for :func:`twfe`.

    Returns
    -------
    pandas.DataFrame
        estimate and std_error by years since treatment.
    """
    check_panel(panel, [unit, time, outcome, first_treated])
    relative = (panel[time] - panel[first_treated]).clip(-leads, lags)
    events = [e for e in range(-leads, lags + 1) if e != -1]
    dummies = np.column_stack([(relative == e).to_numpy(dtype=float) for e in events])
    units, _ = pd.factorize(panel[unit])
    times, _ = pd.factorize(panel[time])
    data = _demean(np.column_stack([panel[outcome], dummies]), units, times)
    beta, se = _clustered_ols(data[:, 0], data[:, 1:], units,
                              absorbed=_absorbed(units, times, small_sample))
    return pd.DataFrame({"estimate": beta, "std_error": se}, index=pd.Index(
        events, name="years_since_treatment"))

