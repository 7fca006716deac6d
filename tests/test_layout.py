"""Diagram positions: the Fruchterman–Reingold equilibria worked by hand, the shape of a
two-cluster graph, and the profile's diagram drawn without loading a network library."""

import subprocess
import sys

import numpy as np
import pytest

from placelens.analysis.layout import force_directed_layout


def distances(points: np.ndarray, pairs) -> list[float]:
    return [float(np.hypot(*(points[i] - points[j]))) for i, j in pairs]


def test_a_linked_pair_settles_at_the_ideal_edge_length():
    # Two nodes: attraction d²/k equals repulsion k²/d at d = k = sqrt(1/2).
    points = force_directed_layout(np.array([[0, 1]]), np.array([[0.1, 0.1], [0.2, 0.15]]))
    assert distances(points, [(0, 1)]) == pytest.approx([np.sqrt(0.5)], abs=1e-3)


def test_a_triangle_becomes_equilateral_with_side_k():
    # Each pair's two forces lie on the line between them, so every side settles at
    # k = sqrt(1/3) = 0.5774.
    start = np.array([[0.1, 0.2], [0.8, 0.3], [0.4, 0.9]])
    points = force_directed_layout(np.array([[0, 1], [1, 2], [0, 2]]), start)
    assert distances(points, [(0, 1), (1, 2), (0, 2)]) == pytest.approx(
        [np.sqrt(1 / 3)] * 3, abs=1e-3)


def test_unlinked_nodes_repel_to_the_edges_of_the_frame():
    start = np.array([[0.5, 0.5], [0.51, 0.5]])
    points = force_directed_layout(np.empty((0, 2), dtype=int), start)
    np.testing.assert_allclose(points, [[0.0, 0.5], [1.0, 0.5]], atol=1e-9)


def test_two_linked_clusters_are_drawn_apart():
    cluster = [(0, 1), (1, 2), (0, 2), (0, 3), (1, 3), (2, 3)]
    edges = np.array(cluster + [(i + 4, j + 4) for i, j in cluster] + [(3, 4)])
    start = np.random.default_rng(3).random((8, 2))
    points = force_directed_layout(edges, start)
    within = np.mean(distances(points, cluster) + distances(points, [(i + 4, j + 4)
                                                                     for i, j in cluster]))
    between = np.hypot(*(points[:4].mean(axis=0) - points[4:].mean(axis=0)))
    assert between > 1.5 * within
    np.testing.assert_array_equal(points, force_directed_layout(edges, start))


def test_start_positions_must_be_points_in_the_plane():
    with pytest.raises(ValueError, match="shape"):
        force_directed_layout(np.array([[0, 1]]), np.zeros((2, 3)))


@pytest.mark.parametrize("pair", [[0, 2], [-1, 1]])
def test_links_must_name_existing_nodes(pair):
    # get_indexer marks a missing organisation -1, which would otherwise link the last node
    with pytest.raises(ValueError, match="nodes 0 to 1"):
        force_directed_layout(np.array([pair]), np.array([[0.1, 0.2], [0.3, 0.4]]))


DIAGRAM = """
import sys
import pandas as pd
from types import SimpleNamespace
from placelens.geography.places import Place
from placelens.report.network_sections import _ego_layout
orgs = pd.DataFrame({"area_code": ["E1", "E1", "E2"], "value_gbp": [3.0, 2.0, 1.0],
                     "name": ["A", "B", "C"], "actor_type": ["firm", "university", "firm"]},
                    index=["a", "b", "c"])
edges = pd.DataFrame({"source": ["a", "a"], "target": ["b", "c"], "weight": [1.0, 2.0]})
nodes, lines = _ego_layout(SimpleNamespace(organisations=orgs, edges=edges),
                           Place("E1", "One", "LAD", "2024", ("E1",)))
assert len(nodes) == 3 and len(lines) == 2, (nodes, lines)
print(sorted(m for m in ("igraph", "matplotlib") if m in sys.modules))
"""


def test_the_profile_diagram_loads_no_network_or_plotting_library():
    run = subprocess.run([sys.executable, "-c", DIAGRAM], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr[-2000:]
    assert run.stdout.strip() == "[]"
