"""Graph-cluster randomization (Ugander et al. 2013): partition the graph, randomize clusters.

* :func:`partition_graph` finds communities with igraph's Leiden or Louvain (multilevel)
  modularity optimisers, deterministically for a given seed; :func:`graph_partitions` runs
  them once per graph for every rule that needs them, and :func:`read_partition` reads the
  result back;
* :func:`partition_diagnostics` reports modularity, the cluster-size distribution and the share
  of edges that cross clusters (the spillover channels the design leaves open), warning when that
  share exceeds a threshold;
* :func:`clusters_of_size` subdivides (or merges) communities into clusters of a target size,
  for the cluster-size trade-off;
* :func:`neighbor_share_by_design` compares exposure distributions under several assignments.

Treatment assignment itself (Bernoulli / complete / cluster) lives in
:mod:`analysis.designs.assignment`.
"""

from __future__ import annotations

import gc
import os
import random
import warnings
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import reverse_cuthill_mckee

from analysis.exposure.neighbor import neighbor_share
from analysis.worlds.network import NetworkGraph

__all__ = [
    "CrossClusterWarning",
    "PartitionDiagnostics",
    "cluster_size_table",
    "clusters_of_size",
    "cross_cluster_edge_fraction",
    "graph_partitions",
    "leiden_iterations",
    "modularity",
    "neighbor_share_by_design",
    "partition_diagnostics",
    "partition_graph",
    "read_partition",
]

METHODS = ("leiden", "louvain")


class CrossClusterWarning(UserWarning):
    """Too many edges cross cluster boundaries for graph-cluster randomization to contain spillover."""


@contextmanager
def _igraph_rng(seed: int) -> Iterator[None]:
    """Give igraph a private seeded RNG for the duration of the block, then restore the default."""
    import igraph

    igraph.set_random_number_generator(random.Random(seed))
    try:
        yield
    finally:
        igraph.set_random_number_generator(random)


def _canonical_labels(labels: np.ndarray) -> np.ndarray:
    """Relabel clusters 0..G-1 in order of their smallest node (stable across runs)."""
    codes, _ = pd.factorize(np.asarray(labels), sort=False)
    return codes.astype(np.int64)


#: Leiden iterates until stable up to this many nodes, and runs two iterations above it.
LEIDEN_STABLE_MAX_NODES = 100_000


def leiden_iterations(n_nodes: int) -> int:
    """Leiden's ``n_iterations`` by default: ``-1`` (until stable) up to
    ``LEIDEN_STABLE_MAX_NODES`` nodes, two iterations on larger graphs."""
    return -1 if n_nodes <= LEIDEN_STABLE_MAX_NODES else 2


def partition_graph(graph: NetworkGraph, method: str = "leiden", resolution: float = 1.0,
                    seed: int = 0, n_iterations: int | None = None) -> np.ndarray:
    """Community labels (0..G-1) maximising modularity with igraph's Leiden or Louvain.

    Both are randomized heuristics; ``seed`` makes the result reproducible. ``resolution`` > 1
    favours smaller communities. ``n_iterations`` (Leiden only): ``-1`` iterates until the
    partition is stable; ``None`` does so up to ``LEIDEN_STABLE_MAX_NODES`` nodes and runs two
    iterations on larger graphs (about 45 s for 10^6 nodes and 5 x 10^6 edges).
    """

    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    if resolution <= 0:
        raise ValueError(f"resolution must be > 0, got {resolution}")
    g = _igraph_graph(graph)
    with _igraph_rng(seed):
        if method == "leiden":
            if n_iterations is None:
                n_iterations = leiden_iterations(graph.n_nodes)
            parts = g.community_leiden(objective_function="modularity", resolution=resolution,
                                       n_iterations=n_iterations)
        else:
            parts = g.community_multilevel(resolution=resolution)
    return _canonical_labels(np.asarray(parts.membership))


def _igraph_graph(graph: NetworkGraph) -> Any:
    """The graph as an igraph ``Graph``, read straight from the edge array.

    The cyclic garbage collector is paused meanwhile: the conversion creates millions of short-lived
    Python integers, and collections triggered by them would double its cost on 10^6 nodes.
    """
    import igraph

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return igraph.Graph(n=graph.n_nodes, edges=graph.edges, directed=False)
    finally:
        if was_enabled:
            gc.enable()


#: Above this many nodes only the configured partition method is run (Louvain is compared with
#: Leiden on smaller graphs; on 10^5+ nodes igraph's Louvain takes minutes where Leiden takes
#: seconds).
COMPARE_METHODS_MAX_NODES = 50_000


def graph_partitions(graph: NetworkGraph, method: str, resolution: float, seed: int
                     ) -> pd.DataFrame:
    """Community labels of every node, one column per method (``node`` first).

    Both methods on graphs up to ``COMPARE_METHODS_MAX_NODES`` nodes, to compare their quality;
    only ``method`` (the one the designs use) on larger graphs.
    """
    if method not in METHODS:
        raise ValueError(f"method must be one of {METHODS}, got {method!r}")
    methods = METHODS if graph.n_nodes <= COMPARE_METHODS_MAX_NODES else (method,)
    columns = {"node": np.arange(graph.n_nodes, dtype=np.int64)}
    for name in methods:  # one or two methods
        columns[name] = partition_graph(graph, name, resolution, seed)
    return pd.DataFrame(columns)


def read_partition(path: str | os.PathLike[str], n_nodes: int) -> pd.DataFrame:
    """The table :func:`graph_partitions` wrote, checked against the graph it must describe."""
    table = pd.read_parquet(path)
    methods = [c for c in table.columns if c in METHODS]
    if "node" not in table.columns or not methods:
        raise ValueError(f"{os.fspath(path)}: expected a 'node' column and at least one of "
                         f"{list(METHODS)}, got columns {list(table.columns)}")
    if len(table) != n_nodes or not np.array_equal(table["node"].to_numpy(), np.arange(n_nodes)):
        raise ValueError(f"{os.fspath(path)}: expected one row per node 0..{n_nodes - 1} of the "
                         f"configured graph, got {len(table)} rows (rebuild the partition)")
    return table


def cross_cluster_edge_fraction(graph: NetworkGraph, labels: np.ndarray) -> float:
    """Share of edges whose endpoints are in different clusters."""
    if graph.n_edges == 0:
        return 0.0
    labels = np.asarray(labels)
    return float(np.mean(labels[graph.edges[:, 0]] != labels[graph.edges[:, 1]]))


def modularity(graph: NetworkGraph, labels: np.ndarray, resolution: float = 1.0) -> float:
    """Newman-Girvan modularity ``sum_c [m_c/m - resolution * (d_c / 2m)^2]``."""
    if graph.n_edges == 0:
        return 0.0
    codes = _canonical_labels(labels)
    n_clusters = int(codes.max()) + 1
    m = graph.n_edges
    src, dst = codes[graph.edges[:, 0]], codes[graph.edges[:, 1]]
    internal = np.bincount(src[src == dst], minlength=n_clusters)
    degree_sum = np.bincount(codes, weights=graph.degree, minlength=n_clusters)
    return float(np.sum(internal / m - resolution * (degree_sum / (2 * m)) ** 2))


def cluster_size_table(labels: np.ndarray) -> pd.DataFrame:
    """One row per cluster with its size, largest first."""
    codes = _canonical_labels(labels)
    sizes = np.bincount(codes)
    table = pd.DataFrame({"cluster": np.arange(sizes.size), "size": sizes})
    return table.sort_values(["size", "cluster"], ascending=[False, True], kind="stable"
                             ).reset_index(drop=True)


@dataclass(frozen=True)
class PartitionDiagnostics:
    """Summary of a partition used for graph-cluster randomization."""

    method: str
    n_nodes: int
    n_edges: int
    n_clusters: int
    modularity: float
    cross_cluster_edge_fraction: float
    cross_cluster_threshold: float
    exceeds_threshold: bool
    min_size: int
    median_size: float
    mean_size: float
    max_size: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def partition_diagnostics(graph: NetworkGraph, labels: np.ndarray, threshold: float,
                          method: str = "given") -> PartitionDiagnostics:
    """Modularity, cluster sizes and cross-cluster edge share; warns above ``threshold``."""
    if not 0 <= threshold <= 1:
        raise ValueError(f"threshold must be a fraction in [0, 1], got {threshold}")
    labels = np.asarray(labels)
    if labels.shape != (graph.n_nodes,):
        raise ValueError(f"labels must have one entry per node ({graph.n_nodes}), "
                         f"got shape {labels.shape}")
    sizes = np.bincount(_canonical_labels(labels))
    cross = cross_cluster_edge_fraction(graph, labels)
    exceeds = cross > threshold
    if exceeds:
        warnings.warn(
            f"{method}: {cross:.1%} of edges cross cluster boundaries (threshold "
            f"{threshold:.0%}); graph-cluster randomization leaves substantial spillover "
            "between arms", CrossClusterWarning, stacklevel=2)
    return PartitionDiagnostics(
        method=method, n_nodes=graph.n_nodes, n_edges=graph.n_edges, n_clusters=int(sizes.size),
        modularity=modularity(graph, labels), cross_cluster_edge_fraction=cross,
        cross_cluster_threshold=float(threshold), exceeds_threshold=bool(exceeds),
        min_size=int(sizes.min()), median_size=float(np.median(sizes)),
        mean_size=float(sizes.mean()), max_size=int(sizes.max()),
    )


def clusters_of_size(graph: NetworkGraph, communities: np.ndarray, target_size: int
                     ) -> np.ndarray:
    """Clusters of roughly ``target_size`` nodes built from a community partition.

    Smaller than the typical community: each community is cut into ``round(n_c / s)`` pieces
    of consecutive nodes in reverse Cuthill-McKee order of its internal edges (an ordering that
    keeps neighbours close), so pieces stay as connected as the community allows. Larger: groups
    of ``round(s / mean community size)`` communities are merged. ``target_size = 1`` gives
    individual randomization.
    """
    if isinstance(target_size, bool) or int(target_size) != target_size or target_size < 1:
        raise ValueError(f"target_size must be a positive integer, got {target_size!r}")
    s = int(target_size)
    codes = _canonical_labels(communities)
    if codes.shape != (graph.n_nodes,):
        raise ValueError(f"communities must have one entry per node ({graph.n_nodes})")
    sizes = np.bincount(codes)
    if s == 1:
        return np.arange(graph.n_nodes, dtype=np.int64)
    if s > np.median(sizes):
        per_group = max(1, int(np.round(s / sizes.mean())))
        return _canonical_labels(codes // per_group)
    # keep only within-community edges, then order nodes to keep neighbours together
    e0, e1 = graph.edges[:, 0], graph.edges[:, 1]
    inside = codes[e0] == codes[e1]
    rows = np.concatenate([e0[inside], e1[inside]])
    cols = np.concatenate([e1[inside], e0[inside]])
    internal = sp.csr_array((np.ones(rows.size), (rows, cols)),
                            shape=(graph.n_nodes, graph.n_nodes))
    order = reverse_cuthill_mckee(sp.csr_matrix(internal), symmetric_mode=True)
    position = np.empty(graph.n_nodes, dtype=np.int64)
    position[order] = np.arange(graph.n_nodes)
    by_community = np.lexsort((position, codes))  # nodes grouped by community, RCM order inside
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    rank = np.empty(graph.n_nodes, dtype=np.int64)
    rank[by_community] = np.arange(graph.n_nodes) - np.repeat(starts, sizes)
    pieces = np.maximum(1, np.round(sizes / s)).astype(np.int64)
    piece = (rank * pieces[codes]) // sizes[codes]
    offsets = np.concatenate([[0], np.cumsum(pieces)[:-1]])
    return _canonical_labels(offsets[codes] + piece)


def neighbor_share_by_design(graph: NetworkGraph, assignments: Mapping[str, np.ndarray]
                             ) -> pd.DataFrame:
    """Tidy table of every node's own treatment and treated-neighbour share under each design."""
    frames = []
    for design, z in assignments.items():  # a handful of designs
        z_arr = np.asarray(z)
        frames.append(pd.DataFrame({
            "design": design, "node": np.arange(graph.n_nodes), "treated": z_arr.astype(np.int8),
            "degree": graph.degree,
            "neighbor_share": neighbor_share(graph.adjacency, z_arr),
        }))
    return pd.concat(frames, ignore_index=True)
