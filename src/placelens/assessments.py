"""Journey self-assessments stored per partnership and date, so progress can be tracked.

Each assessment is one JSON file, ``<folder>/<place code>/<YYYY-MM-DD>.json`` (a second one
on the same day ``<YYYY-MM-DD>.v2.json``: nothing is overwritten), holding the
questionnaire id and version it was answered with, the answers, the network signals used and
the scored result. The folder is ``$PLACELENS_ASSESSMENTS`` or ``var/assessments``; it is
partnership data, kept apart from the warehouse (which is rebuilt from the datapack).
Files are created exclusively, so a save never replaces or damages an earlier one.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pandas as pd

from placelens.analysis import journey
from placelens.errors import DataFormatError, PlacelensError
from placelens.geography.places import Place
from placelens.user_files import check_size, read_yaml


def assessments_dir() -> Path:
    return Path(os.environ.get("PLACELENS_ASSESSMENTS", "var/assessments"))


def read_answers_file(path: Path, questionnaire: journey.Questionnaire) -> dict[str, int]:
    """Answers from a YAML mapping (``A.1: 4``, optionally under ``answers:``) or a CSV with
    columns ``question,answer``; errors name the file and the question (or row)."""
    path = Path(path)
    check_size(path, "small")
    if path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if list(frame.columns[:2]) != ["question", "answer"]:
            raise DataFormatError(path, "expected columns question,answer", row=1)
        answers: dict = {}
        for row, (question, answer) in enumerate(zip(frame["question"], frame["answer"],
                                                     strict=True), start=2):
            if answer.strip() == "":
                continue
            if not re.fullmatch(r"\d+", answer.strip()):
                raise DataFormatError(path, f"answer {answer!r} is not a whole number",
                                      row=row, column="answer")
            answers[question.strip()] = int(answer)
    else:
        raw = read_yaml(path) or {}
        found = raw.get("answers", raw) if isinstance(raw, dict) else None
        if not isinstance(found, dict):
            raise DataFormatError(path, "expected a mapping of question id to answer")
        answers = found
    checked = journey.check_answers(questionnaire, answers, where=str(path))
    if not checked:
        raise DataFormatError(path, "has no answers; an assessment needs at least one")
    return checked


def read_questionnaire(path: Path) -> journey.Questionnaire:
    """A user's questionnaire YAML, read safely (:mod:`placelens.user_files`)."""
    return journey.questionnaire_from(read_yaml(path), str(path))


def save_assessment(place: Place, when: date, answers: dict[str, int],
                    questionnaire: journey.Questionnaire, signals: dict[str, float],
                    folder: Path | None = None) -> tuple[Path, journey.JourneyResult]:
    """Score the answers and store them for the place on that date as a new version: an
    assessment is never overwritten (a second one on the same day is version 2). Dates in
    the future and empty answers are refused."""
    if when > date.today():
        raise PlacelensError(f"the assessment date {when.isoformat()} is in the future")
    if not answers:
        raise PlacelensError("an assessment needs at least one answer")
    result = journey.score(questionnaire, answers, signals)
    directory = (folder or assessments_dir()) / place.code
    directory.mkdir(parents=True, exist_ok=True)
    for version in range(1, 10_000):
        path = directory / f"{when.isoformat()}{'' if version == 1 else f'.v{version}'}.json"
        record = {"place_code": place.code, "place_name": place.name,
                  "area_type": place.area_type, "date": when.isoformat(), "version": version,
                  "questionnaire": questionnaire.id,
                  "questionnaire_version": questionnaire.version, "answers": answers,
                  "signals": signals, "result": result.as_dict()}
        try:
            with path.open("x", encoding="utf-8") as handle:  # never replaces a file
                handle.write(json.dumps(record, indent=2, ensure_ascii=False))
        except FileExistsError:
            continue
        return path, result
    raise PlacelensError(f"too many assessments of {place.name} on {when.isoformat()}")


def load_assessments(place_code: str, folder: Path | None = None) -> list[dict]:
    """Every stored assessment of a place, oldest first."""
    directory = (folder or assessments_dir()) / place_code
    records = []
    for path in sorted(directory.glob("*.json"), key=_date_and_version):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise DataFormatError(path, f"not valid JSON ({exc.msg})", row=exc.lineno) from exc
    return records


def _date_and_version(path: Path) -> tuple[str, int]:
    """Sort key of ``2026-11-30.json`` (version 1) and ``2026-11-30.v2.json``."""
    stem = path.name.removesuffix(".json")
    day, _, version = stem.partition(".v")
    return day, int(version) if version.isdigit() else 1


def history_table(records: list[dict]) -> pd.DataFrame:
    """One row per assessment (every version): date, version, questionnaire version, stage,
    confidence, fit and flagged risks."""
    return pd.DataFrame([{
        "date": r["date"], "version": r.get("version", 1),
        "questionnaire_version": r["questionnaire_version"],
        "stage": r["result"]["stage"], "stage_name": r["result"]["stage_name"],
        "confidence": r["result"]["confidence"], "fit": r["result"]["fit"],
        "risks_flagged": ", ".join(x["title"] for x in r["result"]["risks"]
                                   if x["status"] == "flagged") or "none"}
        for r in records])
