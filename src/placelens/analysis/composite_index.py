"""A composite innovation index with the EU Regional Innovation Scoreboard method
(docs/methods/benchmarking.md).

Input is a long panel (area, period, indicator, value). Each indicator is treated over all
places and all years together: outliers beyond mean ± 2 SD are replaced by the most extreme
value that is not an outlier; an indicator whose skewness exceeds 1 is square-rooted; then it
is min–max normalised to 0–1 (reversed where lower is better). The index is the mean of a
place's normalised indicators; how many it had is reported, and places below a minimum
coverage are listed as insufficient rather than dropped. Performance groups compare the index
with the national average (= 100).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

GROUPS = [(125.0, "leader"), (100.0, "strong"), (70.0, "moderate"), (-np.inf, "emerging")]


@dataclass(frozen=True)
class IndexOptions:
    outlier_sd: float | None = 2.0       # None: no outlier treatment
    skew_threshold: float | None = 1.0   # None: never transform
    normalisation: str = "minmax"        # or "zscore" (a robustness alternative)
    min_coverage: float = 0.5            # share of indicators a place needs to be ranked


@dataclass
class Treatment:
    """What was done to one indicator, for the explanation a user reads."""

    indicator: str
    outliers_low: int
    outliers_high: int
    skewness: float
    square_root: bool
    minimum: float
    maximum: float
    polarity: int


@dataclass
class IndexResult:
    scores: pd.DataFrame          # area, period, index, indicators, coverage, sufficient
    normalised: pd.DataFrame      # (area, period) × indicator, 0–1, higher is better
    treatments: list[Treatment] = field(default_factory=list)


def treat_outliers(values: pd.Series, sd: float | None = 2.0) -> tuple[pd.Series, int, int]:
    """Replace values beyond mean ± ``sd`` standard deviations by the most extreme value
    inside that band, so one extreme place does not compress everyone else.

    Parameters
    ----------
    values
        One indicator over every place and year.
    sd
        Width of the band in standard deviations; None leaves the values as they are.

    Returns
    -------
    tuple
        The treated values, and how many were replaced low and high.
    """
    if sd is None or values.count() < 3:
        return values, 0, 0
    mean, std = values.mean(), values.std()
    low, high = mean - sd * std, mean + sd * std
    inside = values[(values >= low) & (values <= high)]
    too_low, too_high = values < low, values > high
    treated = values.mask(too_low, inside.min()).mask(too_high, inside.max())
    return treated, int(too_low.sum()), int(too_high.sum())


def transform_skewed(values: pd.Series, threshold: float | None = 1.0
                     ) -> tuple[pd.Series, float, bool]:
    """Square-root an indicator whose sample skewness exceeds ``threshold`` (after shifting
    it to start at 0 if any value is negative).

    Parameters
    ----------
    values
        One indicator over every place and year.
    threshold
        Skewness above which the square root is taken; None never transforms.

    Returns
    -------
    tuple
        The (possibly transformed) values, their skewness and whether they were rooted.
    """
    skewness = float(values.skew()) if values.count() >= 3 else 0.0
    if threshold is None or not skewness > threshold:
        return values, skewness, False
    shifted = values - min(values.min(), 0.0)
    return np.sqrt(shifted), skewness, True


def normalise(values: pd.Series, method: str = "minmax") -> pd.Series:
    """Min–max to 0–1 over every place and year, or a z-score (a robustness alternative).

    Parameters
    ----------
    values
        One treated indicator.
    method
        ``"minmax"`` or ``"zscore"``.

    Returns
    -------
    pandas.Series
        Normalised values (NaN when the indicator does not vary).
    """
    if method == "minmax":
        span = values.max() - values.min()
        return (values - values.min()) / span if span > 0 else values * np.nan
    if method == "zscore":
        std = values.std()
        return (values - values.mean()) / std if std > 0 else values * np.nan
    raise ValueError(f"normalisation must be 'minmax' or 'zscore', not {method!r}")


def normalised_indicators(panel: pd.DataFrame, polarity: dict[str, int] | None = None,
                          options: IndexOptions = IndexOptions()
                          ) -> tuple[pd.DataFrame, list[Treatment]]:
    """Treated, normalised indicators, higher always better.

    Parameters
    ----------
    panel
        Long panel with columns area, period, indicator, value (one value per triple).
    polarity
        Indicator → +1 (higher is better, the default) or −1.
    options
        Outlier rule, skewness threshold, normalisation and minimum coverage.

    Returns
    -------
    tuple
        (area, period) × indicator scores, and what was done to each indicator.
    """
    required = {"area", "period", "indicator", "value"}
    if not required <= set(panel.columns):
        raise ValueError(f"panel needs columns {sorted(required)}, has {list(panel.columns)}")
    duplicated = panel.duplicated(["area", "period", "indicator"])
    if duplicated.any():
        row = panel[duplicated].iloc[0]
        raise ValueError(f"panel has more than one value for {row['area']}, {row['period']}, "
                         f"{row['indicator']}")
    wide = panel.pivot(index=["area", "period"], columns="indicator", values="value")
    polarity = polarity or {}
    columns, treatments = {}, []
    for indicator in wide.columns:
        values = wide[indicator].astype("float64")
        treated, low, high = treat_outliers(values, options.outlier_sd)
        transformed, skewness, rooted = transform_skewed(treated, options.skew_threshold)
        scaled = normalise(transformed, options.normalisation)
        sign = polarity.get(indicator, 1)
        if sign < 0:
            scaled = (1 - scaled) if options.normalisation == "minmax" else -scaled
        columns[indicator] = scaled
        treatments.append(Treatment(indicator, low, high, skewness, rooted,
                                    float(values.min()), float(values.max()), sign))
    return pd.DataFrame(columns), treatments


def composite_index(panel: pd.DataFrame, polarity: dict[str, int] | None = None,
                    options: IndexOptions = IndexOptions(),
                    weights: dict[str, float] | None = None) -> IndexResult:
    """The composite index of every area and period: the (weighted) mean of its available
    normalised indicators, with how many it has and whether that reaches the minimum coverage.

    Parameters
    ----------
    panel
        Long panel with columns area, period, indicator, value (one value per triple).
    polarity
        Indicator → +1 (higher is better, the default) or −1.
    options
        Outlier rule, skewness threshold, normalisation and minimum coverage.
    weights
        Indicator → weight (1 by default).

    Returns
    -------
    IndexResult
        Scores (area, period, index, indicators, coverage, sufficient), the normalised
        table and the treatments.

    References
    ----------
    European Commission, *Regional Innovation Scoreboard* methodology report (2021, 2023).
    """
    normalised, treatments = normalised_indicators(panel, polarity, options)
    w = pd.Series(weights or {}, dtype="float64").reindex(normalised.columns).fillna(1.0)
    available = normalised.notna()
    weighted = normalised.fillna(0.0).mul(w, axis=1).sum(axis=1)
    weight_total = available.mul(w, axis=1).sum(axis=1)
    scores = pd.DataFrame({
        "index": weighted / weight_total.where(weight_total > 0),
        "indicators": available.sum(axis=1),
        "coverage": available.sum(axis=1) / normalised.shape[1]})
    scores["sufficient"] = scores["coverage"] >= options.min_coverage
    return IndexResult(scores.reset_index(), normalised, treatments)


def performance_groups(index: pd.Series, national: float | None = None) -> pd.DataFrame:
    """The index relative to the national average (= 100) and its RIS group: leader above
    125, strong above 100, moderate above 70, emerging at 70 or below.

    Parameters
    ----------
    index
        Index of the ranked areas.
    national
        The average to compare with; default the mean of ``index``.

    Returns
    -------
    pandas.DataFrame
        Per area: relative and group.
    """
    national = float(index.mean()) if national is None else national
    relative = index / national * 100
    labels = pd.Series("emerging", index=index.index)
    for threshold, label in reversed(GROUPS[:-1]):
        labels[relative > threshold] = label
    labels[relative.isna()] = None
    return pd.DataFrame({"relative": relative, "group": labels})


def like_for_like_change(normalised: pd.DataFrame, base_period: str, latest_period: str,
                         min_indicators: int = 1) -> pd.DataFrame:
    """Index change between two periods on the indicators an area has in **both**, decomposed
    by indicator.

    Comparing indices built from different baskets (an indicator present in one year and
    absent in the other) measures the basket, not the place. Here each area's change is the
    mean over its common indicators of (score in ``latest_period`` − score in
    ``base_period``); the contribution of indicator i is its difference divided by the number
    of common indicators, so contributions add up to the change.

    Parameters
    ----------
    normalised
        (area, period) × indicator normalised scores, as in :attr:`IndexResult.normalised`.
    base_period, latest_period
        The two periods to compare.
    min_indicators
        Areas with fewer common indicators get no change (NaN).

    Returns
    -------
    pandas.DataFrame
        Index area: ``change``, ``indicators_compared`` and one ``contribution: <indicator>``
        column per indicator (NaN where the indicator is not in both periods).
    """
    periods = set(normalised.index.get_level_values("period"))
    for period in (base_period, latest_period):
        if period not in periods:
            raise ValueError(f"period {period!r} is not in the index (periods: "
                             f"{sorted(periods)})")
    base = normalised.xs(base_period, level="period")
    latest = normalised.xs(latest_period, level="period").reindex(base.index)
    difference = latest - base  # NaN unless the indicator is in both periods
    compared = difference.notna().sum(axis=1)
    contributions = difference.div(compared.where(compared >= min_indicators), axis=0)
    out = pd.DataFrame({"change": contributions.sum(axis=1, min_count=1),
                        "indicators_compared": compared})
    return out.join(contributions.add_prefix("contribution: "))


def between_group_share(values: pd.Series, groups: pd.Series) -> float:
    """Share of the variance of ``values`` lying between ``groups``: 1 − within-group sum
    of squares / total sum of squares.

    Parameters
    ----------
    values
        A value per area.
    groups
        The group of each area (e.g. its NUTS3 region).

    Returns
    -------
    float
        1 when every group is uniform (the values say nothing within a group), NaN when
        the values do not vary.
    """
    frame = pd.DataFrame({"value": values, "group": groups}).dropna()
    total = ((frame["value"] - frame["value"].mean()) ** 2).sum()
    within = ((frame["value"] - frame.groupby("group")["value"].transform("mean")) ** 2).sum()
    return float(1 - within / total) if total > 0 else float("nan")


def perturbed_panel(panel: pd.DataFrame, standard_errors: pd.Series,
                    rng: np.random.Generator) -> pd.DataFrame:
    """The panel with normal sampling noise added; indicators that cannot be negative stay at
    least 0.

    Parameters
    ----------
    panel
        Long panel (area, period, indicator, value).
    standard_errors
        One standard error per panel row, in the indicator's units (NaN = none).
    rng
        The random generator (seeded by the caller).

    Returns
    -------
    pandas.DataFrame
        A copy of the panel with perturbed values.
    """
    noise = rng.standard_normal(len(panel)) * standard_errors.fillna(0.0).to_numpy()
    values = panel["value"].to_numpy(dtype="float64") + noise
    non_negative = panel.groupby("indicator")["value"].transform("min").to_numpy() >= 0
    return panel.assign(value=np.where(non_negative, np.maximum(values, 0.0), values))


def rank_intervals(panel: pd.DataFrame, period: str, polarity: dict[str, int] | None = None,
                   draws: int = 1000, seed: int = 0, options: IndexOptions = IndexOptions(),
                   standard_errors: pd.Series | None = None, replicates: int = 10
                   ) -> pd.DataFrame:
    """Uncertainty of each place's rank in ``period`` under alternative choices and data.

    Each draw picks an outlier rule (2 SD, 3 SD or none), a normalisation (min–max or
    z-score), random weights (each uniform between 0.5 and 1.5) and leaves out one indicator
    or none (each of the n + 1 choices equally likely); with ``standard_errors`` it also picks
    one of ``replicates`` copies of the data with sampling noise added. Places with sufficient
    coverage are ranked in every draw (1 = best).

    Parameters
    ----------
    panel
        Long panel (area, period, indicator, value).
    period
        The period ranked.
    polarity
        Indicator → +1 or −1.
    draws, seed
        Number of draws and the seed of the random generator.
    options
        The default choices (and the minimum coverage).
    standard_errors
        One standard error per panel row, in the indicator's units (NaN = none).
    replicates
        Noisy copies of the data the draws choose from.

    Returns
    -------
    pandas.DataFrame
        Per ranked area: rank with the default choices, and the 5th, 50th and 95th
        percentile ranks over the draws.

    References
    ----------
    Saisana, Saltelli & Tarantola (2005), "Uncertainty and sensitivity analysis techniques as
    tools for the quality assessment of composite indicators", *JRSS A* 168(2).
    """
    rng = np.random.default_rng(seed)
    panels = [panel]
    if standard_errors is not None:
        panels += [perturbed_panel(panel, standard_errors, rng) for _ in range(replicates)]
    base = composite_index(panel, polarity, options).scores
    base = base[(base["period"] == period) & base["sufficient"]].set_index("area")
    areas = base.index
    variants = []
    for data in panels:
        for sd in (2.0, 3.0, None):
            for method in ("minmax", "zscore"):
                choice = IndexOptions(sd, options.skew_threshold, method, options.min_coverage)
                normalised, _ = normalised_indicators(data, polarity, choice)
                variants.append(normalised.xs(period, level="period").loc[areas].to_numpy())
    indicators = variants[0].shape[1]
    ranks = np.empty((draws, len(areas)))
    for draw in range(draws):
        table = variants[rng.integers(len(variants))]
        weights = rng.uniform(0.5, 1.5, indicators)
        left_out = rng.integers(indicators + 1)
        if left_out < indicators:
            weights[left_out] = 0.0
        available = ~np.isnan(table)
        denominator = available @ weights
        values = np.nan_to_num(table) @ weights / np.where(denominator > 0, denominator, np.nan)
        ranks[draw] = np.argsort(np.argsort(-np.nan_to_num(values, nan=-np.inf))) + 1
    low, mid, high = np.percentile(ranks, [5, 50, 95], axis=0)
    return pd.DataFrame({"rank": base["index"].rank(ascending=False, method="min"),
                         "rank_p05": low, "rank_median": mid, "rank_p95": high},
                        index=areas)
