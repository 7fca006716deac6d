"""Studies on their way into the evidence library (docs/evidence.md): what a study record
holds before it is stored, and reading it from a partnership's upload, from the datapack's seed
or from one of placelens's own evaluations.

Uploads are a CSV in the seed's columns (studies with their findings and grades), or a
reference manager's export as RIS (``.ris``) or BibTeX (``.bib``): citations only, stored as
ungraded studies of the intervention type the uploader names, to be coded later. Every problem
names the file, the row (CSV, header = row 1) or entry (RIS/BibTeX) and the column or field,
and nothing is stored unless the whole file is valid."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from placelens.errors import DataFormatError
from placelens.evidence_terms import INTERVENTION_TYPES
from placelens.sources.evidence_seed import SeedRecord, read_seed
from placelens.user_files import shorten
from placelens.user_tables import MAX_UPLOAD_BYTES

FILE_TYPES = (".csv", ".ris", ".bib")
MAX_ENTRIES = 2_000
_CODE = re.compile(r"\b([EKNSW]\d{8}|TL[A-Z0-9]{1,3})\b")


@dataclass(frozen=True)
class FindingInput:
    """One result of a study, as given: outcome domain, direction, effect, unit, interval."""

    outcome_domain: str
    direction: str
    summary: str = ""
    effect: str = ""
    effect_unit: str = ""
    interval: str = ""
    subgroup: str = ""


@dataclass(frozen=True)
class StudyInput:
    """A study before it is stored: the intervention, place and period, the citation, the
    design and its grade with where the grade came from, and its findings."""

    reference: str
    intervention: str
    intervention_type: str
    country: str
    citation: str
    places: tuple[str, ...] = ()
    place_label: str = ""
    period_start: int | None = None
    period_end: int | None = None
    population: str = ""
    link: str = ""
    design: str = ""
    comparison: str = ""
    sms: int | None = None
    grade_source: str = "not graded"
    grade_detail: str = ""
    graded_by: str = ""
    context_notes: str = ""
    findings: tuple[FindingInput, ...] = field(default_factory=tuple)


def from_seed(record: SeedRecord) -> StudyInput:
    """A seed record as a study with its one finding; a What Works Growth grade is credited to
    What Works Growth, a design-implied one to the seed's compilers."""
    graded_by = {"What Works Growth": "What Works Growth",
                 "design-implied": "placelens seed compilers"}.get(record.grade_source, "")
    return StudyInput(
        record.id, record.intervention, record.intervention_type, record.country,
        record.citation, tuple(_CODE.findall(record.place or "")), record.place,
        record.period_start, record.period_end, record.population, record.link, record.method,
        "", record.sms, record.grade_source, record.grade_detail, graded_by,
        record.context_notes,
        (FindingInput(record.outcome_domain, record.direction, record.summary,
                      record.effect_size, record.effect_unit, record.interval),))


def from_evaluation(record: dict, intervention_type: str, outcome_domain: str) -> StudyInput:
    """A placelens evaluation record (``*.evidence.json``) as a study graded by placelens's
    stated rule, with its estimate as the finding.

    Parameters
    ----------
    record
        The JSON record ``placelens evaluate`` wrote.
    intervention_type
        One of :data:`placelens.evidence_terms.INTERVENTION_TYPES`.
    outcome_domain
        The outcome domain the evaluated indicator belongs to.

    Returns
    -------
    StudyInput
        The study, ready to store.
    """
    missing = [k for k in ("place", "intervention", "design", "start_year", "effect", "grade",
                           "grade_reason", "specification") if k not in record]
    if missing:
        raise DataFormatError("evaluation record", f"not a placelens evaluation record: no "
                              f"{', '.join(missing)}")
    effect = record["effect"]
    direction = "none" if effect is None else ("positive" if effect > 0 else "negative")
    spec = record["specification"]
    return StudyInput(
        f"placelens:{record['design']}:{record['place']}:{record['start_year']}",
        record["intervention"] or "(intervention not named)", intervention_type, "GB",
        f"placelens {record['design']} evaluation of {record['place_name']}, "
        f"{record['outcome']}, from {record['start_year']} (made {record['created']})",
        tuple(str(record["place"]).split(",")), record["place_name"],
        int(record["start_year"]), None, "", "", str(spec.get("method", record["design"])),
        _comparison(spec), record["grade"],
        "placelens rule" if record["grade"] is not None else "not graded",
        f"{record['grade_reason']} Rule: {spec.get('grade_rule', '')}".strip(), "placelens",
        f"Source: {record.get('source', '')}",
        (FindingInput(outcome_domain, direction,
                      f"Estimated effect {effect} {record.get('effect_unit', '')}".strip(),
                      "" if effect is None else f"{effect}", record.get("effect_unit", ""),
                      record.get("uncertainty", "")),))


def _comparison(spec: dict) -> str:
    if "donor_weights" in spec:
        return "synthetic control: " + ", ".join(
            f"{name} {weight}" for name, weight in spec["donor_weights"].items())
    return str(spec.get("controls", ""))


def read_study_file(filename: str, data: bytes, intervention_type: str = "",
                    country: str = "") -> list[StudyInput]:
    """The studies in an uploaded file, validated as a whole.

    Parameters
    ----------
    filename
        The name the user gave the file (``.csv``, ``.ris`` or ``.bib``); messages use it.
    data
        The file's content.
    intervention_type
        For RIS and BibTeX: the intervention type every reference evaluates (references
        carry none); ignored for CSV, whose rows give their own.
    country
        For RIS and BibTeX: the ISO code of the country studied, if one.

    Returns
    -------
    list of StudyInput
        In file order.
    """
    name = shorten(filename or "upload", 120)
    suffix = Path(name).suffix.lower()
    if suffix not in FILE_TYPES:
        raise DataFormatError(name, f"upload a {', '.join(FILE_TYPES)} file")
    if len(data) > MAX_UPLOAD_BYTES:
        raise DataFormatError(name, f"the file is {len(data):,} bytes; the limit is "
                              f"{MAX_UPLOAD_BYTES:,}")
    if suffix == ".csv":
        return [from_seed(record) for record in _read_csv(name, data)]
    if intervention_type not in INTERVENTION_TYPES:
        raise DataFormatError(name, "references carry no intervention type: choose one of "
                              f"{', '.join(INTERVENTION_TYPES)}", column="intervention_type")
    text = _decode(name, data)
    entries = _ris_entries(name, text) if suffix == ".ris" else _bibtex_entries(name, text)
    if not entries:
        raise DataFormatError(name, "the file holds no references")
    if len(entries) > MAX_ENTRIES:
        raise DataFormatError(name, f"{len(entries):,} references; the limit is {MAX_ENTRIES:,}")
    return [StudyInput(reference, title, intervention_type, country.upper(), citation,
                       period_end=year, link=link)
            for reference, title, citation, year, link in entries]


def _read_csv(name: str, data: bytes) -> list[SeedRecord]:
    """The seed reader's checks on an upload, its errors naming the upload, not the copy."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        try:
            return read_seed(path)
        except DataFormatError as error:
            raise DataFormatError(name, error.detail, error.row, error.column) from None


def _decode(name: str, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise DataFormatError(name, f"not UTF-8 text at byte {error.start}") from None


Entry = tuple[str, str, str, int | None, str]


def _ris_entries(name: str, text: str) -> list[Entry]:
    import rispy

    try:
        records = rispy.loads(text)
    except (OSError, ValueError) as error:
        raise DataFormatError(name, f"not a RIS file ({shorten(str(error), 200)})") from None
    entries = []
    for number, record in enumerate(records, start=1):
        title = record.get("title") or record.get("primary_title") or ""
        authors = "; ".join(record.get("authors") or record.get("first_authors") or [])
        year = record.get("year") or record.get("publication_year") or ""
        link = record.get("doi") or next(iter(record.get("urls") or []), "")
        entries.append(_entry(name, number, title, authors, year, link,
                              record.get("secondary_title") or record.get("journal_name")
                              or ""))
    return entries


def _bibtex_entries(name: str, text: str) -> list[Entry]:
    import bibtexparser

    library = bibtexparser.parse_string(text)
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise DataFormatError(name, "a BibTeX entry cannot be read",
                              row=getattr(block, "start_line", 0) + 1)
    entries = []
    for number, item in enumerate(library.entries, start=1):
        fields = {key.lower(): str(value.value) for key, value in item.fields_dict.items()}
        entries.append(_entry(name, number, fields.get("title", ""), fields.get("author", ""),
                              fields.get("year", ""), fields.get("doi") or fields.get("url", ""),
                              fields.get("journal") or fields.get("publisher", "")))
    return entries


def _entry(name: str, number: int, title: str, authors: str, year: str, link: str,
           venue: str) -> Entry:
    """(reference, title, citation, year, link) of one reference, or an error naming it."""
    title = " ".join(title.replace("{", "").replace("}", "").split())
    if not title:
        raise DataFormatError(name, f"reference {number} has no title", column="title")
    found = re.search(r"\d{4}", str(year))
    if year and not found:
        raise DataFormatError(name, f"reference {number} ({shorten(title, 60)}): year "
                              f"{year!r} is not a year", column="year")
    when = int(found.group()) if found else None
    citation = ". ".join(part for part in (authors.replace(" and ", "; "),
                                           f"({when})" if when else "", title, venue) if part)
    link = link.strip()
    if link and not link.startswith(("http://", "https://")):
        link = f"https://doi.org/{link}"
    return ((link or f"ref-{number}: {title}")[:80], title[:300], citation, when, link)
