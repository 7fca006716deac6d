"""Positions for small network diagrams (docs/methods/networks.md, "Diagrams").

A profile draws a place's organisations and their strongest partners: at most a few dozen
nodes. For so few nodes the whole Fruchterman–Reingold computation is a handful of array
operations per step, and doing it here keeps a network library (and the plotting stack it
imports) out of every profile's start-up.
"""

from __future__ import annotations

import numpy as np


def force_directed_layout(edges: np.ndarray, start: np.ndarray, iterations: int = 500
                          ) -> np.ndarray:
    """Fruchterman–Reingold positions of a small undirected graph.

    Every pair of nodes repels with force k²/d and every linked pair attracts with force d²/k,
    where d is their distance and k = sqrt(1/n) the ideal edge length for n nodes in the unit
    square; a linked pair alone therefore settles at distance k. Each step moves a node along
    its net force by at most the current temperature, which starts at a tenth of the square's
    side and falls linearly to zero, and keeps it inside the square (as in the original
    method, so that a node with no links is not pushed off the picture). The result depends
    only on ``start``.

    Parameters
    ----------
    edges
        Integer array of shape (m, 2): the linked pairs, by node position (0 to n - 1).
    start
        Array of shape (n, 2): starting positions in the unit square (e.g. seeded random
        numbers); distinct points, since coincident nodes have no direction to repel along.
    iterations
        Number of steps.

    Returns
    -------
    numpy.ndarray
        Array of shape (n, 2): the positions after the last step, in the unit square.

    References
    ----------
    Fruchterman & Reingold (1991), "Graph drawing by force-directed placement",
    *Software: Practice and Experience* 21(11).
    """
    points = np.array(start, dtype="float64")
    n_nodes = len(points)
    if points.shape != (n_nodes, 2):
        raise ValueError(f"start must have shape (n, 2), not {points.shape}")
    linked = np.zeros((n_nodes, n_nodes), dtype=bool)
    pairs = np.asarray(edges, dtype=np.intp).reshape(-1, 2)
    if len(pairs) and (pairs.min() < 0 or pairs.max() >= n_nodes):
        raise ValueError(f"edges must name nodes 0 to {n_nodes - 1}, not "
                         f"{pairs.min()} to {pairs.max()}")
    linked[pairs[:, 0], pairs[:, 1]] = linked[pairs[:, 1], pairs[:, 0]] = True
    np.fill_diagonal(linked, False)
    attraction = linked / np.sqrt(1.0 / max(n_nodes, 1))  # 1/k on linked pairs
    repulsion = 1.0 / max(n_nodes, 1)  # k²
    z = points[:, 0] + 1j * points[:, 1]  # a point in the plane as one complex number
    for temperature in 0.1 * (1 - np.arange(iterations) / iterations):
        offsets = z[:, None] - z[None, :]
        distance = np.maximum(np.abs(offsets), 1e-9)
        # force along each offset, per unit offset: repulsion k²/d², attraction d/k
        pull = repulsion / distance**2 - attraction * distance
        np.fill_diagonal(pull, 0.0)
        step = (pull * offsets).sum(axis=1)
        length = np.maximum(np.abs(step), 1e-12)
        z += step * (np.minimum(length, temperature) / length)
        z = np.clip(z.real, 0, 1) + 1j * np.clip(z.imag, 0, 1)  # stay in the frame
    return np.column_stack([z.real, z.imag])
