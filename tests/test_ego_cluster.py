"""Ego-cluster randomization: non-overlap, full/none exposure of egos, estimates against truth."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from analysis.designs.ego_cluster import (
    closed_neighborhood_min,
    ego_network_assignment,
    ego_network_labels,
    non_overlapping_egos,
)
from analysis.exposure.neighbor import neighbor_share
from analysis.worlds.network import NetworkOutcomeModel, SBMSpec, build_network_world
from analysis.worlds.network_ego_holdout import ego_holdout_study, sample_egos


def _world(n: int = 1500, seed: int = 3):
    spec = SBMSpec((55, 50, 60, 45), ((0.16, 0.015, 0.01, 0.01), (0.015, 0.15, 0.012, 0.01),
                                      (0.01, 0.012, 0.13, 0.018), (0.01, 0.01, 0.018, 0.17)))
    return build_network_world(spec.scaled(n), NetworkOutcomeModel(), seed, seed + 1)


def _greedy_reference(adj: sp.csr_array, priority: np.ndarray, eligible: np.ndarray) -> set[int]:
    """Plain sequential greedy in priority order (the definition the rounds must reproduce)."""
    dense = adj.toarray() > 0
    within_two = (dense.astype(int) + np.eye(len(dense), dtype=int))
    within_two = (within_two @ within_two) > 0
    blocked = np.zeros(len(dense), dtype=bool)
    chosen = set()
    for node in np.argsort(priority):
        if eligible[node] and not blocked[node]:
            chosen.add(int(node))
            blocked |= within_two[node]
    return chosen


def test_closed_neighborhood_min_matches_a_loop_with_isolated_nodes():
    adj = sp.csr_array(np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 0], [0, 0, 0, 0]]))
    values = np.array([5.0, 3.0, 1.0, 7.0])
    assert closed_neighborhood_min(adj, values).tolist() == [3.0, 1.0, 1.0, 7.0]
    with pytest.raises(ValueError, match="one entry per node"):
        closed_neighborhood_min(adj, values[:3])


def test_egos_are_the_sequential_greedy_choice_and_never_overlap():
    world = _world(600)
    adj = world.graph.adjacency
    egos = non_overlapping_egos(adj, np.random.default_rng(11))
    priority = np.random.default_rng(11).permutation(world.graph.n_nodes)
    eligible = world.graph.degree > 0
    assert set(egos.tolist()) == _greedy_reference(adj, priority, eligible)
    # non-overlap: no two egos within distance 2, i.e. closed neighbourhoods are disjoint
    closed = adj + sp.eye_array(world.graph.n_nodes)
    reach = (closed @ closed)[egos][:, egos].toarray() > 0
    assert np.array_equal(reach, np.eye(egos.size, dtype=bool))
    # maximal: every other eligible node is within distance 2 of an ego
    near = np.asarray((closed @ closed)[:, egos].sum(axis=1)).ravel() > 0
    assert near[eligible].all()


def test_labels_refuse_overlapping_ego_networks():
    adj = sp.csr_array(np.array([[0, 1, 0], [1, 0, 1], [0, 1, 0]]))
    with pytest.raises(ValueError, match="ego networks overlap"):
        ego_network_labels(adj, np.array([0, 2]))  # both contain node 1
    assert ego_network_labels(adj, np.array([1])).tolist() == [0, 0, 0]


@pytest.mark.parametrize("outside", [0, 1])
def test_egos_are_fully_treated_or_fully_untreated_by_construction(outside):
    world = _world()
    sample = sample_egos(world, np.random.default_rng(5))
    z = ego_network_assignment(sample.labels, 0.5, np.random.default_rng(6), outside=outside,
                               n_draws=50)
    shares = neighbor_share(world.graph.adjacency, z)[:, sample.egos]
    assert np.array_equal(shares, z[:, sample.egos].astype(float))
    assert (z[:, sample.labels < 0] == outside).all()
    k = sample.egos.size
    assert (z[:, sample.egos].sum(axis=1) == round(0.5 * k)).all()
    with pytest.raises(ValueError, match="outside must be 0 or 1"):
        ego_network_assignment(sample.labels, 0.5, np.random.default_rng(6), outside=2)


def test_ego_designs_recover_the_total_effect_and_individual_holdouts_only_the_direct_one():
    world = _world(3000)
    sample = sample_egos(world, np.random.default_rng(1))
    table = ego_holdout_study(world, sample, 300, 0.5, 0.2, np.random.default_rng(2))
    rows = table.set_index("design")
    m = world.model
    for design in ("ego_cluster", "ego_holdout"):
        row = rows.loc[design]
        assert row["truth"] == pytest.approx(m.direct + m.spillover)
        assert abs(row["bias"]) < 4 * row["empirical_sd"] / np.sqrt(row["n_reps"])
        assert row["egos_full_or_none"]
        assert 0.9 <= row["coverage"] <= 0.99
    # with 80% launched, a held-out person and a launched one have about the same share of
    # treated friends: the contrast is the direct effect, not the launch's total effect
    for design in ("individual", "individual_holdout"):
        assert rows.loc[design, "mean_estimate"] == pytest.approx(m.direct, abs=0.1)
        assert rows.loc[design, "coverage"] == 0.0
