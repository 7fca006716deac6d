"""Districts that no longer exist: their codes and names lead to the district that holds
their area now, with a sentence that says what happened ("Eden (E07000030) was abolished in
April 2023; its area is now part of Westmorland and Furness (E06000064).")."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import pandas as pd


@dataclass(frozen=True)
class Successor:
    """A retired district and the LAD 2023 district that holds its area."""

    old_code: str
    old_name: str
    new_code: str
    when: str | None
    merged: bool

    def notice(self, new_name: str) -> str:
        """What happened, in one sentence, for showing beside the result."""
        old = f"{self.old_name} ({self.old_code})" if self.old_name != self.old_code \
            else self.old_code
        new = f"{new_name} ({self.new_code})"
        if not self.when:
            return (f"{old} is a district code of another vintage; placelens uses LAD 2023 "
                    f"codes: {new}.")
        month = date.fromisoformat(self.when).strftime("%B %Y")
        if self.merged:
            return f"{old} was abolished in {month}; its area is now part of {new}."
        return f"{old} was replaced in {month} by {new}."


class RetiredAreas:
    """Retired LAD codes and names (areas of vintage ``pre-2023``) with their successors
    (``code_changes``)."""

    def __init__(self, areas: pd.DataFrame, changes: pd.DataFrame):
        names = areas[(areas["area_type"] == "LAD") & (areas["vintage"] == "pre-2023")] \
            .drop_duplicates("area_code").set_index("area_code")["name"]
        sizes = changes.groupby("new_code")["old_code"].nunique()
        self._by_code: dict[str, Successor] = {}
        for row in changes.itertuples(index=False):
            when = row.date if isinstance(getattr(row, "date", None), str) else None
            self._by_code[row.old_code.upper()] = Successor(
                row.old_code, str(names.get(row.old_code, row.old_code)), row.new_code, when,
                bool(sizes[row.new_code] > 1))

    @classmethod
    def empty(cls) -> RetiredAreas:
        return cls(pd.DataFrame(columns=["area_code", "area_type", "vintage", "name"]),
                   pd.DataFrame(columns=["old_code", "new_code", "date"]))

    def current_code(self, code: str) -> str:
        """The LAD 2023 code of a district code of any vintage since 2011."""
        found = self._by_code.get(code.upper())
        return found.new_code if found else code

    def successor(self, text: str, normalise: Callable[[str], str]) -> Successor | None:
        """The successor of a retired district given by code or by name."""
        found = self._by_code.get(text.strip().upper())
        if found is not None:
            return found
        target = normalise(text)
        named = [s for s in self._by_code.values() if normalise(s.old_name) == target]
        return named[0] if named else None

    def labels(self, current: dict) -> dict[str, str]:
        """Suggestion label → old name, for every retired district whose successor is known."""
        return {f"{s.old_name} ({s.old_code}, retired; now {current[s.new_code].name})":
                s.old_name for s in self._by_code.values() if s.new_code in current}
