"""Planning a synthetic-control evaluation before the intervention: how large an effect the
placebo test could detect, from how far synthetic controls drift from their units in years
they were not fitted on (docs/evidence.md)."""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import pandas as pd

from placelens.analysis.synthetic_control import Predictor, synthetic_control


@dataclass(frozen=True)
class MinimumDetectableEffect:
    """The smallest constant effect the in-space placebo test would call significant at
    ``alpha`` (``value``, in the outcome's units; inf when no effect can be), the rank among
    ``units`` placebo units plus the treated one it needs, the placebo ratio that rank must
    beat (``ratio_to_beat``) and the ratios it was read from (largest first)."""

    value: float
    alpha: float
    rank_needed: int
    units: int
    ratio_to_beat: float
    ratios: pd.Series


def minimum_detectable_effect(placebo_ratios: pd.Series, treated_pre_rmspe: float,
                              alpha: float = 0.10) -> MinimumDetectableEffect:
    """Read the minimum detectable effect off the placebo distribution.

    The placebo test ranks the treated unit's post/pre RMSPE ratio among the J placebo units
    and itself; p = rank / (J + 1) ≤ ``alpha`` needs rank ≤ r = ⌊alpha (J + 1)⌋, so the ratio
    must beat the r-th largest placebo ratio R. A constant effect δ on a unit fitted with
    pre-treatment RMSPE s (and otherwise tracked) gives a ratio of about |δ| / s, so the
    smallest detectable effect is R · s. With r = 0 (too few units for ``alpha``) none is.

    Parameters
    ----------
    placebo_ratios
        Per placebo unit, the RMSPE in years its synthetic control was not fitted on over the
        RMSPE in the years it was (:func:`held_out_fit`).
    treated_pre_rmspe
        The treated unit's pre-treatment RMSPE.
    alpha
        Significance level of the placebo test.

    Returns
    -------
    MinimumDetectableEffect
        The effect and what it was read from.
    """
    ranked = placebo_ratios.dropna().sort_values(ascending=False)
    needed = math.floor(alpha * (len(ranked) + 1) + 1e-9)
    to_beat = float(ranked.iloc[needed - 1]) if needed >= 1 else math.inf
    return MinimumDetectableEffect(to_beat * treated_pre_rmspe, alpha, needed, len(ranked),
                                   to_beat, ranked)


def held_out_fit(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                 pretend_start: int, end: int, predictors: list[Predictor],
                 units: list[str] | None = None, starts: int = 10, seed: int = 0
                 ) -> pd.DataFrame:
    """Each unit's synthetic control (the other units as donors) fitted only on the years
    before ``pretend_start`` and judged on ``pretend_start``–``end``: how far controls drift
    when nothing happened.

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time, outcome
        Column names.
    pretend_start, end
        The held-out years (all before the real intervention).
    predictors
        Predictors from before ``pretend_start``.
    units
        Units to fit (default: every unit).
    starts, seed
        Optimiser starts and seed of each fit.

    Returns
    -------
    pandas.DataFrame
        Per unit: pre_rmspe (fitted years), held_out_rmspe and their ratio.
    """
    window = panel[panel[time] <= end]
    rows = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for name in units or sorted(window[unit].unique()):
            fit = synthetic_control(window, unit, time, outcome, name, pretend_start,
                                    predictors, starts=starts, seed=seed)
            rows[name] = {"pre_rmspe": fit.pre_rmspe, "held_out_rmspe": fit.post_rmspe,
                          "ratio": fit.ratio}
    return pd.DataFrame.from_dict(rows, orient="index")
