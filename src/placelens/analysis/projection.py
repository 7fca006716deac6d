"""Placing new areas on a fitted complexity ranking: a combined authority or partnership,
summed from its districts, gets an ECI, density and COG without changing the ranking it is
placed in (docs/methods/complexity.md)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from placelens.analysis.complexity import ComplexityResult


@dataclass(frozen=True)
class Projection:
    """Complexity measures of areas placed on a fitted result: ``scores`` (eci, diversity per
    area) and the area × activity ``rca``, ``presence``, ``density`` and ``cog``."""

    scores: pd.DataFrame
    rca: pd.DataFrame
    presence: pd.DataFrame
    density: pd.DataFrame
    cog: pd.DataFrame


def project(result: ComplexityResult, rows: pd.DataFrame, threshold: float = 1.0
            ) -> Projection:
    """ECI, COI-free density and COG for areas *outside* the fitted matrix (e.g. a combined
    authority or partnership summed from its districts), using the fitted PCI, proximity and
    national shares, so the new areas do not change the ranking they are placed in.

    ECI is the mean PCI of the activities where the area's RCA >= ``threshold`` (on the same
    standardised scale as the fitted ECI). See :class:`Projection`.

    Parameters
    ----------
    result
        A fitted :class:`ComplexityResult`.
    rows
        Areas × activities of the new areas (any columns; missing ones count 0).
    threshold
        Presence cut-off.

    Returns
    -------
    Projection
        ECI and diversity per new area, and its RCA, presence, density and COG.
    """
    activities = result.pci.index
    values = rows.reindex(columns=activities).astype("float64").fillna(0.0).clip(lower=0)
    shares = values.div(values.sum(axis=1), axis=0)
    ratio = shares.div(result.activity_shares, axis=1)
    m = (ratio >= threshold).astype("float64")
    diversity = m.sum(axis=1)
    eci = (m @ result.pci) / diversity.where(diversity > 0)
    phi = result.proximity.to_numpy()
    row_sums = phi.sum(axis=1)
    density = pd.DataFrame(m.to_numpy() @ (phi / row_sums[None, :]), index=m.index,
                           columns=activities)
    pci_raw = result.pci.to_numpy() * result.eci_raw_std + result.eci_raw_mean
    gain = (1 - m.to_numpy()) @ (phi * (pci_raw / row_sums)[:, None])
    cog = pd.DataFrame((1 - m.to_numpy()) * gain / result.eci_raw_std, index=m.index,
                       columns=activities)
    return Projection(pd.DataFrame({"eci": eci, "diversity": diversity}), ratio, m, density,
                      cog)
