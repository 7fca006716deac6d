"""Scale of the microdata aggregations (issue 18): rows per second and peak memory for the
protected area × activity cells (src/placelens/scale) on DuckDB, on Spark local[2] and, as the
baseline, the same computation written in pandas, at 10^6, 10^7 and 10^8 register rows.

Each run is a fresh child process (so its peak resident memory is its own) reading the same
synthetic register from Parquet. Usage:

    .venv/bin/python benchmarks/bench_scale.py [--rows 1e6 1e7 1e8] [--engines duckdb pandas spark]
        [--folder var/bench_scale] [--timeout 1800]

Results and how cost grows with size: benchmarks/RESULTS.md."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROWS_PER_FIRM = 5.79   # firm-years per firm over 20 years in the synthetic register (seed 0)


def _register(folder: Path, rows: float) -> tuple[Path, int]:
    """The synthetic register with about ``rows`` firm-years (made once, then reused)."""
    from placelens.scale.synthetic_register import SIC_DIVISIONS, write_register

    target = folder / f"register_{int(rows):d}"
    marker = folder / f"register_{int(rows):d}.rows"
    if not marker.exists():
        areas = [f"E0{n:07d}" for n in range(361)]
        written = write_register(target, int(rows / ROWS_PER_FIRM), range(2005, 2025), areas,
                                 SIC_DIVISIONS, seed=0)
        marker.write_text(str(written))
    return target, int(marker.read_text())


def _pandas_cells(folder: Path):
    """The baseline: the same protected cells written directly in pandas."""
    import pandas as pd

    keys = ["year", "area_code", "activity"]
    register = pd.read_parquet(folder, columns=[*keys, "firm_id", "employment"])
    for key in ("area_code", "activity"):
        register[key] = register[key].astype("category")
    firms = register.groupby([*keys, "firm_id"], observed=True).employment.sum().reset_index()
    firms = firms.sort_values("employment", ascending=False, kind="stable")
    grouped = firms.groupby(keys, observed=True).employment
    cells = pd.DataFrame({"units": grouped.size(), "total": grouped.sum(),
                          "top": grouped.first()})
    released = (cells.units >= 10) & (cells.top * 100 <= cells.total * 50)
    return cells.assign(total=cells.total.where(released), released=released).reset_index()


def child(engine: str, folder: Path) -> None:
    """Run one engine on one register and print seconds, cells and peak memory (JSON); the
    libraries are imported before the clock starts, Spark's session start is timed."""
    import pandas  # noqa: F401

    from placelens.services.microdata import build_matrices

    started = time.perf_counter()
    if engine == "pandas":
        cells = _pandas_cells(folder)
    else:
        cells = build_matrices(folder, engine).cells
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "cells": len(cells),
                      "suppressed": int((~cells.released).sum()), "peak_mb": _peak_mb()}))


def _peak_mb() -> float:
    """Peak resident memory of this process and the processes it started (Spark's JVM),
    from each one's high-water mark (VmHWM in /proc; Linux)."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    total, waiting = 0, [os.getpid()]
    while waiting:
        pid = waiting.pop()
        waiting += children.get(pid, [])
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        total += next((int(line.split()[1]) for line in status.splitlines()
                       if line.startswith("VmHWM:")), 0)
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", nargs="+", type=float, default=[1e6, 1e7, 1e8])
    parser.add_argument("--engines", nargs="+", default=["pandas", "duckdb", "spark"])
    parser.add_argument("--folder", type=Path, default=Path("var/bench_scale"))
    parser.add_argument("--timeout", type=float, default=1800)
    parser.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child[0], Path(args.child[1]))
        return
    print("| rows | engine | seconds | rows per second | peak memory (MB) | cells "
          "| ratio to pandas |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for rows in args.rows:
        folder, written = _register(args.folder, rows)
        timings = {}
        for engine in args.engines:
            try:
                done = subprocess.run([sys.executable, __file__, "--child", engine, str(folder)],
                                      capture_output=True, text=True, timeout=args.timeout)
                result = json.loads(done.stdout.strip().splitlines()[-1])
            except (subprocess.TimeoutExpired, IndexError, json.JSONDecodeError) as error:
                reason = "timed out" if isinstance(error, subprocess.TimeoutExpired) else \
                    (done.stderr.strip().splitlines() or ["failed"])[-1][:80]
                print(f"| {written:,} | {engine} | {reason} | | | | |", flush=True)
                continue
            timings[engine] = result["seconds"]
            ratio = timings["pandas"] / result["seconds"] if "pandas" in timings else None
            print(f"| {written:,} | {engine} | {result['seconds']:.1f} | "
                  f"{written / result['seconds']:,.0f} | {result['peak_mb']:,.0f} | "
                  f"{result['cells']:,} | "
                  f"{'' if ratio is None else f'{ratio:.2g}×'} |", flush=True)


if __name__ == "__main__":
    main()
