"""Monte Carlo study of the teams world: bias, RMSE and coverage, naive versus team-clustered.

All ``R`` replications of a design are drawn at once (assignments and outcomes are ``(R, N)``
arrays) and every estimator is applied to all of them with the batched estimators, so the study
has no Python loop over replications.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimators import batched
from analysis.montecarlo import ReplicationSet, summary_table
from analysis.worlds import teams
from analysis.worlds.teams_estimates import MODEL_LABELS

__all__ = ["teams_montecarlo"]


def _pairs(labels: dict[str, str], truth: float, naive: batched.BatchedEstimates,
           clustered: batched.BatchedEstimates, column: int | None = None) -> list[ReplicationSet]:
    out = []
    for se_type, fit in (("naive", naive), ("clustered", clustered)):
        est = fit.estimate if column is None else fit.estimate[:, column]
        se = fit.std_error if column is None else fit.std_error[:, column]
        out.append(ReplicationSet({**labels, "se_type": se_type}, truth, est, se))
    return out


def _dim_sets(design: str, estimator: str, target: str, truth: float, y: np.ndarray,
              indicator: np.ndarray, groups: np.ndarray,
              include: np.ndarray | None = None) -> list[ReplicationSet]:
    labels = {"design": design, "estimator": estimator, "target": target}
    naive = batched.difference_in_means(y, indicator, include=include)
    clustered = batched.difference_in_means(y, indicator, clusters=groups, include=include)
    return _pairs(labels, truth, naive, clustered)


def _regression_sets(design: str, sample: teams.TeamsSample, params: teams.TeamsParams
                     ) -> list[ReplicationSet]:
    y = sample.outcome
    x = np.stack([np.ones_like(y), sample.treatment.astype(float), sample.peer_saturation,
                  sample.skill], axis=-1)
    naive = batched.ols(y, x)
    clustered = batched.ols(y, x, clusters=sample.group)
    estimator = MODEL_LABELS["reg_peer"]
    sets = _pairs({"design": design, "estimator": estimator,
                   "target": "Direct effect (coefficient on A)"},
                  params.direct_effect, naive, clustered, column=1)
    sets += _pairs({"design": design, "estimator": estimator,
                    "target": "Spillover per unit of peer saturation"},
                   params.spillover_effect, naive, clustered, column=2)
    return sets


def teams_montecarlo(params: teams.TeamsParams, n_reps: int, seed: int, psi_low: float,
                     psi_high: float, level: float = 0.95) -> pd.DataFrame:
    """Bias/RMSE/coverage table for every design x estimator x SE type of the teams world."""
    if int(n_reps) != n_reps or n_reps < 2:
        raise ValueError(f"n_reps must be an integer >= 2, got {n_reps!r}")
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3)]
    sets: list[ReplicationSet] = []

    ind = teams.simulate("individual", params, rngs[0], n_draws=int(n_reps))
    sets += _dim_sets("individual", "Difference in means", f"DE({params.individual_p:g})",
                      teams.direct_effect(params.individual_p, params), ind.outcome,
                      ind.treatment, ind.group)
    sets += _regression_sets("individual", ind, params)

    clu = teams.simulate("cluster", params, rngs[1], n_draws=int(n_reps))
    sets += _dim_sets("cluster", "Difference in means", "TE(1, 0) full rollout",
                      teams.total_effect(1.0, 0.0, params), clu.outcome, clu.treatment, clu.group)

    sat = teams.simulate("saturation", params, rngs[2], n_draws=int(n_reps))
    sets += _regression_sets("saturation", sat, params)
    arm = sat.assigned_saturation
    hi = np.isclose(arm, psi_high)
    lo = np.isclose(arm, psi_low)
    a = sat.treatment
    for s in params.saturations:
        sets += _dim_sets("saturation", f"Within-arm difference, saturation {s:g}", f"DE({s:g})",
                          teams.direct_effect(s, params), sat.outcome, a, sat.group,
                          include=np.isclose(arm, s))
    contrasts = [
        ("Untreated: high arm minus low arm", f"IE(0; {psi_high:g}, {psi_low:g})",
         teams.indirect_effect(0, psi_high, psi_low, params), (hi | lo) & (a == 0)),
        ("Treated in high arm minus untreated in low arm", f"TE({psi_high:g}, {psi_low:g})",
         teams.total_effect(psi_high, psi_low, params), (hi & (a == 1)) | (lo & (a == 0))),
        ("All workers: high arm minus low arm", f"OE({psi_high:g}, {psi_low:g})",
         teams.overall_effect(psi_high, psi_low, params), hi | lo),
    ]
    for estimator, target, truth, include in contrasts:
        sets += _dim_sets("saturation", estimator, target, truth, sat.outcome, hi, sat.group,
                          include=include)
    return summary_table(sets, level=level)
