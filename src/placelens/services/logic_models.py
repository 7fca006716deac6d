"""Logic models (Magenta Book): a partnership writes how its intervention is meant to work —
inputs → activities → outputs → outcomes → impacts, with the assumptions that link them —
ties outcomes to warehouse indicators (what an evaluation would measure) and assumptions to
indicators it can check against the place now. Stored as a private workspace item, with the
assumption check as it stood when saved (docs/evidence.md)."""

from __future__ import annotations

import re
from collections.abc import Container
from datetime import date

from placelens.errors import InputError
from placelens.evidence_terms import INTERVENTION_TYPES
from placelens.geography.places import Place
from placelens.services.comparators import ComparatorService
from placelens.services.indicators import IndicatorService
from placelens.services.transferability import check_assumptions

STAGES = ("inputs", "activities", "outputs", "outcomes", "impacts")
MAX_LINES = 30
MAX_LINE = 300
_LINK = re.compile(r"\s*\[(?P<indicator>[a-z0-9_]+)(?:\s+(?P<when>above|below))?\]\s*$")


def _lines(field: str, text: str) -> list[str]:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_LINES:
        raise InputError(field, f"At most {MAX_LINES} lines")
    for number, line in enumerate(lines, start=1):
        if len(line) > MAX_LINE:
            raise InputError(field, f"Line {number} is longer than {MAX_LINE} characters")
    return lines


def _linked(field: str, lines: list[str], known: Container[str], need_direction: bool
            ) -> list[dict]:
    """Lines ending in [indicator] (outcomes) or [indicator above|below] (assumptions)."""
    items = []
    for number, line in enumerate(lines, start=1):
        found = _LINK.search(line)
        indicator = found["indicator"] if found else None
        if indicator is not None and indicator not in known:
            raise InputError(field, f"Line {number}: there is no indicator {indicator!r} in "
                             "the warehouse (see the indicator catalogue)")
        if found and need_direction and not found["when"]:
            raise InputError(field, f"Line {number}: say whether the assumption needs the "
                             f"place above or below the median district, e.g. [{indicator} "
                             "above]")
        text = line[:found.start()].strip() if found else line
        item = {"text": text, "indicator": indicator}
        if need_direction:
            item["holds_when"] = found["when"] if found else None
        items.append(item)
    return items


def build_logic_model(form: dict[str, str], place: Place, known_indicators: Container[str],
                      comparators: ComparatorService, indicators: IndicatorService) -> dict:
    """A logic model's content from its form, checked, with its assumptions tested.

    Parameters
    ----------
    form
        ``intervention``, ``intervention_type``, one text per stage of :data:`STAGES` and
        ``assumptions`` (one per line; outcomes and assumptions may end with
        ``[indicator]`` or ``[indicator above|below]``).
    place
        The place the intervention is for.
    known_indicators
        Indicator ids in the warehouse.
    comparators, indicators
        Services holding the place's figures.

    Returns
    -------
    dict
        The item's content: the chain, the linked outcomes and the checked assumptions.
    """
    name = (form.get("intervention") or "").strip()
    if not 3 <= len(name) <= 200:
        raise InputError("intervention", "Name the intervention (3 to 200 characters)")
    kind = form.get("intervention_type", "")
    if kind not in INTERVENTION_TYPES:
        raise InputError("intervention_type", "Choose the intervention type")
    chain = {stage: _lines(stage, form.get(stage, "")) for stage in STAGES}
    if not chain["outcomes"]:
        raise InputError("outcomes", "Name at least one outcome")
    assumptions = _linked("assumptions", _lines("assumptions", form.get("assumptions", "")),
                          known_indicators, need_direction=True)
    testable = [{"assumption": a["text"], "indicator": a["indicator"],
                 "holds_when": a["holds_when"]} for a in assumptions if a["indicator"]]
    checked = check_assumptions(testable, place, comparators, indicators)
    return {"intervention": name, "intervention_type": kind, "place_code": place.code,
            "place_name": place.name, "chain": chain,
            "outcomes": _linked("outcomes", chain["outcomes"], known_indicators, False),
            "assumptions": assumptions, "checked": checked.to_dict("records"),
            "checked_on": date.today().isoformat()}
