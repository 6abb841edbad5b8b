"""Power for cluster-randomized designs: intra-cluster correlation, design effect, effective
sample size and minimum detectable effect.

With ``m`` units per cluster and intra-cluster correlation ``ICC``, a cluster-randomized
difference in means has the variance of an individually randomized one times the *design effect*
``1 + (m - 1) ICC`` (Kish 1965), so ``n`` units are worth ``n / (1 + (m - 1) ICC)`` independent
ones. The minimum detectable effect of a two-sided level-``alpha`` test with power ``power`` is

    MDE = (z_{1 - alpha/2} + z_{power}) * sd * sqrt(design effect / (n p (1 - p))).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike
from scipy import stats

from analysis.designs.assignment import encode_clusters

__all__ = ["design_effect", "effective_sample_size", "icc_anova", "minimum_detectable_effect"]


def design_effect(cluster_size: float, icc: float) -> float:
    """Kish's design effect ``1 + (m - 1) ICC`` of randomizing clusters of ``m`` units."""
    if cluster_size < 1:
        raise ValueError(f"cluster_size must be >= 1, got {cluster_size}")
    if not -1 <= icc <= 1:
        raise ValueError(f"icc must be a correlation in [-1, 1], got {icc}")
    return float(1 + (cluster_size - 1) * icc)


def effective_sample_size(n: float, cluster_size: float, icc: float) -> float:
    """Number of independent units ``n`` clustered units are worth."""
    return float(n / design_effect(cluster_size, icc))


def minimum_detectable_effect(sd: float, n: float, p: float = 0.5, alpha: float = 0.05,
                              power: float = 0.8, deff: float = 1.0) -> float:
    """Smallest true difference a two-sided z-test detects with probability ``power``."""
    if sd <= 0 or n <= 0 or deff <= 0:
        raise ValueError(f"sd, n and deff must be positive, got {sd}, {n}, {deff}")
    for name, value in (("p", p), ("alpha", alpha), ("power", power)):
        if not 0 < value < 1:
            raise ValueError(f"{name} must be in (0, 1), got {value}")
    z = stats.norm.ppf(1 - alpha / 2) + stats.norm.ppf(power)
    return float(z * sd * np.sqrt(deff / (n * p * (1 - p))))


def icc_anova(y: ArrayLike, clusters: ArrayLike) -> float:
    """One-way ANOVA estimate of the intra-cluster correlation (Fisher; unequal sizes via n0)."""
    y = np.asarray(y, dtype=float)
    codes, k = encode_clusters(clusters)
    if codes.size != y.size:
        raise ValueError(f"clusters has {codes.size} labels but y has {y.size} values")
    if k < 2 or y.size <= k:
        raise ValueError("icc_anova needs at least two clusters and more units than clusters")
    sizes = np.bincount(codes, minlength=k).astype(float)
    means = np.bincount(codes, y, minlength=k) / sizes
    msb = float(np.sum(sizes * (means - y.mean()) ** 2) / (k - 1))
    msw = float(np.sum((y - means[codes]) ** 2) / (y.size - k))
    n0 = (y.size - np.sum(sizes**2) / y.size) / (k - 1)
    return (msb - msw) / (msb + (n0 - 1) * msw)
