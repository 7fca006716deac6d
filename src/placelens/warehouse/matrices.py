"""Named area × activity matrices in the warehouse (what the measures of
docs/methods/specialisation.md and docs/methods/complexity.md run on).

Each is a filter on the ``activity`` table, so the same selection can later run as SQL on
Spark; the result is pivoted to areas × activities for the analysis layer.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from placelens.sources.ons_regional_accounts import (
    ITL3_INDUSTRY_PARTITION,
    LAD_INDUSTRY_PARTITION,
    SECTION_PARTITION,
)
from placelens.warehouse.store import Warehouse


@dataclass(frozen=True)
class MatrixSpec:
    name: str
    description: str
    classification: str
    measure: str
    area_type: str
    vintage: str
    codes: tuple[str, ...] | None = None  # a fixed partition of activities, in order
    code_length: int | None = None         # or every code of this length (SIC digits)
    grouped_by: str | None = None          # how activities nest, for related variety
    partition: tuple[tuple[str, str], ...] | None = None  # activity → section group

    def groups(self, warehouse: Warehouse, activities: list[str]) -> dict[str, str] | None:
        """Activity → group (section or SIC 2-digit division) for variety measures."""
        if self.grouped_by == "partition":
            return dict(self.partition or ())
        if self.grouped_by == "sic_division":
            return {code: code[:2] for code in activities}
        return None


MATRICES: dict[str, MatrixSpec] = {spec.name: spec for spec in [
    MatrixSpec("lad-gva", "LAD × 36 industries, GVA £m current prices (ONS, April 2025)",
               "ons_gva_industry", "gva_current_gbp_m", "LAD", "2023",
               codes=tuple(c for c, _ in LAD_INDUSTRY_PARTITION), grouped_by="partition",
               partition=tuple(LAD_INDUSTRY_PARTITION)),
    MatrixSpec("itl3-gva", "ITL3 (2025) × 18 SIC section groups, GVA £m current prices (ONS, "
               "April 2025)", "ons_gva_industry", "gva_current_gbp_m", "ITL3", "2025",
               codes=tuple(c for c, _ in SECTION_PARTITION)),
    MatrixSpec("itl3-gva-detailed", "ITL3 (2025) × 45 industries, GVA £m current prices (ONS, "
               "April 2025)", "ons_gva_industry", "gva_current_gbp_m", "ITL3", "2025",
               codes=tuple(c for c, _ in ITL3_INDUSTRY_PARTITION), grouped_by="partition",
               partition=tuple(ITL3_INDUSTRY_PARTITION)),
    MatrixSpec("nuts2-sic4-jobs", "NUTS2 (2013) × SIC 4-digit classes, BRES employment",
               "sic2007", "employment", "NUTS2", "2013", code_length=4,
               grouped_by="sic_division"),
    MatrixSpec("nuts2-sic4-units", "NUTS2 (2013) × SIC 4-digit classes, IDBR business counts",
               "sic2007", "business_count", "NUTS2", "2013", code_length=4,
               grouped_by="sic_division"),
    MatrixSpec("nuts2-sic2-jobs", "NUTS2 (2016) × SIC 2-digit divisions, BRES employment",
               "sic2007", "employment", "NUTS2", "2016", code_length=2),
    MatrixSpec("lad-census2011-sections", "LAD (2023) × SIC sections, Census 2011 workplace "
               "population", "sic2007", "workplace_population", "LAD", "2023"),
]}


def load_matrix(warehouse: Warehouse, name: str, period: str,
                clip_negative: bool = False) -> pd.DataFrame:
    """The named matrix for one period (areas × activities; NaN = suppressed/absent).

    GVA can be negative (an industry making a loss); ``clip_negative`` sets such cells to 0,
    as presence and complexity measures need non-negative quantities."""
    if name not in MATRICES:
        raise ValueError(f"unknown matrix {name!r}; choose one of {', '.join(MATRICES)}")
    spec = MATRICES[name]
    long = warehouse.activity(spec.classification, spec.measure, spec.area_type, [period],
                              list(spec.codes) if spec.codes else None, vintage=spec.vintage)
    if spec.code_length:
        long = long[long["activity_code"].str.len() == spec.code_length]
    if long.empty:
        periods = warehouse.periods(spec.classification, spec.measure, spec.area_type)
        raise ValueError(f"matrix {name!r} has no data for {period!r}; periods: {periods}")
    matrix = long.pivot_table(index="area_code", columns="activity_code", values="value",
                              aggfunc="sum", dropna=False, sort=True)
    if spec.codes:
        matrix = matrix.reindex(columns=list(spec.codes))
    matrix.columns.name, matrix.index.name = "activity", "area"
    return matrix.clip(lower=0) if clip_negative else matrix
