"""The datapack manifest: the size and SHA-256 of every data file of the release placelens
was built and tested against (``src/placelens/data/datapack_manifest.json``).

A file cut at a line boundary still parses (half a CSV is a valid CSV), so parsers alone
cannot tell a damaged copy from a smaller table. The build therefore compares every file
with the manifest first and stops, naming the file, when one is missing or differs. A user
with a newer release of a file accepts it explicitly (``placelens data build
--accept-changed PATH``); the acceptance is recorded in the warehouse's ``build_info``, and
the parsers' own checks (keys, ranges, codes, coverage) still apply to it.
``placelens data manifest`` writes the manifest anew after the datapack is updated.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from placelens.errors import DataFormatError

MANIFEST_FILE = "datapack_manifest.json"
#: Files that document the datapack rather than hold data.
DOCUMENT_SUFFIXES = (".md", ".txt", ".xml", ".yaml", ".yml", ".pdf", ".html", ".docx")


@dataclass(frozen=True)
class FileRecord:
    """Size in bytes and SHA-256 of one datapack file."""

    size: int
    sha256: str


def fingerprint(path: Path) -> FileRecord:
    """Size and SHA-256 of a file, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return FileRecord(path.stat().st_size, digest.hexdigest())


def data_files(datapack: Path) -> list[str]:
    """Every data file of the datapack (relative, POSIX separators), documents left out."""
    return sorted(p.relative_to(datapack).as_posix() for p in datapack.rglob("*")
                  if p.is_file() and p.suffix.lower() not in DOCUMENT_SUFFIXES
                  and not any(part.startswith(".") for part in p.relative_to(datapack).parts))


def write_manifest(datapack: Path, path: Path) -> dict[str, FileRecord]:
    """Record every data file of ``datapack`` in a manifest at ``path``."""
    records = {name: fingerprint(datapack / name) for name in data_files(datapack)}
    body = {name: {"size": r.size, "sha256": r.sha256} for name, r in records.items()}
    path.write_text(json.dumps(body, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return records


def packaged_manifest() -> dict[str, FileRecord]:
    """The manifest shipped with placelens."""
    text = resources.files("placelens.data").joinpath(MANIFEST_FILE).read_text("utf-8")
    return {name: FileRecord(int(v["size"]), str(v["sha256"]))
            for name, v in json.loads(text).items()}


def check_datapack(datapack: Path, manifest: dict[str, FileRecord],
                   accepted: Collection[str] = ()) -> list[str]:
    """Stop at the first data file that is missing or differs from the manifest, unless its
    path is in ``accepted``; return what was accepted (for the warehouse's provenance)."""
    notes = []
    for name, expected in manifest.items():
        path = datapack / name
        if not path.is_file():
            raise DataFormatError(path, "file not found: the datapack is incomplete (check "
                                  "PLACELENS_DATAPACK)")
        found = fingerprint(path) if path.stat().st_size == expected.size else \
            FileRecord(path.stat().st_size, "")
        if found == expected:
            continue
        if name in accepted:
            notes.append(f"{name}: accepted although it differs from the manifest "
                         f"({found.size:,} bytes, sha256 {found.sha256[:12] or 'not read'})")
            continue
        raise DataFormatError(path, f"differs from the release placelens was tested with "
                              f"({found.size:,} bytes; expected {expected.size:,} bytes, "
                              f"sha256 {expected.sha256[:12]}…): a damaged or cut copy, or a "
                              f"newer release. If it is a newer release, rebuild with "
                              f"--accept-changed {name} (recorded in the warehouse).")
    unknown = sorted(set(accepted) - set(manifest))
    if unknown:
        raise DataFormatError(datapack / unknown[0], "--accept-changed names a file that is "
                              "not in the datapack manifest")
    return notes
