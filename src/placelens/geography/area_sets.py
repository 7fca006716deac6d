"""User-defined area sets (a partnership's footprint, a former LEP...) from YAML or CSV.

YAML::

    code: PL_HOTSW            # optional; a placelens code, never a GSS code
    name: Heart of the South West
    description: Former LEP footprint
    members: [E07000040, E06000026, ...]   # LAD 2023 codes

CSV: columns ``set_code, set_name, lad_code`` (one row per member; several sets per file).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from placelens.errors import DataFormatError
from placelens.sources.tabular import read_csv
from placelens.user_files import check_size, read_yaml

LAD_CODE = re.compile(r"[EWSN]\d{8}")


@dataclass(frozen=True)
class AreaSet:
    code: str
    name: str
    members: tuple[str, ...]
    path: str
    description: str = ""


def set_code(name: str) -> str:
    return "PL_" + re.sub(r"[^A-Z0-9]+", "_", name.upper()).strip("_")


def read_area_sets(path: Path, lad_codes: set[str] | None = None) -> list[AreaSet]:
    """Read one YAML or CSV area-set file, checking members against ``lad_codes``."""
    path = Path(path)
    sets = _read_csv(path) if path.suffix.lower() == ".csv" else [_read_yaml(path)]
    for area_set in sets:
        for member in area_set.members:
            if lad_codes is not None and member not in lad_codes:
                raise DataFormatError(path, f"member {member!r} of {area_set.name!r} is not a "
                                      "LAD 2023 code", row=_line_of(path, member),
                                      column="members" if path.suffix != ".csv" else "lad_code")
    return sets


def _line_of(path: Path, text: str) -> int | None:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if text in line:
            return number
    return None


def _read_yaml(path: Path) -> AreaSet:
    data = read_yaml(path)
    if not isinstance(data, dict) or not data.get("name") or not data.get("members"):
        raise DataFormatError(path, "an area set needs 'name' and a list of 'members'")
    members = tuple(str(m).strip() for m in data["members"])
    for member in members:
        if not LAD_CODE.fullmatch(member):
            raise DataFormatError(path, f"member {member!r} is not a GSS LAD code",
                                  row=_line_of(path, member), column="members")
    code = str(data.get("code") or set_code(data["name"]))
    check_set_code(code, path)
    return AreaSet(code, str(data["name"]), members, str(path), str(data.get("description", "")))


SET_CODE = re.compile(r"PL_[A-Z0-9_]{1,60}")


def check_set_code(code: str, path: Path, row: int | None = None) -> str:
    """An area-set code: ``PL_`` then capital letters, digits and ``_`` (GSS codes belong to
    official areas; anything else could become a path)."""
    if not SET_CODE.fullmatch(code):
        raise DataFormatError(path, f"code {code!r} must be PL_ followed by capital letters, "
                              "digits or _ (e.g. PL_MY_PARTNERSHIP; GSS codes belong to "
                              "official areas)", row=row,
                              column="set_code" if row else "code")
    return code


def _read_csv(path: Path) -> list[AreaSet]:
    check_size(path, "small")
    frame = read_csv(path, required=["set_code", "set_name", "lad_code"])
    sets = []
    for (code, name), rows in frame.groupby(["set_code", "set_name"], sort=False):
        for row, member in zip(rows.index, rows["lad_code"].str.strip(), strict=True):
            if not LAD_CODE.fullmatch(member):
                raise DataFormatError(path, f"{member!r} is not a GSS LAD code", row=row + 2,
                                      column="lad_code")
        code = check_set_code(code or set_code(name), path, int(rows.index[0]) + 2)
        sets.append(AreaSet(code, name, tuple(rows["lad_code"].str.strip()), str(path)))
    return sets


def area_set_dirs() -> list[Path]:
    """``$PLACELENS_AREA_SETS`` (path-separated folders), else ``./area_sets``."""
    env = os.environ.get("PLACELENS_AREA_SETS")
    return [Path(p) for p in env.split(os.pathsep)] if env else [Path("area_sets")]


def discover_area_sets(lad_codes: set[str] | None = None) -> list[AreaSet]:
    found = []
    for folder in area_set_dirs():
        if folder.is_dir():
            for path in sorted(folder.iterdir()):
                if path.suffix.lower() in (".yaml", ".yml", ".csv"):
                    found.extend(read_area_sets(path, lad_codes))
    return found
