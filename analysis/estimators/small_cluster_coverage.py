"""Monte Carlo coverage of cluster-robust intervals as the number of clusters per arm falls.

A cluster-randomized experiment: ``m`` clusters per arm (complete randomization of clusters),
unequal cluster sizes, a cluster shock, a cluster-level effect that varies between treated
clusters, and unit noise. The target is the average effect (``effect``, the mean of the
cluster-level effects). For each replication we record whether each interval covers it:

- CR1 with the normal reference (what statsmodels and most packages report by default);
- CR1 with ``t`` on ``G - 1`` degrees of freedom;
- CR2 with Bell–McCaffrey (Satterthwaite) degrees of freedom;
- CR3 (cluster jackknife) with ``t`` on ``G - 1``;
- the restricted wild cluster bootstrap (Rademacher; every sign vector when ``2^G`` is small),
  whose interval covers the truth exactly when the test of ``effect = truth`` is not rejected.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.estimators.cluster_robust import cluster_robust_ols
from analysis.estimators.wild_bootstrap import wild_cluster_bootstrap

__all__ = ["METHODS", "SmallClusterWorld", "coverage_study", "replication_coverage",
           "simulate_cluster_experiment"]

#: Reader labels of the interval methods, in table order.
METHODS: tuple[str, ...] = (
    "CR1, normal",
    "CR1, t with K − 1 df",
    "CR2, Bell–McCaffrey df",
    "CR3 (jackknife), t with K − 1 df",
    "Wild cluster bootstrap",
)


@dataclass(frozen=True)
class SmallClusterWorld:
    """Data-generating process of the study (all on the outcome's scale)."""

    effect: float
    effect_sd: float
    cluster_sd: float
    noise_sd: float
    cluster_size_min: int
    cluster_size_max: int

    def __post_init__(self) -> None:
        if not 1 <= self.cluster_size_min <= self.cluster_size_max:
            raise ValueError(f"cluster sizes need 1 <= cluster_size_min <= cluster_size_max, got "
                             f"{self.cluster_size_min} and {self.cluster_size_max}")
        for name in ("effect_sd", "cluster_sd", "noise_sd"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must be non-negative, got {getattr(self, name)}")


def simulate_cluster_experiment(world: SmallClusterWorld, clusters_per_arm: int,
                                rng: np.random.Generator
                                ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Outcome, 0/1 treatment and cluster label of one experiment with ``2 m`` clusters."""
    if clusters_per_arm < 2:
        raise ValueError(f"clusters_per_arm must be at least 2, got {clusters_per_arm}")
    n_clusters = 2 * clusters_per_arm
    sizes = rng.integers(world.cluster_size_min, world.cluster_size_max + 1, n_clusters)
    treated_cluster = rng.permutation(np.repeat([0.0, 1.0], clusters_per_arm))
    shock = world.cluster_sd * rng.standard_normal(n_clusters)
    effect = world.effect + world.effect_sd * rng.standard_normal(n_clusters)
    g = np.repeat(np.arange(n_clusters), sizes)
    t = treated_cluster[g]
    y = shock[g] + effect[g] * t + world.noise_sd * rng.standard_normal(g.size)
    return y, t, g


def replication_coverage(y: np.ndarray, t: np.ndarray, g: np.ndarray, truth: float,
                         level: float, wild_draws: int, rng: np.random.Generator,
                         enumerate_max: int = 4096) -> np.ndarray:
    """Whether each method's interval (in :data:`METHODS` order) covers ``truth``."""
    x = np.column_stack([np.ones_like(y), t])
    n_clusters = int(g.max()) + 1
    alpha = 1 - level
    covered = []
    cr1 = cluster_robust_ols(y, x, g, "CR1")
    err = abs(cr1.params[1] - truth)
    covered.append(err <= stats.norm.ppf(1 - alpha / 2) * cr1.std_errors[1])
    covered.append(err <= stats.t.ppf(1 - alpha / 2, n_clusters - 1) * cr1.std_errors[1])
    cr2 = cluster_robust_ols(y, x, g, "CR2")
    covered.append(err <= stats.t.ppf(1 - alpha / 2, cr2.df[1]) * cr2.std_errors[1])
    cr3 = cluster_robust_ols(y, x, g, "CR3")
    covered.append(err <= stats.t.ppf(1 - alpha / 2, n_clusters - 1) * cr3.std_errors[1])
    wild = wild_cluster_bootstrap(y, x, g, coef=1, null=truth, n_draws=wild_draws, rng=rng,
                                  alpha=alpha, enumerate_max=enumerate_max, interval=False)
    covered.append(wild.p_value > alpha)
    return np.array(covered, dtype=bool)


def coverage_study(world: SmallClusterWorld, clusters_per_arm: Sequence[int], reps: int,
                   level: float, wild_draws: int, seed: int) -> pd.DataFrame:
    """Coverage (and its Monte Carlo standard error) per method and clusters per arm.

    Each setting has its own random stream ``SeedSequence([seed, index])``, so adding a setting
    does not change the others.
    """
    if reps < 1:
        raise ValueError(f"reps must be positive, got {reps}")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    rows = []
    for index, m in enumerate(clusters_per_arm):  # a handful of settings
        rng = np.random.default_rng(np.random.SeedSequence([seed, index]))
        hits = np.zeros(len(METHODS))
        for _ in range(reps):  # Monte Carlo replications; each one is vectorised inside
            y, t, g = simulate_cluster_experiment(world, int(m), rng)
            hits += replication_coverage(y, t, g, world.effect, level, wild_draws, rng)
        coverage = hits / reps
        for method, cov in zip(METHODS, coverage, strict=True):
            rows.append({"clusters_per_arm": int(m), "method": method, "coverage": float(cov),
                         "mc_se": float(np.sqrt(cov * (1 - cov) / reps)), "reps": int(reps),
                         "nominal": float(level)})
    return pd.DataFrame(rows)


def coverage_wide(study: pd.DataFrame) -> pd.DataFrame:
    """Reader table: one row per clusters-per-arm setting, one column per method."""
    wide = study.pivot(index="clusters_per_arm", columns="method", values="coverage")
    wide = wide[list(METHODS)].sort_index(ascending=False).reset_index()
    return wide.rename(columns={"clusters_per_arm": "Clusters per arm"})


def coverage_verdict(study: pd.DataFrame) -> dict[str, object]:
    """Words for the prose: at the fewest clusters, the least and the most nearly nominal method.

    Returns the fewest clusters per arm, the method with the lowest coverage there and its
    coverage, and the method whose coverage is closest to the nominal level and its coverage.
    """
    fewest = int(study["clusters_per_arm"].min())
    part = study[study["clusters_per_arm"] == fewest].reset_index(drop=True)
    worst = part.loc[part["coverage"].idxmin()]
    closest = part.loc[(part["coverage"] - part["nominal"]).abs().idxmin()]
    return {"fewest": fewest, "worst_method": str(worst["method"]),
            "worst_coverage": float(worst["coverage"]), "closest_method": str(closest["method"]),
            "closest_coverage": float(closest["coverage"])}
