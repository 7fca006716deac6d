"""Collaboration networks (issue 6): the full build and metrics for every place, and the
betweenness step against networkx on the same graph.

Run: ``.venv/bin/python benchmarks/bench_networks.py`` (``--period`` picks the graph for the
betweenness comparison, default 2006-2008: networkx takes minutes on larger ones).
Target: full network build and metrics for all places under 30 s. The full build is what
``placelens network build`` does: load and classify organisations, build the four period
networks, metrics for all 361 districts in every period, new-actor shares, leadership styles,
brokers (betweenness of placed organisations, latest period) and communities (10-seed Leiden
ensemble, latest period).
"""

from __future__ import annotations

import argparse
import time

import networkx
import numpy as np

from placelens.analysis import networks as nw
from placelens.api import Observatory


def full_build(obs: Observatory) -> tuple[float, dict]:
    started = time.perf_counter()
    collab = obs.collaboration
    leadership = collab.leadership()
    brokers = collab.brokers()
    communities = collab.communities()
    seconds = time.perf_counter() - started
    latest = collab.network(collab.periods[-1])
    return seconds, {"areas": leadership["area_code"].nunique(),
                     "periods": leadership["period"].nunique(),
                     "organisations (latest)": len(latest.organisations),
                     "links (latest)": len(latest.edges),
                     "brokers ranked": len(brokers),
                     "communities": int(communities["community"].nunique())}


def betweenness_ratio(obs: Observatory, period: nw.Period) -> dict:
    network = obs.collaboration.network(period)
    sub = nw.subnetwork(network, network.organisations["area_code"].notna())
    started = time.perf_counter()
    ours = nw.betweenness(sub)
    ours_seconds = time.perf_counter() - started
    graph = networkx.Graph()
    graph.add_nodes_from(sub.organisations.index)
    graph.add_edges_from(zip(sub.edges["source"], sub.edges["target"], strict=True))
    started = time.perf_counter()
    theirs = networkx.betweenness_centrality(graph, normalized=True)
    theirs_seconds = time.perf_counter() - started
    difference = float(np.max(np.abs(ours.to_numpy() - np.array(
        [theirs[o] for o in ours.index]))))
    return {"nodes": graph.number_of_nodes(), "edges": graph.number_of_edges(),
            "placelens (igraph) s": ours_seconds, "networkx s": theirs_seconds,
            "ratio": theirs_seconds / ours_seconds, "max abs difference": difference}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--period", default="2006-2008")
    args = parser.parse_args()
    seconds, facts = full_build(Observatory())
    print(f"Full network build and metrics for all places: {seconds:.1f} s (target < 30 s)")
    for key, value in facts.items():
        print(f"  {key}: {value:,}")
    result = betweenness_ratio(Observatory(), nw.Period.parse(args.period))
    print(f"Betweenness on the placed-organisation network {args.period} "
          f"({result['nodes']:,} nodes, {result['edges']:,} links):")
    print(f"  placelens (igraph) {result['placelens (igraph) s']:.2f} s; networkx "
          f"{result['networkx s']:.1f} s; networkx / placelens = {result['ratio']:.0f}x; "
          f"max |difference| {result['max abs difference']:.1e}")


if __name__ == "__main__":
    main()
