"""When to give up on cluster randomization: bias of the cluster-randomized contrast against the
share of edges the partition cuts.

Under complete randomization of half of ``G`` clusters and the network world's linear outcome
model, a node ``i`` with neighbours whose share of neighbours outside its own cluster is
``phi_i`` has treated-neighbour share ``1 - phi_i + phi_i (G/2 - 1)/(G - 1)`` in expectation when
its cluster is treated and ``phi_i (G/2)/(G - 1)`` when it is not. The difference in means
therefore misses

    bias ~= -spillover * G / (G - 1) * mean_i(phi_i)

of the total effect (:func:`predicted_cluster_bias`; exact up to the ratio form of the means).
The bias grows in proportion to the cut, so a tolerance on the relative bias turns into a largest
acceptable cut-edge share (:func:`give_up_threshold`). :func:`mixing_study` measures bias, spread
and coverage over planted-partition graphs of increasing mixing and partitions of several
resolutions; :func:`give_up_reasons` says, for one partition, every reason to give up (none: go on), and
:func:`verdict_text` puts them in words.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.designs.assignment import cluster_assignment
from analysis.designs.graph_cluster import cross_cluster_edge_fraction, partition_graph
from analysis.estimators import batched
from analysis.montecarlo import summarise_replications
from analysis.worlds.network import (
    NetworkOutcomeModel,
    NetworkWorld,
    build_network_world,
    network_estimands,
    observed_outcomes,
)
from analysis.worlds.network_study import planted_partition_spec

__all__ = [
    "GIVE_UP_REASONS",
    "USABLE",
    "compare_thresholds",
    "give_up_reasons",
    "give_up_threshold",
    "give_up_verdict",
    "verdict_text",
    "mixing_study",
    "node_cut_share",
    "predicted_cluster_bias",
]

#: Reasons of :func:`give_up_reasons`, with the words a reader sees.
GIVE_UP_REASONS = {
    "too_many_cut_edges": "too many edges cross clusters",
    "too_few_clusters": "too few clusters per arm",
}
#: The verdict when there is no reason to give up.
USABLE = "Cluster randomization is usable"


def node_cut_share(world: NetworkWorld, clusters: np.ndarray) -> np.ndarray:
    """Each node's share of neighbours outside its own cluster (0 for isolated nodes)."""
    edges = world.graph.edges
    clusters = np.asarray(clusters)
    cut = (clusters[edges[:, 0]] != clusters[edges[:, 1]]).astype(float)
    n = world.graph.n_nodes
    counts = np.bincount(edges[:, 0], cut, n) + np.bincount(edges[:, 1], cut, n)
    degree = world.graph.degree
    return np.divide(counts, degree, out=np.zeros(n), where=degree > 0)


def predicted_cluster_bias(world: NetworkWorld, clusters: np.ndarray) -> float:
    """Bias of the difference in means for the total effect when half of the clusters are
    treated (complete randomization), from the outcome model (see the module docstring)."""
    n_clusters = np.unique(clusters).size
    if n_clusters < 2:
        raise ValueError("predicted_cluster_bias needs at least two clusters")
    factor = n_clusters / (n_clusters - 1)
    return float(-world.model.spillover * factor * node_cut_share(world, clusters).mean())


def give_up_reasons(cut_share: float, clusters_per_arm: float, max_cut_share: float,
                    min_clusters_per_arm: float) -> tuple[str, ...]:
    """Every key of :data:`GIVE_UP_REASONS` that applies to a partition (cut edges first, then
    clusters); empty when cluster randomization is usable."""
    for name, value in (("cut_share", cut_share), ("max_cut_share", max_cut_share)):
        if not 0 <= value <= 1:
            raise ValueError(f"{name} must be a share in [0, 1], got {value}")
    checks = (("too_many_cut_edges", cut_share > max_cut_share),
              ("too_few_clusters", clusters_per_arm < min_clusters_per_arm))
    return tuple(key for key, fails in checks if fails)


def verdict_text(reasons: Sequence[str]) -> str:
    """The verdict in words: :data:`USABLE`, or "Give up: " and every reason, joined by "and"."""
    unknown = [r for r in reasons if r not in GIVE_UP_REASONS]
    if unknown:
        raise ValueError(f"unknown give-up reasons {unknown}; expected keys of GIVE_UP_REASONS "
                         f"{sorted(GIVE_UP_REASONS)}")
    if not reasons:
        return USABLE
    return "Give up: " + " and ".join(GIVE_UP_REASONS[r] for r in reasons)


def give_up_verdict(cut_share: float, clusters_per_arm: float, max_cut_share: float,
                    min_clusters_per_arm: float) -> str:
    """The verdict for a partition in words, naming every reason to give up."""
    return verdict_text(give_up_reasons(cut_share, clusters_per_arm, max_cut_share,
                                        min_clusters_per_arm))


def compare_thresholds(derived: float, claimed: float, tolerance: float = 0.005) -> str:
    """How a derived cut-share threshold compares with a claimed one, in words."""
    if abs(derived - claimed) <= tolerance:
        return "the same as"
    return "looser than" if derived > claimed else "stricter than"


def give_up_threshold(study: pd.DataFrame, max_relative_bias: float) -> dict[str, float]:
    """Largest cut-edge share whose relative bias stays within ``max_relative_bias``.

    Fits the simulated relative bias (bias / truth) as ``-slope * cut share`` by least squares
    through the origin and returns the slope, the same fit to the outcome model's prediction
    (:func:`predicted_cluster_bias`, close to spillover / total effect) and the threshold
    ``max_relative_bias / slope``.
    """
    if not 0 < max_relative_bias < 1:
        raise ValueError(f"max_relative_bias must be in (0, 1), got {max_relative_bias}")
    x = study["cut_edge_share"].to_numpy(float)
    y = -study["relative_bias"].to_numpy(float)
    if x.size < 2 or not (x > 0).any():
        raise ValueError("give_up_threshold needs at least two partitions with cut edges")
    slope = float(x @ y / (x @ x))
    predicted = float(x @ (-study["predicted_bias"] / study["truth"]).to_numpy(float) / (x @ x))
    return {"max_relative_bias": float(max_relative_bias), "slope": slope,
            "predicted_slope": predicted, "threshold": float(max_relative_bias / slope)}


def mixing_study(model: NetworkOutcomeModel, n_communities: int, community_size: int,
                 mean_degree: float, between_shares: Sequence[float],
                 resolutions: Sequence[float], n_reps: int, graph_seed: int, outcome_seed: int,
                 seed: int, partition_seed: int = 0, level: float = 0.95) -> pd.DataFrame:
    """One row per (mixing, resolution): cut share, clusters, bias, SD, RMSE, coverage.

    ``between_shares`` are the expected shares of each node's edges that leave its planted
    community; the partition is Leiden's at each resolution; half of the clusters are treated.
    Partitions with fewer than four clusters, or equal to one already used for the same graph,
    are skipped.
    """
    rows = []
    for m_idx, share in enumerate(between_shares):  # a handful of graphs
        spec = planted_partition_spec(n_communities, community_size,
                                      mean_degree * (1 - share), mean_degree * share)
        world = build_network_world(spec, model, graph_seed + m_idx, outcome_seed + m_idx)
        truth = float(network_estimands(world).set_index("estimand").loc["total_effect", "value"])
        seen: list[np.ndarray] = []
        for r_idx, resolution in enumerate(resolutions):  # a few partitions per graph
            clusters = partition_graph(world.graph, "leiden", float(resolution), partition_seed)
            # a cluster-robust variance needs two clusters per arm; a repeated partition would
            # count twice in the threshold fit
            if (np.unique(clusters).size < 4
                    or any(np.array_equal(clusters, other) for other in seen)):
                continue
            seen.append(clusters)
            rng = np.random.default_rng(np.random.SeedSequence([seed, m_idx, r_idx]))
            z = cluster_assignment(clusters, 0.5, rng, n_draws=n_reps)
            est = batched.difference_in_means(observed_outcomes(world, z), z, clusters=clusters)
            stats = summarise_replications(est.estimate, est.std_error, truth, level)
            n_clusters = int(np.unique(clusters).size)
            rows.append({
                "between_share": float(share), "resolution": float(resolution),
                "n_clusters": n_clusters, "clusters_per_arm": n_clusters / 2,
                "cut_edge_share": cross_cluster_edge_fraction(world.graph, clusters),
                "spillover": world.model.spillover,
                "predicted_bias": predicted_cluster_bias(world, clusters), **stats,
            })
    if not rows:
        raise ValueError("mixing_study: no partition has the four clusters a clustered variance "
                         "needs; use higher resolutions")
    out = pd.DataFrame(rows)
    out["relative_bias"] = out["bias"] / out["truth"]
    return out
