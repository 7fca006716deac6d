"""Resolve a place by code or name, know its member LADs and parents, and aggregate additive
measures to it."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

import pandas as pd
from rapidfuzz import fuzz, process

from placelens.errors import UnknownPlaceError, check_choice
from placelens.geography.area_sets import AreaSet, discover_area_sets
from placelens.geography.area_types import (
    ADMINISTRATIVE_TYPES,
    PROFILE_TYPES,
    TYPE_LABELS,
    VINTAGES,
)
from placelens.geography.retired import RetiredAreas

_OUTCODE = r"[A-Z]{1,2}\d[A-Z\d]?"
_FULL_POSTCODE = re.compile(rf"^({_OUTCODE}) ?(\d)([A-Z]{{2}})$")
_SECTOR = re.compile(rf"^({_OUTCODE}) (\d)$")
_NAME_SUFFIXES = re.compile(r"(\s+(mayoral\s+)?(combined authority|city region)|\s*\(b\)"
                            r"|,\s*(city|county) of|\s+city)$")


def postcode_keys(text: str) -> list[tuple[str, str]]:
    """Lookup keys of a postcode, finest first: ``"cb2 1tn"`` → postcode ``CB21TN``, sector
    ``CB2 1``, outcode ``CB2``; a sector (``"CB2 1"``) or an outcode (``"CB2"``) alone gives
    its own keys. Empty for text that is not a GB postcode or part of one."""
    upper = re.sub(r"\s+", " ", str(text).strip().upper())
    full = _FULL_POSTCODE.match(upper)
    if full:
        outcode, sector = full.group(1), full.group(2)
        return [("postcode", f"{outcode}{sector}{full.group(3)}"),
                ("sector", f"{outcode} {sector}"), ("outcode", outcode)]
    sector_match = _SECTOR.match(upper)
    if sector_match:
        return [("sector", upper), ("outcode", sector_match.group(1))]
    return [("outcode", upper)] if re.fullmatch(_OUTCODE, upper) else []


def check_place_type(area_type: str) -> str:
    """The upper-case place type, or an error naming the allowed types."""
    return check_choice("place type", str(area_type).strip().upper(), PROFILE_TYPES)


def normalise_name(name: str) -> str:
    """Lower case, '&' as 'and', without suffixes that users leave out: '(B)', 'Combined
    Authority', 'City Region', ', City of', ', County of', 'City' ("Glasgow City")."""
    text = re.sub(r"\s+", " ", name.casefold().replace("&", "and")).strip()
    return _NAME_SUFFIXES.sub("", text).strip(" ,")


@dataclass(frozen=True)
class Place:
    """A place placelens can profile: an official area or a user-defined area set."""

    code: str
    name: str
    area_type: str
    vintage: str
    members: tuple[str, ...]
    parents: dict[str, str] = field(default_factory=dict, hash=False, compare=False)
    origin: str = ""
    #: How the query was understood when it was not this place's own name or code (a retired
    #: district, a postcode): shown to the user beside the result.
    notice: str = field(default="", compare=False)

    @property
    def type_label(self) -> str:
        return TYPE_LABELS.get(self.area_type, self.area_type)

    @property
    def is_lad(self) -> bool:
        return self.area_type == "LAD"


class PlaceIndex:
    """All profilable places: LADs, combined authorities, city regions, ITL areas, countries,
    the UK, and area sets from files."""

    def __init__(self, areas: pd.DataFrame, hierarchy: pd.DataFrame,
                 area_sets: list[AreaSet] | None = None, retired: RetiredAreas | None = None,
                 postcode_district: Callable[[list[tuple[str, str]]], tuple[str, str] | None]
                 | None = None):
        self.retired = retired or RetiredAreas.empty()
        self._postcode_district = postcode_district
        current = areas[areas["area_type"].isin(PROFILE_TYPES)
                        & ~areas["vintage"].isin(["pre-2023", "2025"])]
        self._lads = sorted(current.loc[current["area_type"] == "LAD", "area_code"])
        # plain lists: iterating pandas' Arrow-backed columns costs a microsecond a value
        links = hierarchy[hierarchy["child_type"] == "LAD"]
        self._parents: dict[str, dict[str, str]] = {}
        members: dict[str, list[str]] = {}
        for lad, parent_type, parent, primary in zip(
                *(links[c].tolist() for c in ("child_code", "parent_type", "parent_code",
                                              "primary_parent")), strict=True):
            if primary:
                self._parents.setdefault(lad, {})[parent_type] = parent
            if primary or parent.startswith("PLCR_"):
                members.setdefault(parent, []).append(lad)
        self.places: dict[str, Place] = {}
        for row in current.itertuples(index=False):
            lads = (row.area_code,) if row.area_type == "LAD" else tuple(
                sorted(members.get(row.area_code, [])))
            if lads:
                self.places[row.area_code] = Place(
                    row.area_code, row.name, row.area_type, VINTAGES[row.area_type], lads,
                    self._place_parents(row.area_code, row.area_type, lads))
        for area_set in area_sets or []:
            self.places[area_set.code] = Place(
                area_set.code, area_set.name, "SET", VINTAGES["SET"], area_set.members,
                self._place_parents(area_set.code, "SET", area_set.members), area_set.path)

    @classmethod
    def from_warehouse(cls, warehouse, with_area_sets: bool = True) -> PlaceIndex:
        areas, hierarchy = warehouse.table("areas"), warehouse.table("hierarchy")
        lads = set(areas.loc[(areas["area_type"] == "LAD") & (areas["vintage"] == "2023"),
                             "area_code"])
        sets = discover_area_sets(lads) if with_area_sets else []
        retired = RetiredAreas(areas, warehouse.table("code_changes"))

        return cls(areas, hierarchy, sets, retired, warehouse.postcode_district)

    def _place_parents(self, code: str, area_type: str, lads: tuple[str, ...]) -> dict[str, str]:
        """Parents shared by every member LAD (e.g. the ITL1 region of a combined authority)."""
        shared: dict[str, str] | None = None
        for lad in lads:
            parents = self._parents.get(lad, {})
            shared = dict(parents) if shared is None else {
                k: v for k, v in shared.items() if parents.get(k) == v}
        rank = PROFILE_TYPES.index(area_type)
        return {t: c for t, c in (shared or {}).items() if c != code
                and (t not in PROFILE_TYPES or PROFILE_TYPES.index(t) > rank)}

    @property
    def lad_codes(self) -> list[str]:
        return list(self._lads)

    def of_type(self, area_type: str) -> list[Place]:
        wanted = check_place_type(area_type)
        return sorted((p for p in self.places.values() if p.area_type == wanted),
                      key=lambda p: p.code)

    def get(self, code: str) -> Place:
        return self.places[code]

    def resolve(self, query: str, area_type: str | None = None) -> Place:
        """A place from its code or name (any type, or only ``area_type``), a retired district's
        code or name (its successor, with a notice), or a postcode (its district, with a
        notice); unknown or ambiguous names raise with suggestions."""
        if not isinstance(query, str) or not query.strip():
            raise UnknownPlaceError(str(query), [])
        wanted = check_place_type(area_type) if area_type else None
        candidates = [p for p in self.places.values() if wanted in (None, p.area_type)]
        text = query.strip()
        by_code = [p for p in candidates if p.code.upper() == text.upper()]
        if by_code:
            return by_code[0]
        target = normalise_name(text)
        exact = [p for p in candidates if normalise_name(p.name) == target]
        if exact:
            return min(exact, key=lambda p: self._name_match_rank(p, text))
        starting = [p for p in candidates if wanted and normalise_name(p.name).startswith(
            target + " ")]
        if len(starting) == 1:   # --type ITL3 Cornwall: "Cornwall and Isles of Scilly"
            return starting[0]
        if wanted in (None, "LAD"):
            found = self._successor_or_postcode(text)
            if found is not None:
                return found
        raise UnknownPlaceError(query, self.suggest(text, candidates))

    def _successor_or_postcode(self, text: str) -> Place | None:
        """The LAD 2023 district a retired district or a postcode now belongs to."""
        successor = self.retired.successor(text, normalise_name)
        if successor is not None and successor.new_code in self.places:
            return replace(self.places[successor.new_code], notice=successor.notice(
                self.places[successor.new_code].name))
        keys = postcode_keys(text)
        if self._postcode_district is None or not keys:
            return None
        located = self._postcode_district(keys)
        if located is None:
            return None
        lad_code, how = located
        lad_code = self.retired.current_code(lad_code)
        if lad_code not in self.places:
            return None
        place = self.places[lad_code]
        what = {"postcode": "Postcode", "sector": "Postcode sector",
                "outcode": "Postcode district"}[how]
        where = "is in" if how == "postcode" else "is mostly in"
        return replace(place, notice=f"{what} {keys[0][1] if how == 'postcode' else text.upper()}"
                       f" {where} {place.name} ({place.code}).")

    def other_matches(self, query: str, chosen: Place) -> list[Place]:
        """Other places whose names match ``query`` as well as ``chosen`` does, so callers can
        say that a name was ambiguous."""
        target = normalise_name(query)
        return [p for p in self.places.values()
                if p.code != chosen.code and normalise_name(p.name) == target
                and set(p.members) != set(chosen.members)]

    @staticmethod
    def _name_match_rank(place: Place, text: str) -> tuple[int, int, int]:
        """Order places whose names match: councils and partnerships before statistical
        regions (so "Greater Manchester" is the combined authority, not ITL2 TLD3); then the
        name as typed before a loose match ("Glasgow City Region" is the city region); then
        the type order (a district before a city region for "Glasgow")."""
        statistical = place.area_type not in ADMINISTRATIVE_TYPES
        literal = place.name.casefold() != text.strip().casefold()
        return int(statistical), int(literal), PROFILE_TYPES.index(place.area_type)

    def suggest(self, text: str, candidates: list[Place] | None = None, limit: int = 5
                ) -> list[str]:
        pool = candidates if candidates is not None else list(self.places.values())
        labels = {f"{p.name} ({p.code}, {p.type_label})": normalise_name(p.name) for p in pool}
        if any(p.area_type == "LAD" for p in pool):
            labels.update({label: normalise_name(name) for label, name in
                           self.retired.labels(self.places).items()})
        matches = process.extract(normalise_name(text), labels, scorer=fuzz.WRatio, limit=limit,
                                  score_cutoff=60)
        return [label for _, _, label in matches]

    def search(self, text: str, limit: int = 10) -> pd.DataFrame:
        """Places whose name or code matches ``text`` best, as a table."""
        pool = list(self.places.values())
        names = [normalise_name(p.name) for p in pool]
        scored = process.extract(normalise_name(text), names, scorer=fuzz.WRatio, limit=limit)
        rows = []
        for _, score, position in scored:
            place = pool[position]
            rows.append({"code": place.code, "name": place.name, "type": place.area_type,
                         "vintage": place.vintage, "members": len(place.members),
                         "score": round(score, 1)})
        exact_code = [p for p in pool if p.code.upper() == text.strip().upper()]
        for place in exact_code:
            rows.insert(0, {"code": place.code, "name": place.name, "type": place.area_type,
                            "vintage": place.vintage, "members": len(place.members),
                            "score": 100.0})
        return pd.DataFrame(rows).drop_duplicates("code").head(limit).reset_index(drop=True)


def aggregate(frame: pd.DataFrame, membership: dict[str, str]) -> pd.DataFrame:
    """Sum rows of an additive area-indexed frame to parents.

    ``membership`` maps child area → parent. Rows without a parent are left out; a parent
    whose members are all missing for a column gets NaN (not 0).
    """
    mapped = frame.index.to_series().map(membership)
    kept = frame[mapped.notna()]
    return kept.groupby(mapped[mapped.notna()]).sum(min_count=1)
