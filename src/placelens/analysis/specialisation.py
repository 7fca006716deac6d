"""Specialisation and structure of places (docs/methods/specialisation.md).

Every function takes ``x``: a DataFrame of an additive quantity (jobs, GVA, businesses) with
areas as rows and activities as columns. NaN marks a cell the publisher suppressed or omitted;
``missing="exclude"`` (the default) leaves such cells out of every sum and gives NaN results
for them, while ``missing="zero"`` treats them as zero. Negative values are rejected.

Where cells are suppressed, pass ``totals`` (each area's published all-activity total) so that
shares and LQs of the published cells keep their true denominator. Whole-structure indices
(Krugman, Hachman, Shannon, variety) need every cell and are NaN for incomplete rows.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd


def _checked(x: pd.DataFrame, name: str = "x", missing: str = "exclude") -> pd.DataFrame:
    if missing not in ("exclude", "zero"):
        raise ValueError(f"missing must be 'exclude' or 'zero', not {missing!r}")
    values = x.astype("float64")
    negative = values.lt(0).stack()
    if negative.any():
        area, activity = negative[negative].index[0]
        raise ValueError(f"{name} has a negative value at area {area!r}, activity {activity!r}; "
                         "specialisation measures need non-negative additive quantities")
    return values.fillna(0.0) if missing == "zero" else values


def shares(x: pd.DataFrame, missing: str = "exclude",
           totals: pd.Series | None = None) -> pd.DataFrame:
    """s_ri = x_ri / sum_i x_ri (or x_ri / totals_r): each activity's share of the area."""
    values = _checked(x, missing=missing)
    denominator = values.sum(axis=1, min_count=1) if totals is None else \
        totals.reindex(values.index).astype("float64")
    return values.div(denominator.where(denominator > 0), axis=0)


def national_shares(x: pd.DataFrame, reference: pd.Series | None = None,
                    missing: str = "exclude", totals: pd.Series | None = None) -> pd.Series:
    """s_i = sum_r x_ri / sum_ri x_ri (or / sum_r totals_r), or the shares of ``reference``
    totals by activity (use it when ``x`` holds only some of the nation's areas; a
    ``reference`` with a ``"__total__"`` entry uses it as the national denominator)."""
    if reference is not None:
        reference = reference.astype("float64")
        denominator = reference.get("__total__", reference.drop("__total__", errors="ignore")
                                    .sum())
        return reference.reindex(x.columns) / denominator
    column_sums = _checked(x, missing=missing).sum(axis=0)
    denominator = column_sums.sum() if totals is None else float(totals.sum())
    return column_sums / denominator


def location_quotients(x: pd.DataFrame, reference: pd.Series | None = None,
                       missing: str = "exclude", totals: pd.Series | None = None
                       ) -> pd.DataFrame:
    """LQ_ri = s_ri / s_i (also called RCA). NaN where the cell is missing or s_i = 0."""
    national = national_shares(x, reference, missing, totals)
    return shares(x, missing, totals).div(national.where(national > 0), axis=1)


def krugman_index(x: pd.DataFrame, reference: pd.Series | None = None,
                  missing: str = "exclude") -> pd.Series:
    """K_r = sum_i |s_ri - s_i|: 0 for the national structure, up to 2 for a disjoint one."""
    diff = shares(x, missing).sub(national_shares(x, reference, missing), axis=1).abs()
    return diff.sum(axis=1, skipna=False).rename("krugman")


def hachman_index(x: pd.DataFrame, reference: pd.Series | None = None,
                  missing: str = "exclude") -> pd.Series:
    """HI_r = 1 / sum_i LQ_ri s_ri: 1 for the national structure, towards 0 when specialised."""
    share = shares(x, missing)
    weighted = location_quotients(x, reference, missing) * share
    weighted = weighted.mask(share == 0, 0.0)  # activities absent nationally contribute 0
    return (1.0 / weighted.sum(axis=1, skipna=False)).rename("hachman")


def _entropy_terms(p: pd.DataFrame, log) -> pd.DataFrame:
    """-p log p with 0 log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = -p * log(p)
    return terms.where(p > 0, 0.0).where(p.notna())


def shannon_diversity(x: pd.DataFrame, missing: str = "exclude") -> pd.Series:
    """H_r = -sum_i s_ri ln s_ri (natural log)."""
    return _entropy_terms(shares(x, missing), np.log).sum(axis=1, skipna=False).rename("shannon")


def variety(x: pd.DataFrame, groups: Mapping[str, str], missing: str = "exclude") -> pd.DataFrame:
    """Unrelated and related variety (Frenken, van Oort & Verburg 2007), in bits.

    ``groups`` maps each activity (column) to its group, e.g. SIC 4-digit class → 2-digit
    division. UV = sum_g P_g log2(1/P_g); RV = sum_g P_g H_g with
    H_g = sum_{i in g} (p_i/P_g) log2(P_g/p_i). Their sum is the total entropy in bits.
    """
    unknown = [c for c in x.columns if c not in groups]
    if unknown:
        raise ValueError(f"groups has no group for activities {unknown[:5]}")
    p = shares(x, missing)
    group_of = pd.Series({c: groups[c] for c in x.columns})
    big_p = p.T.groupby(group_of).sum(min_count=1).T.where(p.notna().all(axis=1), axis=0)
    unrelated = _entropy_terms(big_p, np.log2).sum(axis=1, skipna=False)
    within = p.div(big_p.reindex(columns=group_of.to_numpy()).set_axis(p.columns, axis=1))
    within = within.mask(p == 0, 0.0)  # a group absent from the area adds no entropy
    h_terms = _entropy_terms(within, np.log2)
    h_g = h_terms.T.groupby(group_of).sum(min_count=1).T
    related = (big_p * h_g).sum(axis=1, skipna=False)
    total = _entropy_terms(p, np.log2).sum(axis=1, skipna=False)
    return pd.DataFrame({"unrelated_variety": unrelated, "related_variety": related,
                         "entropy_bits": total})


def shift_share(start: pd.DataFrame, end: pd.DataFrame, missing: str = "exclude") -> pd.DataFrame:
    """Three-part shift-share of the change from ``start`` to ``end`` (same areas × activities).

    national = e0 g_N; industry_mix = e0 (g_i - g_N); local = change - national - industry_mix,
    which equals e0 (g_ri - g_i) wherever e0 > 0 and keeps the identity exact for activities
    that start from zero. Growth rates use only cells observed in both periods.
    Returns one row per area × activity with start, end, change and the three parts.
    """
    if not start.index.equals(end.index) or not start.columns.equals(end.columns):
        start, end = start.align(end, join="outer")
    e0, e1 = _checked(start, "start", missing), _checked(end, "end", missing)
    both = e0.notna() & e1.notna()
    e0, e1 = e0.where(both), e1.where(both)
    total0, total1 = e0.sum().sum(), e1.sum().sum()
    if total0 <= 0:
        raise ValueError("start has no positive total; shift-share needs a base")
    g_national = (total1 - total0) / total0
    col0, col1 = e0.sum(axis=0), e1.sum(axis=0)
    g_activity = ((col1 - col0) / col0.where(col0 > 0)).fillna(g_national)
    national = e0 * g_national
    mix = e0.mul(g_activity - g_national, axis=1)
    change = e1 - e0
    local = change - national - mix
    parts = {"start": e0, "end": e1, "change": change, "national": national,
             "industry_mix": mix, "local": local}
    long = pd.concat({k: v.stack(future_stack=True) for k, v in parts.items()}, axis=1)
    long.index.names = ["area", "activity"]
    return long.reset_index()


def shift_share_by_area(parts: pd.DataFrame) -> pd.DataFrame:
    """Sum shift-share parts (from :func:`shift_share`) to one row per area."""
    columns = ["start", "end", "change", "national", "industry_mix", "local"]
    return parts.groupby("area")[columns].sum(min_count=1)


def specialisation_summary(x: pd.DataFrame, reference: pd.Series | None = None,
                           missing: str = "exclude") -> pd.DataFrame:
    """Per-area structure indicators: total, Krugman, Hachman, Shannon and the number of
    activities with LQ >= 1."""
    lq = location_quotients(x, reference, missing)
    return pd.DataFrame({
        "total": _checked(x, missing=missing).sum(axis=1, min_count=1),
        "krugman": krugman_index(x, reference, missing),
        "hachman": hachman_index(x, reference, missing),
        "shannon": shannon_diversity(x, missing),
        "specialisations": (lq >= 1).sum(axis=1),
    })
