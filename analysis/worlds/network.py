"""The network world: a stochastic block model with a known spillover outcome model.

Units are nodes of a stochastic block model (SBM) with planted communities. Potential outcomes are

    Y_i(z) = b_i + direct * z_i + spillover * share_i(z),

where ``share_i(z)`` is the share of i's neighbours that are treated (0 for isolated nodes) and the
baseline ``b_i = intercept + degree_slope * degree_i + c_{block(i)} + e_i`` mixes a degree term, a
community shock and idiosyncratic noise. The baseline is drawn once: the world is a finite
population, and designs re-randomize treatment on it. Because the model is known, every estimand
can be computed exactly (see :func:`network_estimands`).

The SBM sampler is vectorised: for each pair of blocks it draws the number of edges from a
binomial and then that many distinct pair indices without replacement, so the cost is
proportional to the number of edges, not to ``n^2``. A million-node graph with the default mean
degree takes seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import scipy.sparse as sp

__all__ = [
    "NetworkGraph",
    "NetworkOutcomeModel",
    "NetworkWorld",
    "SBMSpec",
    "build_network_world",
    "network_estimands",
    "observed_outcomes",
    "sample_sbm",
]


@dataclass(frozen=True)
class SBMSpec:
    """Block sizes and the symmetric matrix of within/between-block edge probabilities."""

    block_sizes: tuple[int, ...]
    block_probs: tuple[tuple[float, ...], ...]

    def __post_init__(self) -> None:
        sizes = np.asarray(self.block_sizes)
        probs = np.asarray(self.block_probs, dtype=float)
        if sizes.ndim != 1 or sizes.size == 0 or (sizes < 1).any():
            raise ValueError(f"block_sizes must be a non-empty list of positive integers, "
                             f"got {self.block_sizes!r}")
        if probs.shape != (sizes.size, sizes.size):
            raise ValueError(f"block_probs must be a {sizes.size}x{sizes.size} matrix to match "
                             f"block_sizes, got shape {probs.shape}")
        if not np.allclose(probs, probs.T):
            raise ValueError("block_probs must be symmetric")
        if (probs < 0).any() or (probs > 1).any():
            raise ValueError("block_probs entries must be probabilities in [0, 1]")

    @property
    def n_nodes(self) -> int:
        return int(sum(self.block_sizes))

    def expected_mean_degree(self) -> float:
        """Expected mean degree of the sampled graph."""
        sizes = np.asarray(self.block_sizes, dtype=float)
        probs = np.asarray(self.block_probs, dtype=float)
        expected_edges = 0.5 * (sizes @ probs @ sizes - np.sum(np.diag(probs) * sizes))
        return float(2 * expected_edges / sizes.sum())

    def scaled(self, n_nodes: int) -> SBMSpec:
        """The same community structure with ``n_nodes`` nodes and the same expected mean degree.

        Block sizes grow in proportion (largest-remainder rounding, so they sum to ``n_nodes``)
        and every probability is multiplied by ``N0 / n_nodes`` (``N0`` the current size), which
        keeps each node's expected number of neighbours in every block fixed (up to the
        ``n_r - 1`` vs ``n_r`` of within-block pairs): the sparse regime real social graphs live
        in.
        """
        if isinstance(n_nodes, bool) or int(n_nodes) != n_nodes or n_nodes < len(self.block_sizes):
            raise ValueError(f"n_nodes must be an integer >= the number of blocks "
                             f"({len(self.block_sizes)}), got {n_nodes!r}")
        n_nodes = int(n_nodes)
        base = np.asarray(self.block_sizes, dtype=float)
        exact = base * n_nodes / base.sum()
        sizes = np.floor(exact).astype(np.int64)
        remainder = n_nodes - int(sizes.sum())
        order = np.argsort(-(exact - sizes), kind="stable")
        sizes[order[:remainder]] += 1
        factor = base.sum() / n_nodes
        probs = np.clip(np.asarray(self.block_probs, dtype=float) * factor, 0.0, 1.0)
        return SBMSpec(tuple(int(s) for s in sizes), tuple(tuple(float(p) for p in row)
                                                            for row in probs))


@dataclass(frozen=True)
class NetworkGraph:
    """An undirected simple graph stored as an edge list and a symmetric CSR adjacency."""

    n_nodes: int
    edges: np.ndarray  # (m, 2) int64, each row (i, j) with i < j, rows sorted
    block: np.ndarray  # (n,) int64 planted community of each node
    adjacency: sp.csr_array  # (n, n) symmetric 0/1 float64

    @property
    def degree(self) -> np.ndarray:
        return np.diff(self.adjacency.indptr).astype(np.int64)

    @property
    def n_edges(self) -> int:
        return int(self.edges.shape[0])


def graph_from_edges(n_nodes: int, edges: np.ndarray, block: np.ndarray | None = None
                     ) -> NetworkGraph:
    """Build a :class:`NetworkGraph` from an edge list (duplicates and self-loops rejected)."""
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if (edges < 0).any() or (edges >= n_nodes).any():
        raise ValueError(f"edges must reference nodes 0..{n_nodes - 1}")
    if (edges[:, 0] == edges[:, 1]).any():
        raise ValueError("edges contain self-loops")
    lo, hi = np.minimum(edges[:, 0], edges[:, 1]), np.maximum(edges[:, 0], edges[:, 1])
    keys = lo * n_nodes + hi
    order = np.argsort(keys, kind="stable")
    if (np.diff(keys[order]) == 0).any():  # sorted keys: a duplicate sits next to its twin
        raise ValueError("edges contain duplicates")
    edges = np.column_stack([lo[order], hi[order]])
    rows = np.concatenate([edges[:, 0], edges[:, 1]])
    cols = np.concatenate([edges[:, 1], edges[:, 0]])
    adjacency = sp.csr_array((np.ones(rows.size), (rows, cols)), shape=(n_nodes, n_nodes))
    adjacency.sort_indices()
    if block is None:
        block = np.zeros(n_nodes, dtype=np.int64)
    return NetworkGraph(n_nodes=int(n_nodes), edges=edges, block=np.asarray(block, np.int64),
                        adjacency=adjacency)


def _row_start(i: np.ndarray, k: int) -> np.ndarray:
    """Linear index of the first strict-upper-triangle pair in row ``i`` of a k x k matrix."""
    return i * (2 * k - i - 1) // 2


def _upper_triangle_pairs(index: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Map linear indices 0..k(k-1)/2-1 of the strict upper triangle (row-major) to (i, j)."""
    index = np.asarray(index, dtype=np.int64)
    kf = float(k)
    # invert the row start with the quadratic formula, then undo floating-point rounding
    i = np.floor((2 * kf - 1 - np.sqrt((2 * kf - 1) ** 2 - 8.0 * index)) / 2).astype(np.int64)
    i = np.clip(i, 0, k - 2)
    i = np.where(_row_start(i, k) > index, i - 1, i)
    i = np.where(_row_start(i + 1, k) <= index, i + 1, i)
    j = index - _row_start(i, k) + i + 1
    return i, j


def sample_sbm(spec: SBMSpec, rng: np.random.Generator) -> NetworkGraph:
    """Sample an SBM graph; expected cost O(edges), not O(n^2).

    For each block pair (r <= s) the edge count is Binomial(#pairs, p_rs) and the edges are a
    uniformly random subset of that many distinct pairs, which is exactly the SBM distribution.
    """
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")
    sizes = np.asarray(spec.block_sizes, dtype=np.int64)
    probs = np.asarray(spec.block_probs, dtype=float)
    offsets = np.concatenate([[0], np.cumsum(sizes)])
    parts: list[np.ndarray] = []
    n_blocks = sizes.size
    for r in range(n_blocks):  # a loop over block pairs, not nodes
        for s in range(r, n_blocks):
            p = probs[r, s]
            if p <= 0:
                continue
            n_pairs = sizes[r] * (sizes[r] - 1) // 2 if r == s else sizes[r] * sizes[s]
            if n_pairs == 0:
                continue
            m = int(rng.binomial(n_pairs, p))
            if m == 0:
                continue
            picked = rng.choice(n_pairs, size=m, replace=False)
            if r == s:
                i, j = _upper_triangle_pairs(picked, int(sizes[r]))
                parts.append(np.column_stack([offsets[r] + i, offsets[r] + j]))
            else:
                i, j = np.divmod(picked, sizes[s])
                parts.append(np.column_stack([offsets[r] + i, offsets[s] + j]))
    edges = np.concatenate(parts) if parts else np.empty((0, 2), dtype=np.int64)
    block = np.repeat(np.arange(n_blocks, dtype=np.int64), sizes)
    return graph_from_edges(int(sizes.sum()), edges, block)


@dataclass(frozen=True)
class NetworkOutcomeModel:
    """Coefficients of the outcome model (defaults from the seed notebook)."""

    intercept: float = 8.0
    direct: float = 1.0
    spillover: float = 2.4
    degree_slope: float = 0.06
    community_sd: float = 0.7
    noise_sd: float = 1.2

    def __post_init__(self) -> None:
        for name in ("community_sd", "noise_sd"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be >= 0, got {getattr(self, name)}")


@dataclass(frozen=True)
class NetworkWorld:
    """A sampled graph plus the fixed baseline outcome ``b_i`` of every node."""

    graph: NetworkGraph
    model: NetworkOutcomeModel
    baseline: np.ndarray  # (n,) outcome with nobody treated
    community_effect: np.ndarray  # (n_blocks,)


def build_network_world(spec: SBMSpec, model: NetworkOutcomeModel, graph_seed: int,
                        outcome_seed: int) -> NetworkWorld:
    """Sample the SBM (``graph_seed``) and the baseline outcomes (``outcome_seed``)."""
    graph = sample_sbm(spec, np.random.default_rng(graph_seed))
    rng = np.random.default_rng(outcome_seed)
    community = rng.normal(0.0, model.community_sd, size=len(spec.block_sizes))
    noise = rng.normal(0.0, model.noise_sd, size=graph.n_nodes)
    baseline = (model.intercept + model.degree_slope * graph.degree + community[graph.block]
                + noise)
    return NetworkWorld(graph=graph, model=model, baseline=baseline, community_effect=community)


def observed_outcomes(world: NetworkWorld, assignment: np.ndarray) -> np.ndarray:
    """Outcomes under one assignment ``(n,)`` or many ``(R, n)`` (vectorised over rows)."""
    from analysis.exposure.neighbor import neighbor_share

    z = np.asarray(assignment)
    share = neighbor_share(world.graph.adjacency, z)
    return world.baseline + world.model.direct * z + world.model.spillover * share


def network_estimands(world: NetworkWorld) -> pd.DataFrame:
    """Exact finite-population estimands implied by the outcome model.

    * direct effect with no treated neighbours: Y(1, share 0) - Y(0, share 0) = direct;
    * spillover of a fully treated neighbourhood on an untreated unit (nodes with neighbours);
    * total (global) effect: everybody treated vs nobody, averaged over all nodes (isolated nodes
      only get the direct effect), which is also the full-neighbourhood exposure contrast.
    """
    has_neighbors = (world.graph.degree > 0).mean()
    m = world.model
    rows: Sequence[dict[str, object]] = [
        {"estimand": "direct_no_exposure", "label": "Direct effect, no treated neighbours",
         "definition": "mean of Y(1, share 0) - Y(0, share 0)", "value": m.direct},
        {"estimand": "spillover_full", "label": "Spillover of a fully treated neighbourhood",
         "definition": "mean over units with neighbours of Y(0, share 1) - Y(0, share 0)",
         "value": m.spillover},
        {"estimand": "total_effect", "label": "Total (global) effect",
         "definition": "mean of Y(all treated) - Y(none treated)",
         "value": m.direct + m.spillover * float(has_neighbors)},
    ]
    return pd.DataFrame(rows)
