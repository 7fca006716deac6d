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
    """Each activity's share of its area, s_ri = x_ri / X_r.

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.
    totals
        Each area's published all-activity total, the denominator of its shares when cells
        are suppressed; default: the sum of the area's cells.

    Returns
    -------
    pandas.DataFrame
        Areas × activities of shares (NaN where the cell or the area total is missing).
    """
    values = _checked(x, missing=missing)
    denominator = values.sum(axis=1, min_count=1) if totals is None else \
        totals.reindex(values.index).astype("float64")
    return values.div(denominator.where(denominator > 0), axis=0)


def national_shares(x: pd.DataFrame, reference: pd.Series | None = None,
                    missing: str = "exclude", totals: pd.Series | None = None) -> pd.Series:
    """The reference shares s_i of each activity: column sums of ``x`` over their total, or
    the shares of ``reference``.

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    reference
        National totals by activity (with an optional ``"__total__"``), when ``x`` holds
        only some of the nation's areas; default: the column sums of ``x``.
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.
    totals
        Each area's published all-activity total, the denominator of its shares when cells
        are suppressed; default: the sum of the area's cells.

    Returns
    -------
    pandas.Series
        One share per activity of ``x``.
    """
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
    """Location quotients LQ_ri = s_ri / s_i (also called RCA): above 1, the area is
    relatively specialised in the activity.

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    reference
        National totals by activity (with an optional ``"__total__"``), when ``x`` holds
        only some of the nation's areas; default: the column sums of ``x``.
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.
    totals
        Each area's published all-activity total, the denominator of its shares when cells
        are suppressed; default: the sum of the area's cells.

    Returns
    -------
    pandas.DataFrame
        Areas × activities; NaN where the cell is missing or the activity is absent from the
        reference.

    References
    ----------
    Balassa (1965), "Trade liberalisation and revealed comparative advantage".
    """
    national = national_shares(x, reference, missing, totals)
    return shares(x, missing, totals).div(national.where(national > 0), axis=1)


def krugman_index(x: pd.DataFrame, reference: pd.Series | None = None,
                  missing: str = "exclude") -> pd.Series:
    """Krugman dissimilarity K_r = Σ_i |s_ri − s_i|: 0 for the reference structure, up to 2
    for an area with no activity in common with it.

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    reference
        National totals by activity (with an optional ``"__total__"``), when ``x`` holds
        only some of the nation's areas; default: the column sums of ``x``.
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.

    Returns
    -------
    pandas.Series
        ``krugman`` per area (NaN where any cell is missing).

    References
    ----------
    Krugman (1991), *Geography and Trade*.
    """
    diff = shares(x, missing).sub(national_shares(x, reference, missing), axis=1).abs()
    return diff.sum(axis=1, skipna=False).rename("krugman")


def hachman_index(x: pd.DataFrame, reference: pd.Series | None = None,
                  missing: str = "exclude") -> pd.Series:
    """Hachman index HI_r = 1 / Σ_i LQ_ri s_ri: 1 for the reference structure, towards 0 when
    the area concentrates in activities that are rare in the reference.

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    reference
        National totals by activity (with an optional ``"__total__"``), when ``x`` holds
        only some of the nation's areas; default: the column sums of ``x``.
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.

    Returns
    -------
    pandas.Series
        ``hachman`` per area (NaN where any cell is missing).
    """
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
    """Shannon diversity H_r = −Σ_i s_ri ln s_ri (0 ln 0 = 0).

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.

    Returns
    -------
    pandas.Series
        ``shannon`` per area in nats (NaN where any cell is missing).
    """
    return _entropy_terms(shares(x, missing), np.log).sum(axis=1, skipna=False).rename("shannon")


def variety(x: pd.DataFrame, groups: Mapping[str, str], missing: str = "exclude") -> pd.DataFrame:
    """Unrelated and related variety, in bits: UV = Σ_g P_g log₂(1/P_g) between groups and
    RV = Σ_g P_g H_g within them, H_g = Σ_(i∈g) (p_i/P_g) log₂(P_g/p_i); UV + RV is the total
    entropy.

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    groups
        Activity (column) → group, e.g. SIC class → division, or industry → section.
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.

    Returns
    -------
    pandas.DataFrame
        Per area: ``unrelated_variety``, ``related_variety`` and ``entropy_bits``.

    References
    ----------
    Frenken, van Oort & Verburg (2007), "Related variety, unrelated variety and regional
    economic growth", *Regional Studies* 41(5).
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
    """Three-part shift-share of the change from ``start`` to ``end``.

    national = e0 g_N; industry_mix = e0 (g_i − g_N); local = change − national −
    industry_mix, which equals e0 (g_ri − g_i) where e0 > 0 and keeps the identity exact for
    activities that start from zero. Growth rates use only cells observed in both periods.

    Parameters
    ----------
    start, end
        Areas × activities in the two years (aligned on both axes if they differ).
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.

    Returns
    -------
    pandas.DataFrame
        One row per area × activity: start, end, change, national, industry_mix, local.

    References
    ----------
    Dunn (1960), "A statistical and analytical technique for regional analysis".
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
    """Shift-share parts summed to one row per area.

    Parameters
    ----------
    parts
        The long table of :func:`shift_share`.

    Returns
    -------
    pandas.DataFrame
        Per area: start, end, change, national, industry_mix and local.
    """
    columns = ["start", "end", "change", "national", "industry_mix", "local"]
    return parts.groupby("area")[columns].sum(min_count=1)


def specialisation_summary(x: pd.DataFrame, reference: pd.Series | None = None,
                           missing: str = "exclude") -> pd.DataFrame:
    """Structure indicators per area: total, Krugman, Hachman, Shannon and the number of
    activities with LQ ≥ 1.

    Parameters
    ----------
    x
        Areas × activities of an additive, non-negative quantity (NaN = suppressed).
    reference
        National totals by activity (with an optional ``"__total__"``), when ``x`` holds
        only some of the nation's areas; default: the column sums of ``x``.
    missing
        ``"exclude"`` (suppressed cells left out, results NaN where they are needed) or
        ``"zero"``.

    Returns
    -------
    pandas.DataFrame
        Per area: total, krugman, hachman, shannon, specialisations.
    """
    lq = location_quotients(x, reference, missing)
    return pd.DataFrame({
        "total": _checked(x, missing=missing).sum(axis=1, min_count=1),
        "krugman": krugman_index(x, reference, missing),
        "hachman": hachman_index(x, reference, missing),
        "shannon": shannon_diversity(x, missing),
        "specialisations": (lq >= 1).sum(axis=1),
    })
