"""What every domain service shares: the warehouse it reads, the place index, and a cache of
results computed once per service (national tables that every place's figures need)."""

from __future__ import annotations

from typing import Any

from placelens.geography.places import PlaceIndex
from placelens.warehouse.store import Warehouse


class Service:
    """Base of the domain services (:mod:`placelens.services`)."""

    def __init__(self, warehouse: Warehouse, places: PlaceIndex):
        self.warehouse, self.places = warehouse, places
        self._cache: dict[tuple, Any] = {}
