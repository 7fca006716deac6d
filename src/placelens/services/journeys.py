"""Journey self-assessments kept in partnership workspaces (private until an admin publishes
them), scored with the same questionnaire and network signals as ``placelens journey assess``,
versioned (never overwritten), and imported from the JSON files earlier versions stored."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from placelens.analysis import journey
from placelens.assessments import load_assessments
from placelens.errors import InputError, PlacelensError
from placelens.geography.places import Place
from placelens.services.accounts import Account
from placelens.services.workspaces import ItemView, WorkspaceService

KIND = "journey_assessment"


def _title(record: dict) -> str:
    return (f"Journey self-assessment: {record['place_name']}, {record['date']} "
            f"(version {record['version']})")


def _key(record: dict) -> tuple:
    return record.get("place_code"), record.get("date"), record.get("version", 1)


def _unless_held(record: dict) -> Callable[[list[dict]], tuple[str, dict] | None]:
    """For :meth:`WorkspaceService.add_item_in_turn`: the record, unless the partnership
    holds it already (same place, date and version)."""
    def prepare(existing: list[dict]) -> tuple[str, dict] | None:
        return None if any(_key(e) == _key(record) for e in existing) else \
            (_title(record), record)
    return prepare


class JourneyService:
    """Records and lists a partnership's journey self-assessments."""

    def __init__(self, workspaces: WorkspaceService,
                 signals: Callable[[Place], dict[str, float]],
                 questionnaire: journey.Questionnaire | None = None):
        self.workspaces, self.signals = workspaces, signals
        self.questionnaire = questionnaire or journey.load_questionnaire()

    def history(self, actor: Account, partnership_id: int, place_code: str | None = None
                ) -> list[dict]:
        """The partnership's assessments (of one place, if given), oldest first."""
        items = self.workspaces.items(actor, partnership_id, KIND)
        records = [item.content for item in items
                   if place_code in (None, item.content.get("place_code"))]
        return sorted(records, key=lambda r: (r["place_code"], r["date"], r["version"]))

    def record(self, actor: Account, partnership_id: int, place: Place, when: date,
               answers: dict) -> ItemView:
        """Score ``answers`` for ``place`` on ``when`` and store them as a new version."""
        if when > date.today():
            raise InputError("date", f"The assessment date {when.isoformat()} is in the future")
        checked = journey.check_answers(self.questionnaire, answers)
        if not checked:
            raise InputError("answers", "Answer at least one question")
        signals = self.signals(place)
        result = journey.score(self.questionnaire, checked, signals)
        record = {"place_code": place.code, "place_name": place.name,
                  "area_type": place.area_type, "date": when.isoformat(), "version": 0,
                  "questionnaire": self.questionnaire.id,
                  "questionnaire_version": self.questionnaire.version, "answers": checked,
                  "signals": signals, "result": result.as_dict()}

        def next_version(existing: list[dict]) -> tuple[str, dict]:
            same_day = [r for r in existing if (r.get("place_code"), r.get("date")) ==
                        (place.code, record["date"])]
            record["version"] = 1 + max((r.get("version", 1) for r in same_day), default=0)
            return _title(record), record

        stored = self.workspaces.add_item_in_turn(actor, partnership_id, KIND, next_version)
        assert stored is not None
        return stored

    def import_folder(self, actor: Account, partnership_id: int, folder: Path) -> int:
        """Store every assessment file under ``folder/<place code>/`` that the partnership
        does not hold yet (same place, date and version); the number imported."""
        if not folder.is_dir():
            raise PlacelensError(f"No assessments folder at {folder}")
        imported = 0
        for place_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
            for record in load_assessments(place_folder.name, folder):
                record.setdefault("version", 1)
                stored = self.workspaces.add_item_in_turn(actor, partnership_id, KIND,
                                                          _unless_held(record))
                imported += stored is not None
        return imported
