"""What every domain service shares: the warehouse it reads, the place index, and a cache of
results computed once per service (national tables that every place's figures need)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from placelens.geography.places import PlaceIndex
from placelens.warehouse.derived import DerivedStore, store_key
from placelens.warehouse.store import Warehouse


class ResultCache(dict):
    """A dict of computed results that hands out DataFrames and Series as shallow copies: with
    pandas' copy-on-write a copy costs nothing until someone changes it, and a caller that
    changes what it was given never changes what the next caller gets.

    Keys whose first item is one of ``stored`` name national results that ``placelens data
    derive`` keeps beside the warehouse: a key not yet computed in this process is looked up
    there first (``key in cache`` loads it), so a new process reads national tables instead
    of recomputing them. Keys about user-defined area sets ("SET") are never stored: they
    depend on files the store does not fingerprint."""

    def __init__(self, namespace: str = "", derived: DerivedStore | None = None,
                 stored: tuple[str, ...] = ()):
        super().__init__()
        self.namespace, self.derived, self.stored = namespace, derived, stored

    def __getitem__(self, key: tuple) -> Any:
        value = super().__getitem__(key)
        return value.copy(deep=False) if isinstance(value, pd.DataFrame | pd.Series) else value

    def __contains__(self, key: object) -> bool:
        if super().__contains__(key):
            return True
        if self.derived is None or not isinstance(key, tuple) or not self.is_stored(key):
            return False
        name = store_key(self.namespace, key)
        if name not in self.derived.entries:
            return False
        try:
            self[key] = self.derived.get(name)
        except (OSError, ValueError):  # a table file missing or damaged: compute it instead
            return False
        return True

    def is_stored(self, key: tuple) -> bool:
        """Whether ``key`` names a national result the derived store keeps."""
        return bool(key) and key[0] in self.stored and "SET" not in key

    def national(self) -> dict[str, Any]:
        """The stored-kind results computed in this process, by their stored names."""
        return {store_key(self.namespace, key): dict.__getitem__(self, key)
                for key in self.keys() if self.is_stored(key)}


class Service:
    """Base of the domain services (:mod:`placelens.services`). ``stored_results`` names the
    cache keys that are national tables worth keeping in the derived store."""

    stored_results: tuple[str, ...] = ()

    def __init__(self, warehouse: Warehouse, places: PlaceIndex):
        self.warehouse, self.places = warehouse, places
        self._cache: ResultCache = ResultCache(type(self).__name__, warehouse.derived,
                                               self.stored_results)
