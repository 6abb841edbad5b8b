"""IPW in the observational teams world: one data set and a Monte Carlo coverage study."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from analysis.estimators.partial_interference_ipw import partial_interference_ipw
from analysis.worlds.teams_observational import (
    ObservationalTeams,
    simulate_observational,
    true_effect,
)

__all__ = ["effect_label", "ipw_estimates", "ipw_montecarlo"]

_NAMES = {"direct": "Direct effect", "indirect": "Indirect effect", "total": "Total effect",
          "overall": "Overall effect"}


def effect_label(effect: str, alpha: float, alpha_prime: float) -> str:
    """Reader label, e.g. ``Indirect effect, 60% vs 30%`` or ``Direct effect at 30%``."""
    if effect == "direct":
        return f"{_NAMES[effect]} at {alpha:.0%}"
    return f"{_NAMES[effect]}, {alpha:.0%} vs {alpha_prime:.0%}"


def ipw_estimates(world: ObservationalTeams, alphas: Sequence[float], level: float,
                  rng: np.random.Generator) -> pd.DataFrame:
    """Estimates from one simulated data set, with the truth and the naive contrast."""
    data = simulate_observational(world, rng)
    x = np.column_stack([np.ones(len(data)), data["x"]])
    table = partial_interference_ipw(data["Y"], data["A"], x, data["group"], alphas,
                                     level).table
    a = data["A"].to_numpy() == 1
    naive = float(data["Y"][a].mean() - data["Y"][~a].mean())
    keep = (table["effect"] == "direct") | (table["alpha"] > table["alpha_prime"])
    table = table[keep].reset_index(drop=True)
    table.insert(0, "label", [effect_label(e, x1, x0) for e, x1, x0 in
                              zip(table["effect"], table["alpha"], table["alpha_prime"],
                                  strict=True)])
    table["truth"] = [true_effect(world, e, x1, None if np.isnan(x0) else x0)
                      for e, x1, x0 in zip(table["effect"], table["alpha"],
                                           table["alpha_prime"], strict=True)]
    table["naive_difference"] = naive
    return table


def ipw_montecarlo(world: ObservationalTeams, alphas: Sequence[float], level: float, reps: int,
                   seed: int) -> pd.DataFrame:
    """Bias, SD, mean SE and interval coverage over ``reps`` observational data sets."""
    if reps < 2:
        raise ValueError(f"reps must be at least 2, got {reps}")
    tables = [ipw_estimates(world, alphas, level, np.random.default_rng([seed, r]))
              for r in range(reps)]  # Monte Carlo replications (each fit is vectorised)
    stacked = pd.concat(tables, ignore_index=True)
    stacked["covered"] = ((stacked["ci_lower"] <= stacked["truth"])
                          & (stacked["truth"] <= stacked["ci_upper"]))
    out = (stacked.groupby("label", sort=False)
           .agg(truth=("truth", "first"), mean_estimate=("estimate", "mean"),
                sd=("estimate", "std"), mean_se=("std_error", "mean"),
                coverage=("covered", "mean"))
           .reset_index())
    out["bias"] = out["mean_estimate"] - out["truth"]
    out["coverage_mc_se"] = np.sqrt(out["coverage"] * (1 - out["coverage"]) / reps)
    out["reps"] = int(reps)
    return out
