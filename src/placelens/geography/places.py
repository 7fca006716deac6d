"""Resolve a place by code or name, know its member LADs and parents, and aggregate additive
measures to it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
from rapidfuzz import fuzz, process

from placelens.errors import UnknownPlaceError
from placelens.geography.area_sets import AreaSet, discover_area_sets

#: Area types that have LAD members and profiles, in order of preference for equal names.
PROFILE_TYPES = ["LAD", "CA", "CR", "SET", "ITL3", "ITL2", "ITL1", "CTRY", "UK"]
ADMINISTRATIVE_TYPES = {"LAD", "CA", "CR", "SET"}
TYPE_LABELS = {"LAD": "local authority district", "CA": "combined authority",
               "CR": "city region / growth deal", "SET": "area set", "ITL3": "ITL3 region",
               "ITL2": "ITL2 region", "ITL1": "ITL1 region", "CTRY": "country", "UK": "UK"}
VINTAGES = {"LAD": "LAD 2023", "CA": "2023", "CR": "2023", "ITL3": "ITL 2021",
            "ITL2": "ITL 2021", "ITL1": "ITL 2021", "CTRY": "2023", "UK": "2023", "SET": "LAD 2023"}
_NAME_SUFFIXES = re.compile(r"(\s+(mayoral\s+)?(combined authority|city region)|\s*\(b\)"
                            r"|,\s*(city|county) of|\s+city)$")


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
                 area_sets: list[AreaSet] | None = None):
        current = areas[areas["area_type"].isin(PROFILE_TYPES)
                        & ~areas["vintage"].isin(["pre-2023", "2025"])]
        self._lads = sorted(current.loc[current["area_type"] == "LAD", "area_code"])
        lad_parents = hierarchy[(hierarchy["child_type"] == "LAD") & hierarchy["primary_parent"]]
        self._parents = {lad: dict(zip(rows["parent_type"], rows["parent_code"], strict=True))
                         for lad, rows in lad_parents.groupby("child_code")}
        members: dict[str, list[str]] = {}
        for lad, parent in zip(lad_parents["child_code"], lad_parents["parent_code"], strict=True):
            members.setdefault(parent, []).append(lad)
        all_parents = hierarchy[hierarchy["child_type"] == "LAD"]
        for lad, parent in zip(all_parents["child_code"], all_parents["parent_code"],
                               strict=True):
            if parent.startswith("PLCR_"):
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
        return cls(areas, hierarchy, sets)

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
        return sorted((p for p in self.places.values() if p.area_type == area_type.upper()),
                      key=lambda p: p.code)

    def get(self, code: str) -> Place:
        return self.places[code]

    def resolve(self, query: str, area_type: str | None = None) -> Place:
        """A place from its code or name; unknown or ambiguous names raise with suggestions."""
        wanted = area_type.upper() if area_type else None
        candidates = [p for p in self.places.values() if wanted in (None, p.area_type)]
        text = query.strip()
        by_code = [p for p in candidates if p.code.upper() == text.upper()]
        if by_code:
            return by_code[0]
        target = normalise_name(text)
        exact = [p for p in candidates if normalise_name(p.name) == target]
        if exact:
            return min(exact, key=lambda p: self._name_match_rank(p, text))
        raise UnknownPlaceError(query, self.suggest(text, candidates))

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
