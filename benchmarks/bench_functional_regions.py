"""Functional regions: TTWA method at LAD and MSOA level on the real Census 2021 flows (the
MSOA case also timed against one Leiden run of igraph on the same table, as a peer), and a
scale test on a generated small-area-sized table.

Run: ``.venv/bin/python benchmarks/bench_functional_regions.py`` (``--units`` and
``--flows`` change the generated table). Targets (issue 5): LAD level under 2 s; about 7,000
units and 1 million non-zero flows with distance decay under 60 s (issue 13: the 7,264 real
MSOAs under 60 s); peak memory reported.
The generated table puts units at random points around 60 "towns", gives each unit 1,000 to
5,000 residents in work, and spreads each unit's commuters over destinations with
probability falling with distance (exp(-d / 8 km)), 40% of them working in their own unit.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse

from placelens.analysis import functional_regions as fr
from placelens.api import Observatory
from placelens.warehouse import build_warehouse


def generated_table(units: int, flows: int, seed: int = 0) -> fr.FlowTable:
    rng = np.random.default_rng(seed)
    towns = rng.uniform(0, 400, (60, 2))
    home = towns[rng.integers(0, 60, units)] + rng.normal(0, 10, (units, 2))
    residents = rng.integers(1_000, 5_000, units).astype(float)
    per_unit = max(flows // units, 2)
    rows, cols, values = [], [], []
    for unit in range(units):
        distance = np.hypot(*(home - home[unit]).T)
        weights = np.exp(-distance / 8.0)
        weights[unit] = 0
        targets = rng.choice(units, per_unit - 1, replace=False, p=weights / weights.sum())
        share = rng.dirichlet(np.ones(per_unit - 1)) * 0.6
        rows.extend([unit] * per_unit)
        cols.extend([unit, *targets])
        values.extend(np.round(residents[unit] * np.concatenate([[0.4], share])))
    matrix = scipy.sparse.csr_matrix((values, (rows, cols)), shape=(units, units))
    return fr.FlowTable(pd.Index([f"U{i:05d}" for i in range(units)]), matrix,
                        np.asarray(matrix.sum(axis=1)).ravel(),
                        np.asarray(matrix.sum(axis=0)).ravel())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--units", type=int, default=7_000)
    parser.add_argument("--flows", type=int, default=1_000_000)
    args = parser.parse_args()

    path = Path(tempfile.mkdtemp(prefix="placelens-bench-")) / "placelens.duckdb"
    build_warehouse(path, show_progress=False)
    obs = Observatory(path)
    table = obs.regions.commuting_table(home_workers=False)
    started = time.perf_counter()
    regions = fr.ttwa(table)
    seconds = time.perf_counter() - started
    stats = fr.region_stats(table, regions)
    print(f"LAD level ({len(table.units)} districts, {table.flows.nnz:,} flows): "
          f"{seconds:.2f} s, {len(stats)} regions, all valid: {bool(stats['valid'].all())}")

    started = time.perf_counter()
    found = obs.regions.functional_regions(level="MSOA")
    whole = time.perf_counter() - started
    table = obs.regions.commuting_table(level="MSOA")
    started = time.perf_counter()
    fr.ttwa(table)
    algorithm = time.perf_counter() - started
    started = time.perf_counter()
    fr.leiden_regions(table, resolution=8.0, runs=1)
    leiden = time.perf_counter() - started
    print(f"MSOA level ({len(table.units):,} MSOAs, {table.flows.nnz:,} flows): TTWA "
          f"{algorithm:.1f} s ({whole:.1f} s with reading the flows and describing the regions), "
          f"{len(found.stats)} regions, all valid: {bool(found.stats['valid'].all())}, ARI "
          f"vs 2011 TTWAs {found.ari_vs_ttwa_2011:.3f}; one Leiden run (igraph) {leiden:.1f} s "
          f"(TTWA / Leiden time ratio {algorithm / leiden:.2f})")

    table = generated_table(args.units, args.flows)
    started = time.perf_counter()
    regions = fr.ttwa(table)
    seconds = time.perf_counter() - started
    tracemalloc.start()
    fr.ttwa(table)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    stats = fr.region_stats(table, regions)
    print(f"generated ({len(table.units):,} units, {table.flows.nnz:,} flows): {seconds:.1f} s, "
          f"peak traced memory {peak:.0f} MiB (flow matrix {table.flows.data.nbytes / 2**20:.0f}"
          f" MiB), {len(stats)} regions, all valid: {bool(stats['valid'].all())}")

if __name__ == "__main__":
    main()
