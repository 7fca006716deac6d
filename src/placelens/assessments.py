"""Journey self-assessments stored per partnership and date, so progress can be tracked.

Each assessment is one JSON file, ``<folder>/<place code>/<YYYY-MM-DD>.json``, holding the
questionnaire id and version it was answered with, the answers, the network signals used and
the scored result. The folder is ``$PLACELENS_ASSESSMENTS`` or ``var/assessments``; it is
partnership data, kept apart from the warehouse (which is rebuilt from the datapack).
Files are written atomically, so a failed save leaves the previous one intact.
"""

from __future__ import annotations

import json
import os
import re
from datetime import date
from pathlib import Path

import pandas as pd
import yaml

from placelens.analysis import journey
from placelens.errors import DataFormatError
from placelens.geography.places import Place


def assessments_dir() -> Path:
    return Path(os.environ.get("PLACELENS_ASSESSMENTS", "var/assessments"))


def read_answers_file(path: Path, questionnaire: journey.Questionnaire) -> dict[str, int]:
    """Answers from a YAML mapping (``A.1: 4``, optionally under ``answers:``) or a CSV with
    columns ``question,answer``; errors name the file and the question (or row)."""
    path = Path(path)
    if not path.exists():
        raise DataFormatError(path, "file not found")
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
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as exc:
            raise DataFormatError(path, f"not valid YAML ({exc})") from exc
        found = raw.get("answers", raw) if isinstance(raw, dict) else None
        if not isinstance(found, dict):
            raise DataFormatError(path, "expected a mapping of question id to answer")
        answers = found
    return journey.check_answers(questionnaire, answers, where=str(path))


def save_assessment(place: Place, when: date, answers: dict[str, int],
                    questionnaire: journey.Questionnaire, signals: dict[str, float],
                    folder: Path | None = None) -> tuple[Path, journey.JourneyResult]:
    """Score the answers and store them for the place on that date (replacing an earlier
    assessment of the same day)."""
    result = journey.score(questionnaire, answers, signals)
    record = {"place_code": place.code, "place_name": place.name, "area_type": place.area_type,
              "date": when.isoformat(), "questionnaire": questionnaire.id,
              "questionnaire_version": questionnaire.version, "answers": answers,
              "signals": signals, "result": result.as_dict()}
    path = (folder or assessments_dir()) / place.code / f"{when.isoformat()}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".json.tmp")
    temporary.write_text(json.dumps(record, indent=2, ensure_ascii=False), encoding="utf-8")
    os.replace(temporary, path)
    return path, result


def load_assessments(place_code: str, folder: Path | None = None) -> list[dict]:
    """Every stored assessment of a place, oldest first."""
    directory = (folder or assessments_dir()) / place_code
    records = []
    for path in sorted(directory.glob("*.json")):
        try:
            records.append(json.loads(path.read_text(encoding="utf-8")))
        except json.JSONDecodeError as exc:
            raise DataFormatError(path, f"not valid JSON ({exc.msg})", row=exc.lineno) from exc
    return records


def history_table(records: list[dict]) -> pd.DataFrame:
    """One row per assessment: date, version, stage, confidence, fit and flagged risks."""
    return pd.DataFrame([{
        "date": r["date"], "questionnaire_version": r["questionnaire_version"],
        "stage": r["result"]["stage"], "stage_name": r["result"]["stage_name"],
        "confidence": r["result"]["confidence"], "fit": r["result"]["fit"],
        "risks_flagged": ", ".join(x["title"] for x in r["result"]["risks"]
                                   if x["status"] == "flagged") or "none"}
        for r in records])
