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
common special case without a graph, one independent coin per randomized unit.

All re-randomizations are drawn as one ``(R, n)`` matrix and the statistics are computed for all
rows with matrix products; nothing loops over re-randomizations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.designs.assignment import encode_clusters
from analysis.exposure.neighbor import RowShares

__all__ = [
    "BernoulliRandomizationTest",
    "RandomizationTest",
    "assignment_support",
    "bernoulli_randomization_test",
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
    ``y ~ own + share``.
    """
    y = np.asarray(y_focal, dtype=float)
    own = np.asarray(own_focal).astype(bool)
    s = np.atleast_2d(np.asarray(share, dtype=float))
    y_c = y.copy()
    s_c = s.copy()
    for arm in (False, True):  # two arms
        cols = own == arm
        if cols.any():
            y_c[cols] -= y[cols].mean()
            s_c[:, cols] -= s[:, cols].mean(axis=1, keepdims=True)
    denom = (s_c**2).sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(denom > 1e-14, (s_c @ y_c) / denom, np.nan)


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
    z = np.asarray(z_obs).astype(np.int8)
    codes, n_clusters = encode_clusters(clusters)
    cluster_z = np.zeros(n_clusters, dtype=np.int8)
    cluster_z[codes] = z
    fixed_cluster = np.zeros(n_clusters, dtype=bool)
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


def conditional_rerandomizations(z_obs: ArrayLike, fixed_units: ArrayLike, clusters: ArrayLike,
                                 p: float, complete: bool, n_draws: int,
                                 rng: np.random.Generator) -> np.ndarray:
    """Redraw a (cluster-)randomized assignment holding some units' clusters fixed.

    ``clusters`` are the randomization units (``np.arange(n)`` for individual designs). Every
    cluster containing a fixed unit keeps its observed assignment; the other clusters are
    re-randomized from their conditional distribution: a random permutation of their observed
    assignments for complete randomization (which keeps the treated count), independent
    ``p``-coins for Bernoulli designs.
    """
    z = np.asarray(z_obs).astype(np.int8)
    fixed = np.asarray(fixed_units, dtype=bool)
    codes, n_clusters = encode_clusters(clusters)
    if z.shape != fixed.shape or z.shape != codes.shape:
        raise ValueError("z_obs, fixed_units and clusters must have the same length")
    cluster_z = np.zeros(n_clusters, dtype=np.int8)
    cluster_z[codes] = z
    if (cluster_z[codes] != z).any():
        raise ValueError("z_obs is not constant within clusters: not a cluster assignment")
    fixed_cluster = np.zeros(n_clusters, dtype=bool)
    fixed_cluster[codes[fixed]] = True
    free = np.flatnonzero(~fixed_cluster)
    draws = np.tile(cluster_z, (n_draws, 1))
    if free.size:
        if complete:
            keys = rng.random((n_draws, free.size))
            draws[:, free] = cluster_z[free][np.argsort(keys, axis=1)]
        else:
            draws[:, free] = (rng.random((n_draws, free.size)) < p).astype(np.int8)
    return draws[:, codes]


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


def no_effect_test(y: ArrayLike, z_obs: ArrayLike, z_draws: Draws) -> RandomizationTest:
    """Sharp null of no effect whatsoever, with the difference in means as statistic.

    ``z_draws`` are re-randomizations from the design: an ``(R, n)`` array or an iterable of
    such chunks.
    """
    observed = float(difference_in_means_statistic(y, z_obs)[0])
    null = np.concatenate([difference_in_means_statistic(y, chunk) for chunk in _chunks(z_draws)])
    return _result("no effect of any assignment", "difference in means", observed, null)


def no_spillover_test(adjacency: Any, y: ArrayLike, z_obs: ArrayLike, focal: ArrayLike,
                      z_draws: Draws) -> RandomizationTest:
    """Athey-Eckles-Imbens test of no spillover with focal units.

    ``z_draws`` (an ``(R, n)`` array or an iterable of chunks) must hold the focal units'
    randomization units at their observed assignment (see :func:`conditional_rerandomizations`).
    """
    y_arr = np.asarray(y, dtype=float)
    z = np.asarray(z_obs)
    focal_mask = np.asarray(focal, dtype=bool)
    own = z[focal_mask]
    focal_shares = RowShares(adjacency, focal_mask)  # the statistic reads focal shares only
    observed_share = focal_shares(z)
    observed = float(spillover_slope_statistic(y_arr[focal_mask], own, observed_share)[0])
    null_parts = []
    for chunk in _chunks(z_draws):
        if (chunk[:, focal_mask] != own).any():
            raise ValueError("z_draws change the focal units' own assignment; they must be held "
                             "fixed")
        null_share = focal_shares(chunk)
        null_parts.append(spillover_slope_statistic(y_arr[focal_mask], own, null_share))
    return _result("no spillover (outcomes depend only on own treatment)",
                   "within-arm slope of focal outcome on treated-neighbour share", observed,
                   np.concatenate(null_parts), n_focal=int(focal_mask.sum()))


# -- no effect under a Bernoulli design (no graph) ------------------------------------------

_BERNOULLI_CHUNK_CELLS = 4_000_000


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
    chunk = max(1, _BERNOULLI_CHUNK_CELLS // n)
    parts = []
    for start in range(0, n_randomizations, chunk):  # memory-bounded blocks
        size = min(chunk, n_randomizations - start)
        z = (rng.random((size, n)) < probability).astype(float)
        parts.append(difference_in_means_statistic(y_arr, z))
    draws = np.concatenate(parts)
    return BernoulliRandomizationTest(
        statistic=observed, p_value=fisher_p_value(observed, draws),
        n_randomizations=int(n_randomizations), n_valid=int(np.isfinite(draws).sum()),
        null_draws=draws)
