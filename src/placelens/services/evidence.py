"""The evidence library's service: its records (for now the datapack's seed) as tables, and
the evidence-and-gap map of intervention types × outcome domains with each cell's evidence
security (docs/evidence.md)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Protocol

import pandas as pd

from placelens.analysis.evidence_security import Finding, evidence_security
from placelens.analysis.transferability import ContextDistance, context_distance
from placelens.errors import PlacelensError
from placelens.geography.places import Place
from placelens.services.comparators import ComparatorService
from placelens.sources.eis_scoreboard import (
    SCOREBOARD_CODES,
    SCOREBOARD_FILE,
    dimensions,
    read_scoreboard,
)
from placelens.sources.evidence_seed import SEED_FILE, SeedRecord, read_seed
from placelens.sources.provenance import datapack_dir

#: Countries counted as UK evidence (the seed codes Great Britain as GB).
UK_CODES = frozenset({"GB", "UK", "NI"})
#: The similar-places variables a UK study's place is compared with yours on: rurality,
#: density, prosperity and skills (the business mix is left out: its 17 shares would
#: outweigh the rest in a plain root mean square).
PLACE_VARIABLES = ("rural share", "density", "GVA per hour", "GDHI per head",
                   "employment rate", "NVQ3+")
_GSS_CODE = re.compile(r"\b([EKNSW]\d{8})\b")


class EvidenceRow(Protocol):
    """What the gap map needs of a finding: a seed record or a library finding."""

    @property
    def intervention_type(self) -> str: ...
    @property
    def outcome_domain(self) -> str: ...
    @property
    def sms(self) -> int | None: ...
    @property
    def direction(self) -> str: ...
    @property
    def period_start(self) -> int | None: ...
    @property
    def period_end(self) -> int | None: ...
    @property
    def country(self) -> str: ...


def seed_records(path: Path | None = None) -> list[SeedRecord]:
    """The seed records (default: the datapack's ``evidence_seed/interventions.csv``)."""
    return read_seed(path or datapack_dir() / SEED_FILE)


def records_table(records: list[SeedRecord]) -> pd.DataFrame:
    """One row per record, the grade shown with its source (never a bare number)."""
    return pd.DataFrame([{"id": r.id, "intervention": r.intervention,
                          "type": r.intervention_type, "country": r.country,
                          "period": _period(r), "outcome": r.outcome_domain,
                          "direction": r.direction, "grade": r.grade_label}
                         for r in records]).set_index("id")


def gap_map(records: Sequence[EvidenceRow], reference_year: int | None = None
            ) -> pd.DataFrame:
    """Every intervention type × outcome domain with findings: the evidence-security rating
    and its components, and the reasons in words; empty cells are the gaps.

    Parameters
    ----------
    records
        Findings: seed records or the library's findings.
    reference_year
        Year recency is judged from (default: this year).

    Returns
    -------
    pandas.DataFrame
        Indexed by intervention type and outcome domain.
    """
    year = reference_year or date.today().year
    rows = []
    cells: dict[tuple[str, str], list[Finding]] = {}
    for r in records:
        cells.setdefault((r.intervention_type, r.outcome_domain), []).append(
            Finding(r.sms, r.direction, r.period_end or r.period_start, r.country in UK_CODES))
    for (kind, outcome), findings in sorted(cells.items()):
        rated = evidence_security(findings, year)
        rows.append({"intervention_type": kind, "outcome": outcome, "security": rated.rating,
                     "studies": rated.studies, "graded": rated.graded,
                     "median_sms": rated.median_sms, "consistency": rated.consistency,
                     "recent_share": rated.recent_share, "uk_share": rated.uk_share,
                     "reasons": "; ".join(rated.reasons)})
    columns = ["intervention_type", "outcome", "security", "studies", "graded", "median_sms",
               "consistency", "recent_share", "uk_share", "reasons"]
    return pd.DataFrame(rows, columns=columns).set_index(["intervention_type", "outcome"])


def country_context(country: str, year: int | None, scoreboard: pd.DataFrame | None = None,
                    yours: str = "UK") -> tuple[int, ContextDistance]:
    """How far a study country's innovation context is from ``yours`` (the UK): the twelve
    dimensions of the European Innovation Scoreboard in the scoreboard year nearest the
    study's (2016–2023), each difference in units of its spread across the scoreboard's
    countries.

    Parameters
    ----------
    country
        ISO code of the study's country (GB, FR, ...; EU for the EU average).
    year
        The study's last year (None: the latest scoreboard year).
    scoreboard
        The scoreboard (default: read from the datapack).
    yours
        Scoreboard code of the country compared with.

    Returns
    -------
    tuple
        The scoreboard year used and the distance.
    """
    board = scoreboard if scoreboard is not None else read_scoreboard(
        datapack_dir() / SCOREBOARD_FILE)
    years = sorted(board["year"].unique())
    chosen = int(min(years, key=lambda y: abs(y - (year or years[-1]))))
    table = dimensions(board, chosen)
    if not country:
        raise PlacelensError("the study gives no country, so its context cannot be compared")
    code = SCOREBOARD_CODES.get(country, country)
    for wanted in (code, yours):
        if wanted not in table.index:
            raise PlacelensError(f"the European Innovation Scoreboard has no figures for "
                                 f"{wanted!r}: it covers European countries only")
    spread = table.drop(index="EU Average", errors="ignore").std()
    return chosen, context_distance(table.loc[code], table.loc[yours], spread)


def study_place_code(record: SeedRecord) -> str | None:
    """The GSS code the record gives for the study's place (the first one named), if any."""
    found = _GSS_CODE.search(record.place or "")
    return found.group(1) if found else None


def place_context(comparators: ComparatorService, study_code: str, yours: Place
                  ) -> ContextDistance:
    """How far a UK study's place is from yours on :data:`PLACE_VARIABLES`, each difference
    in units of the variable's spread across districts.

    Parameters
    ----------
    comparators
        The similar-places service (its context table of every place type).
    study_code
        GSS code of the study's place (a district, country or the UK).
    yours
        Your place.

    Returns
    -------
    ContextDistance
        The distance and the variables that differ most.
    """
    columns = list(PLACE_VARIABLES)
    rows = []
    for code in (study_code, yours.code):
        place = comparators.places.get(code)
        table = comparators.context(place.area_type)
        if code not in table.index:
            raise PlacelensError(f"no context figures for {place.name} ({code})")
        rows.append(table.loc[code, columns].astype("float64"))
    spread = comparators.context("LAD")[columns].std()
    return context_distance(rows[0], rows[1], spread)


def _period(record: SeedRecord) -> str:
    if record.period_start is None:
        return ""
    if record.period_end in (None, record.period_start):
        return str(record.period_start)
    return f"{record.period_start}–{record.period_end}"
