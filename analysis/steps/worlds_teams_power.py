"""Rule worlds_teams_power: intra-cluster correlation, design effect and minimum detectable
effect of individual and team randomization in the teams world, checked by simulated power."""

from __future__ import annotations

import numpy as np

from analysis.cli import StepContext
from analysis.worlds.teams import TeamsParams
from analysis.worlds.teams_power import power_table


def run(ctx: StepContext) -> None:
    cfg = ctx.params["teams"]
    pw = ctx.params["teams_power"]
    params = TeamsParams.from_config(cfg)
    table = power_table(params, pw["team_sizes"], int(pw["reps"]),
                        np.random.default_rng(int(pw["seed"])), int(pw["pilot_teams"]),
                        alpha=1 - float(cfg["level"]), power=float(pw["power"]))
    n_workers = params.n_groups * params.group_size
    ctx.writer.table(
        "teams_power", table, title="Design effect and minimum detectable effect",
        caption=f"Intra-cluster correlation (estimated from {int(pw['pilot_teams']):,} untreated "
                f"teams), design effect, effective sample size and minimum detectable effect "
                f"(two-sided {1 - float(cfg['level']):.0%} test, power "
                f"{float(pw['power']):.0%}) of individual and team randomization of "
                f"{n_workers:,} workers, by team size; simulated power at that effect over "
                f"{int(pw['reps']):,} experiments per design.", seed=int(pw["seed"]))
