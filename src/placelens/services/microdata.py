"""Area × activity matrices from firm-level microdata, built where the data lives (DuckDB or
Spark) under disclosure control, with the rule and the engine recorded in provenance
(docs/scale.md). The cells come back already protected: suppressed totals never leave the
engine. Location quotients and economic complexity are then computed on the released matrix
by the same analysis functions as for published data."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

import pandas as pd

from placelens.analysis.complexity import complexity
from placelens.analysis.specialisation import location_quotients
from placelens.errors import InputError
from placelens.results import records
from placelens.scale.aggregations import REGISTER_COLUMNS, area_activity_cells
from placelens.scale.backends import canonical, connect, read_table
from placelens.scale.disclosure import DisclosureRule

CELL_KEYS = ["year", "area_code", "activity"]


@dataclass(frozen=True)
class MatrixBuild:
    """Protected year × area × activity cells (``released`` False and ``total`` NaN where
    suppressed) and the provenance of the build."""

    cells: pd.DataFrame
    provenance: dict = field(default_factory=dict)

    def tidy(self) -> pd.DataFrame:
        return self.cells.copy()

    def matrix(self, year: int) -> pd.DataFrame:
        """Areas × activities for one year; suppressed cells NaN, absent cells 0."""
        cells = self.cells[self.cells.year == year]
        if cells.empty:
            raise InputError("year", f"No cells for {year}; the years are "
                             f"{sorted(self.cells.year.unique())}")
        totals = cells.pivot(index="area_code", columns="activity", values="total")
        present = cells.pivot(index="area_code", columns="activity", values="released")
        return totals.astype(float).mask(present.isna(), 0.0)

    def location_quotients(self, year: int) -> pd.DataFrame:
        """LQs of the released cells (suppressed cells excluded, so their LQ is NaN)."""
        return location_quotients(self.matrix(year), missing="exclude")

    def eci(self, year: int) -> pd.Series:
        """Economic complexity of the areas, suppressed cells counted as absent."""
        return complexity(self.matrix(year).fillna(0.0)).eci

    def summary(self) -> str:
        suppressed = int((~self.cells.released).sum())
        return (f"{len(self.cells):,} cells built on {self.provenance.get('backend')}; "
                f"{suppressed:,} suppressed: {self.provenance.get('disclosure rule')}.")

    def to_dict(self) -> dict:
        return {"cells": records(self.cells), "provenance": self.provenance}


def build_matrices(source: Path, backend: str = "duckdb",
                   rule: DisclosureRule | None = None) -> MatrixBuild:
    """Protected area × activity cells from a firm-level register.

    Parameters
    ----------
    source
        A Parquet file, a folder of Parquet files or a CSV with
        :data:`~placelens.scale.aggregations.REGISTER_COLUMNS`.
    backend
        ``duckdb`` (in this process) or ``spark``.
    rule
        The disclosure rule (default: 10 firms, (1, 50) dominance).

    Returns
    -------
    MatrixBuild
        The cells and their provenance: source, engine and version, rule, counts.
    """
    rule = rule or DisclosureRule()
    connection = connect(backend)
    register = read_table(connection, source)
    missing = [c for c in REGISTER_COLUMNS if c not in register.columns]
    if missing:
        raise InputError("input", f"{source}: the register lacks column(s) "
                         f"{', '.join(missing)} (needs {', '.join(REGISTER_COLUMNS)})")
    bad = register.filter(register.employment.isnull() | (register.employment < 0)
                          | register.area_code.isnull() | register.activity.isnull()).count()
    if (found := int(connection.execute(bad))):
        raise InputError("input", f"{source}: {found:,} row(s) with a missing or negative "
                         "'employment' or a missing 'area_code' or 'activity'; nothing built")
    cells = connection.execute(area_activity_cells(register, rule).drop("top"))
    cells = canonical(cells, CELL_KEYS)
    engine = "pyspark" if backend == "spark" else "duckdb"
    return MatrixBuild(cells, {
        "source": str(source), "backend": backend,
        "engine version": f"{engine} {metadata.version(engine)}, ibis-framework "
                          f"{metadata.version('ibis-framework')}",
        "disclosure rule": rule.describe(), "rule parameters": rule.to_dict(),
        "cells": len(cells), "suppressed": int((~cells.released).sum()),
        "built": datetime.now(UTC).isoformat(timespec="seconds")})
