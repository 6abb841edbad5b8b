"""Benchmark: choosing non-overlapping egos in rounds of sparse products versus a plain loop.

Run single-threaded so the comparison is about algorithms, not BLAS threads::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_ego_clusters.py [--nodes 10000 100000]

For each graph size (the seed SBM rescaled with the same mean degree) it times, with the same
random priorities,

* ``rounds``: :func:`analysis.designs.ego_cluster.non_overlapping_egos` (a node joins when it has
  the smallest priority within distance 2; two sparse passes per round);
* ``reference``: the sequential greedy loop over nodes in priority order, blocking each chosen
  ego's two-hop ball through Python neighbour lists;

checks that both choose the same egos and prints seconds and the speed ratio. Timings are not
asserted anywhere in the test suite.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from bench_bipartite import best_of  # the scripts' shared best-of-n timer

from analysis.designs.ego_cluster import non_overlapping_egos
from analysis.worlds.network import SBMSpec, sample_sbm

SEED_SPEC = SBMSpec((55, 50, 60, 45), ((0.16, 0.015, 0.010, 0.010), (0.015, 0.15, 0.012, 0.010),
                                       (0.010, 0.012, 0.13, 0.018), (0.010, 0.010, 0.018, 0.17)))


def reference_egos(indptr: np.ndarray, indices: np.ndarray, priority: np.ndarray) -> np.ndarray:
    """Sequential greedy in priority order over Python neighbour lists."""
    n = indptr.size - 1
    neighbours = [indices[indptr[i]:indptr[i + 1]].tolist() for i in range(n)]
    blocked = [False] * n
    chosen = []
    for node in np.argsort(priority).tolist():
        if blocked[node] or not neighbours[node]:
            continue
        chosen.append(node)
        for j in neighbours[node]:
            blocked[j] = True
            for k in neighbours[j]:
                blocked[k] = True
        blocked[node] = True
    return np.sort(np.asarray(chosen, dtype=np.int64))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    print(f"OPENBLAS_NUM_THREADS={os.environ.get('OPENBLAS_NUM_THREADS', 'unset')}")
    for n in args.nodes:
        graph = sample_sbm(SEED_SPEC.scaled(n), np.random.default_rng(1))
        adj = graph.adjacency
        priority = np.random.default_rng(2).permutation(n)
        t_rounds, egos = best_of(
            lambda a=adj: non_overlapping_egos(a, np.random.default_rng(2)), args.repeats)
        t_ref, ref = best_of(
            lambda a=adj, p=priority: reference_egos(a.indptr, a.indices, p), args.repeats)
        assert np.array_equal(egos, ref), "rounds and reference chose different egos"
        print(f"{n:>9,} nodes, {graph.n_edges:>10,} edges, {egos.size:>7,} egos: rounds "
              f"{t_rounds:.3f} s, reference {t_ref:.3f} s, ratio {t_ref / t_rounds:.1f}x")


if __name__ == "__main__":
    main()
