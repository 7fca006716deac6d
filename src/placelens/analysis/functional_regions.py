"""Functional economic regions from commuting flows (docs/methods/functional_regions.md).

``ttwa`` implements the ONS Travel To Work Area method (Coombes & Bond 2008): every unit starts
as a proto-area; the proto-area furthest from valid is dissolved and each of its units joins
the area it is most tied to, T_ij²/(R_i W_j) + T_ji²/(R_j W_i); this repeats until every area
is valid. Valid means at least ``min_size`` residents in work and self-containment (the
smaller of supply- and demand-side) of at least 0.75, falling linearly to 0.667 for areas of
``target_size`` (25,000) or more.

The loop is incremental: an area's residents, jobs and internal flow are updated as units
move, and a unit's ties to areas come from its own row and column of the sparse flow matrix,
so each dissolution costs about the flows of the units moved. With n units and m non-zero
flows the whole run is O(n·(d + log n)) for average unit degree d (O(m + n log n) when areas
dissolve once), and memory O(m).
"""

from __future__ import annotations

import heapq
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from placelens.analysis.communities import leiden_ensemble
from placelens.errors import DataFormatError

if TYPE_CHECKING:  # imported where used: a profile reads stored regions (0.09 s to import)
    import scipy.sparse


@dataclass(frozen=True)
class TTWAOptions:
    min_size: float = 3_500        # residents in work an area needs
    target_size: float = 25_000    # size from which the lower self-containment applies
    min_containment: float = 0.667
    target_containment: float = 0.75


@dataclass
class FlowTable:
    """Commuting flows between units: ``flows[i, j]`` people living in i and working in j
    (the diagonal: living and working in one unit). ``residents[i]`` counts everyone in work
    living in i (also those working outside the units), ``jobs[j]`` everyone working in j."""

    units: pd.Index
    flows: scipy.sparse.csr_matrix
    residents: np.ndarray
    jobs: np.ndarray


def flow_table(frame: pd.DataFrame, origin: str = "origin", destination: str = "destination",
               count: str = "count", source: str = "flow table",
               residents: pd.Series | None = None, jobs: pd.Series | None = None
               ) -> FlowTable:
    """A checked flow table from rows (origin, destination, count).

    Errors name the row: missing columns, blank codes, negative or non-numeric counts,
    duplicated origin–destination pairs, and destinations that are not units. Residents and
    jobs default to the row and column sums of the flows.

    Parameters
    ----------
    frame
        Rows of flows.
    origin, destination, count
        Column names in ``frame``.
    source
        Name of the source, for error messages.
    residents, jobs
        Optional residents in work and jobs per unit (default: row and column sums).

    Returns
    -------
    FlowTable
        Units, the flow matrix, residents in work and jobs.
    """
    missing = [c for c in (origin, destination, count) if c not in frame.columns]
    if missing:
        raise DataFormatError(source, f"missing column(s) {missing}; columns are "
                              f"{list(frame.columns)}", row=1)
    values = pd.to_numeric(frame[count], errors="coerce")
    for bad, message in ((values.isna(), "count is not a number"),
                         (~np.isfinite(values.fillna(0)), "count is not finite"),
                         (values < 0, "count is negative")):
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataFormatError(source, message, row=row + 2, column=count)
    blank = frame[origin].astype(str).str.strip().eq("") | frame[destination].astype(
        str).str.strip().eq("")
    if blank.any():
        raise DataFormatError(source, "blank unit code",
                              row=int(np.flatnonzero(blank.to_numpy())[0]) + 2)
    duplicated = frame.duplicated([origin, destination])
    if duplicated.any():
        row = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise DataFormatError(source, f"flow {frame[origin].iloc[row]} → "
                              f"{frame[destination].iloc[row]} appears twice", row=row + 2)
    units = pd.Index(sorted(set(frame[origin])))
    unknown = ~frame[destination].isin(units)
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataFormatError(source, f"destination {frame[destination].iloc[row]!r} is not "
                              "an origin unit (drop flows to places outside the study area, "
                              "or count them in residents)", row=row + 2, column=destination)
    import scipy.sparse
    i = units.get_indexer(frame[origin])
    j = units.get_indexer(frame[destination])
    matrix = scipy.sparse.csr_matrix((values.to_numpy(dtype="float64"), (i, j)),
                                     shape=(len(units), len(units)))
    res = np.asarray(matrix.sum(axis=1)).ravel() if residents is None else \
        residents.reindex(units).fillna(0).to_numpy(dtype="float64")
    job = np.asarray(matrix.sum(axis=0)).ravel() if jobs is None else \
        jobs.reindex(units).fillna(0).to_numpy(dtype="float64")
    return FlowTable(units, matrix, res, job)


METHODS = ("ttwa", "leiden")


def required_containment(size: float, options: TTWAOptions = TTWAOptions()) -> float:
    """The self-containment an area of ``size`` residents in work needs (the linear
    trade-off between min_size and target_size).

    Parameters
    ----------
    size
        Residents in work of the area.
    options
        The size and self-containment criteria.

    Returns
    -------
    float
        The self-containment it needs.

    References
    ----------
    Coombes & Bond (2008), *Travel-to-Work Areas: the 2007 review*, ONS.
    """
    capped = min(max(size, options.min_size), options.target_size)
    share = (capped - options.min_size) / (options.target_size - options.min_size)
    return options.target_containment - share * (options.target_containment -
                                                 options.min_containment)


def validity(containment: float, size: float, options: TTWAOptions = TTWAOptions()) -> float:
    """1 or more when valid; below 1, how far short the area is on its weaker criterion.

    Parameters
    ----------
    containment
        The area's weaker self-containment (supply or demand side).
    size
        Residents in work.
    options
        The size and self-containment criteria.

    Returns
    -------
    float
        At least 1 when the area meets the criteria.

    References
    ----------
    Coombes & Bond (2008), *Travel-to-Work Areas: the 2007 review*, ONS.
    """
    return min(containment / required_containment(size, options), size / options.min_size)


class _Areas:
    """Areas with their residents, jobs and internal flow, updated as units move."""

    def __init__(self, table: FlowTable):
        self.table = table
        n = len(table.units)
        self.area_of = np.arange(n)
        self.members: dict[int, set[int]] = {i: {i} for i in range(n)}
        self.residents = table.residents.copy()
        self.jobs = table.jobs.copy()
        self.internal = table.flows.diagonal().copy()
        self.out_rows = table.flows
        self.in_rows = table.flows.T.tocsr()

    def containment(self, area: int) -> float:
        supply = self.internal[area] / self.residents[area] if self.residents[area] else 0.0
        demand = self.internal[area] / self.jobs[area] if self.jobs[area] else 0.0
        return min(supply, demand)

    def ties(self, unit: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(areas, flows from the unit to each, flows from each to the unit), self-flow
        excluded, computed with array operations on the unit's row and column."""
        out_row, in_row = self.out_rows, self.in_rows
        out_cols = out_row.indices[out_row.indptr[unit]:out_row.indptr[unit + 1]]
        out_vals = out_row.data[out_row.indptr[unit]:out_row.indptr[unit + 1]]
        in_cols = in_row.indices[in_row.indptr[unit]:in_row.indptr[unit + 1]]
        in_vals = in_row.data[in_row.indptr[unit]:in_row.indptr[unit + 1]]
        keep_out, keep_in = out_cols != unit, in_cols != unit
        areas_out = self.area_of[out_cols[keep_out]]
        areas_in = self.area_of[in_cols[keep_in]]
        areas, inverse = np.unique(np.concatenate([areas_out, areas_in]), return_inverse=True)
        split = len(areas_out)
        out_sum = np.bincount(inverse[:split], weights=out_vals[keep_out],
                              minlength=len(areas))
        in_sum = np.bincount(inverse[split:], weights=in_vals[keep_in], minlength=len(areas))
        return areas, out_sum, in_sum

    def move(self, unit: int, target: int) -> None:
        source = int(self.area_of[unit])
        areas, out_sum, in_sum = self.ties(unit)
        position = {int(a): k for k, a in enumerate(areas)}
        tie_to = lambda area: (out_sum[position[area]] + in_sum[position[area]]  # noqa: E731
                               if area in position else 0.0)
        own = self.table.flows[unit, unit]
        self.internal[source] -= own + tie_to(source)
        self.internal[target] += own + tie_to(target)
        for area, sign in ((source, -1), (target, 1)):
            self.residents[area] += sign * self.table.residents[unit]
            self.jobs[area] += sign * self.table.jobs[unit]
        self.members[source].discard(unit)
        self.members[target].add(unit)
        self.area_of[unit] = target
        if not self.members[source]:
            del self.members[source]

    def best_area(self, unit: int, leaving: int) -> int | None:
        """The area (other than ``leaving``) maximising T_ij²/(R_i W_j) + T_ji²/(R_j W_i);
        ties go to the lowest area number, so results are deterministic."""
        areas, out_sum, in_sum = self.ties(unit)
        others = areas != leaving
        areas, out_sum, in_sum = areas[others], out_sum[others], in_sum[others]
        if not len(areas):
            return None
        r_i, w_i = self.table.residents[unit], self.table.jobs[unit]
        r_j, w_j = self.residents[areas], self.jobs[areas]
        with np.errstate(divide="ignore", invalid="ignore"):
            score = np.nan_to_num(out_sum ** 2 / (r_i * w_j)) + \
                np.nan_to_num(in_sum ** 2 / (r_j * w_i))
        if score.max() <= 0:
            return None
        return int(areas[np.flatnonzero(score == score.max())[0]])


def ttwa(table: FlowTable, options: TTWAOptions = TTWAOptions(),
         progress: Callable[[int], None] | None = None) -> pd.Series:
    """Region of every unit, labelled by its main employment centre (the member with most
    jobs).

    Units with no flows to any other area cannot join one; they stay alone, and their region
    is reported as not meeting the criteria rather than looping for ever.

    Parameters
    ----------
    table
        A checked :class:`FlowTable`.
    options
        The size and self-containment criteria.
    progress
        Called with the number of areas left after each dissolution (for progress bars).

    Returns
    -------
    pandas.Series
        Region of every unit, labelled by its member with most jobs.

    References
    ----------
    Coombes & Bond (2008), *Travel-to-Work Areas: the 2007 review*, ONS.
    """
    areas = _Areas(table)
    stuck: set[int] = set()
    heap = [(validity(areas.containment(a), areas.residents[a], options), a)
            for a in areas.members]
    heapq.heapify(heap)
    while heap:
        score, area = heapq.heappop(heap)
        if area not in areas.members or area in stuck:
            continue
        current = validity(areas.containment(area), areas.residents[area], options)
        if abs(current - score) > 1e-12:
            heapq.heappush(heap, (current, area))  # stale entry: requeue with today's score
            continue
        if current >= 1:
            break  # the furthest-from-valid area is valid, so all are
        touched = set()
        for unit in sorted(areas.members[area]):
            best = areas.best_area(unit, area)
            if best is not None:
                areas.move(unit, best)
                touched.add(best)
        if area in areas.members:  # some units had nowhere to go
            stuck.add(area)
        if progress is not None:
            progress(len(areas.members))
        for other in touched:
            heapq.heappush(heap, (validity(areas.containment(other), areas.residents[other],
                                           options), other))
    labels = {area: table.units[main_centre(table, np.fromiter(members, int))]
              for area, members in areas.members.items()}
    return pd.Series([labels[int(a)] for a in areas.area_of], index=table.units, name="region")


def main_centre(table: FlowTable, members: np.ndarray) -> int:
    """The member with most jobs (ties: the lowest unit number): a region is named after
    where its people work, not its largest suburb.

    Parameters
    ----------
    table
        A checked :class:`FlowTable`.
    members
        Unit positions of one region.

    Returns
    -------
    int
        Position of the main employment centre.
    """
    members = np.sort(members)
    return int(members[np.argmax(table.jobs[members])])


def region_stats(table: FlowTable, regions: pd.Series, options: TTWAOptions = TTWAOptions()
                 ) -> pd.DataFrame:
    """Per region: members, residents in work, jobs, supply- and demand-side
    self-containment, the containment it needed, and whether it meets the criteria.

    Parameters
    ----------
    table
        A checked :class:`FlowTable`.
    regions
        Region of every unit.
    options
        The size and self-containment criteria.

    Returns
    -------
    pandas.DataFrame
        Per region: members, residents_in_work, jobs, supply_containment, demand_containment,
        required and valid.
    """
    import scipy.sparse
    codes = regions.reindex(table.units)
    labels, index = pd.factorize(codes)
    membership = scipy.sparse.csr_matrix((np.ones(len(labels)), (labels, np.arange(
        len(labels)))), shape=(len(index), len(labels)))
    between = (membership @ table.flows @ membership.T).diagonal()
    residents = membership @ table.residents
    jobs = membership @ table.jobs
    out = pd.DataFrame({"members": np.asarray(membership.sum(axis=1)).ravel().astype(int),
                        "residents_in_work": residents, "jobs": jobs,
                        "supply_containment": between / residents,
                        "demand_containment": between / jobs}, index=index)
    out["required"] = [required_containment(s, options) for s in out["residents_in_work"]]
    out["valid"] = (out[["supply_containment", "demand_containment"]].min(axis=1)
                    >= out["required"] - 1e-12) & (out["residents_in_work"] >= options.min_size)
    out.index.name = "region"
    return out


def leiden_regions(table: FlowTable, resolution: float = 1.0, runs: int = 20, seed: int = 0
                   ) -> pd.DataFrame:
    """Community detection alternative: Leiden (modularity with a resolution parameter) on
    the undirected commuting graph, edge weight T_ij + T_ji. Self-flows are left out of the
    graph (they would only add to a unit's own degree) but count in the reported
    self-containment. A seeded ensemble of ``runs`` keeps the best partition and gives each
    unit a stability (see :func:`placelens.analysis.communities.leiden_ensemble`). Each
    region is labelled by its main employment centre (:func:`main_centre`).

    Parameters
    ----------
    table
        A checked :class:`FlowTable`.
    resolution
        Modularity resolution (higher = more, smaller regions).
    runs, seed
        Number of seeded runs and the first seed.

    Returns
    -------
    pandas.DataFrame
        Per unit: region (labelled by its member with most jobs) and stability.

    References
    ----------
    Traag, Waltman & van Eck (2019), "From Louvain to Leiden", *Scientific Reports* 9.
    """
    symmetric = (table.flows + table.flows.T).tocoo()
    keep = symmetric.row < symmetric.col
    found = leiden_ensemble(len(table.units), symmetric.row[keep], symmetric.col[keep],
                            symmetric.data[keep], resolution=resolution, runs=runs, seed=seed)
    names = {}
    for community in np.unique(found.membership):
        members = np.flatnonzero(found.membership == community)
        names[community] = table.units[main_centre(table, members)]
    return pd.DataFrame({"region": [names[c] for c in found.membership],
                         "stability": found.stability}, index=table.units)
