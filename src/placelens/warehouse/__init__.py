"""The DuckDB warehouse: canonical tidy tables with provenance, built atomically."""

from placelens.warehouse.build import build_warehouse, default_warehouse_path
from placelens.warehouse.store import Warehouse

__all__ = ["Warehouse", "build_warehouse", "default_warehouse_path"]
