"""How secure the evidence is for one intervention type and one outcome (an evidence-and-gap
map cell), rated 0–5 in the manner of the Education Endowment Foundation's padlocks, from
components that are always shown beside the rating (docs/evidence.md).

The rating starts from the quality of the graded studies (the median Maryland Scientific
Methods Scale level, rounded down), is capped by how many studies there are, and is lowered
when their findings point different ways, when none is recent, and when none is from the UK.
Each adjustment is reported in words, so the rating is never an opaque icon.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

#: Highest rating a cell with this many studies can have (a single study, however good, is
#: not a body of evidence).
COUNT_CAPS = ((1, 2), (2, 3), (4, 4))
RECENT_YEARS = 10
AGREEING = ("positive", "negative", "none")


@dataclass(frozen=True)
class Finding:
    """One study's finding for the cell: its SMS level (None: not graded), direction
    (positive, negative, none or mixed), the last year it covers and whether it is UK."""

    sms: int | None
    direction: str
    year: int | None
    uk: bool


@dataclass(frozen=True)
class Security:
    """The rating (0–5) and its components: studies, graded studies, median SMS of the graded
    ones, the share agreeing with the most common direction, the share of dated studies
    within :data:`RECENT_YEARS` of the reference year, the UK share, and the reasons for each
    step."""

    rating: int
    studies: int
    graded: int
    median_sms: float
    consistency: float
    recent_share: float
    uk_share: float
    reasons: list[str] = field(default_factory=list)


def evidence_security(findings: list[Finding], reference_year: int) -> Security:
    """Rate the evidence of one cell.

    Rules, in order: start at the median SMS of the graded findings, rounded down (0 with none
    graded); cap at 2 for one study, 3 for two, 4 for three or four; lower by 1 when fewer
    than three quarters of the graded findings agree on a direction (a "mixed" finding never
    agrees) and by 2 when fewer than half do; lower by 1 when findings give their years and
    none covers a year within :data:`RECENT_YEARS` of ``reference_year``; lower by 1 when
    none is from the UK; never below 0.

    Parameters
    ----------
    findings
        The cell's findings.
    reference_year
        The year recency is judged from (e.g. this year).

    Returns
    -------
    Security
        The rating with its components and reasons.
    """
    graded = [f for f in findings if f.sms is not None]
    if not graded:
        return Security(0, len(findings), 0, math.nan, math.nan, _recent(findings,
                        reference_year), _uk(findings), ["no graded study: no security"])
    levels = sorted(f.sms for f in graded if f.sms is not None)
    median = (levels[(len(levels) - 1) // 2] + levels[len(levels) // 2]) / 2
    rating, reasons = math.floor(median), [f"median SMS of {len(graded)} graded "
                                           f"stud{'y' if len(graded) == 1 else 'ies'}: "
                                           f"{median:g}"]
    for most, cap in COUNT_CAPS:
        if len(findings) <= most and rating > cap:
            rating = cap
            reasons.append(f"capped at {cap}: only {len(findings)} "
                           f"stud{'y' if len(findings) == 1 else 'ies'}")
            break
    consistency = _consistency(graded)
    if consistency < 0.75:
        drop = 2 if consistency < 0.5 else 1
        rating -= drop
        reasons.append(f"−{drop}: only {consistency:.0%} of graded findings agree on a "
                       "direction")
    recent = _recent(findings, reference_year)
    if recent == 0:
        rating -= 1
        reasons.append(f"−1: no study covers a year since {reference_year - RECENT_YEARS}")
    elif math.isnan(recent):
        reasons.append("recency not judged: no study gives its years")
    uk = _uk(findings)
    if uk == 0:
        rating -= 1
        reasons.append("−1: no UK study")
    return Security(max(rating, 0), len(findings), len(graded), median, consistency, recent,
                    uk, reasons)


def _consistency(graded: list[Finding]) -> float:
    """Share of graded findings agreeing with the most common definite direction."""
    counts = Counter(f.direction for f in graded if f.direction in AGREEING)
    return (max(counts.values()) if counts else 0) / len(graded)


def _recent(findings: list[Finding], reference_year: int) -> float:
    """Share of the dated findings covering a year within :data:`RECENT_YEARS` (NaN when
    none is dated: unknown years are not old ones)."""
    years = [f.year for f in findings if f.year is not None]
    return sum(y >= reference_year - RECENT_YEARS for y in years) / len(years) if years \
        else math.nan


def _uk(findings: list[Finding]) -> float:
    return sum(f.uk for f in findings) / len(findings) if findings else math.nan
