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
        earlier = [r for r in self.history(actor, partnership_id, place.code)
                   if r["date"] == when.isoformat()]
        record = {"place_code": place.code, "place_name": place.name,
                  "area_type": place.area_type, "date": when.isoformat(),
                  "version": len(earlier) + 1, "questionnaire": self.questionnaire.id,
                  "questionnaire_version": self.questionnaire.version, "answers": checked,
                  "signals": signals, "result": result.as_dict()}
        return self.workspaces.add_item(actor, partnership_id, KIND, _title(record), record)

    def import_folder(self, actor: Account, partnership_id: int, folder: Path) -> int:
        """Store every assessment file under ``folder/<place code>/`` that the partnership
        does not hold yet (same place, date and version); the number imported."""
        if not folder.is_dir():
            raise PlacelensError(f"No assessments folder at {folder}")
        held = {(r["place_code"], r["date"], r["version"])
                for r in self.history(actor, partnership_id)}
        imported = 0
        for place_folder in sorted(p for p in folder.iterdir() if p.is_dir()):
            for record in load_assessments(place_folder.name, folder):
                record.setdefault("version", 1)
                key = (record["place_code"], record["date"], record["version"])
                if key not in held:
                    self.workspaces.add_item(actor, partnership_id, KIND, _title(record),
                                             record)
                    held.add(key)
                    imported += 1
        return imported
