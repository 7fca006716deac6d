"""placelens complexity vs py-ecomplexity 0.5.3 on the same input, in one process.

Run: ``.venv/bin/python benchmarks/bench_complexity.py`` (``--quick`` for a smaller run).
Cases (issue 3): 361 places × 600 activities × 10 periods, and 2,000 × 1,200 × 1. The inputs
are synthetic (log-normal sizes, about 40% zero cells, larger places more diverse), because no
real UK matrix is that large. Both packages start from the same long table. Prints each
package's time (best of three, the packages taking turns), peak traced memory, the speed
ratio, and the largest absolute difference of ECI, PCI, density, COI and COG (equal results
are the condition for the ratio to count). placelens is timed returning its labelled
matrices, and again reshaped to the peer's long output. The peer runs with its
log-supermodularity check switched off, which only prints diagnostics and would slow it
further. ``--threads N`` limits the BLAS threads of both
packages (threadpoolctl); the ratio depends on it, so the printout says which was used.
"""

from __future__ import annotations

import argparse
import gc
import time
import tracemalloc
import warnings

import numpy as np
import pandas as pd
from ecomplexity import ecomplexity
from threadpoolctl import threadpool_info, threadpool_limits

from placelens.analysis.complexity_panels import complexity_panel, panel_from_long

COLUMNS = ["eci", "pci", "density", "coi", "cog"]


def synthetic_panel(places: int, activities: int, periods: int, seed: int = 0) -> pd.DataFrame:
    """Long table (time, loc, prod, val) with place-size and activity-size heterogeneity."""
    rng = np.random.default_rng(seed)
    size = rng.lognormal(0, 1, places)[:, None]
    scale = rng.lognormal(0, 1, activities)[None, :]
    frames = []
    for period in range(periods):
        keep = rng.random((places, activities)) < np.clip(0.35 + 0.25 * np.log1p(size), 0, 0.95)
        values = np.round(size * scale * rng.lognormal(3, 1, (places, activities)) * keep)
        frame = pd.DataFrame(values, index=[f"r{i:04d}" for i in range(places)],
                             columns=[f"p{j:04d}" for j in range(activities)])
        long = frame.stack().rename("val").reset_index()
        long.columns = ["loc", "prod", "val"]
        long["time"] = 2010 + period
        frames.append(long)
    return pd.concat(frames, ignore_index=True)


def run_placelens(long: pd.DataFrame) -> dict:
    """placelens's API: long input → a matrix per period → labelled results per period."""
    return complexity_panel(panel_from_long(long, "time", "loc", "prod", "val"))


def run_placelens_long(long: pd.DataFrame) -> pd.DataFrame:
    """The same, then reshaped to the peer's long output format (for the equality check and
    a like-for-like time)."""
    return as_long(run_placelens(long))


def as_long(results: dict) -> pd.DataFrame:
    frames = [r.long().assign(time=t) for t, r in results.items()]
    return pd.concat(frames).rename(columns={"area": "loc", "activity": "prod"})


def run_peer(long: pd.DataFrame) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return ecomplexity(long, {"time": "time", "loc": "loc", "prod": "prod", "val": "val"},
                           verbose=False, check_logsupermodularity=False)


def best_times(functions: list, data, runs: int = 3) -> list[float]:
    """Best of ``runs`` timed runs of each function, taken in turn (ours, the peer's, ours...)
    so that a change in the machine's speed during the run affects both sides alike; a
    garbage collection before each run."""
    seconds: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for times, function in zip(seconds, functions, strict=True):
            gc.collect()
            started = time.perf_counter()
            function(data)
            times.append(time.perf_counter() - started)
    return [min(times) for times in seconds]


def peak_memory(function, data) -> tuple[object, float]:
    """The result and peak traced memory (MiB) of one run (tracing slows Python-heavy code,
    so it never overlaps the timing)."""
    tracemalloc.start()
    result = function(data)
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    return result, peak


def case(places: int, activities: int, periods: int) -> None:
    data = synthetic_panel(places, activities, periods)
    our_time, our_long_time, their_time = best_times(
        [run_placelens, run_placelens_long, run_peer], data)
    results, our_peak = peak_memory(run_placelens, data)
    theirs, their_peak = peak_memory(run_peer, data)
    merged = as_long(results).merge(theirs, on=["time", "loc", "prod"],
                                    suffixes=("", "_peer"))
    assert len(merged) == len(theirs), "the two outputs cover different cells"
    diffs = {c: float(np.nanmax(np.abs(merged[c] - merged[f"{c}_peer"]))) for c in COLUMNS}
    print(f"{places} places x {activities} activities x {periods} periods:")
    print(f"  placelens               {our_time:7.2f} s  peak {our_peak:5.0f} MiB")
    print(f"  placelens + long output {our_long_time:7.2f} s")
    print(f"  py-ecomplexity          {their_time:7.2f} s  peak {their_peak:5.0f} MiB")
    print(f"  speed ratio {their_time / our_time:.1f}x (with long output "
          f"{their_time / our_long_time:.1f}x); max |difference| "
          + ", ".join(f"{c} {v:.1e}" for c, v in diffs.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="Smaller cases (a smoke run).")
    parser.add_argument("--threads", type=int, default=None,
                        help="BLAS threads for both packages (default: the library's own).")
    args = parser.parse_args()
    with threadpool_limits(limits=args.threads, user_api="blas"):
        blas = [f"{i['internal_api']} {i['num_threads']} thread(s)" for i in threadpool_info()
                if i["user_api"] == "blas"]
        print(f"BLAS: {', '.join(blas)}")
        for shape in ([(100, 150, 3), (400, 300, 1)] if args.quick
                      else [(361, 600, 10), (2000, 1200, 1)]):
            case(*shape)


if __name__ == "__main__":
    main()
