"""The fast kernels behind the exposure mappings, designs and probabilities agree with plain
references: bit-parallel neighbourhoods (several 64-assignment words, isolated nodes, explicit
zeros), count-based probabilities (bit for bit), and cached-encoding designs."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from analysis.designs.assignment import cluster_assignment, complete_assignment
from analysis.exposure import neighbor
from analysis.exposure.neighbor import _pack_rows, _unpack_rows
from analysis.exposure.probabilities import exposure_probabilities
from analysis.worlds.network import SBMSpec, sample_sbm
from analysis.worlds.network_study import ClusterDesign


def _graph_with_isolated_node_and_explicit_zero() -> sp.csr_array:
    spec = SBMSpec((30, 25), ((0.2, 0.05), (0.05, 0.25)))
    adj = sample_sbm(spec, np.random.default_rng(3)).adjacency.tolil()
    adj[4, :] = 0
    adj[:, 4] = 0  # node 4 isolated
    adj = sp.csr_array(adj)
    i = int(np.flatnonzero(np.diff(adj.indptr) > 2)[0])
    j = int(adj.indices[adj.indptr[i]])
    # an explicit zero, stored in both directions so the graph stays symmetric: not an edge
    adj.data[adj.indptr[i]] = 0.0
    adj.data[adj.indptr[j] + np.searchsorted(adj.indices[adj.indptr[j]:adj.indptr[j + 1]], i)] = 0.0
    return adj


def _loop_reference(adj: sp.csr_array, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    dense = adj.toarray() != 0
    counts = np.array([[int(z[r, dense[i]].sum()) for i in range(z.shape[1])]
                       for r in range(z.shape[0])])
    return counts, dense.sum(axis=1)


def test_pack_and_unpack_are_inverse_for_partial_words():
    rng = np.random.default_rng(0)
    for n_draws in (1, 63, 64, 65, 200):
        rows = rng.random((n_draws, 17)) < 0.5
        words = _pack_rows(rows)
        assert words.shape == (-(-n_draws // 64), 17)
        assert np.array_equal(_unpack_rows(words, n_draws), rows)
    one = np.zeros((3, 2), dtype=bool)
    one[2, 1] = True
    assert _pack_rows(one)[0, 1] == 4 and _pack_rows(one)[0, 0] == 0


def test_bit_parallel_mappings_match_loops_over_many_words():
    adj = _graph_with_isolated_node_and_explicit_zero()
    z = (np.random.default_rng(1).random((150, adj.shape[0])) < 0.4).astype(np.int8)
    counts, deg = _loop_reference(adj, z)
    assert np.array_equal(neighbor.any_treated_neighbor(adj, z), (counts > 0).astype(np.int8))
    assert np.array_equal(neighbor.all_neighbors_treated(adj, z),
                          (counts == deg).astype(np.int8))
    assert np.array_equal(neighbor.treated_neighbor_count(adj, z), counts)
    assert np.array_equal(neighbor.four_way_condition(adj, z), 2 * z + (counts > 0))
    full = np.where((z == 0) & (counts == 0), 0, np.where((z == 1) & (counts == deg), 1, 2))
    assert np.array_equal(neighbor.full_neighborhood_condition(adj, z), full)
    # isolated node 4: no treated neighbour, all (zero) neighbours treated, share 0
    assert (neighbor.any_treated_neighbor(adj, z)[:, 4] == 0).all()
    assert (neighbor.all_neighbors_treated(adj, z)[:, 4] == 1).all()
    assert (neighbor.neighbor_share(adj, z)[:, 4] == 0).all()
    # one assignment gives the same as its row
    assert np.array_equal(neighbor.four_way_condition(adj, z[7]),
                          neighbor.four_way_condition(adj, z)[7])


def test_equal_weight_probabilities_are_bit_identical_to_weighted_sums():
    codes = np.random.default_rng(2).integers(0, 4, size=(997, 40)).astype(np.int8)
    labels = ["a", "b", "c", "d"]
    counted = exposure_probabilities(codes, None, labels).marginal
    weighted = exposure_probabilities(codes, np.full(997, 1 / 997), labels).marginal
    assert counted.tobytes() == weighted.tobytes()
    assert np.allclose(counted.sum(axis=1), 1.0)


def test_complete_assignment_treats_exactly_and_uniformly():
    z = complete_assignment(20, np.random.default_rng(5), n_treated=7, n_draws=20_000)
    assert (z.sum(axis=1) == 7).all()
    assert np.abs(z.mean(axis=0) - 0.35).max() < 0.02  # 4.7 standard errors
    assert (complete_assignment(5, np.random.default_rng(0), n_treated=5, n_draws=3) == 1).all()
    assert (complete_assignment(5, np.random.default_rng(0), n_treated=0, n_draws=3) == 0).all()


def test_cluster_design_sample_equals_cluster_assignment():
    clusters = np.array([5, 5, 2, 9, 2, 9, 9, 5])
    design = ClusterDesign("x", clusters, 0.5, complete=True, target_size=None)
    expected = cluster_assignment(clusters, 0.5, np.random.default_rng(8), complete=True,
                                  n_draws=50)
    assert np.array_equal(design.sample(50, np.random.default_rng(8)), expected)
    assert design.n_clusters == 3 and not design.is_individual


def test_design_rows_are_its_draws_row_major():
    """sample_rows gives sample's draws (same stream) as contiguous rows, for clusters, for
    every node its own cluster, and for nodes labelled in another order."""
    designs = [ClusterDesign("clusters", np.array([5, 5, 2, 9, 2, 9, 9, 5]), 0.5, True, None),
               ClusterDesign("nodes", np.arange(40), 0.3, False, 1),
               ClusterDesign("relabelled", np.arange(40)[::-1].copy(), 0.3, False, 1)]
    for design in designs:
        rows = design.sample_rows(25, np.random.default_rng(4))
        assert np.array_equal(rows, design.sample(25, np.random.default_rng(4)))
        assert rows.flags.c_contiguous and rows.dtype == np.int8
    assert np.array_equal(designs[2].sample_rows(25, np.random.default_rng(4)),
                          designs[2].sample_clusters(25, np.random.default_rng(4))[:, ::-1])


def test_focal_row_shares_are_bit_identical_to_full_shares():
    """The no-spillover test reads focal shares through ClusterShares: the same bits as slicing
    the full neighbour shares of the assignment expanded to nodes, for individual and cluster
    assignments, with some clusters held fixed."""
    adj = _graph_with_isolated_node_and_explicit_zero()
    n = adj.shape[0]
    rng = np.random.default_rng(11)
    draws = (rng.random((200, n)) < 0.4).astype(np.int8)
    focal = rng.random(n) < 0.5
    shares = neighbor.ClusterShares(adj, focal, np.arange(n))
    assert shares(draws).tobytes() == neighbor.neighbor_share(adj, draws)[:, focal].tobytes()
    assert shares(draws[3]).tobytes() == neighbor.neighbor_share(adj, draws[3])[focal].tobytes()
    codes = rng.integers(0, 4, n)
    codes[:4] = np.arange(4)  # every cluster present
    cluster_draws = (rng.random((50, 4)) < 0.5).astype(np.int8)
    rows = np.flatnonzero(focal)[::-1]  # any order
    held = np.array([-1, 1, -1, 0])
    cluster_draws[:, [1, 3]] = [1, 0]
    expanded = cluster_draws[:, codes]
    held_shares = neighbor.ClusterShares(adj, rows, codes, held)
    assert (held_shares(cluster_draws).tobytes()
            == neighbor.neighbor_share(adj, expanded)[:, rows].tobytes())
    assert held_shares(cluster_draws).flags.c_contiguous  # statistics sum along its rows
    with pytest.raises(ValueError, match="rows must be a boolean mask of length"):
        neighbor.ClusterShares(adj, focal[:-1], np.arange(n))
    with pytest.raises(ValueError, match="held must give -1"):
        neighbor.ClusterShares(adj, rows, codes, held[:3])
    with pytest.raises(ValueError, match="cluster assignments must have shape"):
        held_shares(expanded)


def test_focal_shares_of_a_hub_beyond_int16_counts():
    """A hub with 2^15 neighbours cannot count on int16 products: its shares (float32 counts)
    are still exactly those of neighbor_share, next to a small-degree row."""
    leaves = 1 << 15
    hub = np.zeros(leaves, dtype=np.int64)
    adj = sp.csr_array((np.ones(2 * leaves), (np.r_[hub, np.arange(1, leaves + 1)],
                                              np.r_[np.arange(1, leaves + 1), hub])),
                       shape=(leaves + 1, leaves + 1))
    draws = (np.random.default_rng(6).random((3, leaves + 1)) < 0.5).astype(np.int8)
    draws[0] = 1  # all 2^15 neighbours treated: one more than int16 holds
    shares = neighbor.ClusterShares(adj, [0, 1], np.arange(leaves + 1))
    assert shares(draws).tobytes() == neighbor.neighbor_share(adj, draws)[:, [0, 1]].tobytes()
    assert shares(draws)[0, 0] == 1.0
    assert abs(shares(draws)[1, 0] - draws[1, 1:].mean()) < 1e-12
