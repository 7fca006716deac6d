"""Checks of a synthetic control: the in-space placebo test and its p-value, the in-time
placebo, leave-one-out refits, and the evidence grade they support
(docs/methods/evaluation.md)."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import pandas as pd

from placelens.analysis.synthetic_control import (
    Predictor,
    SCMResult,
    VChoice,
    synthetic_control,
)


@dataclass(frozen=True)
class PlaceboTest:
    """In-space placebo: each unit's pre/post RMSPE and their ratio (``table``, index unit,
    the treated unit flagged), every unit's gap by year (``gaps``: year × unit) and the
    treated unit's p-value, the rank of its ratio among all units (treated included)."""

    table: pd.DataFrame
    gaps: pd.DataFrame
    p_value: float

    def __len__(self) -> int:
        return len(self.table)


def placebo_in_space(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                     result: SCMResult, predictors: list[Predictor],
                     starts: int | None = None, seed: int | None = None) -> PlaceboTest:
    """Refit with every donor treated in turn (the real treated unit left out of the pool);
    see :class:`PlaceboTest`. Each placebo chooses V the same way as the treated fit
    (``result.v_choice``) and gets its optimiser effort by default: with fewer starts the
    placebos fit worse before the start, their post/pre ratios grow and the treated unit's
    p-value is overstated.

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time, outcome
        Column names.
    result
        The treated unit's fit.
    predictors
        Predictors: a variable and the years it is averaged over.
    starts, seed
        As for :func:`synthetic_control`; default those of ``result``.

    Returns
    -------
    PlaceboTest
        Each unit's RMSPEs and ratio, every unit's gaps and the treated unit's p-value.

    References
    ----------
    Abadie, Diamond & Hainmueller (2010).
    """
    rows = [{"unit": result.treated, "pre_rmspe": result.pre_rmspe,
             "post_rmspe": result.post_rmspe, "ratio": result.ratio, "treated": True}]
    gaps = {result.treated: result.gap}
    pool = list(result.weights.index)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for donor in pool:
            fit = synthetic_control(panel, unit, time, outcome, donor, result.treatment_year,
                                    predictors, [d for d in pool if d != donor],
                                    v_choice=result.v_choice,
                                    starts=result.starts if starts is None else starts,
                                    seed=result.seed if seed is None else seed)
            rows.append({"unit": donor, "pre_rmspe": fit.pre_rmspe,
                         "post_rmspe": fit.post_rmspe, "ratio": fit.ratio, "treated": False})
            gaps[donor] = fit.gap
    table = pd.DataFrame(rows).set_index("unit")
    rank = int((table["ratio"] >= result.ratio).sum())
    return PlaceboTest(table, pd.DataFrame(gaps), rank / len(table))


def placebo_in_time(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                    treated: str, fake_year: int, treatment_year: int,
                    predictors: list[Predictor], **options) -> SCMResult:
    """Pretend treatment happened at ``fake_year`` using only years before the real one: a
    large 'effect' here casts doubt on the real estimate. V is fitted to the years before
    ``fake_year`` (a given or cross-validated V belongs to the real start's predictors).

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time, outcome
        Column names.
    treated
        The treated unit.
    fake_year
        The pretended first year of treatment.
    treatment_year
        The real first year (later years are not used).
    predictors
        Predictors: a variable and the years it is averaged over.

    Returns
    -------
    SCMResult
        The fit with the pretended year.
    """
    before = panel[panel[time] < treatment_year]
    return synthetic_control(before, unit, time, outcome, treated, fake_year, predictors,
                             **options)


def leave_one_out(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                  result: SCMResult, predictors: list[Predictor], **options
                  ) -> dict[str, SCMResult]:
    """Refit without each donor that had weight, to show how much the estimate rests on it;
    V is chosen as for ``result``.

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time, outcome
        Column names.
    result
        The treated unit's fit.
    predictors
        Predictors: a variable and the years it is averaged over.

    Returns
    -------
    dict
        Left-out donor → refit.
    """
    pool = list(result.weights.index)
    out = {}
    for donor in result.weights[result.weights > 1e-3].index:
        out[donor] = synthetic_control(panel, unit, time, outcome, result.treated,
                                       result.treatment_year, predictors,
                                       [d for d in pool if d != donor],
                                       v_choice=result.v_choice, **options)
    return out


def fit_comparison(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                   result: SCMResult, predictors: list[Predictor]) -> pd.DataFrame:
    """The pre-treatment fit with V as chosen beside the fit with equal predictor weights, so
    a reader sees what choosing V bought (a fitted V can only fit its years better).

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time, outcome
        Column names.
    result
        The fit.
    predictors
        Its predictors.

    Returns
    -------
    pandas.DataFrame
        V, pre-treatment RMSPE, average gap after the start and the largest donor weight.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        equal = synthetic_control(panel, unit, time, outcome, result.treated,
                                  result.treatment_year, predictors,
                                  list(result.weights.index),
                                  VChoice(given=(1.0,) * len(predictors)))
    rows = []
    for label, fit in (("As chosen: " + result.v_choice.describe(result.fit_years), result),
                       ("Equal weights on every predictor", equal)):
        top = fit.weights.idxmax()
        rows.append({"V": label, "Pre-treatment RMSPE": f"{fit.pre_rmspe:.3f}",
                     "Average gap": f"{fit.average_gap():+.3f}",
                     "Largest donor weight": f"{top} {fit.weights[top]:.3f}"})
    return pd.DataFrame(rows)


#: The grading rule, as evidence records state it.
SCM_GRADE_RULE = ("Maryland Scientific Methods Scale, as placelens applies it to synthetic "
                  "control: level 3 when the pre-treatment fit raised no warning and the "
                  "in-space placebo p-value is at most 0.10, otherwise level 2")


def evidence_grade(result: SCMResult, p_value: float | None) -> tuple[int, str]:
    """Maryland Scientific Methods Scale level placelens gives a synthetic control.

    The scale has no rung for synthetic control. placelens grades it 3 (a before/after
    comparison against a justified comparison group) when the pre-treatment fit is good (no
    poor-fit warning) and the in-space placebo p-value is at most 0.10; otherwise 2 (a
    comparison with controls that may not be credible).

    Parameters
    ----------
    result
        The fit.
    p_value
        The in-space placebo p-value (None if not run).

    Returns
    -------
    tuple
        The level and the reason in words.

    References
    ----------
    Madaleno & Waights, *Guide to scoring methods using the Maryland Scientific Methods
    Scale*, What Works Centre for Local Economic Growth.
    """
    good_fit = not result.notes
    if good_fit and p_value is not None and p_value <= 0.10:
        return 3, ("Level 3: synthetic control with a close pre-treatment fit and an effect "
                   f"larger than in {1 - p_value:.0%} of placebo units")
    reasons = []
    if not good_fit:
        reasons.append("the pre-treatment fit is poor")
    if p_value is None:
        reasons.append("no placebo test was run")
    elif p_value > 0.10:
        reasons.append(f"placebo p = {p_value:.2f} does not single the place out")
    return 2, "Level 2: comparison against controls, but " + " and ".join(reasons)


def robustness_table(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                     result: SCMResult, predictors: list[Predictor], fake_lead: int = 5,
                     starts: int | None = None) -> pd.DataFrame:
    """The in-time placebo (start ``fake_lead`` years early, where the pre-period allows)
    and every leave-one-out refit (with at least three donors), each with its average gap
    after its start; a check that cannot run is listed with the reason.

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time, outcome
        Column names.
    result
        The treated unit's fit.
    predictors
        Predictors: a variable and the years it is averaged over.
    fake_lead
        Years before the real start for the in-time placebo.
    starts
        Starting points of each refit's V search (default: as many as ``result`` had).

    Returns
    -------
    pandas.DataFrame
        One row per check with its average gap after its start.
    """
    starts = result.starts if starts is None else starts
    rows = [{"Check": "Main estimate", "Start": result.treatment_year,
             "Average gap": f"{result.average_gap():+.3f}"}]
    fake = result.treatment_year - fake_lead
    years = sorted(panel[time].unique())
    usable = [p for p in predictors if all(y < fake for y in p.years)]
    if usable and sum(y < fake for y in years) >= 2:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            early = placebo_in_time(panel, unit, time, outcome, result.treated, fake,
                                    result.treatment_year, usable,
                                    donors=list(result.weights.index), starts=starts)
        rows.append({"Check": f"In-time placebo (pretend start {fake})", "Start": fake,
                     "Average gap": f"{early.average_gap():+.3f}"})
    else:
        rows.append({"Check": f"In-time placebo (pretend start {fake})", "Start": fake,
                     "Average gap": "not run: fewer than 2 years, or no predictor years, "
                     f"before {fake}"})
    pool = len(result.weights)
    if pool < 3:
        rows.append({"Check": "Leave-one-out", "Start": result.treatment_year,
                     "Average gap": f"not run: needs at least 3 donors ({pool} given)"})
        return pd.DataFrame(rows)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for donor, fit in leave_one_out(panel, unit, time, outcome, result, predictors,
                                        starts=starts).items():
            rows.append({"Check": f"Leave out {donor}", "Start": result.treatment_year,
                         "Average gap": f"{fit.average_gap():+.3f}"})
    return pd.DataFrame(rows)
