"""Leadership styles of "Making innovative places" (NESTA 2008), measured from funded R&D.

Two variables set the style, each measured for the place's own organisations:

* innovation diversity, the number of actors engaged: the place's organisations taking part
  in funded R&D projects in the period in a role other than funder (research councils and
  other co-funders pay for projects; they are not the place's innovators). Organisations
  abroad have no district and never count;
* dispersal of decision-making, the number of deciders: the effective number of the place's
  organisations that lead projects, 1 / Σ s², s being each local lead's share of the lead
  roles held in the place. No local lead gives 0 deciders: a place whose projects are all led
  from elsewhere decides nothing, however many outside leads there are.

Both grow with the amount of funded R&D, so raw counts only say how big a place is. Each is
**size-adjusted**: within each period, log(actors) and log(1 + deciders) are regressed on
log(projects) over the reference places (ordinary least squares), and a place has "many"
actors or deciders when its residual is positive — more than places with as many projects.
Deciders are compared with the larger of that prediction and :data:`MIN_MANY_DECIDERS`: one
organisation taking every local decision is never dispersed decision-making, however small
the place, so "many deciders" means more than two effective deciders as well as more than
size predicts.

============  ==============  =============================
deciders      actors          style
============  ==============  =============================
few           many            orchestral
few           few             barber shop quartet
many          few             enthusiastic improvisation
many          many            jamming super-group
============  ==============  =============================

A style is given only with at least :data:`MIN_ACTORS` actors and :data:`MIN_PROJECTS`
projects. Its stability is the share of bootstrap resamples of the place's projects that give
the same style; below :data:`STABLE_SHARE` the finding is "borderline".
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

STYLES = {(False, True): "orchestral", (False, False): "barber shop quartet",
          (True, False): "enthusiastic improvisation", (True, True): "jamming super-group"}
#: What each style says, relative to places with as much funded R&D (the measure is
#: size-adjusted, so it says nothing about how much R&D a place has).
DESCRIPTIONS = {
    "orchestral": "More organisations take part than in places with as much funded R&D, "
                  "while few local organisations lead: a few conductors co-ordinating many "
                  "players.",
    "barber shop quartet": "Fewer organisations take part and few lead, for the amount of "
                           "funded R&D: a few leaders, largely for the benefit of a few "
                           "players.",
    "enthusiastic improvisation": "Fewer organisations take part but more of them lead than "
                                  "in places with as much funded R&D: parallel activities, "
                                  "not always co-ordinated.",
    "jamming super-group": "More organisations take part and more of them lead than in "
                           "places with as much funded R&D: several competing centres of "
                           "decision.",
}
NO_ACTIVITY = "too little funded R&D for a style"
BORDERLINE = "borderline"
MIN_ACTORS = 10
MIN_PROJECTS = 10
MIN_MANY_DECIDERS = 2.0
STABLE_SHARE = 0.8


@dataclass(frozen=True)
class SizeModel:
    """Per-period OLS fits of log(actors) and log(1 + deciders) on log(projects)."""

    actors: pd.DataFrame    # index period: intercept, slope
    deciders: pd.DataFrame  # index period: intercept, slope

    def residuals(self, period: str, projects, actors, deciders) -> tuple:
        """(actors residual, deciders residual) in logs: positive means "many". Deciders are
        compared with the larger of the size prediction and :data:`MIN_MANY_DECIDERS`."""
        a, d = self.actors.loc[period], self.deciders.loc[period]
        size = np.log(np.asarray(projects, dtype=float))
        expected = np.maximum(d["intercept"] + d["slope"] * size, np.log1p(MIN_MANY_DECIDERS))
        return (np.log(np.asarray(actors, dtype=float)) - a["intercept"] - a["slope"] * size,
                np.log1p(np.asarray(deciders, dtype=float)) - expected)


def activity(memberships: pd.DataFrame) -> pd.DataFrame:
    """Inputs of the style per area and period from project memberships.

    Parameters
    ----------
    memberships
        period, project_id, org_id, area_code (NaN: not placed), is_lead and funder_only
        (the organisation's only role in the project is funder).

    Returns
    -------
    pandas.DataFrame
        area_code, period, projects (with a local non-funder organisation), actors (distinct
        such organisations) and deciders (effective number of local lead organisations, 0
        when none leads).
    """
    local = memberships[memberships["area_code"].notna() & ~memberships["funder_only"]]
    keys = ["area_code", "period"]
    grouped = local.groupby(keys)
    out = pd.DataFrame({"projects": grouped["project_id"].nunique(),
                        "actors": grouped["org_id"].nunique()})
    leads = local[local["is_lead"]].groupby([*keys, "org_id"]).size()
    out["deciders"] = leads.groupby(level=keys).agg(_effective_number).reindex(
        out.index).fillna(0.0)
    return out.reset_index()


def _effective_number(counts: pd.Series) -> float:
    shares = counts.to_numpy(dtype=float) / counts.sum()
    return float(1.0 / (shares ** 2).sum())


def _active(table: pd.DataFrame) -> pd.Series:
    return (table["actors"] >= MIN_ACTORS) & (table["projects"] >= MIN_PROJECTS)


def fit_size_model(reference: pd.DataFrame) -> SizeModel:
    """OLS of log(actors) and log(1 + deciders) on log(projects) per period, over the
    reference places with enough activity for a style.

    Parameters
    ----------
    reference
        projects, actors and deciders per area and period (:func:`activity`).

    Returns
    -------
    SizeModel
        Intercept and slope per period for each dimension.
    """
    fits: dict[str, dict[str, dict[str, float]]] = {"actors": {}, "deciders": {}}
    for period, rows in reference[_active(reference)].groupby("period"):
        size = np.log(rows["projects"].to_numpy(dtype=float))
        for name, values in (("actors", np.log(rows["actors"].to_numpy(dtype=float))),
                             ("deciders", np.log1p(rows["deciders"].to_numpy(dtype=float)))):
            slope, intercept = np.polyfit(size, values, 1) if len(rows) > 2 else (0.0, np.nan)
            fits[name][period] = {"intercept": intercept, "slope": slope}
    return SizeModel(pd.DataFrame(fits["actors"]).T, pd.DataFrame(fits["deciders"]).T)


def leadership_styles(table: pd.DataFrame, model: SizeModel | None = None) -> pd.DataFrame:
    """Style of each place in each period against the size model.

    Parameters
    ----------
    table
        projects, actors and deciders per area_code and period (:func:`activity`).
    model
        The size model; default fitted on ``table`` itself.

    Returns
    -------
    pandas.DataFrame
        The inputs, the residuals of actors and deciders on size (positive = "many") and the
        style (:data:`NO_ACTIVITY` below the minimum activity).

    References
    ----------
    NESTA (2008), *Making innovative places*.
    """
    model = fit_size_model(table) if model is None else model
    out = table[["area_code", "period", "projects", "actors", "deciders"]].copy()
    out["actors_residual"] = np.nan
    out["deciders_residual"] = np.nan
    active = _active(out) & out["period"].isin(model.actors.index)
    for period, rows in out[active].groupby("period"):
        a, d = model.residuals(period, rows["projects"], rows["actors"], rows["deciders"])
        out.loc[rows.index, "actors_residual"] = a
        out.loc[rows.index, "deciders_residual"] = d
    out["leadership_style"] = [
        STYLES[(d > 0, a > 0)] if ok else NO_ACTIVITY for a, d, ok in zip(
            out["actors_residual"], out["deciders_residual"], active, strict=True)]
    return out.reset_index(drop=True)


def bootstrap_stability(memberships: pd.DataFrame, period: str, model: SizeModel,
                        style: str, draws: int = 200, seed: int = 0) -> float:
    """Share of bootstrap resamples of one place's projects (in one period) that give
    ``style``: each resample draws as many projects as the place has, with replacement, and
    recomputes actors, deciders and distinct projects under the fitted model.

    Parameters
    ----------
    memberships
        The place's local, non-funder memberships (project_id, org_id, is_lead).
    period
        The period, to pick the model's fit.
    model
        The size model.
    style
        The style to look for (NaN is returned for the no-activity text).
    draws, seed
        Number of resamples and the seed.

    Returns
    -------
    float
        Share of resamples giving ``style``.
    """
    if style not in DESCRIPTIONS:
        return float("nan")
    projects = pd.Index(memberships["project_id"].unique())
    orgs = pd.Index(memberships["org_id"].unique())
    rows, cols = orgs.get_indexer(memberships["org_id"]), projects.get_indexer(
        memberships["project_id"])
    leading = memberships["is_lead"].to_numpy()
    rng = np.random.default_rng(seed)
    counts = rng.multinomial(len(projects), np.full(len(projects), 1 / len(projects)),
                             size=draws).T.astype(float)  # projects × draws
    actors = (_per_organisation(rows, cols, counts, len(orgs)) > 0).sum(axis=0)
    lead_roles = _per_organisation(rows[leading], cols[leading], counts, len(orgs))
    totals = lead_roles.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        deciders = np.where(totals > 0, totals ** 2 / (lead_roles ** 2).sum(axis=0), 0.0)
    # Actors are distinct organisations, so they are compared with the distinct projects
    # drawn (about 63% of the place's), as a smaller place would be.
    drawn = (counts > 0).sum(axis=0)
    a, d = model.residuals(period, drawn, np.maximum(actors, 1), deciders)
    ok = (actors >= MIN_ACTORS) & (drawn >= MIN_PROJECTS)
    labels = np.array([STYLES[(dd > 0, aa > 0)] if good else NO_ACTIVITY
                       for aa, dd, good in zip(a, d, ok, strict=True)])
    return float((labels == style).mean())


def _per_organisation(rows: np.ndarray, cols: np.ndarray, counts: np.ndarray,
                      organisations: int) -> np.ndarray:
    """Organisations × draws: how often each draw took the projects of each organisation's
    memberships (``rows`` organisation and ``cols`` project of each membership; ``counts``
    projects × draws). The product of the sparse incidence matrix with ``counts``, summed
    in NumPy so that a profile need not import scipy.sparse (0.09 s); the sums are of whole
    numbers, so exact in any order."""
    out = np.zeros((organisations, counts.shape[1]))
    if len(rows):
        order = np.argsort(rows, kind="stable")
        ordered = rows[order]
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        out[ordered[starts]] = np.add.reduceat(counts[cols[order]], starts, axis=0)
    return out


def finding(style: str, stability: float) -> str:
    """The label shown: the style when stable, :data:`BORDERLINE` when it flips in more than
    1 − :data:`STABLE_SHARE` of resamples, the no-activity text otherwise.

    Parameters
    ----------
    style
        The style of the full sample.
    stability
        Its share of agreeing resamples.

    Returns
    -------
    str
        What the profile and CLI show.
    """
    if style not in DESCRIPTIONS:
        return style
    return style if stability >= STABLE_SHARE else BORDERLINE
