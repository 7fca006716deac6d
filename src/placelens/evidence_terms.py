"""The evidence library's controlled vocabularies (docs/evidence.md): intervention types with
the OECD STIP Compass instrument type each corresponds to, outcome domains, effect
directions and where a study's grade came from. One list for the seed reader, file imports,
the database and the web forms, so a record accepted by one is accepted by all."""

from __future__ import annotations

#: placelens intervention type → the closest STIP Compass instrument type, or None for
#: place-based programmes that are not a science, technology and innovation instrument (STIP
#: Compass records no such type, so none is claimed).
INTERVENTION_TYPES: dict[str, str | None] = {
    "rd_grant": "Grants for business R&D and innovation",
    "rd_tax_credit": "Corporate tax relief for R&D and innovation",
    "innovation_voucher": "Innovation vouchers",
    "finance": "Loans and credits for innovation in firms",
    "business_support": "Technology extension and business advisory services",
    "knowledge_exchange": "Networking and collaborative platforms",
    "cluster_policy": "Networking and collaborative platforms",
    "catapult_or_rto": "Centres of excellence grants",
    "science_park": "Dedicated support to research infrastructures",
    "public_procurement": "Procurement programmes for R&D and innovation",
    "broadband": None,
    "area_based_initiative": None,
    "structural_funds": None,
}
OUTCOME_DOMAINS = ("employment", "GVA", "productivity", "turnover", "R&D spending",
                   "innovation output", "firm entry", "survival", "other")
#: The outcome domain of warehouse indicators an evaluation may use (others: "other").
INDICATOR_OUTCOMES = {
    "gva_per_hour_gbp": "productivity", "gva_per_hour_index": "productivity",
    "gva_per_job_gbp": "productivity", "gva_current_gbp_m": "GVA",
    "gva_constant_2022_gbp_m": "GVA", "filled_jobs": "employment"}
DIRECTIONS = ("positive", "negative", "none", "mixed")
#: Where a grade came from. "What Works Growth": a score a What Works Growth page gives;
#: "design-implied": read from the design by whoever compiled the record; "placelens rule":
#: set by placelens's stated rule for its own evaluations; "partnership grader": given by a
#: named member of a partnership; "not graded": reviews, case studies, unscored imports.
GRADE_SOURCES = ("What Works Growth", "design-implied", "placelens rule", "partnership grader",
                 "not graded")


def grade_label(sms: int | None, grade_source: str, graded_by: str = "") -> str:
    """How a grade reads wherever it is shown: never a bare number, always with its source.

    Parameters
    ----------
    sms
        Maryland Scientific Methods Scale level 1–5, or None.
    grade_source
        One of :data:`GRADE_SOURCES`.
    graded_by
        Who graded it (shown for partnership graders).

    Returns
    -------
    str
        For example ``SMS 3 (design-implied: …)``.
    """
    if sms is None:
        return "not graded"
    if grade_source == "What Works Growth":
        return f"SMS {sms} (What Works Growth)"
    if grade_source == "design-implied":
        return f"SMS {sms} (design-implied: read from the study's design, not a What Works " \
               "Growth grade)"
    if grade_source == "placelens rule":
        return f"SMS {sms} (placelens's rule for its own evaluations, not a What Works " \
               "Growth grade)"
    return f"SMS {sms} (graded by {graded_by or 'a partnership member'}, not a What Works " \
           "Growth grade)"
