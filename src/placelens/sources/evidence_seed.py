"""The evidence library's seed: evaluated place-based innovation and local-growth interventions
(``evidence_seed/interventions.csv`` in the datapack; docs/evidence.md).

Each record's grade keeps where it came from. Only a score a What Works Growth page gives is a
What Works Growth grade; the others were read from the study's design by whoever compiled the
seed ("design-implied") and must never be shown as What Works Growth's, and reviews and case
studies have none.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from placelens.errors import DataFormatError
from placelens.evidence_terms import DIRECTIONS, INTERVENTION_TYPES, OUTCOME_DOMAINS, grade_label
from placelens.sources.tabular import file_row, read_csv, to_number

SEED_FILE = "evidence_seed/interventions.csv"
REQUIRED = ["id", "intervention_name", "intervention_type", "country", "region_or_place",
            "period_start", "period_end", "target_population", "study_citation", "doi_or_url",
            "method", "sms_score", "sms_source", "outcome_domain", "effect_direction",
            "effect_summary", "effect_size", "effect_unit", "ci_or_se", "context_notes",
            "source_checked"]


@dataclass(frozen=True)
class SeedRecord:
    """One study finding of the seed: the intervention, where and when, the study, its
    Maryland Scientific Methods Scale score (``sms``: None when not graded) with
    ``grade_source`` (What Works Growth, design-implied or not graded) and ``grade_detail``
    (the page a What Works Growth grade comes from), and the finding."""

    id: str
    intervention: str
    intervention_type: str
    country: str
    place: str
    period_start: int | None
    period_end: int | None
    citation: str
    link: str
    method: str
    sms: int | None
    grade_source: str
    grade_detail: str
    outcome_domain: str
    direction: str
    summary: str
    context_notes: str
    effect_size: str = ""  # as given: a number, or a range such as 4.6-5.7
    effect_unit: str = ""
    interval: str = ""
    population: str = ""

    @property
    def grade_label(self) -> str:
        """How the grade reads wherever it is shown: never a bare number."""
        return grade_label(self.sms, self.grade_source)


def read_seed(path: Path) -> list[SeedRecord]:
    """The seed's records, checked: ids are unique, a score must come with its source and
    lie in 1–5, type, outcome and direction must be in :mod:`placelens.evidence_terms`;
    errors name file, row and column.

    Parameters
    ----------
    path
        ``interventions.csv``.

    Returns
    -------
    list of SeedRecord
        In file order.
    """
    frame = read_csv(path, required=REQUIRED)
    repeated = frame["id"].duplicated()
    if repeated.any():
        position = int(repeated.to_numpy().argmax())
        raise DataFormatError(path, f"record id {frame['id'].iloc[position]!r} appears twice",
                              row=file_row(frame, position), column="id")
    numbers = {c: to_number(frame, c, path) for c in ("sms_score", "period_start",
                                                      "period_end")}
    records = []
    for position, row in enumerate(frame.itertuples(index=False)):
        sms = numbers["sms_score"].iloc[position]
        source = str(row.sms_source).strip()
        _check_row(path, frame, position, sms, source, row)
        records.append(SeedRecord(
            row.id, row.intervention_name, row.intervention_type, row.country,
            row.region_or_place, _year(numbers["period_start"].iloc[position]),
            _year(numbers["period_end"].iloc[position]), row.study_citation, row.doi_or_url,
            row.method, None if pd.isna(sms) else int(sms), _grade_source(sms, source),
            source if _grade_source(sms, source) == "What Works Growth" else "",
            row.outcome_domain, row.effect_direction, row.effect_summary, row.context_notes,
            _text(row.effect_size), _text(row.effect_unit),
            _text(row.ci_or_se), _text(row.target_population)))
    return records


def _grade_source(sms: float, source: str) -> str:
    if pd.isna(sms):
        return "not graded"
    return "design-implied" if source == "design-implied" else "What Works Growth"


def _check_row(path: Path, frame: pd.DataFrame, position: int, sms: float, source: str,
               values) -> None:
    row = file_row(frame, position)
    if not pd.isna(sms) and not (1 <= sms <= 5 and sms == int(sms)):
        raise DataFormatError(path, f"SMS score {sms} is not a whole number from 1 to 5",
                              row=row, column="sms_score")
    if not pd.isna(sms) and source != "design-implied" and "What Works Growth" not in source:
        raise DataFormatError(path, f"a score needs its source: 'design-implied' or the What "
                              f"Works Growth page it comes from, not {source!r}", row=row,
                              column="sms_source")
    for column, allowed in (("effect_direction", DIRECTIONS),
                            ("intervention_type", tuple(INTERVENTION_TYPES)),
                            ("outcome_domain", OUTCOME_DOMAINS)):
        value = str(getattr(values, column))
        if value not in allowed:
            raise DataFormatError(path, f"{value!r} is not one of {', '.join(allowed)}",
                                  row=row, column=column)


def _year(value: float) -> int | None:
    return None if pd.isna(value) else int(value)


def _text(value: object) -> str:
    return "" if pd.isna(value) else str(value)
