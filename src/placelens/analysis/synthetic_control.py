"""Synthetic control (Abadie, Diamond & Hainmueller; docs/methods/evaluation.md) with nested
optimisation.

Inner problem: donor weights W >= 0 summing to 1 minimise the predictor imbalance
(X1 − X0 W)' V (X1 − X0 W); it is solved exactly as a non-negative least-squares problem with
the sum-to-one constraint as a heavily weighted extra row. Outer problem: the diagonal
predictor weights V (on the simplex, through a softmax) minimise the pre-treatment outcome
MSPE; Nelder–Mead from equal weights and seeded random starts, keeping the best. Predictors
are scaled by their standard deviation across all units first, as in Synth.

Inference: in-space placebos (each donor treated in turn, the others as its donors); the
p-value is the rank of the treated unit's post/pre RMSPE ratio among all units, treated
included: 1/(J+1) when it is the most extreme. In-time placebo and leave-one-out refits, and a
warning when the pre-period fit is poor.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy.optimize import minimize, nnls

PENALTY = 1e4  # weight of the sum-to-one row in the inner least squares


@dataclass(frozen=True)
class Predictor:
    """A predictor: ``variable`` averaged over ``years`` (inclusive list)."""

    variable: str
    years: tuple[int, ...]

    @property
    def label(self) -> str:
        """``variable (years)``: one year, a first–last span when the years run without a
        gap, or the years listed (1980, 1985)."""
        years = [int(y) for y in self.years]
        if len(years) == 1:
            span = f"{years[0]}"
        elif years == list(range(years[0], years[-1] + 1)):
            span = f"{years[0]}–{years[-1]}"
        else:
            span = ", ".join(str(y) for y in years)
        return f"{self.variable} ({span})"


@dataclass(frozen=True)
class VChoice:
    """How the predictor weights V are chosen.

    By default V is fitted so that the synthetic outcome tracks the treated unit's over
    ``fit_years`` (empty: every pre-treatment year). ``given``: V as stated, one weight per
    predictor in order, without fitting. ``training``: out-of-sample cross-validation as in
    Abadie, Diamond & Hainmueller (2015): V is fitted on these training-period predictors (one
    per main predictor, in order) to the outcome over ``fit_years`` (the validation period),
    then used unchanged with the main predictors.
    """

    fit_years: tuple[int, ...] = ()
    given: tuple[float, ...] = ()
    training: tuple[Predictor, ...] = ()

    def describe(self, fit_years: tuple[int, ...]) -> str:
        """One line for reports and evidence records."""
        span = f"{min(fit_years)}–{max(fit_years)}" if fit_years else ""
        if self.given:
            return "given by the analyst (not fitted)"
        if self.training:
            labels = ", ".join(p.label for p in self.training)
            return (f"cross-validated (ADH 2015): fitted on training predictors {labels} to "
                    f"the outcome over {span}, then used with the main predictors")
        return f"fitted to the pre-treatment outcome (MSPE), years {span}"


@dataclass
class SCMResult:
    treated: str
    treatment_year: int
    weights: pd.Series            # donor weights W
    predictor_weights: pd.Series  # diagonal of V
    actual: pd.Series             # treated outcome by year
    synthetic: pd.Series          # synthetic outcome by year
    balance: pd.DataFrame         # predictor values: treated, synthetic, donor mean
    pre_rmspe: float
    post_rmspe: float
    notes: list[str] = field(default_factory=list)
    starts: int = 10              # optimiser starts of the V search (placebos get as many)
    seed: int = 0
    fit_years: tuple[int, ...] = ()  # years whose outcome fit chose V (none when given)
    v_choice: VChoice = field(default_factory=VChoice)

    @property
    def gap(self) -> pd.Series:
        return self.actual - self.synthetic

    @property
    def ratio(self) -> float:
        return self.post_rmspe / self.pre_rmspe if self.pre_rmspe > 0 else np.inf

    def average_gap(self, start: int | None = None, end: int | None = None) -> float:
        gap = self.gap
        years = gap.index
        chosen = (years >= (start or self.treatment_year)) & (years <= (end or years.max()))
        return float(gap[chosen].mean())


def predictor_matrix(panel: pd.DataFrame, unit: str, time: str,
                     predictors: list[Predictor]) -> pd.DataFrame:
    """Units × predictors: each predictor's mean over its years (missing years ignored, as
    Synth does); an all-missing predictor for a unit raises an error naming both.

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time
        Column names.
    predictors
        Predictors: a variable and the years it is averaged over.

    Returns
    -------
    pandas.DataFrame
        Units × predictors.
    """
    columns = {}
    for spec in predictors:
        chosen = panel[panel[time].isin(spec.years)]
        if spec.variable not in panel.columns:
            raise ValueError(f"predictor variable {spec.variable!r} is not in the panel")
        columns[spec.label] = chosen.groupby(unit)[spec.variable].mean()
    matrix = pd.DataFrame(columns)
    missing = matrix.isna().stack()
    if missing.any():
        who, what = missing[missing].index[0]
        raise ValueError(f"predictor {what} has no values for {who} in its years")
    return matrix


def donor_weights(x1: np.ndarray, x0: np.ndarray, v: np.ndarray) -> np.ndarray:
    """W on the simplex minimising (x1 − X0 W)' diag(v) (x1 − X0 W).

    Parameters
    ----------
    x1
        Predictors of the treated unit.
    x0
        Predictors × donors.
    v
        Predictor weights (the diagonal of V).

    Returns
    -------
    numpy.ndarray
        Donor weights W ≥ 0 summing to 1.
    """
    root = np.sqrt(v)
    a = np.vstack([root[:, None] * x0, PENALTY * np.ones((1, x0.shape[1]))])
    b = np.concatenate([root * x1, [PENALTY]])
    w, _ = nnls(a, b, maxiter=50 * x0.shape[1])
    total = w.sum()
    return w / total if total > 0 else np.full(x0.shape[1], 1 / x0.shape[1])


def _fit_weights(x1, x0, z1, z0, starts: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    k = len(x1)

    def loss(theta):
        v = np.exp(theta - theta.max())
        w = donor_weights(x1, x0, v / v.sum())
        residual = z1 - z0 @ w
        return residual @ residual / len(residual)

    rng = np.random.default_rng(seed)
    candidates = [np.zeros(k)] + [rng.normal(0, 2, k) for _ in range(starts - 1)]
    best = None
    for start in candidates:
        result = minimize(loss, start, method="Nelder-Mead",
                          options={"maxiter": 400 * k, "xatol": 1e-5, "fatol": 1e-10})
        if best is None or result.fun < best.fun:
            best = result
    assert best is not None  # at least the zero start was tried
    v = np.exp(best.x - best.x.max())
    v /= v.sum()
    return donor_weights(x1, x0, v), v


def synthetic_control(panel: pd.DataFrame, unit: str, time: str, outcome: str,
                      treated: str, treatment_year: int, predictors: list[Predictor],
                      donors: list[str] | None = None, v_choice: VChoice | None = None,
                      starts: int = 10, seed: int = 0) -> SCMResult:
    """Fit a synthetic control for ``treated`` from ``donors`` (default: every other unit).

    Bad panels and specifications raise errors that say what is wrong.

    Parameters
    ----------
    panel
        Long panel, one row per unit and year.
    unit, time, outcome
        Column names.
    treated
        The treated unit.
    treatment_year
        First year of treatment.
    predictors
        Predictors: a variable and the years it is averaged over.
    donors
        Donor units (default: every other unit).
    v_choice
        How V is chosen (:class:`VChoice`; default: fitted to every pre-treatment year).
    starts, seed
        Starting points of the V search and their seed.

    Returns
    -------
    SCMResult
        Weights, V, the actual and synthetic paths, balance, RMSPEs and warnings.

    References
    ----------
    Abadie, Diamond & Hainmueller (2010), "Synthetic control methods for comparative case
    studies", *JASA* 105(490).
    """
    _check_panel(panel, unit, time, outcome, treated, treatment_year)
    units = sorted(panel[unit].unique())
    donors = [d for d in (donors or units) if d != treated]
    absent = [d for d in donors if d not in units]
    if absent:
        raise ValueError(f"donors {absent} are not in the panel")
    if len(donors) < 2:
        raise ValueError("a synthetic control needs at least 2 donors")
    v_choice = v_choice or VChoice()
    fit_years = _fit_years(v_choice, sorted(panel[time].unique()), treatment_year)
    for spec in (*predictors, *v_choice.training):
        if max(spec.years) >= treatment_year:
            raise ValueError(f"predictor {spec.label} uses years from {treatment_year} on; "
                             "predictors must come from before the treatment starts")
    x, xs = _scaled_predictors(panel, unit, time, predictors, treated, donors)
    wide = panel.pivot(index=time, columns=unit, values=outcome)
    v = _choose_v(panel, unit, time, wide, treated, donors, predictors, v_choice, fit_years,
                  starts, seed)
    w = donor_weights(xs.loc[treated].to_numpy(), xs.loc[donors].to_numpy().T, v)
    synthetic = wide[donors] @ w
    actual = wide[treated]
    pre = actual.index < treatment_year
    pre_rmspe = float(np.sqrt(((actual[pre] - synthetic[pre]) ** 2).mean()))
    post_rmspe = float(np.sqrt(((actual[~pre] - synthetic[~pre]) ** 2).mean())) \
        if (~pre).any() else float("nan")
    balance = pd.DataFrame({"treated": x.loc[treated], "synthetic": x.loc[donors].T @ w,
                            "donor mean": x.loc[donors].mean()})
    notes = _fit_notes(actual[pre], pre_rmspe)
    return SCMResult(treated, treatment_year, pd.Series(w, index=donors, name="weight"),
                     pd.Series(v, index=x.columns, name="v"), actual, synthetic, balance,
                     pre_rmspe, post_rmspe, notes, starts, seed,
                     tuple(int(y) for y in fit_years), v_choice)


def _fit_years(v_choice: VChoice, years: list, treatment_year: int) -> list:
    """The years whose outcome fit chooses V: as asked (each before the start and in the
    panel), every pre-treatment year by default, none when V is given."""
    if v_choice.given:
        return []
    chosen = list(v_choice.fit_years) or [y for y in years if y < treatment_year]
    wrong = [y for y in chosen if y not in years or y >= treatment_year]
    if wrong:
        raise ValueError(f"V-fitting year {wrong[0]} is not a pre-treatment year of the panel "
                         f"(before {treatment_year})")
    if len(chosen) < 2:
        raise ValueError(f"need at least 2 pre-treatment years before {treatment_year} to "
                         "fit V")
    return chosen


def _scaled_predictors(panel: pd.DataFrame, unit: str, time: str, predictors: list[Predictor],
                       treated: str, donors: list[str]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The predictor matrix of the treated unit and donors, and the same divided by each
    predictor's standard deviation across them (as Synth scales)."""
    x = predictor_matrix(panel[panel[unit].isin([treated, *donors])], unit, time, predictors)
    scale = x.std()
    scale[scale == 0] = 1.0
    return x, x / scale


def _choose_v(panel, unit, time, wide, treated, donors, predictors, v_choice: VChoice,
              fit_years, starts: int, seed: int) -> np.ndarray:
    """V as :class:`VChoice` says: given, cross-validated on training predictors, or fitted
    on the main predictors."""
    if v_choice.given:
        given = np.asarray(v_choice.given, dtype=float)
        if len(given) != len(predictors) or not np.isfinite(given).all() or \
                (given < 0).any() or given.sum() <= 0:
            raise ValueError(f"a given V needs one non-negative weight per predictor "
                             f"({len(predictors)}), not all zero; got {list(v_choice.given)}")
        return given / given.sum()
    if v_choice.training and len(v_choice.training) != len(predictors):
        raise ValueError(f"cross-validation needs one training predictor per predictor "
                         f"({len(predictors)}); got {len(v_choice.training)}")
    _, xs = _scaled_predictors(panel, unit, time, list(v_choice.training or predictors),
                               treated, donors)
    z = wide.loc[fit_years]
    _, v = _fit_weights(xs.loc[treated].to_numpy(), xs.loc[donors].to_numpy().T,
                        z[treated].to_numpy(), z[donors].to_numpy(), starts, seed)
    return v


def _fit_notes(pre_actual: pd.Series, pre_rmspe: float) -> list[str]:
    """A poor pre-period fit (RMSPE above 10% of the pre-period mean outcome) is flagged."""
    level = float(pre_actual.abs().mean())
    if level > 0 and pre_rmspe > 0.1 * level:
        message = (f"Poor pre-treatment fit: RMSPE {pre_rmspe:.3g} is "
                   f"{pre_rmspe / level:.0%} of the mean outcome; the synthetic control may "
                   "not be a credible counterfactual.")
        warnings.warn(message, stacklevel=3)
        return [message]
    return []


def _check_panel(panel, unit, time, outcome, treated, treatment_year) -> None:
    for column in (unit, time, outcome):
        if column not in panel.columns:
            raise ValueError(f"the panel has no column {column!r}")
    if treated not in set(panel[unit]):
        raise ValueError(f"treated unit {treated!r} is not in the panel")
    if panel.duplicated([unit, time]).any():
        raise ValueError("the panel has more than one row for some unit and year")
    counts = panel.groupby(unit)[time].nunique()
    if counts.nunique() > 1:
        short = counts[counts < counts.max()].index[:5].tolist()
        raise ValueError(f"the panel is unbalanced: {short} lack some years")
    finite = np.isfinite(panel[outcome].to_numpy(dtype="float64"))
    if not finite.all():
        row = panel[~finite].iloc[0]
        raise ValueError(f"outcome {outcome!r} is {row[outcome]} for {row[unit]} in "
                         f"{row[time]}; every unit needs a finite value in every year")
    years = panel[time]
    if not (years.min() < treatment_year <= years.max()):
        raise ValueError(f"treatment year {treatment_year} must fall inside the panel's "
                         f"years {years.min()}–{years.max()} with a pre-period")
