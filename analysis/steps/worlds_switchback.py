"""Rule worlds_switchback: bias, spread and coverage of a switchback experiment with carryover
against the number of washout periods dropped after each switch."""

from __future__ import annotations

import numpy as np

from analysis.cli import StepContext
from analysis.worlds import figures_practice as figs
from analysis.worlds.switchback import SwitchbackWorld, switchback_study


def run(ctx: StepContext) -> None:
    cfg = ctx.params["switchback"]
    world = SwitchbackWorld(**{k: cfg[k] for k in (
        "n_blocks", "block_length", "carryover", "effect", "baseline", "noise_sd",
        "noise_autocorrelation")})
    seed = int(cfg["seed"])
    table = switchback_study(world, cfg["washouts"], int(cfg["reps"]),
                             np.random.default_rng(seed), float(cfg["level"]))
    for key in ("n_blocks", "block_length", "carryover"):
        table[key] = getattr(world, key)
    note = (f"{world.n_blocks} blocks of {world.block_length} periods, each switched on with "
            f"probability 1/2; the system keeps {world.carryover:.0%} of its previous state each "
            f"period; global effect {world.effect:g}; {int(cfg['reps']):,} simulated "
            f"experiments, block-clustered standard errors.")
    w = ctx.writer
    w.table("switchback_washout", table, title="Switchback experiments: washout and carryover",
            caption=f"Bias (simulated and analytic), spread, RMSE and interval coverage of the "
                    f"on-minus-off contrast by washout. {note}", seed=seed)
    w.figure("switchback_washout_plot", figs.switchback_figure(table),
             title="Switchback bias and RMSE against washout",
             caption=f"Absolute bias of the switchback contrast (analytic line, simulated "
                     f"points) and its RMSE against the number of periods dropped after each "
                     f"switch. {note}",
             alt="The absolute bias falls quickly towards zero as more periods are dropped "
                 "after each switch, the simulated points on the analytic line; the RMSE falls "
                 "at first and then rises again as fewer periods remain.", seed=seed)
