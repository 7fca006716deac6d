"""Growth opportunities: activities a place does not yet specialise in, ranked by how close
they are to what it already does (density), how close it already is (current RCA) or what
they would add (complexity gain). The list is for tradable activities by default: a region
does not "grow into" primary schools or care homes by building capabilities — their size
follows its population."""

from __future__ import annotations

import pandas as pd

from placelens.analysis.complexity import ComplexityResult

RANKINGS = ("feasibility", "density", "cog", "rca")
#: The back-test predictor each ranking corresponds to (COG has no back-test: it measures
#: what an activity would add, not how likely it is).
BACKTESTED = {"feasibility": "density+rca", "density": "density", "rca": "rca"}


def best_ranking(aucs: dict[str, float]) -> str:
    """The ranking whose back-test predictor has the highest AUC.

    Parameters
    ----------
    aucs
        Predictor → AUC, as in :class:`placelens.analysis.backtest.BacktestResult`.

    Returns
    -------
    str
        One of :data:`BACKTESTED`'s rankings.
    """
    scored = {ranking: aucs[predictor] for ranking, predictor in BACKTESTED.items()
              if predictor in aucs}
    if not scored:
        raise ValueError(f"no back-test AUC for any of {sorted(BACKTESTED.values())}")
    return max(scored, key=lambda ranking: scored[ranking])


def opportunities(result: ComplexityResult, area: str, names: dict[str, str] | None = None,
                  by: str = "feasibility", top: int = 10, related: int = 3,
                  label: str | None = None, exclude: set[str] | frozenset[str] = frozenset()
                  ) -> pd.DataFrame:
    """The ``top`` activities absent from ``area`` (M = 0), best first, each with a sentence
    naming the ``related`` activities it already has that are closest to it.

    Parameters
    ----------
    result
        Complexity of the matrix the area belongs to.
    area
        The area (row of ``result``).
    names
        Activity code → name, for the sentences.
    by
        ``feasibility`` (mean percentile rank of density and current RCA), ``density``,
        ``cog`` (complexity outlook gain) or ``rca`` (closeness to specialisation).
    top, related
        How many activities, and how many related ones per sentence.
    label
        Name of the area in the sentences.
    exclude
        Activities left out (e.g. those serving local demand).

    Returns
    -------
    pandas.DataFrame
        Per activity: name, rca, density, cog, pci, density_percentile and why.

    References
    ----------
    Hidalgo, Klinger, Barabási & Hausmann (2007), "The product space conditions the
    development of nations", *Science* 317.
    """
    if by not in RANKINGS:
        raise ValueError(f"by must be one of {RANKINGS}, not {by!r}")
    if area not in result.presence.index:
        raise KeyError(f"{area!r} is not among the areas of this result")
    names = names or {}
    absent = (result.presence.loc[area] == 0) & ~result.presence.columns.isin(list(exclude))
    frame = pd.DataFrame({
        "rca": result.rca.loc[area], "density": result.density.loc[area],
        "cog": result.cog.loc[area], "pci": result.pci})[absent]
    frame["density_percentile"] = result.density.loc[:, frame.index].rank(pct=True).loc[area] \
        * 100
    frame["score"] = {"density": frame["density"], "cog": frame["cog"], "rca": frame["rca"],
                      "feasibility": (frame["density"].rank(pct=True)
                                      + frame["rca"].rank(pct=True)) / 2}[by]
    frame = frame.sort_values("score", ascending=False).head(top)
    present = result.presence.columns[result.presence.loc[area] == 1]
    reasons = []
    for activity in frame.index:
        closest = result.proximity.loc[activity, present].drop(activity, errors="ignore") \
            .nlargest(related)
        listing = ", ".join(f"{names.get(a, a)} (proximity {p:.2f})" for a, p in
                            closest.items())
        reasons.append(f"Often found with {listing}, which {label or area} already "
                       "specialises in; "
                       f"current RCA {frame.loc[activity, 'rca']:.2f}; complexity "
                       f"{'above' if frame.loc[activity, 'pci'] > 0 else 'below'} average "
                       f"(PCI {frame.loc[activity, 'pci']:+.2f}).")
    frame.insert(0, "name", [names.get(a, a) for a in frame.index])
    frame["why"] = reasons
    frame.index.name = "activity"
    return frame.drop(columns="score")
