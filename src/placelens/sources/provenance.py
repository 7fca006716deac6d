"""Provenance of every table placelens loads: where it came from, which release, which licence."""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass
from pathlib import Path

OGL = "Open Government Licence v3.0"


@dataclass(frozen=True)
class SourceInfo:
    """What a user needs to trace a figure back to its origin."""

    source_id: str
    title: str
    publisher: str
    release: str
    licence: str
    attribution: str
    url: str
    files: str
    code_vintage: str
    notes: str = ""
    #: The contract a whole release meets (checked by placelens.warehouse.contracts): at
    #: least ``min_rows`` rows across the tables it loads, and (``complete_for_lads``) every
    #: LAD 2023 district in every indicator, measure and year it publishes for districts.
    min_rows: int = 0
    complete_for_lads: bool = False

    def as_row(self) -> dict:
        return asdict(self)


def standards_dir() -> Path:
    """The standards folder (REFI-QDA schema): ``$PLACELENS_STANDARDS`` or ``standards``
    beside the datapack."""
    env = os.environ.get("PLACELENS_STANDARDS")
    return Path(env) if env else datapack_dir().parent / "standards"


def datapack_dir() -> Path:
    """The datapack folder: ``$PLACELENS_DATAPACK`` or ``../shared/datapack`` beside the repo."""
    env = os.environ.get("PLACELENS_DATAPACK")
    if env:
        return Path(env)
    here = Path(__file__).resolve()
    for parent in here.parents:
        candidate = parent.parent / "shared" / "datapack"
        if candidate.is_dir():
            return candidate
    return Path.cwd().parent / "shared" / "datapack"
