"""Neighbourhood exposure mappings g_i(z, G).

Every function takes the symmetric adjacency matrix of the graph (any ``scipy.sparse`` array or
matrix) and an assignment ``z`` that is either one vector ``(n,)`` or ``R`` assignments stacked as
``(R, n)``; the result has the same shape as ``z``. One sparse product ``A @ Z.T`` computes the
treated-neighbour counts of every node under every assignment at once, so exposure probabilities,
Monte Carlo studies and randomization tests never loop over nodes or re-randomizations.

The adjacency must be a simple undirected graph: square, symmetric, 0/1 and without self-loops;
anything else raises ``ValueError`` (a self-loop would make a node its own neighbour).

Conventions for isolated nodes (degree 0): their treated-neighbour count and share are 0, they
have no treated neighbour, and they count as having *all* their (zero) neighbours treated, so
that "fully treated neighbourhood" and "no treated neighbour" are both vacuously true. This
matches the outcome model in :mod:`analysis.worlds.network`, where an isolated node only ever
receives its direct effect.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse as sp

__all__ = [
    "CheckedAdjacency",
    "ClusterShares",
    "FOUR_WAY_LABELS",
    "FULL_NEIGHBORHOOD_LABELS",
    "all_neighbors_treated",
    "any_treated_neighbor",
    "at_least_k_treated",
    "checked_adjacency",
    "four_way_condition",
    "full_neighborhood_condition",
    "neighbor_share",
    "own_treatment",
    "treated_high_degree_neighbors",
    "treated_neighbor_count",
]

#: Labels of :func:`four_way_condition` codes 0..3 (code = 2 * own + any treated neighbour).
FOUR_WAY_LABELS: tuple[str, ...] = (
    "control, no treated neighbour",
    "control, some treated neighbour",
    "treated, no treated neighbour",
    "treated, some treated neighbour",
)

#: Labels of :func:`full_neighborhood_condition` codes 0..2.
FULL_NEIGHBORHOOD_LABELS: tuple[str, ...] = (
    "full control",
    "full treatment",
    "mixed",
)


def _is_binary(arr: np.ndarray) -> bool:
    """Whether every entry is 0 or 1 (two reductions for integers instead of a set lookup)."""
    if arr.dtype == bool or arr.size == 0:
        return True
    if np.issubdtype(arr.dtype, np.integer):
        return bool(arr.min() >= 0 and arr.max() <= 1)
    return bool(((arr == 0) | (arr == 1)).all())


def _check_adjacency(adjacency: Any) -> sp.csr_array:
    if not sp.issparse(adjacency):
        raise TypeError(f"adjacency must be a scipy.sparse matrix, got {type(adjacency).__name__}")
    if adjacency.ndim != 2 or adjacency.shape[0] != adjacency.shape[1]:
        raise ValueError(f"adjacency must be square, got shape {adjacency.shape}")
    adj = sp.csr_array(adjacency)
    if adj.diagonal().any():
        raise ValueError(f"adjacency has {int(np.count_nonzero(adj.diagonal()))} self-loop(s) "
                         f"(non-zero diagonal): a node would count as its own neighbour")
    if adj.nnz and not np.isin(adj.data, (0, 1)).all():
        raise ValueError("adjacency must be an unweighted 0/1 graph; found edge weights "
                         f"{np.unique(adj.data[~np.isin(adj.data, (0, 1))])[:5].tolist()}")
    if (adj != adj.T).nnz:
        raise ValueError("adjacency must be symmetric (an undirected graph); "
                         f"{(adj != adj.T).nnz} entries differ from their transpose")
    return adj


def _check_assignment(z: Any, n: int) -> np.ndarray:
    arr = np.asarray(z)
    if arr.ndim not in (1, 2) or arr.shape[-1] != n:
        raise ValueError(f"assignment z must have shape (n,) or (R, n) with n={n}, "
                         f"got {arr.shape}")
    if not _is_binary(arr):
        raise ValueError("assignment z must be 0/1 (or boolean)")
    return arr


def degree(adjacency: Any) -> np.ndarray:
    """Number of neighbours of every node (row sums of the 0/1 adjacency)."""
    return np.diff(_structure(adjacency).indptr).astype(np.int64)


def own_treatment(z: Any) -> np.ndarray:
    """The unit's own assignment as 0/1 ``int8`` (the mapping under no interference)."""
    arr = np.asarray(z)
    if not _is_binary(arr):
        raise ValueError("assignment z must be 0/1 (or boolean)")
    return arr.astype(np.int8)


@dataclass(frozen=True)
class CheckedAdjacency:
    """A graph's adjacency, checked and made canonical once (see :func:`checked_adjacency`)."""

    matrix: sp.csr_array


def checked_adjacency(adjacency: Any) -> CheckedAdjacency:
    """Check a graph once for callers that apply many mappings to it.

    Every function of this module accepts the result in place of the adjacency and then skips
    the checks (symmetry, 0/1 entries, no self-loops), which cost more than a mapping itself on
    a large graph.
    """
    return CheckedAdjacency(_structure(adjacency))


def _structure(adjacency: Any) -> sp.csr_array:
    """The adjacency as canonical CSR without explicit zeros: its pattern is the edge set."""
    if isinstance(adjacency, CheckedAdjacency):
        return adjacency.matrix
    adj = _check_adjacency(adjacency)
    if not adj.has_canonical_format or (adj.data == 0).any():
        adj = adj.copy()
        adj.sum_duplicates()
        adj.eliminate_zeros()
    return adj


def _pattern(adj: sp.csr_array, dtype: type) -> sp.csr_array:
    """0/1 matrix of ``adj``'s pattern in ``dtype``, sharing its index arrays."""
    return sp.csr_array((np.ones(adj.indices.size, dtype=dtype), adj.indices, adj.indptr),
                        shape=adj.shape)


def _weighted_count(adjacency: Any, z: Any, node_weight: np.ndarray | None = None,
                    exact_counts: bool = True, checked: bool = False) -> np.ndarray:
    """Weighted treated-neighbour counts as int64 (or, with ``exact_counts=False``, as the
    integer-valued floats of the sparse product, which callers that divide can use directly).

    ``checked=True`` skips the graph checks for a canonical CSR this module already checked."""
    adj = adjacency if checked else _structure(adjacency)
    arr = _check_assignment(z, adj.shape[0])
    # 0/1 weights give integer counts below 2^24, exact in float32 (half the bytes of float64)
    exact32 = node_weight is None or bool(np.isin(node_weight, (0.0, 1.0)).all())
    dtype = np.float32 if exact32 and adj.shape[0] < 1 << 24 else np.float64
    if node_weight is None:  # cast and transpose in one pass: (n,) or (n, R), C-contiguous
        values = np.empty(arr.shape[::-1], dtype=dtype)
        values[...] = arr.T
    else:
        values = np.ascontiguousarray((arr * node_weight.astype(dtype)).T)
    counts = _pattern(adj, dtype) @ values  # (n,) or (n, R)
    return np.rint(counts.T).astype(np.int64) if exact_counts else counts.T


def _pack_rows(rows: np.ndarray) -> np.ndarray:
    """``(R, n)`` booleans -> ``(ceil(R / 64), n)`` words; bit ``k`` of word ``w`` is row ``64 w + k``.

    Built from whole rows with shifts (8 bit positions, then 8 byte positions), so every pass
    is contiguous; ``np.packbits`` along the row axis would walk the array with a stride of ``n``.
    """
    n_draws, n = rows.shape
    n_words = -(-n_draws // 64)
    as_bytes = np.zeros((8 * n_words, n), dtype=np.uint8)
    flags = rows.view(np.uint8)
    for bit in range(8):  # byte b holds rows 8 b .. 8 b + 7
        part = flags[bit::8]
        as_bytes[:part.shape[0]] |= part << np.uint8(bit)
    words = np.zeros((n_words, n), dtype=np.uint64)
    for byte in range(8):  # word w holds bytes 8 w .. 8 w + 7
        words |= as_bytes[byte::8].astype(np.uint64) << np.uint64(8 * byte)
    return words


def _unpack_rows(words: np.ndarray, n_draws: int) -> np.ndarray:
    """Inverse of :func:`_pack_rows`: the first ``n_draws`` rows as ``(n_draws, n)`` booleans."""
    n_words, n = words.shape
    as_bytes = np.empty((8 * n_words, n), dtype=np.uint8)
    for byte in range(8):
        as_bytes[byte::8] = (words >> np.uint64(8 * byte)).astype(np.uint8)
    flags = np.empty((8 * as_bytes.shape[0], n), dtype=np.uint8)
    for bit in range(8):
        flags[bit::8] = (as_bytes >> np.uint8(bit)) & np.uint8(1)
    return flags[:n_draws].view(bool)


def _neighbor_any_all(adj: sp.csr_array, z: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Whether any, and whether every, neighbour is treated; boolean arrays of ``z``'s shape.

    Bit-parallel: the ``R`` assignments of a node are packed into 64-bit words, so one OR
    (AND) reduction over each node's neighbour list serves 64 assignments at once. Isolated
    nodes have no treated neighbour and (vacuously) all neighbours treated.
    """
    any_treated, all_treated = _neighbor_reductions(adj, z, (np.bitwise_or, np.bitwise_and))
    return any_treated, all_treated


def _neighbor_any(adj: sp.csr_array, z: np.ndarray) -> np.ndarray:
    """Whether any neighbour is treated (the OR half of :func:`_neighbor_any_all`)."""
    return _neighbor_reductions(adj, z, (np.bitwise_or,))[0]


def _neighbor_reductions(adj: sp.csr_array, z: np.ndarray, reductions: tuple[np.ufunc, ...]
                         ) -> list[np.ndarray]:
    """Each bitwise ``reduction`` (OR, AND) of every node's packed neighbour words, unpacked to
    booleans of ``z``'s shape; isolated nodes get OR's identity 0 and AND's all-ones."""
    rows = np.atleast_2d(z).astype(bool, copy=False)
    n_draws, n = rows.shape
    words = _pack_rows(rows)  # (W, n): bit k of words[w, i] is assignment 64 w + k of node i
    outputs = [np.full_like(words, 0 if op is np.bitwise_or else np.iinfo(np.uint64).max)
               for op in reductions]
    has_neighbors = np.diff(adj.indptr) > 0
    if has_neighbors.any():
        starts = adj.indptr[:-1][has_neighbors]
        for w in range(words.shape[0]):  # one 64-assignment word at a time
            gathered = words[w][adj.indices]
            for op, out in zip(reductions, outputs, strict=True):
                out[w, has_neighbors] = op.reduceat(gathered, starts)
    return [_unpack_rows(out, n_draws).reshape(np.shape(z)) for out in outputs]


def treated_neighbor_count(adjacency: Any, z: Any) -> np.ndarray:
    """Number of treated neighbours of every node."""
    return _weighted_count(adjacency, z)


def neighbor_share(adjacency: Any, z: Any) -> np.ndarray:
    """Share of neighbours treated (0 for isolated nodes)."""
    return _share(_structure(adjacency), z)


#: Nodes per block when shares are divided out of the ``(n, R)`` product into ``(R, n)``.
_SHARE_BLOCK = 2048


def _share(adj: sp.csr_array, z: Any) -> np.ndarray:
    # integer-valued floats, (R, n): a transposed view of the sparse product's (n, R) result
    counts = _weighted_count(adj, z, exact_counts=False, checked=True)
    deg = np.diff(adj.indptr)
    safe = np.where(deg > 0, deg, 1)  # an isolated node's count is 0, so its share is 0
    out = np.empty(counts.shape, dtype=np.float64)
    # divide block by block of nodes: each transposed block stays in cache (one strided pass
    # over the whole product would miss it on every element)
    for start in range(0, deg.size, _SHARE_BLOCK):
        block = slice(start, start + _SHARE_BLOCK)
        np.divide(counts[..., block], safe[block], out=out[..., block])
    return out


class ClusterShares:
    """Treated-neighbour shares of chosen rows under many draws of a cluster assignment.

    ``rows`` (node indices, in output order, or a boolean mask) are the nodes whose shares a
    statistic reads, e.g. the focal units of a test; ``clusters`` the code ``0..G-1`` of every
    node's randomization cluster (``np.arange(n)``: every node its own cluster); ``held``
    (optional, one entry per cluster) is -1 for clusters the draws vary and 0/1 for clusters held
    at that value in every draw.

    The graph is checked once. ``B = A[rows] C`` counts each chosen row's neighbours per
    cluster, so a call costs ``nnz(B)`` per draw - at most the rows' edges, far fewer when
    neighbours share clusters - and held clusters contribute a count computed once. Counts are
    integers (exact in float32 below 2^24), so every share is bit-identical to
    :func:`neighbor_share` of the assignment expanded to nodes.
    """

    def __init__(self, adjacency: Any, rows: Any, clusters: Any, held: Any = None) -> None:
        adj = _structure(adjacency)
        n = adj.shape[0]
        index = np.asarray(rows)
        if index.dtype == bool:
            if index.shape != (n,):
                raise ValueError(f"rows must be a boolean mask of length {n} or node indices, "
                                 f"got a mask of shape {index.shape}")
            index = np.flatnonzero(index)
        if index.ndim != 1 or (index.size and (index.min() < 0 or index.max() >= n)):
            raise ValueError(f"rows must be node indices in 0..{n - 1}")
        codes = np.asarray(clusters)
        if codes.shape != (n,) or not np.issubdtype(codes.dtype, np.integer) or codes.min() < 0:
            raise ValueError(f"clusters must be {n} non-negative integer codes, one per node")
        self.n_clusters = int(codes.max()) + 1
        held_values = (np.full(self.n_clusters, -1) if held is None
                       else np.asarray(held, dtype=np.int64))
        if held_values.shape != (self.n_clusters,) or not np.isin(held_values, (-1, 0, 1)).all():
            raise ValueError(f"held must give -1 (free), 0 or 1 for each of the "
                             f"{self.n_clusters} clusters")
        membership = sp.csr_array((np.ones(n, dtype=np.float32), (np.arange(n), codes)),
                                  shape=(n, self.n_clusters))
        counts = sp.csr_array(_pattern(adj, np.float32)[index] @ membership)
        self.free = np.flatnonzero(held_values < 0)
        fixed = np.flatnonzero(held_values >= 0)
        row_degree = np.diff(adj.indptr)[index]
        # a row's count is at most its degree: below 2^15 the products run on int16 (half the
        # bytes of float32 to gather per neighbour entry, and exact)
        self._count_dtype = (np.int16 if row_degree.size == 0 or row_degree.max() < 1 << 15
                             else np.float32)
        self._free_counts = sp.csr_array(counts[:, self.free]).astype(self._count_dtype)
        self._fixed_counts = counts[:, fixed] @ held_values[fixed].astype(np.float32)
        self._degree = row_degree
        # isolated rows count 0 treated neighbours, and 0 / 1 is their share of 0
        self._divisor = np.where(row_degree > 0, row_degree, 1).astype(np.float64)
        self.rows = index

    def __call__(self, cluster_z: Any) -> np.ndarray:
        """Shares of the chosen rows (``(n_rows,)`` or ``(R, n_rows)``) for cluster
        assignments ``(G,)`` or ``(R, G)``; only the free clusters' entries are read."""
        arr = np.asarray(cluster_z)
        if arr.shape[-1] != self.n_clusters or arr.ndim not in (1, 2):
            raise ValueError(f"cluster assignments must have shape (G,) or (R, G) with "
                             f"G={self.n_clusters}, got {arr.shape}")
        free = np.ascontiguousarray(arr[..., self.free].astype(self._count_dtype).T)
        # C order: the products come out transposed, and the statistics sum along rows
        counts = np.add((self._free_counts @ free).T, self._fixed_counts, dtype=np.float32,
                        order="C")
        return np.divide(counts, self._divisor, dtype=np.float64)


def any_treated_neighbor(adjacency: Any, z: Any) -> np.ndarray:
    """1 if at least one neighbour is treated."""
    adj = _structure(adjacency)
    return _neighbor_any(adj, _check_assignment(z, adj.shape[0])).astype(np.int8)


def at_least_k_treated(adjacency: Any, z: Any, k: int) -> np.ndarray:
    """1 if at least ``k`` neighbours are treated (``k`` >= 1)."""
    if isinstance(k, bool) or int(k) != k or k < 1:
        raise ValueError(f"k must be a positive integer, got {k!r}")
    return (treated_neighbor_count(adjacency, z) >= int(k)).astype(np.int8)


def all_neighbors_treated(adjacency: Any, z: Any) -> np.ndarray:
    """1 if every neighbour is treated (vacuously true for isolated nodes)."""
    adj = _structure(adjacency)
    return _neighbor_any_all(adj, _check_assignment(z, adj.shape[0]))[1].astype(np.int8)


def treated_high_degree_neighbors(adjacency: Any, z: Any, min_degree: int) -> np.ndarray:
    """Number of treated neighbours whose own degree is at least ``min_degree``.

    High-degree neighbours ("influencers") may carry more spillover than ordinary ones.
    """
    if isinstance(min_degree, bool) or int(min_degree) != min_degree or min_degree < 0:
        raise ValueError(f"min_degree must be a non-negative integer, got {min_degree!r}")
    high = (degree(adjacency) >= int(min_degree)).astype(np.float64)
    return _weighted_count(adjacency, z, node_weight=high)


def four_way_condition(adjacency: Any, z: Any) -> np.ndarray:
    """Aronow-Samii four-way exposure: ``2 * own + any treated neighbour`` (see FOUR_WAY_LABELS)."""
    own = own_treatment(z)
    adj = _structure(adjacency)
    if own.ndim not in (1, 2) or own.shape[-1] != adj.shape[0]:
        _check_assignment(own, adj.shape[0])  # raises with the expected shape
    any_treated = _neighbor_any(adj, own.view(bool))
    codes = own << 1  # 2 * own, then + any treated neighbour, in place (int8 throughout)
    codes |= any_treated.view(np.int8)
    return codes


def full_neighborhood_condition(adjacency: Any, z: Any, threshold: float = 1.0) -> np.ndarray:
    """Ugander et al. (2013) fractional neighbourhood exposure with threshold ``q``.

    Code 0 "full control": untreated and at most a share ``1 - q`` of neighbours treated;
    code 1 "full treatment": treated and at least a share ``q`` of neighbours treated;
    code 2 "mixed": anything else. With ``q = 1`` this is the full-neighbourhood exposure under
    which a unit's outcome equals its outcome when everybody (nobody) is treated.
    """
    q = float(threshold)
    if not 0.5 < q <= 1.0:
        raise ValueError(f"threshold must be in (0.5, 1], got {threshold!r}")
    own = own_treatment(z)
    adj = _structure(adjacency)
    if q == 1.0:  # "all" and "none" of the neighbours: bit-parallel, no counts needed
        treated = _check_assignment(own, adj.shape[0]).view(bool)
        any_treated, all_treated = _neighbor_any_all(adj, treated)
        # codes in place, int8: 0 unless treated or a treated neighbour (full control), else 2;
        # minus 1 where treated with every neighbour treated (full treatment)
        codes = (treated | any_treated).view(np.int8)
        codes <<= 1
        codes -= (treated & all_treated).view(np.int8)
        return codes
    counts = _weighted_count(adj, own)
    deg = np.diff(adj.indptr)
    # integer comparisons: count >= ceil(q * deg) and count <= floor((1 - q) * deg)
    need_treated = np.ceil(q * deg - 1e-9).astype(np.int64)
    allow_treated = np.floor((1.0 - q) * deg + 1e-9).astype(np.int64)
    full_treat = (own == 1) & (counts >= need_treated)
    full_control = (own == 0) & (counts <= allow_treated)
    return np.where(full_control, 0, np.where(full_treat, 1, 2)).astype(np.int8)
