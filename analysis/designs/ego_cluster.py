"""Ego-cluster randomization (Saint-Jacques et al. 2019) and holdouts on a graph.

An *ego network* is a node (the ego) with all its neighbours (the alters). The design samples egos
whose ego networks do not overlap, assigns each ego network as a whole, and measures outcomes on
the egos only. Because every neighbour of an ego belongs to the ego's own network, a treated ego
has all of its neighbours treated and a control ego none: egos are in full treatment or full
control *by construction*, whatever the rest of the graph receives.

* :func:`non_overlapping_egos` - a maximal set of egos with pairwise disjoint closed
  neighbourhoods (pairwise graph distance at least 3), chosen greedily in a random order. The
  greedy choice is computed in rounds (a node joins when it has the smallest priority within
  distance 2 among the nodes still available), which gives exactly the sequential greedy result
  with sparse products instead of a loop over nodes;
* :func:`ego_network_labels` - the ego network each node belongs to (``-1`` outside all of them);
* :func:`ego_network_assignment` - ego networks treated as wholes (complete randomization), with
  the nodes outside every ego network all untreated (an experiment) or all treated (a launch
  that keeps the control ego networks as a holdout).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from analysis.designs.assignment import encoded_cluster_assignment

__all__ = [
    "closed_neighborhood_min",
    "ego_network_assignment",
    "ego_network_labels",
    "non_overlapping_egos",
]


def _csr(adjacency: Any) -> sp.csr_array:
    adj = sp.csr_array(adjacency)
    if adj.shape[0] != adj.shape[1]:
        raise ValueError(f"adjacency must be square, got shape {adj.shape}")
    adj.sort_indices()
    return adj


def closed_neighborhood_min(adjacency: Any, values: np.ndarray) -> np.ndarray:
    """For every node, the minimum of ``values`` over the node and its neighbours."""
    adj = _csr(adjacency)
    values = np.asarray(values, dtype=float)
    if values.shape != (adj.shape[0],):
        raise ValueError(f"values must have one entry per node ({adj.shape[0]}), "
                         f"got shape {values.shape}")
    out = values.copy()
    degree = np.diff(adj.indptr)
    has = degree > 0
    if has.any():
        row_min = np.minimum.reduceat(values[adj.indices], adj.indptr[:-1][has])
        out[has] = np.minimum(out[has], row_min)
    return out


def _within_two(adj: sp.csr_array, mask: np.ndarray) -> np.ndarray:
    """Nodes at graph distance at most 2 from a node of ``mask``."""
    one = mask | ((adj @ mask.astype(float)) > 0)
    return one | ((adj @ one.astype(float)) > 0)


def non_overlapping_egos(adjacency: Any, rng: np.random.Generator,
                         eligible: np.ndarray | None = None) -> np.ndarray:
    """Sorted node indices of egos whose closed neighbourhoods are pairwise disjoint.

    Egos are chosen greedily in a uniformly random order among ``eligible`` nodes (default: every
    node with at least one neighbour): a node becomes an ego unless an earlier ego lies within
    distance 2 of it. The result is maximal: every eligible node not chosen is within distance 2
    of an ego.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    adj = _csr(adjacency)
    n = adj.shape[0]
    if eligible is None:
        eligible = np.diff(adj.indptr) > 0
    eligible = np.asarray(eligible, dtype=bool)
    if eligible.shape != (n,):
        raise ValueError(f"eligible must be a boolean mask of length {n}, got {eligible.shape}")
    priority = rng.permutation(n).astype(float)
    active = eligible.copy()
    chosen = np.zeros(n, dtype=bool)
    while active.any():  # O(log n) rounds in practice; each round is two sparse passes
        live = np.where(active, priority, np.inf)
        ball_min = closed_neighborhood_min(adj, closed_neighborhood_min(adj, live))
        pick = active & (live == ball_min)
        chosen |= pick
        active &= ~_within_two(adj, pick)
    return np.flatnonzero(chosen)


def ego_network_labels(adjacency: Any, egos: np.ndarray) -> np.ndarray:
    """Index (0..K-1, in the order of ``egos``) of the ego network of every node, ``-1`` if none.

    Raises if two ego networks overlap, so a label is never ambiguous.
    """
    adj = _csr(adjacency)
    n = adj.shape[0]
    egos = np.asarray(egos, dtype=np.int64)
    if egos.size and (egos.min() < 0 or egos.max() >= n):
        raise ValueError(f"egos must be node indices in 0..{n - 1}")
    members = sp.csr_array((np.ones(egos.size), (egos, np.arange(egos.size))),
                           shape=(n, egos.size))
    membership = (adj @ members + members).tocsr()  # node x ego: 1 if node is in ego's network
    counts = np.diff(membership.indptr)
    if (counts > 1).any():
        raise ValueError(f"ego networks overlap: node {int(np.argmax(counts > 1))} belongs to "
                         f"{int(counts.max())} of them")
    labels = np.full(n, -1, dtype=np.int64)
    labels[counts == 1] = membership.indices
    return labels


def ego_network_assignment(labels: np.ndarray, p: float, rng: np.random.Generator, *,
                           outside: int = 0, n_draws: int | None = None) -> np.ndarray:
    """Treat whole ego networks: exactly ``round(p * K)`` of the ``K`` networks.

    Nodes outside every ego network (label ``-1``) all get ``outside``: 0 in an ego-cluster
    experiment, 1 in a launch whose untreated ego networks form a holdout.
    """
    if outside not in (0, 1):
        raise ValueError(f"outside must be 0 or 1, got {outside!r}")
    labels = np.asarray(labels, dtype=np.int64)
    inside = labels >= 0
    n_networks = int(labels.max()) + 1 if inside.any() else 0
    if n_networks < 2:
        raise ValueError("ego_network_assignment needs at least two ego networks")
    drawn = encoded_cluster_assignment(labels[inside], n_networks, p, rng, n_draws=n_draws)
    shape = labels.shape if n_draws is None else (int(n_draws), labels.size)
    z = np.full(shape, outside, dtype=np.int8)
    z[..., inside] = drawn
    return z
