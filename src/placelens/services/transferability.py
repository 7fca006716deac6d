"""Will it work here? The second and third layers of transferability, the note that puts all
three side by side, and the evidence for a place and an outcome ranked (docs/evidence.md).

Layer (a), the context distance, is :mod:`placelens.services.evidence`. Layer (b) asks only
what data cannot answer: the partnership's journey stage comes from its self-assessment and
the leadership style from funded collaboration, so the user is asked about resources and
delivery capacity alone. Layer (c) tests the assumptions the intervention type's logic rests
on (``data/mechanisms.yaml``) against the place's figures. No layer is folded into a score:
each is shown with its figures, and the note says where one raises a doubt."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd
import yaml

from placelens.errors import PlacelensError
from placelens.geography.places import Place
from placelens.services import evidence
from placelens.services.comparators import ComparatorService
from placelens.services.evidence_library import StudyView
from placelens.services.indicators import IndicatorService

#: The questions data cannot answer, with the answers offered.
QUESTIONS = {
    "resources": "Can the partnership fund and staff it at a scale like the study's?",
    "capacity": "Is there an organisation here able to deliver it as the study's did?",
}
ANSWERS = ("yes", "partly", "no", "not sure")
#: A context distance above this is "a typical spread apart on every variable" or more.
FAR = 1.0


@cache
def mechanisms() -> dict[str, list[dict]]:
    """Each intervention type's testable assumptions (``data/mechanisms.yaml``)."""
    text = resources.files("placelens.data").joinpath("mechanisms.yaml").read_text("utf-8")
    return yaml.safe_load(text)


def mechanism_check(intervention_type: str, place: Place, comparators: ComparatorService,
                    indicators: IndicatorService) -> pd.DataFrame:
    """Each assumption of the intervention type's logic against the place's figures.

    Parameters
    ----------
    intervention_type
        A type of :data:`placelens.evidence_terms.INTERVENTION_TYPES`.
    place
        Your place (a district, or any type the context table covers).
    comparators
        The similar-places service (context variables of every place).
    indicators
        The indicator service (for assumptions on a warehouse indicator).

    Returns
    -------
    pandas.DataFrame
        assumption, measure, yours, district median, holds (True, False or None when the
        place has no figure).
    """
    return check_assumptions(mechanisms().get(intervention_type, []), place, comparators,
                             indicators)


def check_assumptions(items: list[dict], place: Place, comparators: ComparatorService,
                      indicators: IndicatorService) -> pd.DataFrame:
    """Assumptions (``assumption``, a context ``variable`` or warehouse ``indicator``,
    ``holds_when`` above or below the district median, optional ``total`` and ``per_head``)
    against the place's figures.

    Parameters
    ----------
    items
        The assumptions, as in ``data/mechanisms.yaml``.
    place
        The place.
    comparators, indicators
        Services holding the figures.

    Returns
    -------
    pandas.DataFrame
        assumption, measure, yours, district median, holds (None: no figure).
    """
    rows = []
    for item in items:
        values, label = _district_values(item, comparators, indicators)
        yours = _place_value(values, place, comparators)
        median = float(values.median())
        holds = None if yours is None else bool(
            yours > median if item["holds_when"] == "above" else yours < median)
        rows.append({"assumption": item["assumption"], "measure": label, "yours": yours,
                     "district median": median, "holds": holds})
    return pd.DataFrame(rows, columns=["assumption", "measure", "yours", "district median",
                                       "holds"])


def _district_values(item: dict, comparators: ComparatorService,
                     indicators: IndicatorService) -> tuple[pd.Series, str]:
    """Every district's value of the assumption's measure, and the measure's label."""
    if "variable" in item:
        return comparators.context("LAD")[item["variable"]].dropna(), item["variable"]
    table = indicators.table(item["indicator"])
    table = table[table["area_type"] == "LAD"]
    periods = sorted(table["period"].unique())
    if item.get("total"):  # lumpy flows (grants): every period's sum
        values = table.groupby("area_code")["value"].sum().astype(float)
        label = f"{item['indicator']}, {periods[0]}–{periods[-1]} total"
    else:
        values = table[table["period"] == periods[-1]].set_index("area_code")["value"]
        values, label = values.astype(float), f"{item['indicator']} ({periods[-1]})"
    if item.get("per_head"):
        population = np.exp(comparators.context("LAD")["population"])
        values = (values / population.reindex(values.index)).dropna()
        label += " per resident"
    return values, label


def _place_value(values: pd.Series, place: Place, comparators: ComparatorService
                 ) -> float | None:
    """The place's value: its own, or its districts' population-weighted mean."""
    if place.code in values.index:
        return float(values[place.code])
    members = [m for m in place.members if m in values.index]
    if not members:
        return None
    weights = np.exp(comparators.context("LAD")["population"].reindex(members))
    return float(np.average(values[members], weights=weights))


@dataclass(frozen=True)
class TransferabilityNote:
    """The three layers for one study and one place, and the doubts they raise."""

    study: StudyView
    place: Place
    context_heading: str
    context: object | None          # ContextDistance, or None when it cannot be computed
    context_error: str
    prefilled: dict[str, str]
    answers: dict[str, str]
    mechanisms: pd.DataFrame
    doubts: list[str] = field(default_factory=list)


def transferability_note(study: StudyView, place: Place, comparators: ComparatorService,
                         indicators: IndicatorService, prefilled: dict[str, str],
                         answers: dict[str, str]) -> TransferabilityNote:
    """All three layers of transferability for ``study`` in ``place``.

    Parameters
    ----------
    study
        The study.
    place
        Your place.
    comparators, indicators
        Services holding the place's figures.
    prefilled
        What data answer: journey stage, leadership style (label → text).
    answers
        The user's answers to :data:`QUESTIONS` (one of :data:`ANSWERS` each, or absent).

    Returns
    -------
    TransferabilityNote
        The layers and the doubts they raise, in words.
    """
    heading, distance, error = context_layer(study, place, comparators)
    checked = mechanism_check(study.intervention_type, place, comparators, indicators)
    doubts = []
    if distance is not None and distance.distance > FAR:
        doubts.append(f"The contexts differ by more than a typical spread (distance "
                      f"{distance.distance:.2f}), most in {', '.join(distance.differing_most(2))}.")
    failing = checked[checked["holds"].eq(False)]
    if len(failing):
        doubts.append(f"{len(failing)} of {len(checked)} assumptions of the mechanism do not "
                      "hold here: " + "; ".join(failing["assumption"]) + ".")
    doubts += [f"You answered “{answers[key]}” to: {question}" for key, question in
               QUESTIONS.items() if answers.get(key) in ("no", "partly")]
    return TransferabilityNote(study, place, heading, distance, error, prefilled,
                               {k: v for k, v in answers.items() if v in ANSWERS}, checked,
                               doubts)


def context_layer(study: StudyView, place: Place, comparators: ComparatorService):
    """(heading, distance, "") or ("", None, why not) of layer (a)."""
    try:
        if study.country in evidence.UK_CODES:
            code = next(iter(study.places), None)
            if code is None:
                raise PlacelensError("the study names no GSS code for its place")
            found = evidence.place_context(comparators, code, place)
            return f"{comparators.places.get(code).name} (the study's place) against " \
                   f"{place.name} (yours)", found, ""
        year, found = evidence.country_context(study.country, study.period_end or
                                               study.period_start)
        return f"{study.country} against the UK (European Innovation Scoreboard {year})", \
            found, ""
    except PlacelensError as error:
        return "", None, f"No comparison of contexts: {error}"


def rank_evidence(studies: list[StudyView], place: Place, outcome: str,
                  comparators: ComparatorService) -> pd.DataFrame:
    """The studies with a finding on ``outcome``, most relevant to ``place`` first: higher
    SMS level first (ungraded last), then the smaller context distance (unknown last).

    Parameters
    ----------
    studies
        Studies the caller may see.
    place
        Your place.
    outcome
        An outcome domain.
    comparators
        The similar-places service.

    Returns
    -------
    pandas.DataFrame
        One row per study: id, intervention, type, direction, grade, SMS, context distance.
    """
    rows = []
    for study in studies:
        found = [f for f in study.findings if f.outcome_domain == outcome]
        if not found:
            continue
        _, distance, _ = context_layer(study, place, comparators)
        rows.append({"id": study.id, "intervention": study.intervention,
                     "type": study.intervention_type, "country": study.country,
                     "direction": ", ".join(f.direction for f in found),
                     "grade": study.grade_label, "sms": study.sms,
                     "context distance": math.nan if distance is None else distance.distance})
    table = pd.DataFrame(rows, columns=["id", "intervention", "type", "country", "direction",
                                        "grade", "sms", "context distance"])
    return table.sort_values(["sms", "context distance"], ascending=[False, True],
                             na_position="last", kind="stable").reset_index(drop=True)
