"""The DuckDB warehouse: canonical tidy tables with provenance, built atomically.

Reading (:class:`Warehouse`) does not import the build or any source module;
``build_warehouse`` is imported on first use."""

from placelens.warehouse.paths import default_warehouse_path
from placelens.warehouse.store import Warehouse

__all__ = ["Warehouse", "build_warehouse", "default_warehouse_path"]


def __getattr__(name: str):
    if name == "build_warehouse":
        from placelens.warehouse.build import build_warehouse

        return build_warehouse
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
