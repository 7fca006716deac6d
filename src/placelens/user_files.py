"""Reading files users give placelens (answers, area sets, flow tables, panels) safely: a size
limit checked before reading, YAML without anchors and aliases (a few hundred bytes of nested
aliases expand to gigabytes), and error messages cut to a readable length."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from placelens.errors import DataFormatError

#: Largest user file read: "small" for answers, area sets and questionnaires (a few
#: kilobytes), "table" for flow tables and panels (a few megabytes).
MAX_BYTES = {"small": 1_000_000, "table": 200_000_000}
MAX_MESSAGE = 300


def safe_stem(text: str, limit: int = 80) -> str:
    """``text`` as a file-name stem that stays inside its folder: letters, digits, ``_`` and
    ``-`` only (``"PL_A/../../B"`` → ``"PL_A_B"``), at most ``limit`` characters."""
    stem = re.sub(r"[^A-Za-z0-9-]+", "_", str(text)).strip("_-")[:limit]
    return stem or "unnamed"


def shorten(text: str, limit: int = MAX_MESSAGE) -> str:
    """``text`` cut to ``limit`` characters, saying how much was left out."""
    text = str(text)
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text) - limit:,} more " \
        "characters)"


def check_size(path: Path, kind: str = "table") -> None:
    """Refuse a missing file, or one larger than the limit for its kind, before reading it."""
    path = Path(path)
    if not path.is_file():
        raise DataFormatError(path, "file not found")
    size = path.stat().st_size
    if size > MAX_BYTES[kind]:
        raise DataFormatError(path, f"is {size:,} bytes; files of this kind are at most "
                              f"{MAX_BYTES[kind]:,} bytes")


class _PlainLoader(yaml.SafeLoader):
    """The safe loader, refusing anchors (&name) and aliases (*name)."""

    def compose_node(self, parent, index):  # type: ignore[no-untyped-def]
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
            raise yaml.composer.ComposerError(
                None, None, "anchors (&name) and aliases (*name) are not allowed in "
                "placelens files", event.start_mark)
        return super().compose_node(parent, index)


def read_yaml(path: Path) -> object:
    """A YAML user file: size-checked, no anchors or aliases, errors naming the line."""
    check_size(path, "small")
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise DataFormatError(path, f"is not UTF-8 text ({exc.reason})") from exc
    try:
        return yaml.load(text, Loader=_PlainLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise DataFormatError(path, f"not valid YAML: {shorten(problem)}",
                              row=mark.line + 1 if mark else None) from exc
