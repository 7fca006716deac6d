"""The Python API: one object that opens the warehouse and wires the domain services.

>>> from placelens.api import Observatory
>>> obs = Observatory()                              # opens the warehouse
>>> bham = obs.place("Birmingham")
>>> obs.indicators.series(bham, "gva_per_hour_gbp").tail()
>>> obs.economy.location_quotients(bham).head()
>>> obs.complexity.place_complexity(bham)
>>> obs.benchmark.innovation_index().tidy().head()
>>> obs.comparators.neighbours(bham)
>>> obs.regions.region_of(bham)
>>> obs.collaboration.leadership(bham)

Each service is a module of :mod:`placelens.services` (and :mod:`placelens.collaboration`)
that the CLI and the reports use too.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

from placelens.collaboration import Collaboration
from placelens.geography.places import Place, PlaceIndex, aggregate
from placelens.services.benchmark import BenchmarkService
from placelens.services.comparators import ComparatorService
from placelens.services.complexity import ComplexityService, Opportunities
from placelens.services.economy import EconomyService
from placelens.services.indicators import IndicatorService
from placelens.services.regions import RegionsService
from placelens.warehouse.store import Warehouse


class Observatory:
    """Entry point to the warehouse, the place index and the domain services."""

    def __init__(self, warehouse: Warehouse | Path | str | None = None):
        self.warehouse = warehouse if isinstance(warehouse, Warehouse) else Warehouse(warehouse)

    @cached_property
    def places(self) -> PlaceIndex:
        return PlaceIndex.from_warehouse(self.warehouse)

    def place(self, query: str, area_type: str | None = None) -> Place:
        """A place by name or code (see :meth:`PlaceIndex.resolve`)."""
        return self.places.resolve(query, area_type)

    @cached_property
    def indicators(self) -> IndicatorService:
        """Published and derived indicator series, area names."""
        return IndicatorService(self.warehouse, self.places)

    @cached_property
    def economy(self) -> EconomyService:
        """GVA by industry, LQs, structure, shift-share, business counts, metric tables."""
        return EconomyService(self.indicators)

    @cached_property
    def complexity(self) -> ComplexityService:
        """Economic complexity, clusters, opportunities and their back-test."""
        return ComplexityService(self.indicators, self.economy)

    @cached_property
    def benchmark(self) -> BenchmarkService:
        """Composite index, similar places, place types, emerging places and industries."""
        return BenchmarkService(self.indicators, self.economy, self.collaboration)

    @cached_property
    def comparators(self) -> ComparatorService:
        """Statistical and published neighbours, comparator sets, side-by-side comparison."""
        return ComparatorService(self.indicators, self.economy)

    @cached_property
    def regions(self) -> RegionsService:
        """Functional economic regions from commuting."""
        return RegionsService(self.indicators)

    @cached_property
    def collaboration(self) -> Collaboration:
        """Funded R&D collaboration networks, leadership styles and journey signals."""
        return Collaboration(self.warehouse, self.places)


__all__ = ["Observatory", "Opportunities", "aggregate"]
