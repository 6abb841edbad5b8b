"""Rule slates_estimation: difference in means, slate bootstrap, regression adjustment, heterogeneity."""

from __future__ import annotations

import logging

import pandas as pd

from analysis.cli import StepContext
from analysis.slates import figures
from analysis.slates.adjusted_effects import adjusted_effects
from analysis.slates.bootstrap_effects import bootstrap_effects
from analysis.slates.contrasts import estimate_effects
from analysis.slates.experiment import stream
from analysis.slates.heterogeneity_effects import heterogeneity_effects
from analysis.slates.params import slate_params

LOG = logging.getLogger(__name__)


def validation_table(effects: pd.DataFrame) -> pd.DataFrame:
    """Wide view: each contrast's estimate under the three outcome views next to the truth."""
    wide = effects.pivot(index="contrast", columns="view", values="estimate")
    out = effects.drop_duplicates("contrast")[["contrast", "contrast_label", "unit", "truth"]]
    out = out.merge(wide.reset_index(), on="contrast")
    out["observed_minus_truth"] = out["observed_clicks"] - out["truth"]
    return out


def run(ctx: StepContext) -> None:
    p = slate_params(ctx.params)
    exposure = pd.read_parquet(ctx.input_named("slate_exposure.parquet"))
    slates = pd.read_parquet(ctx.input_named("slate_outcomes.parquet"))
    w, seed = ctx.writer, p.seed

    effects = estimate_effects(exposure, slates, p.alpha)
    boot, draws = bootstrap_effects(exposure, slates, ("observed_clicks",), p.bootstrap_replicates,
                                    stream(p.seed, "bootstrap"), p.alpha)
    adjusted = adjusted_effects(exposure, slates, ("observed_clicks", "expected_probability"), p.alpha)
    hetero = heterogeneity_effects(exposure, slates, "observed_clicks", p.min_clusters_per_arm, p.alpha)
    hetero["min_clusters_per_arm"] = p.min_clusters_per_arm
    LOG.info("estimated %d contrast x view effects, %d bootstrap replicates", len(effects),
             p.bootstrap_replicates)

    w.table("slate_effects", effects, title="Direct, spillover and total effects",
            caption="Difference in means for each contrast and outcome view, with naive (Welch) "
                    "and slate-clustered (CR1) standard errors, clustered 95% CIs and p-values, "
                    "arm means and counts, and the known estimand of the simulation.", seed=seed)
    w.table("slate_validation", validation_table(effects), title="Estimates versus known truth",
            caption="Each contrast estimated on observed clicks, expected probabilities and known "
                    "lift, beside the simulation's known average effect.", seed=seed)
    w.table("slate_bootstrap", boot, title="Slate bootstrap of the observed effects",
            caption=f"{p.bootstrap_replicates:,} slate-bootstrap replicates per contrast: "
                    "bootstrap SE, percentile 95% interval and the ratio to the analytic "
                    "clustered SE.", seed=seed)
    w.table("slate_bootstrap_draws", draws, title="Slate bootstrap draws",
            caption="Every bootstrap replicate's estimate per contrast (observed clicks).", seed=seed)
    w.table("slate_adjusted_effects", adjusted, title="Regression-adjusted effects",
            caption="Lin (2013) regression adjustment on pre-treatment covariates with clustered "
                    "SEs, the unadjusted SE from the same rows and the variance reduction.",
            seed=seed)
    w.table("slate_heterogeneity", hetero, title="Exploratory heterogeneity",
            caption=f"Observed-click effects by focal cluster and focal seed position; subgroups "
                    f"with fewer than {p.min_clusters_per_arm} slates in an arm are not estimated.",
            seed=seed)

    obs = effects[effects["view"] == "observed_clicks"].set_index("contrast")
    spill = obs.loc[obs.index.isin(["same_cluster_spillover", "displaced_items", "all_non_focal"]), "estimate"]
    adj_obs = adjusted[adjusted["view"] == "observed_clicks"]["variance_reduction"]
    w.figure("slate_effects_ci", figures.effects_ci_figure(effects),
             title="Observed effects with slate-clustered intervals",
             caption="Difference-in-means estimates on observed clicks with 95% intervals "
                     "clustered by slate. Item-row contrasts (top) and the total slate "
                     "effect (bottom) are on different scales.",
             alt=f"Interval plot: direct focal effect {obs.loc['direct_focal', 'estimate']:+.3f}, "
                 f"item spillover estimates from {spill.min():+.3f} to {spill.max():+.3f}, "
                 f"total slate effect {obs.loc['total_slate', 'estimate']:+.3f} clicks.",
             seed=seed)
    w.figure("slate_estimate_vs_truth", figures.estimate_vs_truth_figure(effects),
             title="Estimates versus the known truth",
             caption="Each contrast under the three outcome views with 95% clustered intervals, "
                     "item-row contrasts (top) and the total slate effect (bottom); the black "
                     "diamond is the simulation's known average effect.",
             alt="Dot-and-interval plot per contrast; observed, expected and known-lift estimates "
                 "cluster around the black truth diamonds, observed intervals widest.", seed=seed)
    w.figure("slate_se_comparison", figures.se_comparison_figure(effects),
             title="Naive versus clustered standard errors",
             caption="Standard errors that treat item rows as independent versus clustering by "
                     "slate, with the clustered-to-naive ratio.",
             alt=f"Paired horizontal bars per contrast; clustered-to-naive ratios range from "
                 f"{obs['se_ratio'].min():.2f} to {obs['se_ratio'].max():.2f}.", seed=seed)
    w.figure("slate_bootstrap_distributions", figures.bootstrap_figure(draws, boot),
             title="Slate bootstrap distributions",
             caption="Bootstrap estimates per contrast (observed clicks); dashed lines mark the "
                     "percentile 95% interval, the solid line zero.",
             alt="Five histograms of bootstrap estimates, one per contrast, each with dashed "
                 "percentile-interval bounds and a solid line at zero.", seed=seed)
    w.figure("slate_adjustment", figures.adjustment_figure(adjusted),
             title="Precision from regression adjustment",
             caption="Clustered standard errors without and with Lin regression adjustment on "
                     "pre-treatment covariates (observed clicks).",
             alt=f"Paired horizontal bars per contrast; adjustment removes between "
                 f"{100 * adj_obs.min():.0f}% and {100 * adj_obs.max():.0f}% of the variance.", seed=seed)
    w.figure("slate_cluster_heterogeneity", figures.cluster_heterogeneity_figure(hetero),
             title="Direct and same-cluster effects by focal cluster",
             caption="Exploratory observed-click effects per focal spillover cluster with 95% "
                     "clustered intervals; only clusters meeting the support rule are shown.",
             alt="Two interval panels with one row per supported focal cluster: direct focal "
                 "effects on the left, same-cluster spillover effects on the right.", seed=seed)
