"""Benchmark: sparse network exposure mappings and graph partitioners.

Run single-threaded so the comparison is about algorithms, not BLAS threads::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_exposure.py [--nodes 2000 20000]

For each graph size (the seed SBM rescaled with the same mean degree) it times

* ``sparse``: :func:`analysis.exposure.neighbor.neighbor_share` and
  :func:`~analysis.exposure.neighbor.four_way_condition` for ``R`` assignments in one call;
* ``reference``: the seed notebook's approach - for every assignment, loop over nodes and read
  each node's neighbour list;

checks that both agree and prints seconds and the speed ratio. It then compares partitioners on
the same graph (igraph Leiden and Louvain/multilevel, networkx Louvain): time, modularity and
cross-cluster edge share, the evidence for using Leiden by default. It also times sampling the
SBM itself at each size. Timings are not asserted anywhere in the test suite.
"""

from __future__ import annotations

import argparse
import os
import time
import warnings

import networkx as nx
import numpy as np

from analysis.designs.graph_cluster import (
    cross_cluster_edge_fraction,
    modularity,
    partition_graph,
)
from analysis.exposure import neighbor
from analysis.worlds.network import NetworkGraph, SBMSpec, sample_sbm

SEED_SPEC = SBMSpec((55, 50, 60, 45), ((0.16, 0.015, 0.010, 0.010), (0.015, 0.15, 0.012, 0.010),
                                       (0.010, 0.012, 0.13, 0.018), (0.010, 0.010, 0.018, 0.17)))


def reference_exposure(graph: NetworkGraph, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Loop over assignments and nodes, reading neighbour lists (the plain implementation)."""
    adj = graph.adjacency.tocsr()
    neighbors = [adj.indices[adj.indptr[i]:adj.indptr[i + 1]] for i in range(graph.n_nodes)]
    shares = np.zeros(z.shape)
    codes = np.zeros(z.shape, dtype=np.int8)
    for r in range(z.shape[0]):
        for i, nbrs in enumerate(neighbors):
            count = int(z[r, nbrs].sum()) if len(nbrs) else 0
            shares[r, i] = count / len(nbrs) if len(nbrs) else 0.0
            codes[r, i] = 2 * z[r, i] + (count > 0)
    return shares, codes


def sparse_exposure(graph: NetworkGraph, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share and four-way condition for all assignments with sparse products."""
    return (neighbor.neighbor_share(graph.adjacency, z),
            neighbor.four_way_condition(graph.adjacency, z))


def networkx_louvain(graph: NetworkGraph, seed: int = 1) -> tuple[list[set], float]:
    """networkx's pure-Python Louvain communities and the seconds they took (graph build untimed)."""
    g = nx.Graph()
    g.add_nodes_from(range(graph.n_nodes))
    g.add_edges_from(graph.edges.tolist())
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        comms = nx.community.louvain_communities(g, seed=seed)
    return comms, time.perf_counter() - start


def timed(fn, *args):
    start = time.perf_counter()
    out = fn(*args)
    return out, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[2_000, 20_000])
    parser.add_argument("--draws", type=int, default=20, help="assignments per mapping call")
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for single-threaded timings")
    rng = np.random.default_rng(0)
    for n in args.nodes:
        graph, t_graph = timed(sample_sbm, SEED_SPEC.scaled(n), rng)
        z = (rng.random((args.draws, n)) < 0.35).astype(np.int8)
        (s_share, s_codes), t_sparse = timed(sparse_exposure, graph, z)
        (r_share, r_codes), t_ref = timed(reference_exposure, graph, z)
        assert np.allclose(s_share, r_share) and np.array_equal(s_codes, r_codes)
        print(f"n={n:>9,}  edges={graph.n_edges:>10,}  sample SBM {t_graph:7.3f}s  "
              f"mappings x{args.draws}: sparse {t_sparse:8.4f}s  reference {t_ref:8.3f}s  "
              f"ratio {t_ref / t_sparse:7.1f}x")
        rows = []
        for method in ("leiden", "louvain"):
            labels, t = timed(partition_graph, graph, method, 1.0, 1)
            rows.append((f"igraph {method}", t, labels))
        if n <= 50_000:
            comms, t = networkx_louvain(graph)
            labels = np.zeros(n, dtype=np.int64)
            for c, members in enumerate(comms):
                labels[list(members)] = c
            rows.append(("networkx louvain", t, labels))
        for name, t, labels in rows:
            print(f"    {name:<17} {t:8.3f}s  clusters {np.unique(labels).size:>6}  "
                  f"modularity {modularity(graph, labels):.4f}  "
                  f"cross-cluster edges {cross_cluster_edge_fraction(graph, labels):.3f}")


if __name__ == "__main__":
    main()
