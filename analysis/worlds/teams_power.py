"""Design effect and power in the teams world: individual versus team randomization.

The untreated outcome of a worker is ``intercept + skill + team shock + noise``, so the
intra-cluster correlation is ``team_shock_sd^2 / (team_shock_sd^2 + (skill_coef skill_sd)^2 +
noise_sd^2)`` (:func:`analytic_icc`). :func:`power_table` estimates it from a simulated pilot
with nobody treated, turns it into the design effect and minimum detectable effect (MDE) of each
design for several team sizes at a fixed number of workers, and checks every MDE by simulation:
with the true effect set to the MDE (and no spillover, so both designs target the same effect),
the share of simulated experiments whose 95% test rejects should be close to the nominal power.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import numpy as np
import pandas as pd
from scipy import stats

from analysis.designs.power import (
    design_effect,
    effective_sample_size,
    icc_anova,
    minimum_detectable_effect,
)
from analysis.estimators import batched
from analysis.worlds.teams import (
    TeamsParams,
    assign,
    simulate_outcomes,
    team_labels,
    total_effect,
)

__all__ = ["analytic_icc", "outcome_sd", "power_table"]


def outcome_sd(params: TeamsParams) -> float:
    """Standard deviation of an untreated worker's outcome."""
    return float(np.sqrt(params.team_shock_sd**2 + (params.skill_coef * params.skill_sd) ** 2
                         + params.noise_sd**2))


def analytic_icc(params: TeamsParams) -> float:
    """Share of the untreated outcome's variance that is shared by a team."""
    return float(params.team_shock_sd**2 / outcome_sd(params) ** 2)


def _rejection_rate(params: TeamsParams, design: str, n_reps: int, rng: np.random.Generator,
                    alpha: float) -> float:
    z, _ = assign(design, params, rng, n_draws=n_reps)
    y = simulate_outcomes(z, params, rng).outcome
    clusters = team_labels(params) if design == "cluster" else None
    est = batched.difference_in_means(y, z, clusters=clusters)
    return float(np.mean(np.abs(est.estimate / est.std_error) > stats.norm.ppf(1 - alpha / 2)))


def power_table(params: TeamsParams, team_sizes: Sequence[int], n_reps: int,
                rng: np.random.Generator, pilot_teams: int, alpha: float = 0.05,
                power: float = 0.8) -> pd.DataFrame:
    """One row per team size (same number of workers): ICC, design effect, MDEs, simulated power.

    The ICC is estimated once, from a pilot of ``pilot_teams`` teams of the configured size with
    nobody treated (as a team would estimate it from historical data before the experiment).
    """
    n_workers = params.n_groups * params.group_size
    pilot = replace(params, n_groups=int(pilot_teams))
    untreated = simulate_outcomes(np.zeros(pilot.n_groups * pilot.group_size), pilot, rng).outcome
    icc = icc_anova(untreated, team_labels(pilot))
    sd = outcome_sd(params)
    rollout = total_effect(1.0, 0.0, params)
    rows = []
    for size in team_sizes:  # a handful of team sizes
        size = int(size)
        if n_workers % size:
            raise ValueError(f"team size {size} does not divide the {n_workers} workers")
        deff = design_effect(size, icc)
        mde_ind = minimum_detectable_effect(sd, n_workers, params.individual_p, alpha, power)
        mde_clu = minimum_detectable_effect(sd, n_workers, params.cluster_p, alpha, power, deff)
        world = replace(params, n_groups=n_workers // size, group_size=size,
                        spillover_effect=0.0, interaction_effect=0.0)
        rows.append({
            "team_size": size, "n_teams": n_workers // size, "n_workers": n_workers,
            "world_team_size": size == params.group_size, "pilot_teams": int(pilot_teams),
            "icc": icc, "icc_truth": analytic_icc(params), "design_effect": deff,
            "effective_sample_size": effective_sample_size(n_workers, size, icc),
            "mde_individual": mde_ind, "mde_cluster": mde_clu, "mde_ratio": mde_clu / mde_ind,
            "rollout_effect": rollout, "rollout_over_mde_cluster": rollout / mde_clu,
            "power_individual": _rejection_rate(replace(world, direct_effect=mde_ind),
                                                "individual", n_reps, rng, alpha),
            "power_cluster": _rejection_rate(replace(world, direct_effect=mde_clu), "cluster",
                                             n_reps, rng, alpha),
            "nominal_power": power, "n_reps": n_reps,
        })
    return pd.DataFrame(rows)
