"""A synthetic firm-level business register for tests and benchmarks (docs/scale.md): nothing
real is needed to exercise the aggregations at the scale of a national register.

The skew is what makes such data hard to aggregate and to protect, so it is built in:

* places differ in size by a log-normal law (a few large cities, many small districts);
* each place leans towards some activities: its activity mix is the national mix times a
  log-normal factor per place and activity, so location quotients spread as they do in BRES;
* firm employment is log-normal with a heavy tail (most firms employ a handful, a few
  thousands), so dominance suppression bites in small cells;
* firms are born and die over the years and their employment drifts from year to year.

Everything is drawn from one seeded generator, so a register is the same every time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from placelens.errors import InputError

#: The 88 divisions of SIC 2007, the activities of a synthetic register by default.
SIC_DIVISIONS = tuple(f"{d:02d}" for d in (
    *range(1, 4), *range(5, 10), *range(10, 34), *range(35, 40), *range(41, 44),
    *range(45, 48), *range(49, 54), 55, 56, *range(58, 64), *range(64, 67), 68,
    *range(69, 76), *range(77, 83), 84, 85, *range(86, 89), *range(90, 94), *range(94, 97),
    97, 98, 99))


def register_chunks(firms: int, years: Sequence[int], areas: Sequence[str],
                    activities: Sequence[str], seed: int = 0,
                    firms_per_chunk: int = 200_000) -> Iterator[pd.DataFrame]:
    """The register as data frames of ``firms_per_chunk`` firms each (all their years).

    Parameters
    ----------
    firms
        Number of firms.
    years
        The years covered; a firm appears in the years from its birth to its death.
    areas
        Area codes (GSS codes of districts, say).
    activities
        Activity codes (SIC 2007 divisions, say).
    seed
        The random seed.
    firms_per_chunk
        Firms per frame, to bound memory.

    Returns
    -------
    iterator of pandas.DataFrame
        Columns ``firm_id, year, area_code, activity, employment``
        (:data:`placelens.scale.aggregations.REGISTER_COLUMNS`).
    """
    if firms < 1 or not years or not areas or not activities:
        raise InputError("firms", "A register needs firms, years, areas and activities")
    rng = np.random.default_rng(seed)
    area_weight = rng.lognormal(0.0, 1.0, len(areas))
    national = rng.lognormal(0.0, 1.0, len(activities))
    lean = national * rng.lognormal(0.0, 0.8, (len(areas), len(activities)))
    mix = np.cumsum(lean / lean.sum(axis=1, keepdims=True), axis=1)
    area_codes = pd.Categorical(list(areas))
    activity_codes = pd.Categorical(list(activities))
    year_values = np.asarray(sorted(years), dtype=np.int16)
    for first in range(0, firms, firms_per_chunk):
        count = min(firms_per_chunk, firms - first)
        yield _chunk(rng, first, count, year_values, area_weight / area_weight.sum(), mix,
                     area_codes, activity_codes)


def _chunk(rng: np.random.Generator, first: int, count: int, years: np.ndarray,
           area_share: np.ndarray, mix: np.ndarray, area_codes: pd.Categorical,
           activity_codes: pd.Categorical) -> pd.DataFrame:
    """One chunk of firms with every year they are alive."""
    area = rng.choice(len(area_share), size=count, p=area_share)
    activity = (rng.random(count)[:, None] > mix[area]).sum(axis=1)
    activity = np.minimum(activity, mix.shape[1] - 1)
    size = rng.lognormal(1.0, 1.3, count)
    span = len(years)
    born = rng.integers(-span // 2, span, count)          # some before the first year
    lives = rng.geometric(1 / max(2, span / 2), count)     # years alive
    start, end = np.maximum(born, 0), np.minimum(born + lives, span)
    alive = np.maximum(end - start, 0)
    firm = np.repeat(np.arange(first, first + count, dtype=np.int64), alive)
    offset = np.arange(alive.sum()) - np.repeat(np.cumsum(alive) - alive, alive)
    year_index = np.repeat(start, alive) + offset
    drift = np.exp(rng.normal(0.0, 0.15, len(firm)))
    employment = np.maximum(1, np.rint(np.repeat(size, alive) * drift)).astype(np.int32)
    index = firm - first
    return pd.DataFrame({
        "firm_id": firm, "year": years[year_index],
        "area_code": pd.Categorical.from_codes(area[index], dtype=area_codes.dtype),
        "activity": pd.Categorical.from_codes(activity[index], dtype=activity_codes.dtype),
        "employment": employment})


def write_register(folder: Path, firms: int, years: Sequence[int], areas: Sequence[str],
                   activities: Sequence[str], seed: int = 0) -> int:
    """Write the register as Parquet files in ``folder`` (one per chunk); returns the rows.

    Parameters
    ----------
    folder
        Where to write ``part-NNNNN.parquet`` files (made if missing; old parts removed).
    firms, years, areas, activities, seed
        As for :func:`register_chunks`.

    Returns
    -------
    int
        Rows written (firm-years).
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("part-*.parquet"):
        old.unlink()
    rows = 0
    for number, chunk in enumerate(register_chunks(firms, years, areas, activities, seed)):
        chunk.astype({"area_code": str, "activity": str}).to_parquet(
            folder / f"part-{number:05d}.parquet", index=False)
        rows += len(chunk)
    return rows
