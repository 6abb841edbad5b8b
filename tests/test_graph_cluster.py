"""Graph partitioning and graph-cluster randomization diagnostics."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from analysis.designs.graph_cluster import (
    CrossClusterWarning,
    cluster_size_table,
    clusters_of_size,
    cross_cluster_edge_fraction,
    graph_partitions,
    modularity,
    neighbor_share_by_design,
    partition_diagnostics,
    partition_graph,
    read_partition,
)
from analysis.worlds.network import SBMSpec, graph_from_edges, sample_sbm

SEED_SPEC = SBMSpec((55, 50, 60, 45), ((0.16, 0.015, 0.010, 0.010), (0.015, 0.15, 0.012, 0.010),
                                       (0.010, 0.012, 0.13, 0.018), (0.010, 0.010, 0.018, 0.17)))


@pytest.fixture(scope="module")
def seed_graph():
    return sample_sbm(SEED_SPEC, np.random.default_rng(14))


def same_partition(a: np.ndarray, b: np.ndarray) -> bool:
    pairs = {(x, y) for x, y in zip(a, b, strict=True)}
    return len(pairs) == len(set(a)) == len(set(b))


@pytest.mark.parametrize("method", ["leiden", "louvain"])
def test_partition_recovers_planted_communities(seed_graph, method: str) -> None:
    labels = partition_graph(seed_graph, method, seed=3)
    assert same_partition(labels, seed_graph.block)
    np.testing.assert_array_equal(labels, partition_graph(seed_graph, method, seed=3))


def test_graph_partitions_round_trip_and_equal_direct_partitions(seed_graph, tmp_path,
                                                                 monkeypatch) -> None:
    table = graph_partitions(seed_graph, "leiden", 1.0, 3)
    assert list(table.columns) == ["node", "leiden", "louvain"]  # both methods on a small graph
    for method in ("leiden", "louvain"):
        np.testing.assert_array_equal(table[method], partition_graph(seed_graph, method, seed=3))
    path = tmp_path / "partition.parquet"
    table.to_parquet(path, index=False)
    back = read_partition(path, seed_graph.n_nodes)
    np.testing.assert_array_equal(back["leiden"], table["leiden"])
    with pytest.raises(ValueError, match=r"partition\.parquet: expected one row per node 0\.\.9"):
        read_partition(path, 10)
    table[["node"]].to_parquet(path, index=False)
    with pytest.raises(ValueError, match="expected a 'node' column and at least one of"):
        read_partition(path, seed_graph.n_nodes)
    # above the comparison size only the configured method runs
    monkeypatch.setattr("analysis.designs.graph_cluster.COMPARE_METHODS_MAX_NODES", 100)
    assert list(graph_partitions(seed_graph, "louvain", 1.0, 3).columns) == ["node", "louvain"]
    with pytest.raises(ValueError, match="method must be one of"):
        graph_partitions(seed_graph, "spectral", 1.0, 3)


def test_modularity_matches_networkx(seed_graph) -> None:
    g = nx.Graph()
    g.add_nodes_from(range(seed_graph.n_nodes))
    g.add_edges_from(seed_graph.edges.tolist())
    rng = np.random.default_rng(0)
    for labels in (seed_graph.block, rng.integers(0, 7, seed_graph.n_nodes)):
        parts = [set(np.flatnonzero(labels == c)) for c in np.unique(labels)]
        assert modularity(seed_graph, labels) == pytest.approx(
            nx.community.modularity(g, parts), abs=1e-12)


def test_cross_cluster_fraction_and_warning(seed_graph) -> None:
    b0, b1 = seed_graph.block[seed_graph.edges[:, 0]], seed_graph.block[seed_graph.edges[:, 1]]
    expected = float(np.mean(b0 != b1))
    assert cross_cluster_edge_fraction(seed_graph, seed_graph.block) == pytest.approx(expected)
    with pytest.warns(CrossClusterWarning, match="cross cluster"):
        diag = partition_diagnostics(seed_graph, seed_graph.block, threshold=0.10)
    assert diag.exceeds_threshold and diag.n_clusters == 4
    assert (diag.min_size, diag.max_size) == (45, 60)
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        quiet = partition_diagnostics(seed_graph, seed_graph.block, threshold=0.5)
    assert not quiet.exceeds_threshold
    with pytest.raises(ValueError, match="one entry per node"):
        partition_diagnostics(seed_graph, seed_graph.block[:5], threshold=0.1)


def test_clusters_of_size_subdivide_and_merge(seed_graph) -> None:
    communities = seed_graph.block
    for size in (2, 5, 10, 20):
        labels = clusters_of_size(seed_graph, communities, size)
        sizes = np.bincount(labels)
        assert abs(sizes.mean() - size) <= 0.25 * size
        # pieces never straddle communities
        for c in np.unique(labels):
            assert np.unique(communities[labels == c]).size == 1
    np.testing.assert_array_equal(clusters_of_size(seed_graph, communities, 1),
                                  np.arange(seed_graph.n_nodes))
    merged = clusters_of_size(seed_graph, communities, 105)
    assert np.unique(merged).size == 2
    fractions = [cross_cluster_edge_fraction(seed_graph, clusters_of_size(seed_graph,
                                                                         communities, s))
                 for s in (1, 5, 20, 105)]
    assert fractions == sorted(fractions, reverse=True)
    # RCM pieces keep more edges inside than random pieces of the same sizes
    labels10 = clusters_of_size(seed_graph, communities, 10)
    shuffled = labels10.copy()
    rng = np.random.default_rng(0)
    for c in np.unique(communities):
        idx = np.flatnonzero(communities == c)
        shuffled[idx] = rng.permutation(labels10[idx])
    assert (cross_cluster_edge_fraction(seed_graph, labels10)
            < cross_cluster_edge_fraction(seed_graph, shuffled))


def test_size_table_and_exposure_comparison() -> None:
    graph = graph_from_edges(6, np.array([[0, 1], [1, 2], [3, 4]]))
    table = cluster_size_table(np.array([5, 5, 5, 9, 9, 1]))
    assert table["size"].tolist() == [3, 2, 1]
    z_ind = np.array([1, 0, 0, 1, 0, 0])
    z_clu = np.array([1, 1, 1, 0, 0, 0])
    comp = neighbor_share_by_design(graph, {"individual": z_ind, "cluster": z_clu})
    share = comp.set_index(["design", "node"])["neighbor_share"]
    assert share[("individual", 1)] == pytest.approx(0.5)
    assert share[("cluster", 1)] == pytest.approx(1.0)
    assert share[("cluster", 5)] == 0.0
    with pytest.raises(ValueError, match="method"):
        partition_graph(graph, "spectral")
