"""Many profiles at once: one worker process per core, each with its own observatory.

A profile is mostly single-threaded Python (tables, chart specs, vl-convert, WeasyPrint), so
the 361 district profiles of ``make demo`` run in parallel processes. Each worker opens the
warehouse itself (a DuckDB connection must not cross a fork) and reads the derived national
tables, so its first profile costs little more than the next."""

from __future__ import annotations

import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path

from placelens.geography.places import Place

_builder = None  # the worker's ProfileBuilder


def _start_worker(warehouse: str) -> None:
    global _builder
    from placelens.api import Observatory
    from placelens.report.profile import ProfileBuilder

    _builder = ProfileBuilder(Observatory(warehouse))


def _write_one(place: Place, out: Path, pdf: bool, charts_mode: str) -> dict[str, Path]:
    assert _builder is not None, "worker not started"
    return _builder.write(place, out, pdf=pdf, charts_mode=charts_mode)


def write_profiles(warehouse: Path, places: list[Place], out: Path, pdf: bool, jobs: int,
                   charts_mode: str = "svg") -> Iterator[tuple[Place, dict[str, Path]]]:
    """Write the profiles of ``places`` into ``out`` with ``jobs`` worker processes, yielding
    each place and its files as it is finished (in no fixed order).

    Parameters
    ----------
    warehouse
        The warehouse file every worker opens.
    places
        Places to profile.
    out
        Output folder.
    pdf
        Also write the brief and full profile as PDFs.
    jobs
        Worker processes (at least 1).
    charts_mode
        How the HTML pages draw their charts (:data:`placelens.report.charts.CHART_MODES`).

    Raises
    ------
    RuntimeError
        When a profile fails; the message names the place (its cause is chained).
    """
    context = multiprocessing.get_context("spawn")  # no DuckDB handle inherited by a fork
    with ProcessPoolExecutor(max(1, jobs), mp_context=context, initializer=_start_worker,
                             initargs=(str(warehouse),)) as pool:
        futures = {pool.submit(_write_one, place, out, pdf, charts_mode): place for place in places}
        for future in as_completed(futures):
            place = futures[future]
            try:
                yield place, future.result()
            except Exception as error:
                for other in futures:
                    other.cancel()
                raise RuntimeError(f"the profile of {place.name} ({place.code}) failed: "
                                   f"{error}") from error
