"""Time the composite index with its robustness analysis and the neighbour lists for every
district (issue 4 target: under 10 s together).

Run: ``.venv/bin/python benchmarks/bench_benchmarking.py`` (builds a fresh warehouse in a
temporary folder first, which is not timed). Peer: none in Python does the RIS index; the
neighbour step is compared with scikit-learn's exact NearestNeighbors on the same z-scored
table (complete rows only, since it cannot skip missing values), and the ratio printed.
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

import numpy as np
from sklearn.neighbors import NearestNeighbors

from placelens.analysis.similar_places import distances, standardise
from placelens.api import Observatory
from placelens.warehouse import build_warehouse


def main() -> None:
    path = Path(tempfile.mkdtemp(prefix="placelens-bench-")) / "placelens.duckdb"
    build_warehouse(path, show_progress=False)
    obs = Observatory(path)
    started = time.perf_counter()
    obs.benchmark.indicator_set_table("lad_innovation")
    obs.benchmark.indicator_set_table("lad_economic")
    tables = time.perf_counter() - started

    started = time.perf_counter()
    scores = obs.benchmark.innovation_index(draws=1000).table
    index_seconds = time.perf_counter() - started
    started = time.perf_counter()
    neighbours = obs.benchmark.all_neighbours(k=10)
    neighbour_seconds = time.perf_counter() - started
    print(f"indicator tables from the warehouse: {tables:.2f} s")
    print(f"index + 1,000 robustness draws for {len(scores)} districts: {index_seconds:.2f} s")
    print(f"10 neighbours with reasons for every district: {neighbour_seconds:.2f} s "
          f"({len(neighbours):,} rows)")
    print(f"total: {tables + index_seconds + neighbour_seconds:.2f} s (target < 10 s)")

    table, _ = obs.benchmark.indicator_set_table("lad_economic")
    complete = table.dropna()
    z = standardise(complete)
    started = time.perf_counter()
    ours = distances(complete)
    ours_seconds = time.perf_counter() - started
    started = time.perf_counter()
    model = NearestNeighbors(n_neighbors=11, algorithm="brute").fit(z.to_numpy())
    theirs, _ = model.kneighbors(z.to_numpy())
    peer_seconds = time.perf_counter() - started
    mine = np.sort(ours.to_numpy(), axis=1)
    gap = abs(mine[:, :11] - theirs).max()
    print(f"distance step on {len(complete)} complete districts: placelens "
          f"{ours_seconds * 1000:.1f} ms, scikit-learn {peer_seconds * 1000:.1f} ms, ratio "
          f"{peer_seconds / ours_seconds:.1f}x; largest difference of the 10 nearest "
          f"distances {gap:.1e}")


if __name__ == "__main__":
    main()
