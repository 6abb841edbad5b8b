"""Randomization designs: who gets treated.

Every function takes an explicit :class:`numpy.random.Generator` and returns 0/1 ``int8`` arrays.
With ``n_draws=None`` the result has one entry per unit (shape ``(n,)``); with ``n_draws=R`` it has
shape ``(R, n)``: ``R`` independent re-randomizations drawn in one vectorised call, which is what
Monte Carlo studies, exposure-probability estimation and randomization inference need.

Designs
-------
* :func:`bernoulli_assignment` - each unit treated independently with probability ``p``.
* :func:`complete_assignment` - exactly ``round(p * n)`` (or ``n_treated``) units treated.
* :func:`cluster_assignment` - whole clusters treated (Bernoulli or complete over clusters).
* :func:`randomized_saturation_assignment` - clusters draw a saturation from a menu, then units
  inside each cluster are treated at that saturation (Baird et al. 2018; Hudgens & Halloran 2008).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "SaturationAssignment",
    "bernoulli_assignment",
    "cluster_assignment",
    "cluster_level_assignment",
    "complete_assignment",
    "encode_clusters",
    "encoded_cluster_assignment",
    "randomized_saturation_assignment",
]


def _check_rng(rng: np.random.Generator) -> None:
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng must be a numpy.random.Generator, got {type(rng).__name__}")


def _check_probability(p: float, name: str = "p") -> float:
    p = float(p)
    if not 0.0 <= p <= 1.0:
        raise ValueError(f"{name} must be a probability in [0, 1], got {p}")
    return p


def _check_size(n: int, name: str = "n") -> int:
    if isinstance(n, bool) or int(n) != n or n < 1:
        raise ValueError(f"{name} must be a positive integer, got {n!r}")
    return int(n)


def _shape(n: int, n_draws: int | None) -> tuple[int, ...]:
    return (n,) if n_draws is None else (_check_size(n_draws, "n_draws"), n)


def encode_clusters(clusters: ArrayLike) -> tuple[np.ndarray, int]:
    """Integer codes ``0..G-1`` (in sorted label order) for any cluster labels, and ``G``."""
    labels = np.asarray(clusters)
    if labels.ndim != 1 or labels.size == 0:
        raise ValueError(f"clusters must be a non-empty 1-D array, got shape {labels.shape}")
    codes, uniques = pd.factorize(labels, sort=True)
    if (codes < 0).any():
        raise ValueError("clusters contain missing labels")
    return codes.astype(np.int64), len(uniques)


#: Uniforms drawn per block by :func:`bernoulli_assignment` (32 MB of float64, reused).
BERNOULLI_BLOCK = 1 << 22


def bernoulli_assignment(n: int, p: float, rng: np.random.Generator,
                         n_draws: int | None = None) -> np.ndarray:
    """Each of ``n`` units treated independently with probability ``p``.

    Unit ``i`` of draw ``r`` is treated when the ``(r * n + i)``-th uniform of ``rng`` is below
    ``p``. The uniforms are drawn in blocks of ``BERNOULLI_BLOCK`` into one reused buffer (the
    same stream as one ``rng.random((n_draws, n))`` call), so a large batch of draws never holds
    eight bytes per cell.
    """
    _check_rng(rng)
    n, p = _check_size(n), _check_probability(p)
    z = np.empty(_shape(n, n_draws), dtype=bool)
    flat = z.reshape(-1)
    uniforms = np.empty(min(flat.size, BERNOULLI_BLOCK))
    for start in range(0, flat.size, uniforms.size):  # a few blocks, each vectorised
        block = uniforms[:min(uniforms.size, flat.size - start)]
        rng.random(out=block)
        np.less(block, p, out=flat[start:start + block.size])
    return z.view(np.int8)  # bool -> 0/1 bytes, no copy


def _rank_rows(keys: np.ndarray) -> np.ndarray:
    """Rank of every entry within its row (0 = smallest), vectorised over rows."""
    order = np.argsort(keys, axis=-1, kind="stable")
    ranks = np.empty_like(order)
    np.put_along_axis(ranks, order, np.arange(keys.shape[-1]), axis=-1)
    return ranks


def complete_assignment(n: int, rng: np.random.Generator, *, p: float | None = None,
                        n_treated: int | None = None, n_draws: int | None = None) -> np.ndarray:
    """Exactly ``n_treated`` (or ``round(p * n)``) of ``n`` units treated, uniformly at random."""
    _check_rng(rng)
    n = _check_size(n)
    if (p is None) == (n_treated is None):
        raise ValueError("give exactly one of p (treated share) or n_treated (count)")
    if n_treated is None:
        n_treated = int(np.round(_check_probability(p) * n))
    if isinstance(n_treated, bool) or int(n_treated) != n_treated or not 0 <= n_treated <= n:
        raise ValueError(f"n_treated must be an integer in [0, {n}], got {n_treated!r}")
    keys = rng.random(_shape(n, n_draws))
    # the n_treated smallest keys of each row: a partition, not a full sort per draw
    z = np.zeros(keys.shape, dtype=np.int8)
    if 0 < n_treated < n:
        smallest = np.argpartition(keys, int(n_treated) - 1, axis=-1)[..., :int(n_treated)]
        np.put_along_axis(z, smallest, 1, axis=-1)
    elif n_treated == n:
        z[...] = 1
    return z


def cluster_assignment(clusters: ArrayLike, p: float, rng: np.random.Generator, *,
                       complete: bool = True, n_draws: int | None = None) -> np.ndarray:
    """Treat whole clusters; every unit inherits its cluster's assignment.

    ``complete=True`` treats exactly ``round(p * G)`` of the ``G`` clusters; ``False`` flips an
    independent ``p``-coin per cluster.
    """
    _check_rng(rng)
    codes, n_clusters = encode_clusters(clusters)
    return encoded_cluster_assignment(codes, n_clusters, p, rng, complete=complete,
                                      n_draws=n_draws)


def encoded_cluster_assignment(codes: np.ndarray, n_clusters: int, p: float,
                               rng: np.random.Generator, *, complete: bool = True,
                               n_draws: int | None = None) -> np.ndarray:
    """:func:`cluster_assignment` for clusters already encoded by :func:`encode_clusters`.

    Designs that draw many times encode their clusters once and call this.
    """
    return cluster_level_assignment(n_clusters, p, rng, complete=complete,
                                    n_draws=n_draws)[..., codes]


def cluster_level_assignment(n_clusters: int, p: float, rng: np.random.Generator, *,
                             complete: bool = True, n_draws: int | None = None) -> np.ndarray:
    """The clusters' own assignments (``(G,)`` or ``(R, G)``) behind :func:`cluster_assignment`.

    Expanding them to units (``draws[..., codes]``) gives exactly the cluster design's unit
    assignments from the same random stream; statistics that only need cluster totals use them
    directly, at ``O(G)`` instead of ``O(n)`` per draw.
    """
    p = _check_probability(p)
    if complete:
        return complete_assignment(n_clusters, rng, p=p, n_draws=n_draws)
    return bernoulli_assignment(n_clusters, p, rng, n_draws=n_draws)


@dataclass(frozen=True)
class SaturationAssignment:
    """A randomized-saturation draw.

    ``treatment`` has one entry per unit; ``cluster_saturation`` one per cluster (in code order
    from :func:`encode_clusters`); ``unit_saturation`` is each unit's assigned cluster saturation.
    With ``n_draws`` they gain a leading replication axis.
    """

    treatment: np.ndarray
    cluster_saturation: np.ndarray
    unit_saturation: np.ndarray


def randomized_saturation_assignment(
    clusters: ArrayLike,
    saturations: Sequence[float],
    rng: np.random.Generator,
    *,
    saturation_probs: Sequence[float] | None = None,
    within: str = "bernoulli",
    n_draws: int | None = None,
) -> SaturationAssignment:
    """Two-stage randomized saturation design.

    Stage 1: each cluster independently draws a saturation from ``saturations`` (with
    ``saturation_probs``, uniform by default). Stage 2: inside a cluster of size ``n_g`` with
    saturation ``s``, units are treated independently with probability ``s``
    (``within="bernoulli"``, so peer saturation is independent of own treatment), or exactly
    ``round(s * n_g)`` of them (``within="complete"``).
    """
    _check_rng(rng)
    codes, n_clusters = encode_clusters(clusters)
    levels = np.asarray(saturations, dtype=float)
    if levels.ndim != 1 or levels.size == 0:
        raise ValueError("saturations must be a non-empty list of probabilities")
    for s in levels:
        _check_probability(s, "saturations")
    if saturation_probs is None:
        probs = np.full(levels.size, 1.0 / levels.size)
    else:
        probs = np.asarray(saturation_probs, dtype=float)
        if probs.shape != levels.shape or (probs < 0).any() or not np.isclose(probs.sum(), 1.0):
            raise ValueError(
                "saturation_probs must be non-negative, sum to 1 and match saturations in length"
            )
    if within not in {"bernoulli", "complete"}:
        raise ValueError(f"within must be 'bernoulli' or 'complete', got {within!r}")

    level_index = rng.choice(levels.size, size=_shape(n_clusters, n_draws), p=probs)
    cluster_sat = levels[level_index]
    unit_sat = cluster_sat[..., codes]
    n_units = codes.size
    if within == "bernoulli":
        treatment = (rng.random(_shape(n_units, n_draws)) < unit_sat).astype(np.int8)
    else:
        sizes = np.bincount(codes, minlength=n_clusters)
        n_treat = np.round(cluster_sat * sizes).astype(np.int64)
        # Sort by (cluster, random key): a unit's position minus its cluster's start is a uniform
        # random rank inside the cluster.
        keys = codes + rng.random(_shape(n_units, n_draws))
        within_rank = _rank_rows(keys) - (np.cumsum(sizes) - sizes)[codes]
        treatment = (within_rank < n_treat[..., codes]).astype(np.int8)
    return SaturationAssignment(treatment=treatment, cluster_saturation=cluster_sat,
                                unit_saturation=unit_sat)
