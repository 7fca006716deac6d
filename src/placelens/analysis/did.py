"""Difference-in-differences and event studies (docs/methods/evaluation.md).

``twfe``: the two-way fixed-effects estimate with standard errors clustered by unit (CR1).
It is biased when adoption is staggered and effects vary over time, because already-treated
units act as controls. ``callaway_santanna`` avoids that: each cohort (units first treated in
year g) is compared with never-treated (or not-yet-treated) units, ATT(g, t) =
E[Y_t − Y_{g−1} | cohort g] − E[Y_t − Y_{g−1} | controls], and the ATT(g, t) are averaged by
cohort size over post-treatment cells (overall) or by years since treatment (event study).
Uncertainty comes from a seeded bootstrap over units.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from placelens.errors import check_choice


@dataclass
class Estimate:
    estimate: float
    std_error: float
    method: str

    @property
    def interval(self) -> tuple[float, float]:
        return (self.estimate - 1.96 * self.std_error, self.estimate + 1.96 * self.std_error)


@dataclass(frozen=True)
class StaggeredEstimate:
    """Callaway–Sant'Anna: the overall ATT and the event study (index years since
    treatment; estimate, std_error), with the control group and the bootstrap that gave the
    standard errors (resamples of units, ``draws`` of them, ``seed``)."""

    overall: Estimate
    event_study: pd.DataFrame
    control: str = "never"
    draws: int = 200
    seed: int = 0


def _check(panel: pd.DataFrame, columns: list[str]) -> None:
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
    _check(panel, [unit, time, outcome, treated])
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
    _check(panel, [unit, time, outcome, first_treated])
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


CONTROLS = ("never", "notyet")


def group_time_att(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                   first_treated: str, control: str = "never") -> pd.DataFrame:
    """ATT(g, t) for every cohort g and year t, against the universal base year g − 1.

    Parameters
    ----------
    panel
        Long panel, one row per unit and period.
    unit, time, outcome
        Column names.
    first_treated
        First treated year (NaN for never-treated units).
    control
        ``never`` (never-treated units) or ``notyet`` (units not yet treated by t nor by the
        base year, never the cohort itself: comparing a cohort with itself would pull its
        pre-trends towards zero).

    Returns
    -------
    pandas.DataFrame
        cohort, year, size (units in the cohort) and att.

    References
    ----------
    Callaway & Sant'Anna (2021), "Difference-in-differences with multiple time periods",
    *Journal of Econometrics* 225(2).
    """
    check_choice("control", control, CONTROLS)
    _check(panel, [unit, time, outcome, first_treated])
    wide = panel.pivot(index=unit, columns=time, values=outcome)
    cohort = panel.groupby(unit)[first_treated].first().reindex(wide.index)
    years = list(wide.columns)
    rows = []
    for g in sorted(cohort.dropna().unique()):
        base = g - 1
        if base not in years:
            continue
        members = cohort.index[cohort == g]
        for t in years:
            if t == base:
                continue
            if control == "never":
                controls = cohort.index[cohort.isna()]
            else:
                later = (cohort > max(t, base)) & (cohort != g)
                controls = cohort.index[cohort.isna() | later]
            if len(controls) == 0:
                continue
            change = wide[t] - wide[base]
            rows.append({"cohort": g, "year": t, "size": len(members),
                         "att": change[members].mean() - change[controls].mean()})
    return pd.DataFrame(rows)


def callaway_santanna(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                      first_treated: str, control: str = "never", draws: int = 200,
                      seed: int = 0) -> StaggeredEstimate:
    """Overall ATT (post-treatment ATT(g, t) averaged with cohort-size weights) and the event
    study by years since treatment, with bootstrap standard errors over units.

    Parameters
    ----------
    panel
        Long panel, one row per unit and period.
    unit, time, outcome
        Column names.
    first_treated
        First treated year (NaN for never-treated units).
    control
        See :func:`group_time_att`.
    draws, seed
        Bootstrap resamples of units and the seed.

    Returns
    -------
    StaggeredEstimate
        The overall estimate and the event study.
    """
    check_choice("control", control, CONTROLS)
    def aggregate(frame: pd.DataFrame) -> tuple[float, pd.Series]:
        cells = group_time_att(frame, unit, time, outcome, first_treated, control)
        if cells.empty:
            raise ValueError("no treated cohort has a pre-treatment year and controls")
        cells["since"] = cells["year"] - cells["cohort"]
        post = cells[cells["since"] >= 0]
        overall = float(np.average(post["att"], weights=post["size"]))
        dynamic = cells.groupby("since").apply(
            lambda c: np.average(c["att"], weights=c["size"]), include_groups=False)
        return overall, dynamic

    overall, dynamic = aggregate(panel)
    treated_units = panel.loc[panel[first_treated].notna(), unit].nunique()
    if treated_units < 5:
        warnings.warn(f"only {treated_units} treated unit(s): bootstrap errors are unreliable "
                      "and a synthetic control suits single places better", stacklevel=2)
    units = panel[unit].unique()
    rng = np.random.default_rng(seed)
    boot_overall, boot_dynamic = [], []
    grouped = {u: rows for u, rows in panel.groupby(unit)}
    for _ in range(draws):
        chosen = rng.choice(units, len(units), replace=True)
        sample = pd.concat([grouped[u].assign(**{unit: f"{u}#{k}"})
                            for k, u in enumerate(chosen)], ignore_index=True)
        try:
            o, d = aggregate(sample)
        except (ValueError, ZeroDivisionError):
            continue
        boot_overall.append(o)
        boot_dynamic.append(d)
    dynamic_se = pd.concat(boot_dynamic, axis=1).std(axis=1).reindex(dynamic.index)
    table = pd.DataFrame({"estimate": dynamic, "std_error": dynamic_se})
    table.index.name = "years_since_treatment"
    return StaggeredEstimate(Estimate(overall, float(np.std(boot_overall, ddof=1)),
                                      f"Callaway–Sant'Anna ({control}-treated controls)"),
                             table, control, draws, seed)


def evidence_grade(event_study: pd.DataFrame, z: float = 1.96) -> tuple[int, str]:
    """Maryland Scientific Methods Scale level of a difference-in-differences: 3 when every
    pre-treatment event-study estimate (−2 and earlier; −1 is the base) lies within ``z``
    standard errors of zero, 2 when trends were not parallel or cannot be tested.

    Parameters
    ----------
    event_study
        estimate and std_error by years since treatment.
    z
        Critical value.

    Returns
    -------
    tuple
        The level and the reason in words.
    """
    before = event_study[event_study.index < -1].dropna()
    if before.empty:
        return 2, ("Level 2: comparison against controls, but no pre-treatment year is left "
                   "to test parallel trends")
    outside = before[(before["estimate"].abs() > z * before["std_error"])]
    if len(outside):
        years = ", ".join(str(int(e)) for e in outside.index)
        return 2, ("Level 2: comparison against controls, but pre-treatment estimates differ "
                   f"from zero (years since treatment {years}): trends were not parallel")
    return 3, (f"Level 3: before/after against a comparison group; all {len(before)} "
               "pre-treatment estimates are within 1.96 standard errors of zero")

