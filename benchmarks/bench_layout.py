"""Diagram layout: placelens's Fruchterman–Reingold against igraph's, on the graph a profile
draws (a place's 20 organisations and 25 partners; docs/methods/networks.md, "Diagrams").

Run: ``.venv/bin/python benchmarks/bench_layout.py [--place Leeds]``. Times both layouts from
the same seeded start in this process (best of 20), and the cost of importing each in a new
interpreter (best of 3), which is what a new profile process pays before its first diagram.
Needs the warehouse (``placelens data build``).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

import numpy as np

from placelens.analysis.layout import force_directed_layout
from placelens.api import Observatory
from placelens.report.network_sections import LAYOUT_SEED, ego_graph


def best(function, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def import_seconds(module: str) -> float:
    """Seconds to import ``module`` in a new interpreter, beyond starting Python and numpy."""
    def run(statement: str) -> float:
        code = f"import time, numpy; t = time.perf_counter(); {statement}; " \
               "print(time.perf_counter() - t)"
        return float(subprocess.run([sys.executable, "-c", code], capture_output=True,
                                    text=True, check=True).stdout)
    return min(run(f"import {module}") for _ in range(3))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--place", default="Leeds")
    args = parser.parse_args()
    obs = Observatory()
    collab = obs.collaboration
    nodes, _, _, pairs = ego_graph(collab.network(collab.periods[-1]),
                                   obs.places.resolve(args.place))
    start = np.random.default_rng(LAYOUT_SEED).random((len(nodes), 2))
    ours = best(lambda: force_directed_layout(pairs, start), 20)

    import igraph

    graph = igraph.Graph(n=len(nodes), edges=pairs.tolist())
    theirs = best(lambda: graph.layout_fruchterman_reingold(seed=start.tolist(), niter=500), 20)
    our_import = import_seconds("placelens.analysis.layout")
    their_import = import_seconds("igraph")
    print(f"{args.place}: {len(nodes)} organisations, {len(pairs)} links, 500 steps")
    print(f"  layout   placelens {ours * 1e3:6.1f} ms   igraph {theirs * 1e3:6.1f} ms   "
          f"igraph/placelens {theirs / ours:.2f}")
    print(f"  import   placelens {our_import * 1e3:6.1f} ms   igraph {their_import * 1e3:6.1f} ms")
    print(f"  first diagram in a new process: placelens {(our_import + ours) * 1e3:.0f} ms, "
          f"igraph {(their_import + theirs) * 1e3:.0f} ms, ratio "
          f"{(their_import + theirs) / (our_import + ours):.1f}x")


if __name__ == "__main__":
    main()
