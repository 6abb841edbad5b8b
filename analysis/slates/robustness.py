"""Robustness: other simulation seeds, other outcome-model settings, randomization inference.

* Seeds: the seed slates stay fixed (they are the data); the promotion coins, focal draws and
  clicks are re-simulated for every seed. How often does the observed total change sign?
* Settings: named overrides of the outcome model (e.g. no cluster penalty, a market-expansion
  term). For each, the known decomposition and the observed estimate from one simulated
  experiment.
* Randomization inference: the exact test of "promotion changes no slate's clicks" by re-drawing
  the Bernoulli promotion coins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from analysis.design_based.randomization_inference import bernoulli_randomization_test
from analysis.slates.decomposition import component_effects
from analysis.slates.experiment import simulate_experiment, stream
from analysis.slates.outcome_model import OutcomeModel
from analysis.slates.promotion_design import PromotionDesign
from analysis.slates.slate_outcomes import slate_outcome_table


def _run_summary(seed_slates: pd.DataFrame, design: PromotionDesign, model: OutcomeModel,
                 seed: int, alpha: float) -> dict[str, float]:
    slates = slate_outcome_table(simulate_experiment(seed_slates, design, model, seed))
    eff = component_effects(slates, alpha).set_index(["view", "component"])
    obs = eff.loc["observed_clicks"]
    return {
        "observed_focal_gain": float(obs.loc["focal", "estimate_per_slate"]),
        "observed_competitor_change": float(obs.loc["same_cluster_competitor", "estimate_per_slate"]
                                            + obs.loc["other_competitor", "estimate_per_slate"]),
        "observed_total": float(obs.loc["total", "estimate_per_slate"]),
        "observed_total_ci_lower": float(obs.loc["total", "ci_lower"]),
        "observed_total_ci_upper": float(obs.loc["total", "ci_upper"]),
        "truth_focal_gain": float(obs.loc["focal", "truth"]),
        "truth_competitor_change": float(obs.loc["same_cluster_competitor", "truth"]
                                         + obs.loc["other_competitor", "truth"]),
        "truth_total": float(obs.loc["total", "truth"]),
        "known_total_promoted": float(eff.loc[("known_lift", "total"), "estimate_per_slate"]),
        "promotion_rate": float(slates["promotion_applied"].mean()),
    }


def seed_robustness(seed_slates: pd.DataFrame, design: PromotionDesign, model: OutcomeModel,
                    seeds: Sequence[int], alpha: float = 0.05) -> pd.DataFrame:
    """One row per simulation seed; ``sign_flipped`` marks an observed total whose sign differs
    from the known total's."""
    if len(seeds) < 1:
        raise ValueError("robustness seeds: give at least one seed")
    rows = [{"seed": int(s), **_run_summary(seed_slates, design, model, int(s), alpha)}
            for s in seeds]  # a handful of seeds
    out = pd.DataFrame(rows)
    out["sign_flipped"] = np.sign(out["observed_total"]) != np.sign(out["truth_total"])
    out["ci_excludes_zero"] = (out["observed_total_ci_lower"] > 0) | (out["observed_total_ci_upper"] < 0)
    out["truth_covered"] = ((out["observed_total_ci_lower"] <= out["truth_total"])
                            & (out["truth_total"] <= out["observed_total_ci_upper"]))
    return out


def setting_robustness(seed_slates: pd.DataFrame, design: PromotionDesign, model: OutcomeModel,
                       settings: Sequence[Mapping[str, Any]], seed: int,
                       alpha: float = 0.05) -> pd.DataFrame:
    """One row per named outcome-model setting (``{"name": ..., "overrides": {...}}``)."""
    rows = []
    for setting in settings:  # a handful of settings
        if "name" not in setting:
            raise ValueError(f"robustness setting {dict(setting)} needs a 'name'")
        overrides = dict(setting.get("overrides", {}))
        variant = model.with_overrides(**overrides)
        description = ", ".join(f"{k}={v:g}" for k, v in sorted(overrides.items())) or "defaults"
        rows.append({"setting": setting["name"], "overrides": description,
                     **_run_summary(seed_slates, design, variant, seed, alpha)})
    out = pd.DataFrame(rows)
    out["truth_total_positive"] = out["truth_total"] > 0
    out["observed_total_positive"] = out["observed_total"] > 0
    return out


def randomization_inference(slates: pd.DataFrame, probability: float, n_randomizations: int,
                            seed: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Randomization p-values for the slate-level focal, competitor and total click effects.

    Every outcome uses the same re-randomizations (same stream), so the null draws are joint.
    Returns (summary, null draws in long form).
    """
    outcomes = {
        "focal": slates["observed_clicks_focal"].to_numpy(dtype=float),
        "competitors": (slates["observed_clicks_same_cluster_competitor"]
                        + slates["observed_clicks_other_competitor"]).to_numpy(dtype=float),
        "total": slates["observed_clicks_total"].to_numpy(dtype=float),
    }
    treated = slates["promotion_applied"].to_numpy()
    rows, draws = [], []
    for name, y in outcomes.items():  # three slate-level outcomes
        res = bernoulli_randomization_test(y, treated, probability, n_randomizations,
                                           stream(seed, "randomization"))
        rows.append({"outcome": name, "statistic": res.statistic, "p_value": res.p_value,
                     "n_randomizations": res.n_randomizations, "n_valid": res.n_valid,
                     "null_sd": float(np.nanstd(res.null_draws, ddof=1)),
                     "null_q025": float(np.nanquantile(res.null_draws, 0.025)),
                     "null_q975": float(np.nanquantile(res.null_draws, 0.975))})
        draws.append(pd.DataFrame({"outcome": name, "draw": np.arange(res.null_draws.size),
                                   "statistic": res.null_draws}))
    return pd.DataFrame(rows), pd.concat(draws, ignore_index=True)
