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
        span = (f"{self.years[0]}" if len(self.years) == 1
                else f"{self.years[0]}–{self.years[-1]}")
        return f"{self.variable} ({span})"


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
    fit_years: tuple[int, ...] = ()  # years whose outcome fit chose V

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
                      donors: list[str] | None = None, fit_years: list[int] | None = None,
                      starts: int = 10, seed: int = 0) -> SCMResult:
    """Fit a synthetic control for ``treated`` from ``donors`` (default: every other unit).

    ``fit_years``: pre-treatment years whose outcome MSPE chooses V (default: all years
    before ``treatment_year``). Bad panels raise errors that say what is wrong.

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
    fit_years
        Pre-treatment years whose outcome fit chooses V.
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
    years = sorted(panel[time].unique())
    fit_years = fit_years or [y for y in years if y < treatment_year]
    if len(fit_years) < 2:
        raise ValueError(f"need at least 2 pre-treatment years before {treatment_year}")
    late = [p for p in predictors if max(p.years) >= treatment_year]
    if late:
        raise ValueError(f"predictor {late[0].label} uses years from {treatment_year} on; "
                         "predictors must come from before the treatment starts")
    x = predictor_matrix(panel[panel[unit].isin([treated, *donors])], unit, time, predictors)
    scale = x.std()
    scale[scale == 0] = 1.0
    xs = x / scale
    wide = panel.pivot(index=time, columns=unit, values=outcome)
    z = wide.loc[fit_years]
    w, v = _fit_weights(xs.loc[treated].to_numpy(), xs.loc[donors].to_numpy().T,
                        z[treated].to_numpy(), z[donors].to_numpy(), starts, seed)
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
                     tuple(int(y) for y in fit_years))


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
