"""Rule slates_decomposition: direct + indirect = total, sensitivity, product summary, risk."""

from __future__ import annotations

import pandas as pd

from analysis.cli import StepContext
from analysis.slates import figures
from analysis.slates.decomposition import additivity_checks, component_effects, component_support
from analysis.slates.params import slate_params
from analysis.slates.product_summary import (
    bucket_label,
    position_buckets,
    product_summary,
    recommendations,
    risk_table,
)
from analysis.slates.sensitivity import spillover_sensitivity


def run(ctx: StepContext) -> None:
    p = slate_params(ctx.params)
    exposure = pd.read_parquet(ctx.input_named("slate_exposure.parquet"))
    slates = pd.read_parquet(ctx.input_named("slate_outcomes.parquet"))
    w, seed = ctx.writer, p.seed

    effects = component_effects(slates, p.alpha)
    additivity = additivity_checks(effects)
    if not additivity["passes"].all():
        raise RuntimeError(f"decomposition does not add up:\n{additivity}")
    sensitivity = spillover_sensitivity(exposure, p.near_position_window, p.alpha)
    summary = product_summary(effects)
    slates = slates.assign(focal_position_bucket=position_buckets(
        slates["focal_seed_position"].to_numpy(), p.position_buckets))
    risk_pos = risk_table(slates, "focal_position_bucket", p.alpha)
    order = [bucket_label(lo, hi) for lo, hi in p.position_buckets]
    risk_pos = risk_pos.set_index("segment").reindex(order).dropna(how="all").reset_index()
    risk_cluster = risk_table(slates, "focal_spillover_cluster", p.alpha)
    recs = recommendations(summary, risk_pos, sensitivity)

    w.table("slate_decomposition", effects, title="Direct, spillover and total effects per slate",
            caption="Slate-level difference in means of each component sum, per slate and per "
                    "1,000 promoted slates, for every outcome view, with Welch 95% CIs and the "
                    "simulation's known average effect.", seed=seed)
    w.table("slate_additivity", additivity, title="Additivity check",
            caption="Direct plus spillover estimates minus the total estimate, per outcome view: "
                    "zero up to floating-point rounding because the components partition every slate.",
            seed=seed)
    w.table("slate_component_support", component_support(slates), title="Component support",
            caption="Items per slate in each accounting component, by arm.", seed=seed)
    w.table("slate_spillover_sensitivity", sensitivity,
            title="Spillover-definition sensitivity",
            caption=f"Support and slate-clustered estimates for five competitor definitions "
                    f"(near-position window {p.near_position_window}) under every outcome view.",
            seed=seed)
    w.table("slate_product_summary", summary, title="Product summary",
            caption="Focal gain, competitor changes and net slate change per promoted slate and per "
                    "1,000 promoted slates, with the offset ratio, for every outcome view.", seed=seed)
    w.table("slate_risk_position", risk_pos, title="Net effect by focal-position bucket",
            caption="Known lifts in promoted slates and the observed total effect (95% CI) by the "
                    "focal movie's seed position.", seed=seed)
    w.table("slate_risk_cluster", risk_cluster, title="Net effect by focal cluster",
            caption="Known lifts in promoted slates and the observed total effect (95% CI) by the "
                    "focal movie's spillover cluster.", seed=seed)
    w.table("slate_recommendations", recs, title="Recommendations",
            caption="Decisions with evidence sentences generated from the observed-click "
                    "decomposition, the sensitivity analysis and the risk table.", seed=seed)

    obs = summary.set_index("view").loc["observed_clicks"]
    sens_obs = sensitivity[sensitivity["view"] == "observed_clicks"]
    w.figure("slate_decomposition_bars", figures.decomposition_figure(effects),
             title="Observed decomposition per 1,000 promoted slates",
             caption="Change in observed clicks per 1,000 promoted slates for the focal movie, "
                     "same-cluster and other competitors, and the whole slate, with 95% intervals.",
             alt=f"Bar chart: focal gain {obs['focal_gain_per_1000']:+.0f}, competitor changes "
                 f"{obs['same_cluster_change_per_1000']:+.0f} and "
                 f"{obs['other_competitor_change_per_1000']:+.0f}, total "
                 f"{obs['total_change_per_1000']:+.0f} clicks per 1,000 promoted slates.", seed=seed)
    w.figure("slate_decomposition_observed_vs_known", figures.decomposition_compare_figure(effects),
             title="Observed versus known decomposition",
             caption="The observed-click decomposition beside the known-lift decomposition, per "
                     "1,000 promoted slates with 95% intervals.",
             alt="Paired bars per component (focal, same-cluster competitors, other competitors, "
                 "total) for observed clicks and known lift, with intervals; the observed "
                 "intervals are much wider.", seed=seed)
    w.figure("slate_spillover_sensitivity_ci", figures.sensitivity_figure(sensitivity),
             title="Spillover estimates under five definitions",
             caption="Observed-click spillover effect per competitor definition with slate-clustered "
                     "95% intervals and support counts; diamonds mark the known estimand.",
             alt=f"Interval plot with five definitions; observed estimates range from "
                 f"{sens_obs['estimate'].min():+.3f} to {sens_obs['estimate'].max():+.3f}, and "
                 f"{int((sens_obs['ci_upper'] < 0).sum())} intervals lie wholly below zero.", seed=seed)
    w.figure("slate_risk_by_position", figures.risk_position_figure(risk_pos),
             title="Net lift by focal-position bucket",
             caption="Known net lift per promoted slate (bars) and observed total effect with 95% "
                     "interval (points) by the focal movie's seed position.",
             alt=f"Bars of known net lift per position bucket, from "
                 f"{risk_pos['known_total_lift'].min():+.3f} to {risk_pos['known_total_lift'].max():+.3f} "
                 "clicks per promoted slate, each beside an observed estimate with its interval.", seed=seed)
