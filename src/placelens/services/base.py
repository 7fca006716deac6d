"""What every domain service shares: the warehouse it reads, the place index, and a cache of
results computed once per service (national tables that every place's figures need)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from placelens.geography.places import PlaceIndex
from placelens.warehouse.store import Warehouse


class ResultCache(dict):
    """A dict of computed results that hands out DataFrames and Series as shallow copies: with
    pandas' copy-on-write a copy costs nothing until someone changes it, and a caller that
    changes what it was given never changes what the next caller gets."""

    def __getitem__(self, key: tuple) -> Any:
        value = super().__getitem__(key)
        return value.copy(deep=False) if isinstance(value, pd.DataFrame | pd.Series) else value


class Service:
    """Base of the domain services (:mod:`placelens.services`)."""

    def __init__(self, warehouse: Warehouse, places: PlaceIndex):
        self.warehouse, self.places = warehouse, places
        self._cache: ResultCache = ResultCache()
