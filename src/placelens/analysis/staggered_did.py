"""Callaway–Sant'Anna difference-in-differences for staggered adoption, with influence
functions and a multiplier bootstrap (docs/methods/evaluation.md).

Each cohort (units first treated in period g) is compared with control units over the change
from a base period b to period t: ATT(g, t) = E[Y_t − Y_b | cohort g] − E[Y_t − Y_b | controls].
With no covariates this is a difference of means, and each unit's influence on it is

    ψ_i = n/n_g · D_i (ΔY_i − μ_g) − n/n_c · C_i (ΔY_i − μ_c),

so that its standard error is sqrt(Σ ψ_i²) / n. The cells are aggregated with cohort-share
weights (overall: every post-treatment cell; event study: the cells e periods after
treatment); because the shares are estimated, the aggregate's influence function carries a
term for the weights, as in Callaway & Sant'Anna (2021) and R's ``did``. One multiplier
bootstrap (Rademacher signs on the influence functions; no refits) gives standard errors
from the interquartile range of the draws and the critical value of a simultaneous band over
the event study.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from placelens.analysis.did import Estimate, check_panel
from placelens.errors import check_choice

CONTROLS = ("never", "notyet")
#: ``universal``: every cell of a cohort against the period before its first treated one;
#: ``varying``: pre-treatment cells against the period before them (short differences), as
#: R ``did`` and csdid by default.
BASES = ("universal", "varying")
#: Normal quantiles of the interquartile range (the bootstrap's robust scale).
_IQR_TO_SD = 1.3489795003921634


@dataclass(frozen=True)
class GroupTimeEffects:
    """ATT(g, t) cells (cohort, year, base_year, size, att, std_error: analytic) and their
    influence functions (``influence``: units × cells), with each unit's cohort
    (``unit_cohorts``, NaN for never treated)."""

    cells: pd.DataFrame
    influence: np.ndarray
    unit_cohorts: np.ndarray


@dataclass(frozen=True)
class StaggeredEstimate:
    """Callaway–Sant'Anna: the overall ATT and the event study (index: periods since
    treatment; estimate, std_error, band_low, band_high: the simultaneous band), with the
    choices that made them; ``group_time`` holds every ATT(g, t) with its standard error and
    a simultaneous band of its own (critical value ``group_time_critical_value``). ``draws``
    = 0 means analytic standard errors and pointwise bands."""

    overall: Estimate
    event_study: pd.DataFrame
    control: str = "never"
    base: str = "universal"
    draws: int = 1000
    seed: int = 0
    critical_value: float = 1.959963984540054
    confidence: float = 0.95
    group_time: pd.DataFrame = field(default_factory=pd.DataFrame)
    group_time_critical_value: float = float("nan")


def _wide(panel: pd.DataFrame, unit: str, time: str, outcome: str,
          first_treated: str) -> tuple[pd.DataFrame, np.ndarray]:
    """Outcomes as units × periods and each unit's cohort; refuses unbalanced panels, missing
    or infinite outcomes and cohorts that change within a unit."""
    check_panel(panel, [unit, time, outcome, first_treated])
    wide = panel.pivot(index=unit, columns=time, values=outcome).sort_index(axis=1)
    bad = ~np.isfinite(wide.to_numpy(dtype="float64"))
    if bad.any():
        row, column = np.argwhere(bad)[0]
        raise ValueError(f"{outcome} for unit {wide.index[row]!r} in {wide.columns[column]} "
                         "is missing or infinite: the estimator needs a balanced panel of "
                         "finite values (drop the unit or fill the value)")
    if (panel.groupby(unit)[first_treated].nunique() > 1).any():
        raise ValueError(f"{first_treated} must be the same in every row of a unit")
    cohorts = panel.groupby(unit)[first_treated].first().reindex(wide.index).to_numpy(float)
    return wide, cohorts


def _cell_influence(change: np.ndarray, treated: np.ndarray,
                    controls: np.ndarray) -> tuple[float, np.ndarray]:
    """ATT of one cell (difference of mean changes) and each unit's influence on it."""
    n = len(change)
    mean_treated, mean_control = change[treated].mean(), change[controls].mean()
    influence = (n / treated.sum() * treated * (change - mean_treated)
                 - n / controls.sum() * controls * (change - mean_control))
    return float(mean_treated - mean_control), influence


def group_time_effects(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                       first_treated: str, control: str = "never",
                       base: str = "universal") -> GroupTimeEffects:
    """ATT(g, t) for every cohort g and period t, with influence functions.

    Units first treated in or before the first period have no pre-treatment period and are
    left out (as R ``did`` does).

    Parameters
    ----------
    panel
        Long, balanced panel, one row per unit and period.
    unit, time, outcome
        Column names.
    first_treated
        First treated period (NaN for never-treated units).
    control
        ``never`` (never-treated units) or ``notyet`` (also units not yet treated by t nor
        by the base period; never the cohort itself, which would pull its pre-trends
        towards zero).
    base
        ``universal`` or ``varying`` (:data:`BASES`).

    Returns
    -------
    GroupTimeEffects
        The cells with analytic standard errors and the influence functions.

    References
    ----------
    Callaway & Sant'Anna (2021), "Difference-in-differences with multiple time periods",
    *Journal of Econometrics* 225(2).
    """
    check_choice("control", control, CONTROLS)
    check_choice("base", base, BASES)
    wide, cohorts = _wide(panel, unit, time, outcome, first_treated)
    periods = list(wide.columns)
    keep = ~(cohorts <= periods[0])
    values, cohorts = wide.to_numpy(dtype="float64")[keep], cohorts[keep]
    never = np.isnan(cohorts)
    rows, columns = [], []
    for g in np.unique(cohorts[~never]):
        treated = cohorts == g
        g_base = max(k for k, p in enumerate(periods) if p < g)
        for k, t in enumerate(periods):
            b = k - 1 if base == "varying" and t < g else g_base
            if k == b or b < 0:
                continue
            later = never if control == "never" else (
                never | ((cohorts > max(t, periods[b])) & ~treated))
            if not later.any():
                continue
            att, influence = _cell_influence(values[:, k] - values[:, b], treated, later)
            rows.append({"cohort": g, "year": t, "base_year": periods[b],
                         "size": int(treated.sum()), "att": att,
                         "std_error": float(np.sqrt((influence ** 2).sum()) / len(values))})
            columns.append(influence)
    if not rows:
        raise ValueError("no treated cohort has a pre-treatment period and controls")
    return GroupTimeEffects(pd.DataFrame(rows), np.column_stack(columns), cohorts)


def _weighted(effects: GroupTimeEffects, chosen: np.ndarray) -> tuple[float, np.ndarray]:
    """Cohort-share-weighted average of the chosen cells and its influence function,
    including the term for estimating the shares (R ``did``'s ``wif``)."""
    cells = effects.cells[chosen]
    memberships = (effects.unit_cohorts[:, None] == cells["cohort"].to_numpy()[None, :])
    shares = memberships.mean(axis=0)
    total = shares.sum()
    weights = shares / total
    att = cells["att"].to_numpy()
    deviation = memberships - shares
    weight_influence = deviation / total - np.outer(deviation.sum(axis=1), shares / total ** 2)
    influence = effects.influence[:, chosen] @ weights + weight_influence @ att
    return float(att @ weights), influence


def aggregate(effects: GroupTimeEffects) -> tuple[pd.Series, np.ndarray, float, np.ndarray]:
    """Event-study estimates by periods since treatment and the overall ATT (every
    post-treatment cell, cohort-share weights), each with its influence function.

    Parameters
    ----------
    effects
        From :func:`group_time_effects`.

    Returns
    -------
    tuple
        Event-study estimates (Series by periods since treatment), their influence functions
        (units × event times), the overall ATT and its influence function.
    """
    since = (effects.cells["year"] - effects.cells["cohort"]).to_numpy()
    events = np.unique(since)
    pairs = [_weighted(effects, since == e) for e in events]
    dynamic = pd.Series([a for a, _ in pairs], index=pd.Index(events.astype(int),
                                                               name="years_since_treatment"))
    overall, overall_influence = _weighted(effects, since >= 0)
    return dynamic, np.column_stack([f for _, f in pairs]), overall, overall_influence


def rademacher_signs(draws: int, units: int, seed: int) -> np.ndarray:
    """Multipliers for :func:`multiplier_bootstrap`: each +1 or −1 with probability ½.

    Parameters
    ----------
    draws, units
        Shape of the result.
    seed
        Seed of the generator.

    Returns
    -------
    numpy.ndarray
        ``draws`` × ``units`` signs.
    """
    return np.random.default_rng(seed).integers(0, 2, size=(draws, units)) * 2.0 - 1.0


def multiplier_bootstrap(influence: np.ndarray, signs: np.ndarray,
                         confidence: float = 0.95) -> tuple[np.ndarray, float]:
    """Standard errors and the simultaneous-band critical value from a multiplier bootstrap.

    Each draw perturbs the estimates by signs · ψ / n. A column's standard error is the
    interquartile range of its draws over that of a standard normal (robust to a few wild
    draws); the critical value is the ``confidence`` quantile of the largest absolute
    t-statistic across the columns in each draw, so that estimate ± c·SE covers every
    column at once.

    Parameters
    ----------
    influence
        Units × estimates influence functions.
    signs
        Draws × units multipliers (:func:`rademacher_signs`).
    confidence
        Coverage of the simultaneous band.

    Returns
    -------
    tuple
        Standard errors (NaN where the draws do not vary) and the critical value.
    """
    n = influence.shape[0]
    perturbed = signs @ influence / n
    low, high = np.quantile(perturbed, [0.25, 0.75], axis=0, method="inverted_cdf")
    scale = (high - low) / _IQR_TO_SD
    scale[~(scale > 0)] = np.nan
    t_max = np.nanmax(np.abs(perturbed / scale), axis=1) if np.isfinite(scale).any() else \
        np.full(len(signs), np.nan)
    return scale, float(np.quantile(t_max, confidence, method="inverted_cdf"))


def _inference(blocks: list[np.ndarray], draws: int, seed: int,
               confidence: float) -> list[tuple[np.ndarray, float]]:
    """Standard errors and simultaneous-band critical value of each block of influence
    functions (units × estimates), all from the same multiplier draws; analytic errors with
    a pointwise normal band when draws = 0."""
    if draws == 0:
        from statistics import NormalDist

        z = NormalDist().inv_cdf(0.5 + confidence / 2)
        return [(np.sqrt((block ** 2).sum(axis=0)) / block.shape[0], z) for block in blocks]
    signs = rademacher_signs(draws, blocks[0].shape[0], seed)
    return [multiplier_bootstrap(block, signs, confidence) for block in blocks]


def _with_band(table: pd.DataFrame, estimate: str, errors: np.ndarray,
               critical: float) -> pd.DataFrame:
    """``table`` with its standard errors and the band estimate ± critical · SE."""
    table = table.assign(std_error=errors)
    table["band_low"] = table[estimate] - critical * table["std_error"]
    table["band_high"] = table[estimate] + critical * table["std_error"]
    return table


def callaway_santanna(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                      first_treated: str, control: str = "never", base: str = "universal",
                      draws: int = 1000, seed: int = 0,
                      confidence: float = 0.95) -> StaggeredEstimate:
    """Overall ATT and event study with multiplier-bootstrap standard errors and a
    simultaneous confidence band.

    Parameters
    ----------
    panel
        Long, balanced panel, one row per unit and period.
    unit, time, outcome
        Column names.
    first_treated
        First treated period (NaN for never-treated units).
    control, base
        See :func:`group_time_effects`.
    draws, seed
        Multiplier-bootstrap draws (0: analytic standard errors, pointwise band) and seed.
    confidence
        Coverage of the event study's simultaneous band.

    Returns
    -------
    StaggeredEstimate
        The overall estimate and the event study with its band.
    """
    effects = group_time_effects(panel, unit, time, outcome, first_treated, control, base)
    dynamic, dynamic_influence, overall, overall_influence = aggregate(effects)
    treated_units = int((~np.isnan(effects.unit_cohorts)).sum())
    if treated_units < 5:
        warnings.warn(f"only {treated_units} treated unit(s): standard errors are unreliable "
                      "and a synthetic control suits single places better", stacklevel=2)
    (event_errors, critical), (cell_errors, cell_critical), (overall_error, _) = _inference(
        [dynamic_influence, effects.influence, overall_influence[:, None]], draws, seed,
        confidence)
    table = _with_band(pd.DataFrame({"estimate": dynamic}), "estimate", event_errors, critical)
    cells = _with_band(effects.cells, "att", cell_errors, cell_critical)
    method = f"Callaway–Sant'Anna ({control}-treated controls, {base} base period)"
    return StaggeredEstimate(Estimate(overall, float(overall_error[0]), method), table, control,
                             base, draws, seed, critical, confidence, cells, cell_critical)


#: The grading rule, as evidence records state it.
GRADE_RULE = ("Maryland Scientific Methods Scale: level 3 when every pre-treatment event-study "
              "estimate lies within 1.96 (pointwise) standard errors of zero, level 2 when one "
              "does not or none can be tested; not graded when an estimate or standard error "
              "is missing or infinite")


def evidence_grade(estimate: StaggeredEstimate, z: float = 1.96) -> tuple[int | None, str]:
    """Maryland Scientific Methods Scale level of a Callaway–Sant'Anna estimate
    (:data:`GRADE_RULE`): its pre-treatment event-study estimates test parallel trends.

    Parameters
    ----------
    estimate
        From :func:`callaway_santanna`.
    z
        Pointwise critical value of the pre-trend test (stricter than the simultaneous band,
        so that a grade 3 is not given lightly).

    Returns
    -------
    tuple
        The level (None: not graded) and the reason in words.
    """
    table = estimate.event_study
    numbers = np.r_[table[["estimate", "std_error"]].to_numpy().ravel(),
                    estimate.overall.estimate, estimate.overall.std_error]
    if not np.isfinite(numbers).all():
        return None, ("Not graded: an estimate or standard error is missing or infinite "
                      "(too few units, or no variation in a cohort)")
    before = table[table.index < 0]
    if before.empty:
        return 2, ("Level 2: comparison against controls, but no pre-treatment period is left "
                   "to test parallel trends")
    outside = before[(before["estimate"].abs() > z * before["std_error"])]
    if len(outside):
        years = ", ".join(str(int(e)) for e in outside.index)
        return 2, ("Level 2: comparison against controls, but pre-treatment estimates differ "
                   f"from zero (periods since treatment {years}): trends were not parallel")
    return 3, (f"Level 3: before/after against a comparison group; all {len(before)} "
               f"pre-treatment estimates are within {z:.2f} standard errors of zero")
