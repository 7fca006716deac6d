"""Layers (b) and (c) of transferability and the note: each assumption of an intervention's
logic checked against a place's figures by hand, doubts raised only by figures or answers, and
the evidence for a place and an outcome ranked by grade, then context distance."""

from __future__ import annotations

import math

import numpy as np
import pytest

from placelens.services import evidence
from placelens.services.evidence_library import EvidenceLibrary
from placelens.services.transferability import (
    mechanism_check,
    mechanisms,
    rank_evidence,
    transferability_note,
)
from placelens.study_records import from_seed


def test_every_intervention_type_has_testable_assumptions():
    from placelens.evidence_terms import INTERVENTION_TYPES

    assert set(mechanisms()) == set(INTERVENTION_TYPES)
    for items in mechanisms().values():
        for item in items:
            assert ("variable" in item) != ("indicator" in item)
            assert item["holds_when"] in ("above", "below")


def test_mechanism_check_by_hand(observatory):
    comparators, indicators = observatory.comparators, observatory.indicators
    hartlepool = observatory.place("Hartlepool")
    table = mechanism_check("rd_grant", hartlepool, comparators, indicators)
    context = comparators.context("LAD")
    skills = table.set_index("measure").loc["NVQ3+"]
    assert skills["yours"] == context.loc["E06000001", "NVQ3+"]
    assert skills["district median"] == context["NVQ3+"].median()
    assert skills["holds"] == (skills["yours"] > skills["district median"])
    grants = indicators.table("ukri_research_grants_gbp")
    grants = grants[grants["area_type"] == "LAD"].groupby("area_code")["value"].sum()
    cambridge = observatory.place("Cambridge")
    research = mechanism_check("science_park", cambridge, comparators, indicators).iloc[0]
    by_hand = grants[cambridge.code] / math.exp(context.loc[cambridge.code, "population"])
    assert research["yours"] == pytest.approx(by_hand) and research["holds"]


def test_a_combined_authority_is_its_districts_population_weighted(observatory):
    comparators, indicators = observatory.comparators, observatory.indicators
    manchester = observatory.place("Greater Manchester", "CA")
    row = mechanism_check("broadband", manchester, comparators, indicators).iloc[0]
    table = indicators.table("sni_gigabit_capable_broadband")
    values = table[table["area_type"] == "LAD"].set_index("area_code")["value"]
    members = [m for m in manchester.members if m in values.index]
    weights = np.exp(comparators.context("LAD")["population"].reindex(members))
    assert row["yours"] == pytest.approx(np.average(values[members], weights=weights))


@pytest.fixture
def library(database, datapack):
    books = EvidenceLibrary(database)
    books.import_seed([from_seed(r) for r in evidence.seed_records()])
    return books


def test_note_raises_doubts_only_from_figures_and_answers(library, observatory):
    hull = next(s for s in library.studies(None) if s.reference == "LPIP-057")
    place = observatory.place("Hartlepool")
    note = transferability_note(hull, place, observatory.comparators, observatory.indicators,
                                {"journey stage": "B"}, {"resources": "yes", "capacity": "no",
                                                         "other": "ignored"})
    assert note.context is not None and note.context.distance < 1
    assert note.answers == {"resources": "yes", "capacity": "no"}
    assert any("“no”" in d and "deliver" in d for d in note.doubts)
    assert not any("contexts differ" in d for d in note.doubts)
    failing = note.mechanisms[note.mechanisms["holds"].eq(False)]
    assert any(f"{len(failing)} of {len(note.mechanisms)} assumptions" in d
               for d in note.doubts) == (len(failing) > 0)
    westminster = observatory.place("Westminster")
    far = transferability_note(hull, westminster, observatory.comparators,
                               observatory.indicators, {}, {})
    assert far.context.distance > 1 and "contexts differ" in far.doubts[0]


def test_evidence_ranked_by_grade_then_context_distance(library, observatory):
    ranked = rank_evidence(library.studies(None), observatory.place("Hartlepool"),
                           "employment", observatory.comparators)
    assert len(ranked) == sum(r.outcome_domain == "employment"
                              for r in evidence.seed_records())
    graded = ranked[ranked["sms"].notna()]
    assert graded["sms"].is_monotonic_decreasing
    assert ranked["sms"].isna().to_numpy()[len(graded):].all()   # ungraded last
    for _, group in graded.groupby("sms"):
        known = group["context distance"].dropna()
        assert known.is_monotonic_increasing
