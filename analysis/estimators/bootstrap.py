"""Vectorised cluster bootstrap for differences in means.

Resampling whole clusters with replacement is equivalent to giving every cluster an integer
*count weight* (how many times it was drawn). :func:`bootstrap_count_weights` draws all replicates
at once as a ``(B, G)`` count matrix (integer draws + one ``np.bincount``); treated and control
sums for every replicate are then two matrix products with per-cluster sums. There is no Python
loop over replicates, and the same weight matrix can be reused for several contrasts so that
their bootstrap draws are joint (e.g. components of a decomposition still add up replicate by
replicate).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.estimators.difference_in_means import cluster_codes


@dataclass(frozen=True)
class BootstrapResult:
    """Point estimate, bootstrap draws and percentile interval for one contrast."""

    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    n_replicates: int
    n_invalid: int  # replicates that drew no treated or no control unit
    draws: np.ndarray


def bootstrap_count_weights(n_clusters: int, n_replicates: int, rng: np.random.Generator) -> np.ndarray:
    """``(n_replicates, n_clusters)`` int32 matrix: how often each cluster is drawn per replicate.

    Every row sums to ``n_clusters`` (a resample of the same size as the data).
    """
    if n_clusters < 2:
        raise ValueError(f"n_clusters must be at least 2, got {n_clusters}")
    if n_replicates < 1:
        raise ValueError(f"n_replicates must be at least 1, got {n_replicates}")
    draws = rng.integers(0, n_clusters, size=(n_replicates, n_clusters), dtype=np.int64)
    draws += (np.arange(n_replicates, dtype=np.int64) * n_clusters)[:, None]  # row offsets
    counts = np.bincount(draws.ravel(), minlength=n_replicates * n_clusters)
    return counts.reshape(n_replicates, n_clusters).astype(np.int32)


def weighted_difference_in_means(y: ArrayLike, treated: ArrayLike, codes: ArrayLike,
                                 weights: np.ndarray) -> np.ndarray:
    """Treated-minus-control means under every row of a cluster count-weight matrix.

    Parameters
    ----------
    y, treated:
        Outcome and 0/1 treatment per unit.
    codes:
        Integer cluster index per unit in ``0..G-1`` (columns of ``weights``).
    weights:
        ``(B, G)`` count weights, e.g. from :func:`bootstrap_count_weights`.

    Returns
    -------
    ``(B,)`` array; NaN for replicates in which an arm received zero weight.
    """
    y_arr = np.asarray(y, dtype=float)
    t_arr = np.asarray(treated, dtype=float)
    c_arr = np.asarray(codes, dtype=np.int64)
    if not (y_arr.shape == t_arr.shape == c_arr.shape) or y_arr.ndim != 1:
        raise ValueError("y, treated and codes must be 1-D arrays of equal length")
    if weights.ndim != 2:
        raise ValueError(f"weights must be a (replicates, clusters) matrix, got shape {weights.shape}")
    g = weights.shape[1]
    if c_arr.size and (c_arr.min() < 0 or c_arr.max() >= g):
        raise ValueError(f"codes must lie in 0..{g - 1} (the columns of weights)")
    sums = np.stack([
        np.bincount(c_arr, weights=y_arr * t_arr, minlength=g),
        np.bincount(c_arr, weights=t_arr, minlength=g),
        np.bincount(c_arr, weights=y_arr * (1.0 - t_arr), minlength=g),
        np.bincount(c_arr, weights=1.0 - t_arr, minlength=g),
    ], axis=1)  # (G, 4)
    totals = weights @ sums  # (B, 4)
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals[:, 0] / totals[:, 1] - totals[:, 2] / totals[:, 3]


def summarise_draws(estimate: float, draws: np.ndarray, alpha: float = 0.05) -> BootstrapResult:
    """Bootstrap SE (SD of the valid draws) and percentile interval."""
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    valid = draws[np.isfinite(draws)]
    if valid.size < 2:
        raise ValueError("fewer than two valid bootstrap replicates")
    lo, hi = np.quantile(valid, [alpha / 2, 1 - alpha / 2])
    return BootstrapResult(
        estimate=float(estimate), std_error=float(valid.std(ddof=1)), ci_lower=float(lo),
        ci_upper=float(hi), n_replicates=int(draws.size), n_invalid=int(draws.size - valid.size),
        draws=draws,
    )


def cluster_bootstrap(y: ArrayLike, treated: ArrayLike, clusters: ArrayLike, n_replicates: int,
                      rng: np.random.Generator, alpha: float = 0.05) -> BootstrapResult:
    """Cluster bootstrap of the treated-minus-control difference in means (percentile CI)."""
    y_arr = np.asarray(y, dtype=float)
    t_arr = np.asarray(treated).astype(float)
    if not np.isin(t_arr, (0.0, 1.0)).all():
        raise ValueError("treated must be 0/1")
    codes, n_clusters = cluster_codes(clusters)
    if codes.size != y_arr.size:
        raise ValueError("clusters must have one label per unit")
    weights = bootstrap_count_weights(n_clusters, n_replicates, rng)
    draws = weighted_difference_in_means(y_arr, t_arr, codes, weights)
    estimate = y_arr[t_arr == 1].mean() - y_arr[t_arr == 0].mean()
    return summarise_draws(float(estimate), draws, alpha)
