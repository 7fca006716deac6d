"""How well does density at t predict gaining RCA >= 1 by t+k? (docs/methods/complexity.md)

The test set is every area × activity without RCA >= 1 at t; the outcome is RCA >= 1 at t+k.
AUC is the probability that a random gainer had higher density than a random non-gainer
(ties count half). Its confidence interval resamples whole areas (a cluster bootstrap),
because one area's activities are not independent.

Predictors compared: ``density``; ``size`` (the activity's current size in the area, the
size-only baseline); ``rca`` (how close the activity already is to RCA = 1); and
``density+size`` and ``density+rca`` (the mean of the two percentile ranks), which show
whether relatedness adds anything to size or to current RCA."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from placelens.analysis.complexity import complexity


def average_ranks(values: np.ndarray) -> np.ndarray:
    """Ranks 1..n with ties given their average rank, as ``scipy.stats.rankdata`` gives them.

    pandas computes them without importing ``scipy.stats``, which costs half a second at
    start-up.

    Parameters
    ----------
    values : numpy.ndarray
        Scores (NaN stays NaN).

    Returns
    -------
    numpy.ndarray
        Ranks as floats; tied values share the mean of the ranks they span.
    """
    return pd.Series(values).rank(method="average").to_numpy()


def auc(scores: np.ndarray, outcomes: np.ndarray) -> float:
    """Area under the ROC curve by the rank-sum (Mann–Whitney) formula.

    Parameters
    ----------
    scores
        Predictor values (higher = more likely).
    outcomes
        0/1 (or boolean) outcomes.

    Returns
    -------
    float
        AUC (ties count half); NaN when one class is empty.

    References
    ----------
    Hanley & McNeil (1982), "The meaning and use of the area under a ROC curve", *Radiology* 143.
    """
    outcomes = outcomes.astype(bool)
    positives, negatives = outcomes.sum(), (~outcomes).sum()
    if positives == 0 or negatives == 0:
        return float("nan")
    ranks = average_ranks(scores)
    return float((ranks[outcomes].sum() - positives * (positives + 1) / 2)
                 / (positives * negatives))


PREDICTORS = ("density", "size", "rca", "density+size", "density+rca")


@dataclass
class BacktestResult:
    windows: list[tuple[str, str]]
    cases: int
    gains: int
    scores: dict[str, tuple[float, tuple[float, float]]]  # predictor → (AUC, 95% interval)
    table: pd.DataFrame

    def summary(self) -> str:
        spans = ", ".join(f"{a}→{b}" for a, b in self.windows[:2])
        if len(self.windows) > 2:
            spans += f" … ({len(self.windows)} windows)"
        aucs = "; ".join(f"{name} {value:.3f} ({low:.3f}–{high:.3f})"
                         for name, (value, (low, high)) in self.scores.items())
        return (f"{spans}: {self.gains:,} of {self.cases:,} area × activity pairs without "
                f"RCA ≥ 1 gained it. AUC (95% CI): {aucs}")

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame([{"predictor": name, "auc": value, "ci_low": low, "ci_high": high}
                             for name, (value, (low, high)) in self.scores.items()])


def cases(x_start: pd.DataFrame, x_end: pd.DataFrame) -> pd.DataFrame:
    """Area × activity pairs without RCA >= 1 at the start, with density, size and outcome.

    Parameters
    ----------
    x_start, x_end
        Areas × activities at the start and the end of a window.

    Returns
    -------
    pandas.DataFrame
        area, activity, density, size, rca and gained (RCA ≥ 1 at the end) for every pair
        without RCA ≥ 1 at the start.
    """
    areas = x_start.index.intersection(x_end.index)
    activities = x_start.columns.intersection(x_end.columns)
    start = complexity(x_start.loc[areas, activities])
    end = complexity(x_end.loc[areas, activities])
    long = pd.DataFrame({"density": start.density.stack(), "present": start.presence.stack(),
                         "size": x_start.loc[start.density.index,
                                             start.density.columns].fillna(0).stack(),
                         "rca": start.rca.stack()})
    long["gained"] = end.presence.reindex(index=start.presence.index,
                                          columns=start.presence.columns).fillna(0).stack()
    long.index.names = ["area", "activity"]
    return long[long["present"] == 0].drop(columns="present").reset_index()


def backtest(panel: dict[str, pd.DataFrame], windows: list[tuple[str, str]],
             draws: int = 1000, seed: int = 0) -> BacktestResult:
    """Pool the test cases of every (start, end) window of ``panel`` and measure the AUC of
    density and of size, with area-cluster bootstrap intervals (``draws`` resamples).

    Parameters
    ----------
    panel
        Period → areas × activities matrix.
    windows
        (start, end) period pairs to pool.
    draws, seed
        Bootstrap resamples of whole areas and the seed.

    Returns
    -------
    BacktestResult
        Cases, gains, each predictor's AUC with its 95% interval, and the pooled cases.
    """
    if not windows:
        raise ValueError("backtest needs at least one (start, end) window")
    missing = [p for window in windows for p in window if p not in panel]
    if missing:
        raise ValueError(f"periods {sorted(set(missing))} are not in the panel "
                         f"(it has {sorted(panel)})")
    table = pd.concat([cases(panel[a], panel[b]).assign(start=a, end=b) for a, b in windows],
                      ignore_index=True)
    outcomes = table["gained"].to_numpy() == 1
    predictors = {name: table[name].to_numpy() for name in ("density", "size", "rca")}
    for other in ("size", "rca"):
        predictors[f"density+{other}"] = (average_ranks(predictors["density"]) +
                                          average_ranks(predictors[other])) / 2
    codes, _ = pd.factorize(table["area"])
    rng = np.random.default_rng(seed)
    weights = rng.multinomial(codes.max() + 1, np.full(codes.max() + 1, 1 / (codes.max() + 1)),
                              size=draws).astype("float64")
    scores = {}
    for name, values in predictors.items():
        boot = cluster_bootstrap_auc(values, outcomes, codes, weights)
        low, high = np.nanquantile(boot, [0.025, 0.975])
        scores[name] = (auc(values, outcomes), (float(low), float(high)))
    return BacktestResult(list(windows), len(table), int(outcomes.sum()), scores, table)


def cluster_bootstrap_auc(scores: np.ndarray, outcomes: np.ndarray, groups: np.ndarray,
                          weights: np.ndarray) -> np.ndarray:
    """AUC under each row of ``weights`` (how many times each group is drawn).

    With C[a, b] the number of (positive in group a, negative in group b) pairs ranked
    correctly (ties half), a resample drawing group g w_g times has
    AUC = w'Cw / ((w·p)(w·n)), p and n counting positives and negatives per group; so every
    draw costs a matrix product instead of a re-ranking.

    Parameters
    ----------
    scores, outcomes
        Predictor values and 0/1 outcomes.
    groups
        Cluster (area) number of each case, 0 … G − 1.
    weights
        Draws × G: how many times each cluster is drawn.

    Returns
    -------
    numpy.ndarray
        The AUC of every draw.
    """
    k = groups.max() + 1
    positive = outcomes.astype(bool)
    pos_scores, pos_groups = scores[positive], groups[positive]
    pairs = np.zeros((k, k))
    for group in range(k):
        negatives = np.sort(scores[~positive & (groups == group)])
        if negatives.size == 0:
            continue
        below = np.searchsorted(negatives, pos_scores, "left")
        ties = np.searchsorted(negatives, pos_scores, "right") - below
        pairs[:, group] = np.bincount(pos_groups, weights=below + 0.5 * ties, minlength=k)
    p = np.bincount(pos_groups, minlength=k)
    n = np.bincount(groups[~positive], minlength=k)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.einsum("da,ab,db->d", weights, pairs, weights) / ((weights @ p) *
                                                                  (weights @ n))
