"""Rule estimators_observational_ipw: IPW under partial interference, observational teams."""

from __future__ import annotations

import logging

import numpy as np

from analysis.cli import StepContext
from analysis.worlds.teams_observational import ObservationalTeams
from analysis.worlds.teams_observational_study import ipw_estimates, ipw_montecarlo

LOG = logging.getLogger(__name__)


def run(ctx: StepContext) -> None:
    cfg = ctx.params["observational_teams"]
    world = ObservationalTeams(**cfg["world"])
    alphas = [float(a) for a in cfg["alphas"]]
    seed, reps, level = int(cfg["seed"]), int(cfg["reps"]), float(cfg["level"])
    one = ipw_estimates(world, alphas, level, np.random.default_rng(seed))
    mc = ipw_montecarlo(world, alphas, level, reps, seed + 1)
    LOG.info("observational IPW: coverage %.3f-%.3f over %d data sets", mc["coverage"].min(),
             mc["coverage"].max(), reps)
    note = (f"Observational teams world: {world.n_groups} teams of {world.group_size}; workers "
            f"choose treatment with a probability that rises with a measured trait and with a "
            f"team-level random enthusiasm; the trait also raises the outcome (confounding). "
            f"Propensity: logistic model with a team random intercept, fitted by maximum "
            f"likelihood; counterfactual allocations "
            f"{' and '.join(f'{a:.0%}' for a in alphas)}; {level:.0%} Wald intervals from the "
            f"sandwich variance that accounts for the estimated propensity.")
    w = ctx.writer
    w.table("ipw_teams_estimates", one, title="IPW estimates in the observational teams world",
            caption=f"Direct, indirect, total and overall effects from one observational data "
                    f"set, beside their true values and the naive treated-minus-untreated "
                    f"difference. {note}", seed=seed)
    w.table("ipw_teams_montecarlo", mc, title="IPW over repeated observational data sets",
            caption=f"Bias, standard deviation, mean sandwich standard error and interval "
                    f"coverage over {reps:,} simulated data sets. {note}", seed=seed + 1)
