"""Exposure mappings against a plain reference implementation, and exposure probabilities."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import pytest

from analysis.exposure import neighbor
from analysis.exposure.probabilities import (
    enumerate_bernoulli,
    enumerate_cluster,
    enumerate_complete,
    exposure_probabilities,
    monte_carlo_exposure_probabilities,
    positivity_report,
    unit_probability_table,
)
from analysis.worlds.network import graph_from_edges


def random_graph(seed: int, n: int = 40, p: float = 0.08):
    """An Erdos-Renyi graph (with some isolated nodes) as (networkx graph, NetworkGraph)."""
    g = nx.gnp_random_graph(n - 2, p, seed=seed)
    g.add_nodes_from(range(n))  # the last two nodes are isolated
    edges = np.array(list(g.edges()), dtype=np.int64).reshape(-1, 2)
    return g, graph_from_edges(n, edges)


def reference_mappings(g: nx.Graph, z: np.ndarray, k: int, min_degree: int, q: float) -> dict:
    """Plain loops over nodes and their neighbour lists: the definitions, spelled out."""
    out = {name: [] for name in ("count", "share", "any", "atleast", "all", "high", "four",
                                 "full")}
    for i in range(g.number_of_nodes()):
        nbrs = list(g.neighbors(i))
        count = sum(int(z[j]) for j in nbrs)
        share = count / len(nbrs) if nbrs else 0.0
        out["count"].append(count)
        out["share"].append(share)
        out["any"].append(int(count > 0))
        out["atleast"].append(int(count >= k))
        out["all"].append(int(count == len(nbrs)))
        out["high"].append(sum(int(z[j]) for j in nbrs if g.degree(j) >= min_degree))
        out["four"].append(2 * int(z[i]) + int(count > 0))
        if z[i] == 0 and count <= (1 - q) * len(nbrs) + 1e-9:
            out["full"].append(0)
        elif z[i] == 1 and count >= q * len(nbrs) - 1e-9:
            out["full"].append(1)
        else:
            out["full"].append(2)
    return {key: np.asarray(val) for key, val in out.items()}


@pytest.mark.parametrize("seed", [0, 1, 2, 3, 4])
@pytest.mark.parametrize("q", [1.0, 0.75])
def test_mappings_match_reference_on_random_graphs(seed: int, q: float) -> None:
    g, graph = random_graph(seed)
    rng = np.random.default_rng(seed)
    z_many = (rng.random((6, graph.n_nodes)) < 0.4).astype(np.int8)
    adj = graph.adjacency
    vectorised = {
        "count": neighbor.treated_neighbor_count(adj, z_many),
        "share": neighbor.neighbor_share(adj, z_many),
        "any": neighbor.any_treated_neighbor(adj, z_many),
        "atleast": neighbor.at_least_k_treated(adj, z_many, 2),
        "all": neighbor.all_neighbors_treated(adj, z_many),
        "high": neighbor.treated_high_degree_neighbors(adj, z_many, 4),
        "four": neighbor.four_way_condition(adj, z_many),
        "full": neighbor.full_neighborhood_condition(adj, z_many, q),
    }
    assert (graph.degree == 0).any(), "the test graph should include isolated nodes"
    for r in range(z_many.shape[0]):
        ref = reference_mappings(g, z_many[r], k=2, min_degree=4, q=q)
        for key, values in vectorised.items():
            np.testing.assert_allclose(values[r], ref[key], rtol=0, atol=1e-12, err_msg=key)
        # the 1-D call gives the same row as the batched call
        np.testing.assert_array_equal(neighbor.treated_neighbor_count(adj, z_many[r]),
                                      vectorised["count"][r])


def test_own_treatment_and_input_errors() -> None:
    _, graph = random_graph(0, n=5, p=0.5)
    np.testing.assert_array_equal(neighbor.own_treatment([0, 1, 1, 0, 1]), [0, 1, 1, 0, 1])
    with pytest.raises(ValueError, match="0/1"):
        neighbor.own_treatment([0, 2])
    with pytest.raises(ValueError, match="shape"):
        neighbor.treated_neighbor_count(graph.adjacency, np.zeros(4))
    with pytest.raises(TypeError, match="sparse"):
        neighbor.neighbor_share(np.eye(5), np.zeros(5))
    with pytest.raises(ValueError, match="k must"):
        neighbor.at_least_k_treated(graph.adjacency, np.zeros(5), 0)
    with pytest.raises(ValueError, match="threshold"):
        neighbor.full_neighborhood_condition(graph.adjacency, np.zeros(5), 0.4)


def test_enumerations_are_complete_and_weighted() -> None:
    bern = enumerate_bernoulli(5, 0.3)
    assert bern.assignments.shape == (32, 5)
    assert len({tuple(row) for row in bern.assignments}) == 32
    np.testing.assert_allclose(bern.weights @ bern.assignments, np.full(5, 0.3), atol=1e-14)
    comp = enumerate_complete(6, 2)
    assert comp.assignments.shape == (15, 6) and (comp.assignments.sum(axis=1) == 2).all()
    clus = enumerate_cluster([0, 0, 1, 1, 2, 2, 3], p=0.5)
    assert clus.assignments.shape == (6, 7)  # C(4, 2)
    assert (clus.assignments[:, 0] == clus.assignments[:, 1]).all()


def test_bernoulli_probabilities_equal_analytic_values() -> None:
    """Under Bernoulli(p): pi_i(control, no treated neighbour) = (1-p)^(deg+1), etc."""
    g, graph = random_graph(7, n=12, p=0.25)
    p = 0.35
    design = enumerate_bernoulli(graph.n_nodes, p)
    codes = neighbor.four_way_condition(graph.adjacency, design.assignments)
    probs = exposure_probabilities(codes, design.weights, neighbor.FOUR_WAY_LABELS,
                                   joint_pairs=[(0, 0)], exact=True)
    deg = graph.degree
    analytic = np.column_stack([
        (1 - p) * (1 - p) ** deg,
        (1 - p) * (1 - (1 - p) ** deg),
        p * (1 - p) ** deg,
        p * (1 - (1 - p) ** deg),
    ])
    np.testing.assert_allclose(probs.marginal, analytic, rtol=0, atol=1e-12)
    # joint probability of "control, untreated neighbourhood" for i and j: no treated node in
    # the union of their closed neighbourhoods
    joint = probs.joint_matrix(0, 0)
    for i, j in itertools.combinations(range(graph.n_nodes), 2):
        union = {i, j} | set(g.neighbors(i)) | set(g.neighbors(j))
        assert joint[i, j] == pytest.approx((1 - p) ** len(union), abs=1e-12)
    np.testing.assert_allclose(np.diag(joint), probs.marginal[:, 0], atol=1e-14)


def test_monte_carlo_probabilities_converge_to_exact() -> None:
    _, graph = random_graph(3, n=10, p=0.3)
    p = 0.5
    exact_set = enumerate_bernoulli(graph.n_nodes, p)
    exact = exposure_probabilities(neighbor.four_way_condition(graph.adjacency,
                                                               exact_set.assignments),
                                   exact_set.weights, neighbor.FOUR_WAY_LABELS)
    mc = monte_carlo_exposure_probabilities(
        lambda r, rng: (rng.random((r, graph.n_nodes)) < p).astype(np.int8),
        lambda z: neighbor.four_way_condition(graph.adjacency, z),
        neighbor.FOUR_WAY_LABELS, n_draws=20_000, rng=np.random.default_rng(1),
        joint_pairs=[(2, 0)], chunk_size=3_000)
    se = np.sqrt(exact.marginal * (1 - exact.marginal) / 20_000)
    assert np.all(np.abs(mc.marginal - exact.marginal) <= 5 * se + 1e-12)
    np.testing.assert_allclose(mc.marginal.sum(axis=1), 1.0)
    assert mc.joint_matrix(0, 2).shape == (10, 10)
    with pytest.raises(KeyError, match="joint_pairs"):
        mc.joint_matrix(1, 1)


def test_positivity_report_counts_zero_and_tiny_units() -> None:
    # a star: under a cluster design treating exactly one of {hub+leaves, isolated} nothing odd;
    # under individual Bernoulli the hub's "all neighbours treated" is rare.
    edges = np.array([[0, j] for j in range(1, 9)])
    graph = graph_from_edges(10, edges)
    design = enumerate_bernoulli(10, 0.5)
    codes = neighbor.full_neighborhood_condition(graph.adjacency, design.assignments)
    probs = exposure_probabilities(codes, design.weights, neighbor.FULL_NEIGHBORHOOD_LABELS)
    report = positivity_report(probs, tiny=0.01).set_index("label")
    # hub: P(full treatment) = 0.5^9 < 0.01; leaves 0.25; isolated node 9: 0.5
    assert report.loc["full treatment", "n_tiny"] == 1
    assert report.loc["full treatment", "n_zero"] == 0
    assert report.loc["full treatment", "min_prob"] == pytest.approx(0.5**9)
    assert report.loc["mixed", "n_zero"] == 1  # the isolated node is never mixed
    table = unit_probability_table(probs)
    assert len(table) == 30
    np.testing.assert_allclose(table.groupby("node")["probability"].sum(), 1.0)
