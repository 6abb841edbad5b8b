"""An observational teams world: treatment chosen, not randomized, with known effects.

Worker ``j`` in team ``i`` takes the treatment with probability
``expit(b0 + b1 * x_ij + v_i)`` (``x`` a measured trait, ``v_i ~ N(0, propensity_sd)`` a team's
enthusiasm), and has outcome

    Y = intercept + confounding * x + direct * A + spillover * share_of_teammates_treated + u_i + e,

so ``x`` confounds the naive comparison. Under a counterfactual Bernoulli allocation ``alpha``,
teammates are treated at rate ``alpha``, hence exactly (for every finite population):
``DE(alpha) = direct``, ``IE(alpha, alpha') = spillover (alpha - alpha')``,
``TE(alpha, alpha') = direct + spillover (alpha - alpha')`` and
``OE(alpha, alpha') = (direct + spillover)(alpha - alpha')``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.worlds.teams import peer_saturation

__all__ = ["ObservationalTeams", "simulate_observational", "true_effect"]


@dataclass(frozen=True)
class ObservationalTeams:
    n_groups: int = 150
    group_size: int = 8
    b0: float = -0.3
    b1: float = 0.8
    propensity_sd: float = 0.7
    intercept: float = 10.0
    confounding: float = 1.5
    direct: float = 1.0
    spillover: float = 2.0
    team_sd: float = 1.0
    noise_sd: float = 1.0


def simulate_observational(world: ObservationalTeams, rng: np.random.Generator) -> pd.DataFrame:
    """One observational data set: group, trait x, treatment A, outcome Y."""
    g = np.repeat(np.arange(world.n_groups), world.group_size)
    x = rng.standard_normal(g.size)
    v = world.propensity_sd * rng.standard_normal(world.n_groups)
    p = 1.0 / (1.0 + np.exp(-(world.b0 + world.b1 * x + v[g])))
    a = (rng.random(g.size) < p).astype(np.int8)
    share = peer_saturation(a, g)
    u = world.team_sd * rng.standard_normal(world.n_groups)
    y = (world.intercept + world.confounding * x + world.direct * a + world.spillover * share
         + u[g] + world.noise_sd * rng.standard_normal(g.size))
    return pd.DataFrame({"group": g, "x": x, "A": a, "Y": y})


def true_effect(world: ObservationalTeams, effect: str, alpha: float,
                alpha_prime: float | None = None) -> float:
    """Exact value of DE, IE, TE or OE in this world."""
    gap = 0.0 if alpha_prime is None else alpha - alpha_prime
    values = {"direct": world.direct, "indirect": world.spillover * gap,
              "total": world.direct + world.spillover * gap,
              "overall": (world.direct + world.spillover) * gap}
    if effect not in values:
        raise ValueError(f"effect must be one of {sorted(values)}, got {effect!r}")
    return float(values[effect])
