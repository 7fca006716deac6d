"""``placelens data derive``: compute the national tables once and store them beside the
warehouse (:mod:`placelens.warehouse.derived`), so that profiles, the command line and the
web observatory read them instead of recomputing them in every process.

Each step calls a service's public method with the defaults that profiles and pages use;
whatever national results the step leaves in the services' caches is stored, with the step
that computed it and how long the step took."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import partial

from placelens.api import Observatory
from placelens.geography.area_types import PROFILE_TYPES
from placelens.indicator_sets import load_sets
from placelens.services.complexity import CLUSTER_MATRIX, CLUSTER_PERIOD
from placelens.warehouse.derived import DerivedWriter

#: Types whose places are compared with their own type (areas sets are user files: not stored).
PEER_TYPES = [t for t in PROFILE_TYPES if t not in {"SET", "UK"}]
NETWORK_TYPES = ("LAD", "ITL3", "ITL2", "ITL1")


@dataclass(frozen=True)
class DeriveReport:
    folder: str
    steps: dict[str, float]  # step → seconds
    tables: int


def steps(obs: Observatory) -> Iterator[tuple[str, Callable[[], object]]]:
    """(label, computation) of every national result profiles and pages read."""
    bench, collab = obs.benchmark, obs.collaboration
    for name, found in load_sets().items():
        if found.kind != "index":
            continue
        types = PEER_TYPES if found.area_type == "LAD" else [found.area_type]
        for area_type in types:
            yield (f"index {name} ({area_type})",
                   partial(bench.innovation_index, name, area_type=area_type))
    yield "place types", bench.place_types
    for area_type in PEER_TYPES:
        yield (f"emerging places ({area_type})",
               partial(bench.emerging_places, area_type=area_type))
        yield f"neighbour inputs ({area_type})", partial(obs.comparators.context, area_type)
    yield "emerging industries back-test", partial(bench.industry_growth_backtest,
                                                   obs.economy.gva_periods()[-1])
    yield "complexity (districts)", obs.complexity.compute
    yield "complexity (NUTS2 jobs)", partial(obs.complexity.compute, CLUSTER_MATRIX,
                                             CLUSTER_PERIOD)
    yield "clusters", obs.complexity.clusters
    yield "opportunity back-test", obs.complexity.opportunity_backtest
    yield "functional regions", obs.regions.functional_regions
    yield "organisations", lambda: collab.organisations
    for period in collab.periods:
        yield f"network {period.label}", partial(collab.network, period)
    yield "brokers", collab.brokers
    for area_type in NETWORK_TYPES:
        yield (f"network metrics ({area_type})",
               partial(collab.area_metrics, area_type, collab.periods[-1]))
        yield f"leadership inputs ({area_type})", partial(collab.leadership_inputs, area_type)
    yield "network panel (LAD)", collab.panel


def derive(obs: Observatory, progress: Callable[[str], None] | None = None,
           only: Iterable[tuple[str, Callable[[], object]]] | None = None) -> DeriveReport:
    """Compute every step and store what it computed; on any error nothing is replaced.

    Parameters
    ----------
    obs
        An observatory on the warehouse to derive from (its services may already hold
        results; they are stored too when current).
    progress
        Called with each step's label before it runs.
    only
        Steps to run instead of :func:`steps` (tests store a few cheap ones).
    """
    warehouse = obs.warehouse
    writer = DerivedWriter(warehouse.derived_folder, warehouse.derived_fingerprint,
                           warehouse.build_record)
    caches = [obs.economy._cache, obs.benchmark._cache, obs.comparators._cache,
              obs.complexity._cache, obs.regions._cache, obs.collaboration._cache]
    timings: dict[str, float] = {}
    try:
        for label, compute in (steps(obs) if only is None else only):
            if progress:
                progress(label)
            started = time.perf_counter()
            compute()
            timings[label] = round(time.perf_counter() - started, 3)
            for cache in caches:
                for name, value in cache.national().items():
                    if name not in writer.entries:
                        writer.add(name, value, step=label)
        folder = writer.commit(timings)
    except BaseException:
        writer.abandon()
        raise
    return DeriveReport(str(folder), timings, len(writer.entries))
