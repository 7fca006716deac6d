"""The structure of a collaboration network: the place–place network of linked
organisations' areas, and communities of organisations (docs/methods/networks.md)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from placelens.analysis.communities import leiden_ensemble
from placelens.analysis.networks import CollaborationNetwork


def place_links(network: CollaborationNetwork) -> pd.DataFrame:
    """Place–place network: summed link weight and number of organisation links between
    the areas of linked organisations (origin ≤ destination; origin = destination is a
    within-area link). Organisations without an area are left out.

    Parameters
    ----------
    network
        A :class:`CollaborationNetwork`.

    Returns
    -------
    pandas.DataFrame
        origin, destination, weight and links.
    """
    area_of = network.organisations["area_code"]
    edges = network.edges.assign(a=area_of.reindex(network.edges["source"]).to_numpy(),
                                 b=area_of.reindex(network.edges["target"]).to_numpy())
    edges = edges.dropna(subset=["a", "b"])
    low = np.minimum(edges["a"].to_numpy(), edges["b"].to_numpy())
    high = np.maximum(edges["a"].to_numpy(), edges["b"].to_numpy())
    return (edges.assign(origin=low, destination=high)
            .groupby(["origin", "destination"], as_index=False)
            .agg(weight=("weight", "sum"), links=("weight", "size")))


def communities(network: CollaborationNetwork, runs: int = 10, seed: int = 0,
                resolution: float = 1.0) -> pd.DataFrame:
    """Communities of organisations (seeded Leiden ensemble on link weights): community
    number (0 = largest) and stability of each organisation.

    Parameters
    ----------
    network
        A :class:`CollaborationNetwork`.
    runs, seed
        Seeded Leiden runs and the first seed.
    resolution
        Modularity resolution.

    Returns
    -------
    pandas.DataFrame
        community and stability per organisation.
    """
    index = network.organisations.index
    found = leiden_ensemble(len(index), index.get_indexer(network.edges["source"]),
                            index.get_indexer(network.edges["target"]),
                            network.edges["weight"].to_numpy(), resolution=resolution,
                            runs=runs, seed=seed)
    return pd.DataFrame({"community": found.membership, "stability": found.stability},
                        index=index)
