"""The randomized-saturation teams experiment analysed with the two-stage estimators.

Teams draw a saturation, then workers are treated independently at it (Bernoulli allocation), so
the Hudgens–Halloran estimators with ``within="bernoulli"`` apply; conditioning on how many teams
landed in each arm makes stage 1 a complete randomization. Each two-stage estimate sits next to
today's analysis of the same data (a team-clustered difference in means between arms) and the
analytic value of its estimand from :mod:`analysis.worlds.teams`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.design_based.two_stage import two_stage_effects
from analysis.estimators.difference_in_means import difference_in_means
from analysis.worlds import teams

__all__ = ["EFFECT_LABELS", "saturation_frame", "two_stage_comparison", "two_stage_montecarlo"]

#: Reader label of each effect (two-stage key -> label pattern).
EFFECT_LABELS: dict[str, str] = {
    "direct_psi": "Direct effect at {hi:.0%}",
    "direct_phi": "Direct effect at {lo:.0%}",
    "indirect": "Indirect effect, {hi:.0%} vs {lo:.0%}",
    "total": "Total effect, {hi:.0%} vs {lo:.0%}",
    "overall": "Overall effect, {hi:.0%} vs {lo:.0%}",
}


def saturation_frame(params: teams.TeamsParams, seed: int) -> pd.DataFrame:
    """The realised randomized-saturation experiment of rule worlds_teams (same seed stream)."""
    stream = np.random.SeedSequence(seed).spawn(4)[teams.DESIGNS.index("saturation")]
    return teams.simulate("saturation", params, np.random.default_rng(stream)).to_frame()


def _truths(params: teams.TeamsParams, lo: float, hi: float) -> dict[str, float]:
    return {"direct_psi": teams.direct_effect(hi, params),
            "direct_phi": teams.direct_effect(lo, params),
            "indirect": teams.indirect_effect(0, hi, lo, params),
            "total": teams.total_effect(hi, lo, params),
            "overall": teams.overall_effect(hi, lo, params)}


def _today(y: np.ndarray, a: np.ndarray, g: np.ndarray, sat: np.ndarray, lo: float,
           hi: float, level: float) -> dict[str, tuple[float, float]]:
    """Today's unit-level contrasts (team-clustered difference in means): estimate and SE."""
    hi_arm, lo_arm = np.isclose(sat, hi), np.isclose(sat, lo)
    masks = {"direct_psi": (hi_arm, a), "direct_phi": (lo_arm, a),
             "indirect": ((hi_arm | lo_arm) & (a == 0), hi_arm),
             "total": ((hi_arm & (a == 1)) | (lo_arm & (a == 0)), hi_arm),
             "overall": (hi_arm | lo_arm, hi_arm)}
    out = {}
    for key, (mask, indicator) in masks.items():
        fit = difference_in_means(y[mask], indicator[mask].astype(int), g[mask],
                                  alpha=1 - level)
        out[key] = (fit.estimate, fit.std_error)
    return out


def two_stage_comparison(frame: pd.DataFrame, params: teams.TeamsParams, lo: float, hi: float,
                         level: float) -> pd.DataFrame:
    """One row per effect and method: truth, estimate, SE and Wald interval."""
    y = frame["Y"].to_numpy(dtype=float)
    a = frame["A"].to_numpy()
    g = frame["group"].to_numpy()
    sat = frame["assigned_saturation"].to_numpy(dtype=float)
    res = two_stage_effects(y, a, g, sat, psi=hi, phi=lo, within="bernoulli", alpha=1 - level)
    today = _today(y, a, g, sat, lo, hi, level)
    truths = _truths(params, lo, hi)
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for key, label in EFFECT_LABELS.items():
        for method, (est, se) in (("Two-stage (Hudgens–Halloran)",
                                   (res.estimate[key], res.std_error[key])),
                                  ("Difference in means, team-clustered", today[key])):
            rows.append({"effect": label.format(hi=hi, lo=lo), "method": method,
                         "truth": truths[key], "estimate": est, "std_error": se,
                         "ci_lower": est - z * se, "ci_upper": est + z * se,
                         "teams_high": res.n_groups_psi, "teams_low": res.n_groups_phi})
    return pd.DataFrame(rows)


def two_stage_montecarlo(params: teams.TeamsParams, reps: int, seed: int, lo: float, hi: float,
                         level: float) -> pd.DataFrame:
    """Bias, SD, mean SE and coverage of both methods over ``reps`` simulated experiments.

    Experiments are simulated at once (``(R, N)`` arrays); the estimators run once per
    replication because the number of teams per arm differs between replications.
    """
    if reps < 2:
        raise ValueError(f"reps must be at least 2, got {reps}")
    sample = teams.simulate("saturation", params, np.random.default_rng(seed), n_draws=reps)
    truths = _truths(params, lo, hi)
    z = stats.norm.ppf(0.5 + level / 2)
    keys = list(EFFECT_LABELS)
    est = np.zeros((2, reps, len(keys)))
    se = np.zeros((2, reps, len(keys)))
    g = sample.group
    for r in range(reps):  # Monte Carlo replications; the estimators are vectorised inside
        y, a, sat = sample.outcome[r], sample.treatment[r], sample.assigned_saturation[r]
        res = two_stage_effects(y, a, g, sat, psi=hi, phi=lo, within="bernoulli")
        today = _today(y, a, g, sat, lo, hi, level)
        est[0, r] = [res.estimate[k] for k in keys]
        se[0, r] = [res.std_error[k] for k in keys]
        est[1, r] = [today[k][0] for k in keys]
        se[1, r] = [today[k][1] for k in keys]
    rows = []
    truth = np.array([truths[k] for k in keys])
    for m, method in enumerate(("Two-stage (Hudgens–Halloran)",
                                "Difference in means, team-clustered")):
        covered = np.abs(est[m] - truth) <= z * se[m]
        for j, key in enumerate(keys):
            rows.append({"effect": EFFECT_LABELS[key].format(hi=hi, lo=lo), "method": method,
                         "truth": truth[j], "bias": float(est[m, :, j].mean() - truth[j]) + 0.0,
                         "sd": float(est[m, :, j].std(ddof=1)),
                         "mean_se": float(se[m, :, j].mean()),
                         "coverage": float(covered[:, j].mean()),
                         "coverage_mc_se": float(np.sqrt(covered[:, j].mean()
                                                         * (1 - covered[:, j].mean()) / reps)),
                         "reps": int(reps)})
    return pd.DataFrame(rows)
