"""Ego clusters and holdouts in the network world: what each design's contrast recovers.

Four designs are re-randomized many times on one fixed network world (a finite population):

* ``individual`` - every person treated independently with probability ``p``; difference in
  means over everybody;
* ``individual_holdout`` - a launch to everybody except a random share of people held out;
  launched minus held-out means;
* ``ego_cluster`` - ego networks (ego and alters) randomized as wholes, everybody else untreated;
  difference in means over the egos;
* ``ego_holdout`` - a launch to everybody except a random share of whole ego networks held out;
  launched minus held-out egos.

The individual designs target the population's total (global) effect; the ego designs target the
total effect of the egos (everybody treated versus nobody, for the egos), which in this world is
``direct + spillover`` because every ego has neighbours. Egos are sampled once (the sample is
part of the design); only the assignment is re-randomized.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.designs.assignment import bernoulli_assignment
from analysis.designs.ego_cluster import (
    ego_network_assignment,
    ego_network_labels,
    non_overlapping_egos,
)
from analysis.estimators import batched
from analysis.exposure.neighbor import ClusterShares
from analysis.montecarlo import summarise_replications
from analysis.worlds.network import NetworkWorld, network_estimands, observed_outcomes

__all__ = ["EGO_DESIGNS", "EgoSample", "ego_holdout_study", "sample_egos"]

#: Designs of the study, in the order the book shows them.
EGO_DESIGNS = ("individual", "individual_holdout", "ego_cluster", "ego_holdout")


@dataclass(frozen=True)
class EgoSample:
    """Egos of one world (sorted node indices), every node's ego-network label and a summary."""

    egos: np.ndarray
    labels: np.ndarray
    shares: ClusterShares  # treated-neighbour shares of the egos' rows (every node a cluster)
    summary: dict[str, float | int]

    def ego_shares(self, z: np.ndarray) -> np.ndarray:
        """Treated-neighbour share of every ego (``(R, K)``)."""
        return self.shares(z)


def sample_egos(world: NetworkWorld, rng: np.random.Generator) -> EgoSample:
    """Non-overlapping egos of ``world`` (see :func:`non_overlapping_egos`)."""
    adj = world.graph.adjacency
    egos = non_overlapping_egos(adj, rng)
    labels = ego_network_labels(adj, egos)
    mask = np.zeros(world.graph.n_nodes, dtype=bool)
    mask[egos] = True
    degree = world.graph.degree
    summary = {
        "n_nodes": world.graph.n_nodes,
        "mean_degree": float(degree.mean()),
        "n_egos": int(egos.size),
        "share_in_ego_networks": float((labels >= 0).mean()),
        "mean_ego_degree": float(degree[egos].mean()),
    }
    return EgoSample(egos=egos, labels=labels, shares=ClusterShares(adj, mask, np.arange(adj.shape[0])), summary=summary)


def _ego_outcomes(world: NetworkWorld, sample: EgoSample, z: np.ndarray) -> np.ndarray:
    """Outcomes of the egos only (``(R, K)``), from their own treatment and neighbour share."""
    m = world.model
    return (world.baseline[sample.egos] + m.direct * z[:, sample.egos]
            + m.spillover * sample.ego_shares(z))


def ego_holdout_study(world: NetworkWorld, sample: EgoSample, n_reps: int, p: float,
                      holdout_share: float, rng: np.random.Generator,
                      level: float = 0.95) -> pd.DataFrame:
    """Bias, SD, RMSE and coverage of each design's contrast against its own target."""
    if not 0 < holdout_share < 1:
        raise ValueError(f"holdout_share must be in (0, 1), got {holdout_share}")
    n = world.graph.n_nodes
    truths = network_estimands(world).set_index("estimand")["value"]
    population_total = float(truths["total_effect"])
    ego_total = float(world.model.direct + world.model.spillover)
    streams = [np.random.default_rng(s) for s in np.random.SeedSequence(
        int(rng.integers(2**63))).spawn(len(EGO_DESIGNS))]
    rows = []
    for design, stream in zip(EGO_DESIGNS, streams, strict=True):  # four designs
        if design == "individual":
            z = bernoulli_assignment(n, p, stream, n_draws=n_reps)
        elif design == "individual_holdout":
            z = bernoulli_assignment(n, 1 - holdout_share, stream, n_draws=n_reps)
        elif design == "ego_cluster":
            z = ego_network_assignment(sample.labels, p, stream, outside=0, n_draws=n_reps)
        else:
            z = ego_network_assignment(sample.labels, 1 - holdout_share, stream, outside=1,
                                       n_draws=n_reps)
        if design.startswith("ego"):
            y, treated, truth = _ego_outcomes(world, sample, z), z[:, sample.egos], ego_total
            full_or_none = bool(np.array_equal(sample.ego_shares(z), treated.astype(float)))
            units = sample.egos.size
        else:
            y, treated, truth = observed_outcomes(world, z), z, population_total
            full_or_none, units = False, n
        est = batched.difference_in_means(y, treated)
        stats = summarise_replications(est.estimate, est.std_error, truth, level)
        rows.append({"design": design, "units_measured": units,
                     "mean_treated_share": float(treated.mean()),
                     "egos_full_or_none": full_or_none, **stats})
    out = pd.DataFrame(rows)
    out["bias_share_of_truth"] = out["bias"] / out["truth"]
    out["sd_ratio_to_individual"] = out["empirical_sd"] / float(out["empirical_sd"].iloc[0])
    return out
