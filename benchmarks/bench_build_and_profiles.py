"""Time the warehouse build, the derived tables and place profiles, as the ratios issue 19 asks.

Run: ``make bench`` (or ``.venv/bin/python benchmarks/bench_build_and_profiles.py [--lads N]
[--skip-all]``). Everything is measured in one run on this machine:

- warehouse build and ``derive`` (the national tables) in this process;
- warm per-profile time (HTML) in one process after a first profile: districts and combined
  authorities, median over several places, with charts drawn in the browser (``--charts
  browser``: no SVG rendered) and embedded as SVG (the default);
- cold ``placelens profile <district> --html-only`` in a new process (start-up, imports,
  warehouse, derived tables and the profile) in both chart modes, as a ratio to the warm
  district median of the same mode;
- the start-up floor of each chart mode: a new Python importing the data stack every profile
  needs and, for SVG charts, making vl-convert's first (smallest) rendering, which starts its
  JavaScript engine; a cold profile costs at least its floor plus the warm work, so
  (floor + warm) / warm is the lowest ratio a new process could reach;
- every district profile with two worker processes (``--jobs 2 --charts browser``, as
  ``make demo`` writes them), wall time.

There is no peer package that builds these profiles, so the baselines are placelens's own:
the warm profile (for the cold start) and the district profile (for combined authorities).
Targets (issue 19): cold ≤ 2× warm; warm district ≤ 0.5 s; combined authority ≤ 1.5× a
district; all districts ≤ 150 s on 2 workers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from placelens.api import Observatory
from placelens.derive import derive
from placelens.report.profile import ProfileBuilder
from placelens.warehouse import build_warehouse

DISTRICTS = ["Leeds", "Cornwall", "Hartlepool", "Oxford", "Wigan", "Cardiff", "Eden",
             "Glasgow City"]
PLACELENS = str(Path(sys.executable).with_name("placelens"))
#: What every profile needs before placelens's own code runs: a cold profile cannot take less
#: than this start-up plus the warm profile's work.
STACK = "numpy, pandas, pyarrow.parquet, duckdb, jinja2"
#: The smallest Vega-Lite chart: its rendering in a new process is vl-convert's start-up.
TINY_CHART = ('{"data": {"values": [{"a": 1}]}, "mark": "point", '
              '"encoding": {"x": {"field": "a", "type": "quantitative"}}}')
#: Code a new Python runs for the start-up floor of each chart mode.
FLOOR_CODE = {"browser": f"import {STACK}",
              "svg": f"import {STACK}, vl_convert; vl_convert.vegalite_to_svg({TINY_CHART})"}


def warm_times(builder: ProfileBuilder, obs: Observatory, queries: list[str], out: Path,
               charts: str, area_type: str | None = None) -> list[float]:
    times = []
    for query in queries:
        place = obs.place(query, area_type)
        started = time.perf_counter()
        builder.write(place, out, pdf=False, charts_mode=charts)
        times.append(time.perf_counter() - started)
    return times


def run(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr}{done.stdout}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--lads", type=int, default=None,
                        help="Profile only the first N districts in the all-district run.")
    parser.add_argument("--skip-all", action="store_true", help="Skip the all-district run.")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="placelens-bench-"))
    env = {**os.environ, "PLACELENS_WAREHOUSE": str(work / "placelens.duckdb")}

    started = time.perf_counter()
    report = build_warehouse(work / "placelens.duckdb", show_progress=False)
    print(f"warehouse build: {time.perf_counter() - started:.1f} s "
          f"({sum(report.row_counts.values()):,} rows)")
    started = time.perf_counter()
    derived = derive(Observatory(report.path))
    print(f"derive: {time.perf_counter() - started:.1f} s ({derived.tables} tables)")

    obs = Observatory(report.path)
    builder = ProfileBuilder(obs)
    builder.write(obs.place("Birmingham"), work / "warm", pdf=False)  # the process's first
    authorities = [p.code for p in obs.places.of_type("CA")]
    warm = {}
    for charts in ("browser", "svg"):
        districts = warm_times(builder, obs, DISTRICTS, work / "warm", charts)
        combined = warm_times(builder, obs, authorities, work / "warm", charts, "CA")
        warm[charts] = statistics.median(districts)
        print(f"warm district profile (HTML, charts {charts}): median {warm[charts]:.2f} s "
              f"over {len(districts)} (max {max(districts):.2f} s)")
        print(f"warm combined-authority profile (charts {charts}): median "
              f"{statistics.median(combined):.2f} s over {len(combined)} = "
              f"{statistics.median(combined) / warm[charts]:.2f}× a district")
    pdf_started = time.perf_counter()
    builder.write(obs.place("Leeds"), work / "pdf", pdf=True)
    print(f"district profile with both PDFs: {time.perf_counter() - pdf_started:.2f} s")

    for charts in ("browser", "svg"):
        colds = [run([PLACELENS, "profile", "Leeds", "--html-only", "--charts", charts,
                      "--out", str(work / "cold")], env) for _ in range(3)]
        cold = statistics.median(colds)
        print(f"cold `placelens profile Leeds --html-only --charts {charts}` (new process): "
              f"median {cold:.2f} s of 3 = {cold / warm[charts]:.1f}× the warm district "
              "profile")
        floor = statistics.median(run([sys.executable, "-c", FLOOR_CODE[charts]], env)
                                  for _ in range(3))
        print(f"  start-up floor ({FLOOR_CODE[charts].replace(TINY_CHART, 'a one-point chart')}"
              f"): median {floor:.2f} s of 3 = {floor / warm[charts]:.1f}× the warm profile; "
              f"lowest reachable cold ratio (floor + warm) / warm = "
              f"{(floor + warm[charts]) / warm[charts]:.1f}×; cold − floor − warm = "
              f"{cold - floor - warm[charts]:.2f} s")
    help_times = [run([PLACELENS, "--help"], env) for _ in range(5)]
    print(f"`placelens --help`: median {statistics.median(help_times):.2f} s")

    if not args.skip_all:
        lads = obs.places.of_type("LAD")[: args.lads]
        command = [PLACELENS, "profile", "--html-only", "--charts", "browser", "--jobs", "2",
                   "--out", str(work / "all"),
                   *(["--all", "--type", "LAD"] if args.lads is None else [p.code for p in lads])]
        seconds = run(command, env)
        print(f"all {len(lads)} district profiles (HTML, browser charts, 2 workers): "
              f"{seconds:.1f} s ({seconds / len(lads):.2f} s per profile)")


if __name__ == "__main__":
    main()
