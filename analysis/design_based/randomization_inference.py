"""Fisher randomization tests for sharp null hypotheses under interference.

*No effect at all* (``Y_i(z) = Y_i`` for every assignment ``z``): every outcome is known under
every re-randomization, so the null distribution of any statistic comes from redrawing the whole
assignment from the design.

*No spillover* (``Y_i(z) = Y_i(z_i)``: outcomes depend only on own treatment) is not sharp for all
units, because a unit's outcome under the other own-treatment value is unknown. Following Athey,
Eckles & Imbens (2018) we choose *focal* units, hold the randomization units that contain them at
their observed assignment, and re-randomize everything else from the design conditional on that.
Under the null, focal outcomes are then fixed, while their neighbours' treatments vary; the
statistic is the within-arm slope of focal outcomes on the share of treated neighbours.

*No effect, Bernoulli design, difference in means* (:func:`bernoulli_randomization_test`): the
common special case without a graph, one independent coin per randomized unit; its
re-randomizations are packed bits and its treated sums table look-ups
(:mod:`analysis.design_based.packed_bernoulli`), one random bit per unit at ``p = 1/2``.

Re-randomizations are drawn as ``(R, G)`` matrices of cluster assignments (``G = n`` for
individual designs), in memory-bounded chunks, and the statistics are computed for all rows with
matrix products on cluster totals and per-cluster neighbour counts; nothing loops over
re-randomizations, and a cluster design's draw costs ``O(G)`` for the difference in means.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.design_based.packed_bernoulli import (
    PackedOutcomeSums,
    pack_assignment,
    packed_bernoulli,
)
from analysis.designs.assignment import encode_clusters
from analysis.exposure.neighbor import ClusterShares

__all__ = [
    "BernoulliRandomizationTest",
    "RandomizationTest",
    "assignment_support",
    "bernoulli_randomization_test",
    "conditional_cluster_sampler",
    "conditional_rerandomizations",
    "difference_in_means_statistic",
    "fisher_p_value",
    "select_focal_units",
    "spillover_slope_statistic",
    "no_effect_test",
    "no_spillover_test",
]


@dataclass(frozen=True)
class RandomizationTest:
    """Result of one Fisher randomization test."""

    null: str
    statistic: str
    observed: float
    p_value: float
    n_rerandomizations: int
    null_mean: float
    null_sd: float
    n_focal: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def fisher_p_value(observed: float, null_stats: np.ndarray) -> float:
    """Two-sided randomization p-value ``(1 + #{|T_r| >= |T_obs|}) / (1 + R)``.

    Counting the observed assignment among the draws keeps the test valid (never below 1/(R+1)).
    Draws whose statistic is undefined (NaN) are dropped.
    """
    null_stats = np.asarray(null_stats, dtype=float)
    null_stats = null_stats[np.isfinite(null_stats)]
    if not np.isfinite(observed):
        raise ValueError("the observed statistic is not finite")
    tol = 1e-12 * max(1.0, abs(observed))
    extreme = np.count_nonzero(np.abs(null_stats) >= abs(observed) - tol)
    return float((1 + extreme) / (1 + null_stats.size))


def difference_in_means_statistic(y: ArrayLike, z: ArrayLike) -> np.ndarray:
    """Treated-minus-control mean of fixed outcomes ``y (n,)`` under each row of ``z (R, n)``."""
    y_arr = np.asarray(y, dtype=float)
    z_arr = np.atleast_2d(np.asarray(z, dtype=float))
    n1 = z_arr.sum(axis=1)
    n0 = z_arr.shape[1] - n1
    with np.errstate(invalid="ignore", divide="ignore"):
        return (z_arr @ y_arr) / n1 - ((1 - z_arr) @ y_arr) / n0


def spillover_slope_statistic(y_focal: ArrayLike, own_focal: ArrayLike, share: ArrayLike
                              ) -> np.ndarray:
    """Within-arm OLS slope of focal outcomes on treated-neighbour share, one per row of share.

    ``y_focal`` and ``own_focal`` are fixed ``(f,)``; ``share`` is ``(R, f)``. Outcomes and
    shares are centred within own-treatment arm, so the slope is the ``share`` coefficient of
    ``y ~ own + share``. Units ordered control arm first (as :func:`no_spillover_test` passes
    them) are read as two contiguous blocks; any other order is sorted first.
    """
    y = np.asarray(y_focal, dtype=float)
    own = np.asarray(own_focal).astype(bool)
    s = np.atleast_2d(np.asarray(share, dtype=float))
    if (np.diff(own.view(np.int8)) < 0).any():  # not control arm first: sort once
        order = np.argsort(own, kind="stable")
        y, own, s = y[order], own[order], s[:, order]
    n_control = int(own.size - np.count_nonzero(own))
    numerator = np.zeros(s.shape[0])
    denom = np.zeros(s.shape[0])
    for arm in (slice(0, n_control), slice(n_control, own.size)):  # two arms
        if arm.stop > arm.start:
            block = s[:, arm]
            dev = block - block.mean(axis=1, keepdims=True)
            numerator += dev @ (y[arm] - y[arm].mean())
            denom += np.einsum("ij,ij->i", dev, dev)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-14, numerator / denom, np.nan)


def select_focal_units(n: int, fraction: float, rng: np.random.Generator,
                       clusters: ArrayLike | None = None) -> np.ndarray:
    """Focal units: a random ``fraction`` of randomization units, all their members focal.

    With ``clusters=None`` (individual designs) ``round(fraction * n)`` units are focal. Under a
    cluster design a ``fraction`` of clusters is chosen (at least one, and at least one left
    free), so that the remaining clusters can still be re-randomized.
    """
    if not 0 < fraction < 1:
        raise ValueError(f"focal fraction must be in (0, 1), got {fraction}")
    codes = (np.arange(n) if clusters is None
             else pd.factorize(np.asarray(clusters), sort=True)[0])
    if codes.shape != (n,):
        raise ValueError(f"clusters must have one label per unit ({n})")
    n_units = int(codes.max()) + 1
    n_focal = min(max(1, int(np.round(fraction * n_units))), max(1, n_units - 1))
    chosen = np.zeros(n_units, dtype=bool)
    chosen[rng.choice(n_units, size=n_focal, replace=False)] = True
    return chosen[codes]


def _cluster_assignment(z_obs: ArrayLike, clusters: ArrayLike | None
                        ) -> tuple[np.ndarray, np.ndarray]:
    """Cluster codes of the units (``encode_clusters`` order; every unit its own cluster when
    ``clusters`` is None) and the observed assignment of each cluster."""
    z = np.asarray(z_obs).astype(np.int8)
    codes, n_clusters = encode_clusters(np.arange(z.size) if clusters is None else clusters)
    if z.shape != codes.shape:
        raise ValueError(f"z_obs and clusters must have the same length, got {z.shape} and "
                         f"{codes.shape}")
    cluster_z = np.zeros(n_clusters, dtype=np.int8)
    cluster_z[codes] = z
    if (cluster_z[codes] != z).any():
        raise ValueError("z_obs is not constant within clusters: not a cluster assignment")
    return codes, cluster_z


def _exp_or_inf(log_value: float) -> float:
    """``exp(log_value)``, or ``inf`` past the float range (huge assignment counts)."""
    return math.exp(log_value) if log_value < 709.0 else math.inf


def assignment_support(z_obs: ArrayLike, clusters: ArrayLike, p: float, complete: bool,
                       fixed_units: ArrayLike | None = None) -> dict[str, float]:
    """How many assignments a (conditional) cluster design can draw, and how likely ``z_obs`` is.

    Returns ``n_assignments`` (distinct assignments of the re-randomized clusters),
    ``p_observed`` (probability of the observed assignment) and ``p_complement`` (probability of
    its complement, 0 when the design cannot draw it, e.g. when some clusters are held fixed).
    A Fisher p-value counts the observed assignment, so the exact p-value can never be smaller
    than ``p_observed``; for a statistic that is odd under complementing (the difference in
    means) it can never be smaller than ``p_observed + p_complement``.
    """
    codes, cluster_z = _cluster_assignment(z_obs, clusters)
    fixed_cluster = np.zeros(cluster_z.size, dtype=bool)
    if fixed_units is not None:
        fixed_cluster[codes[np.asarray(fixed_units, dtype=bool)]] = True
    free_z = cluster_z[~fixed_cluster]
    n_free, m = int(free_z.size), int(free_z.sum())
    if complete:
        # exact for small designs; in log space (inf beyond float range) for large ones
        n_assignments = (float(math.comb(n_free, m)) if n_free <= 1000 else
                         _exp_or_inf(math.lgamma(n_free + 1) - math.lgamma(m + 1)
                                     - math.lgamma(n_free - m + 1)))
        p_observed = 1.0 / n_assignments
        p_complement = p_observed if n_free - m == m and not fixed_cluster.any() else 0.0
    else:
        n_assignments = 2.0 ** n_free if n_free < 1024 else math.inf
        p_observed = float(p ** m * (1 - p) ** (n_free - m))
        p_complement = (float(p ** (n_free - m) * (1 - p) ** m)
                        if not fixed_cluster.any() and n_free > 0 else 0.0)
    return {"n_assignments": n_assignments, "p_observed": p_observed,
            "p_complement": p_complement}


def conditional_cluster_sampler(z_obs: ArrayLike, fixed_units: ArrayLike,
                                clusters: ArrayLike, p: float, complete: bool
                                ) -> Callable[[int, np.random.Generator], np.ndarray]:
    """Sampler of cluster assignments ``(R, G)`` that hold some units' clusters fixed.

    ``clusters`` are the randomization units (``np.arange(n)`` for individual designs); columns
    follow :func:`~analysis.designs.assignment.encode_clusters` order. Every cluster containing a
    fixed unit keeps its observed assignment; the other clusters are re-randomized from their
    conditional distribution: a random permutation of their observed assignments for complete
    randomization (which keeps the treated count), independent ``p``-coins for Bernoulli
    designs. The clusters are encoded once, however many chunks are drawn.
    """
    fixed = np.asarray(fixed_units, dtype=bool)
    codes, cluster_z = _cluster_assignment(z_obs, clusters)
    if fixed.shape != codes.shape:
        raise ValueError("z_obs, fixed_units and clusters must have the same length")
    fixed_cluster = np.zeros(cluster_z.size, dtype=bool)
    fixed_cluster[codes[fixed]] = True
    free = np.flatnonzero(~fixed_cluster)
    free_z = cluster_z[free]

    def sample(n_draws: int, rng: np.random.Generator) -> np.ndarray:
        draws = np.tile(cluster_z, (n_draws, 1))
        if free.size:
            if complete:
                keys = rng.random((n_draws, free.size))
                draws[:, free] = free_z[np.argsort(keys, axis=1)]
            else:
                draws[:, free] = (rng.random((n_draws, free.size)) < p).astype(np.int8)
        return draws

    return sample


def conditional_rerandomizations(z_obs: ArrayLike, fixed_units: ArrayLike, clusters: ArrayLike,
                                 p: float, complete: bool, n_draws: int,
                                 rng: np.random.Generator) -> np.ndarray:
    """Unit assignments ``(R, n)`` of :func:`conditional_cluster_sampler` (same random stream)."""
    codes, _ = _cluster_assignment(z_obs, clusters)
    return conditional_cluster_sampler(z_obs, fixed_units, clusters, p, complete)(
        n_draws, rng)[:, codes]


Draws = np.ndarray | Iterable[np.ndarray]


def _chunks(z_draws: Draws) -> Iterator[np.ndarray]:
    """One ``(R, n)`` array, or an iterable of such chunks (to bound memory on large graphs)."""
    if isinstance(z_draws, np.ndarray):
        yield np.atleast_2d(z_draws)
    else:
        for chunk in z_draws:
            yield np.atleast_2d(np.asarray(chunk))


def _result(null: str, statistic: str, observed: float, null_stats: np.ndarray,
            n_focal: int | None = None) -> RandomizationTest:
    finite = null_stats[np.isfinite(null_stats)]
    if finite.size == 0 or np.ptp(finite) <= 1e-12 * max(1.0, abs(observed)):
        # nothing left to re-randomize (e.g. every cluster holds a focal unit): no test
        return RandomizationTest(null=null, statistic=statistic, observed=observed,
                                 p_value=float("nan"), n_rerandomizations=0,
                                 null_mean=float("nan"), null_sd=float("nan"), n_focal=n_focal)
    return RandomizationTest(
        null=null, statistic=statistic, observed=observed,
        p_value=fisher_p_value(observed, finite), n_rerandomizations=int(finite.size),
        null_mean=float(finite.mean()),
        null_sd=float(finite.std(ddof=1)) if finite.size > 1 else float("nan"), n_focal=n_focal,
    )


def no_effect_test(y: ArrayLike, z_obs: ArrayLike, z_draws: Draws,
                   clusters: ArrayLike | None = None) -> RandomizationTest:
    """Sharp null of no effect whatsoever, with the difference in means as statistic.

    ``z_draws`` are re-randomizations from the design, an ``(R, G)`` array or an iterable of
    such chunks: the assignments of the ``G`` ``clusters`` (in
    :func:`~analysis.designs.assignment.encode_clusters` order), or of the ``n`` units when
    ``clusters`` is None. The statistic reads cluster totals of the outcome, so a draw costs
    ``O(G)``, not ``O(n)``.
    """
    y_arr = np.asarray(y, dtype=float)
    codes, cluster_z = _cluster_assignment(z_obs, clusters)
    if y_arr.shape != codes.shape:
        raise ValueError(f"y must have one outcome per unit ({codes.size}), got {y_arr.shape}")
    # columns: outcome total and size of every cluster
    totals = np.column_stack([np.bincount(codes, weights=y_arr, minlength=cluster_z.size),
                              np.bincount(codes, minlength=cluster_z.size).astype(float)])

    def statistic(draws: np.ndarray) -> np.ndarray:
        if draws.shape[1] != cluster_z.size:
            raise ValueError(f"z_draws must have one column per cluster ({cluster_z.size}), got "
                             f"{draws.shape[1]}")
        treated = draws.astype(np.float64) @ totals  # (R, 2): outcome sum and count, treated
        control = totals.sum(axis=0) - treated
        with np.errstate(invalid="ignore", divide="ignore"):
            return treated[:, 0] / treated[:, 1] - control[:, 0] / control[:, 1]

    observed = float(statistic(cluster_z[None, :])[0])
    null = np.concatenate([statistic(chunk) for chunk in _chunks(z_draws)])
    return _result("no effect of any assignment", "difference in means", observed, null)


def no_spillover_test(adjacency: Any, y: ArrayLike, z_obs: ArrayLike, focal: ArrayLike,
                      z_draws: Draws, clusters: ArrayLike | None = None) -> RandomizationTest:
    """Athey-Eckles-Imbens test of no spillover with focal units.

    ``z_draws`` (an ``(R, G)`` array or an iterable of chunks; cluster or unit assignments as in
    :func:`no_effect_test`) must hold the focal units' clusters at their observed assignment
    (see :func:`conditional_cluster_sampler`). Focal shares come from
    :class:`~analysis.exposure.neighbor.ClusterShares`, which reads only the free clusters.
    """
    y_arr = np.asarray(y, dtype=float)
    z = np.asarray(z_obs).astype(np.int8)
    codes, cluster_z = _cluster_assignment(z, clusters)
    focal_mask = np.asarray(focal, dtype=bool)
    if focal_mask.shape != z.shape or y_arr.shape != z.shape:
        raise ValueError("y, z_obs and focal must have one entry per unit")
    held = np.full(cluster_z.size, -1, dtype=np.int64)
    held[codes[focal_mask]] = cluster_z[codes[focal_mask]]
    held_clusters = np.flatnonzero(held >= 0)
    # focal units, control arm first (the statistic then reads two contiguous blocks)
    order = np.flatnonzero(focal_mask)
    order = order[np.argsort(z[order], kind="stable")]
    shares = ClusterShares(adjacency, order, codes, held)
    y_focal, own = y_arr[order], z[order]
    observed = float(spillover_slope_statistic(y_focal, own, shares(cluster_z))[0])
    null_parts = []
    for chunk in _chunks(z_draws):
        if chunk.shape[1] != cluster_z.size:
            raise ValueError(f"z_draws must have one column per cluster ({cluster_z.size}), got "
                             f"{chunk.shape[1]}")
        if (chunk[:, held_clusters] != cluster_z[held_clusters]).any():
            raise ValueError("z_draws change the focal units' own assignment; they must be held "
                             "fixed")
        null_parts.append(spillover_slope_statistic(y_focal, own, shares(chunk)))
    return _result("no spillover (outcomes depend only on own treatment)",
                   "within-arm slope of focal outcome on treated-neighbour share", observed,
                   np.concatenate(null_parts), n_focal=int(focal_mask.sum()))


# -- no effect under a Bernoulli design (no graph) ------------------------------------------

_BERNOULLI_CHUNK_CELLS = 1 << 20  # draws x units per block: the block stays in cache


@dataclass(frozen=True)
class BernoulliRandomizationTest:
    """Observed statistic, two-sided randomization p-value and the null draws."""

    statistic: float
    p_value: float
    n_randomizations: int
    n_valid: int
    null_draws: np.ndarray


def bernoulli_randomization_test(y: ArrayLike, treated: ArrayLike, probability: float,
                                 n_randomizations: int, rng: np.random.Generator
                                 ) -> BernoulliRandomizationTest:
    """Two-sided test of the sharp null for a difference in means, one coin per unit.

    The p-value is ``(1 + #{|T_r| >= |T_obs|}) / (1 + R_valid)``, which is valid (never
    anti-conservative); re-randomizations with an empty arm are discarded.
    """
    y_arr = np.asarray(y, dtype=float)
    t_arr = np.asarray(treated).astype(float)
    if y_arr.ndim != 1 or y_arr.shape != t_arr.shape:
        raise ValueError("y and treated must be 1-D arrays of equal length")
    if not np.isin(t_arr, (0.0, 1.0)).all() or t_arr.min() == t_arr.max():
        raise ValueError("treated must be 0/1 with both arms present")
    if not 0 < probability < 1:
        raise ValueError(f"probability must be strictly between 0 and 1, got {probability}")
    if n_randomizations < 1:
        raise ValueError(f"n_randomizations must be at least 1, got {n_randomizations}")
    n = y_arr.size
    observed = float(difference_in_means_statistic(y_arr, t_arr)[0])
    centred = y_arr - y_arr.mean()  # the difference in means ignores a shift; sums stay small
    sums = PackedOutcomeSums(centred)
    total = float(centred.sum())

    def statistic(packed: np.ndarray) -> np.ndarray:
        n1, s1 = sums(packed)
        with np.errstate(invalid="ignore", divide="ignore"):
            return s1 / n1 - (total - s1) / (n - n1)

    # the observed assignment through the same arithmetic as the draws, so that a draw equal
    # to it (or to its complement) compares equal in the p-value
    observed_packed = float(statistic(pack_assignment(t_arr))[0])
    chunk = max(1, _BERNOULLI_CHUNK_CELLS // n)
    parts = []
    for start in range(0, n_randomizations, chunk):  # memory-bounded blocks
        size = min(chunk, n_randomizations - start)
        parts.append(statistic(packed_bernoulli(probability, size, n, rng)))
    draws = np.concatenate(parts)
    return BernoulliRandomizationTest(
        statistic=observed, p_value=fisher_p_value(observed_packed, draws),
        n_randomizations=int(n_randomizations), n_valid=int(np.isfinite(draws).sum()),
        null_draws=draws)
