"""Time the full warehouse build and the place-profile runs on this machine.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_build_and_profiles.py [--lads N]``).
Targets (issue 2): warehouse build < 60 s; one profile < 2 s (HTML).
There is no peer package that builds this warehouse or these profiles, so the script reports
absolute times; each profile also reports how long its PDF takes.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from placelens.api import Observatory
from placelens.report.profile import ProfileBuilder
from placelens.warehouse import build_warehouse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lads", type=int, default=None, help="Profile only the first N LADs.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="placelens-bench-"))

    started = time.perf_counter()
    report = build_warehouse(work / "placelens.duckdb", show_progress=False)
    build_seconds = time.perf_counter() - started
    print(f"warehouse build: {build_seconds:.1f} s "
          f"({sum(report.row_counts.values()):,} rows)")

    obs = Observatory(report.path)
    builder = ProfileBuilder(obs)
    demo = [obs.place(q) for q in ("Birmingham", "Greater Manchester", "Cornwall", "Cardiff")]
    builder.write(demo[0], work / "warm", pdf=False)  # first call loads shared tables
    for place in demo:
        t0 = time.perf_counter()
        builder.write(place, work / "one", pdf=False)
        t1 = time.perf_counter()
        builder.write(place, work / "one", pdf=True)
        t2 = time.perf_counter()
        print(f"profile {place.name}: HTML {t1 - t0:.2f} s; HTML+PDF {t2 - t1:.2f} s")

    lads = obs.places.of_type("LAD")[: args.lads]
    times = []
    started = time.perf_counter()
    for place in lads:
        t0 = time.perf_counter()
        builder.write(place, work / "all", pdf=False)
        times.append(time.perf_counter() - t0)
    total = time.perf_counter() - started
    print(f"all-LAD profiles (HTML): {len(lads)} in {total:.1f} s; per profile median "
          f"{statistics.median(times):.2f} s, max {max(times):.2f} s")


if __name__ == "__main__":
    main()
