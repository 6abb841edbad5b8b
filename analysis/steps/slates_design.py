"""Rule slates_design: randomize promotions, map exposures, simulate clicks, run diagnostics."""

from __future__ import annotations

import logging

import pandas as pd

from analysis import atomic
from analysis.cli import StepContext
from analysis.report.labels import label
from analysis.slates import diagnostics, figures
from analysis.slates.experiment import simulate_experiment
from analysis.slates.outcome_model import outcome_model_table
from analysis.slates.params import slate_params
from analysis.slates.slate_outcomes import slate_outcome_table

LOG = logging.getLogger(__name__)

#: Columns of the published item-row table (a stable contract for the book and other parts).
EXPOSURE_COLUMNS = [
    "slate_id", "user_id", "movie_id", "slate_position_seed", "final_position", "position_change",
    "is_focal_item", "promotion_applied", "direct_treatment", "same_slate_spillover",
    "same_cluster_spillover", "displaced_by_promotion", "same_cluster_as_focal", "above_focal",
    "spillover_cluster", "focal_spillover_cluster", "focal_seed_position", "exposure_group",
    "visibility_seed", "visibility_final", "visibility_gain", "rating", "relevance",
    "baseline_score", "popularity", "liked_rate", "user_tendency", "clicked", "click_probability",
    "p_unpromoted", "p_promoted", "lift_if_promoted", "known_lift",
]


def run(ctx: StepContext) -> None:
    p = slate_params(ctx.params)
    seed_slates = pd.read_parquet(ctx.input_named("slate_seed.parquet"))
    exposure = simulate_experiment(seed_slates, p.design, p.outcome, p.seed)
    slates = slate_outcome_table(exposure)
    LOG.info("promotion rate %.3f over %d slates", slates["promotion_applied"].mean(), len(slates))
    for name, table in (("slate_exposure", exposure), ("slate_outcomes", slates)):
        atomic.write_with(ctx.processed_dir / f"{name}.parquet",
                          lambda tmp, t=table: t.to_parquet(tmp, index=False, compression="zstd"))

    w, seed = ctx.writer, p.seed
    prob = p.design.promotion_probability
    readiness = diagnostics.readiness_table(exposure, slates, prob)
    shares = diagnostics.exposure_group_shares(exposure)
    support = diagnostics.cluster_spillover_support(exposure)
    w.table("slate_exposure", exposure[EXPOSURE_COLUMNS],
            title="Exposure mapping, one row per slate item",
            caption="Seed and final position, focal and spillover flags, exposure group, simulated "
                    "click, expected click probability and known lift for every slate item.", seed=seed)
    w.table("slate_outcomes", slates, title="Slate-level outcomes",
            caption="One row per slate: assignment, focal descriptors and, for each outcome view, "
                    "the sum over the focal movie, same-cluster competitors, other competitors "
                    "and the whole slate.", seed=seed)
    w.table("slate_outcome_model", outcome_model_table(p.outcome), title="Click-model coefficients",
            caption="Coefficients of the logistic click model used to simulate outcomes; the "
                    "penalties are subtracted from the log-odds of non-focal movies in promoted "
                    "slates.", seed=seed)
    w.table("slate_readiness", readiness, title="Design readiness checks",
            caption="The contract the estimators rely on: complete slates, one focal movie each, "
                    "promotion rate near the design probability, valid final positions.", seed=seed)
    w.table("slate_balance", diagnostics.balance_table(exposure, slates),
            title="Balance of focal movies across arms",
            caption="Pre-treatment characteristics of focal movies and their users in promoted and "
                    "control slates, with standardised differences and Welch p-values.", seed=seed)
    w.table("slate_exposure_shares", shares, title="Exposure groups",
            caption="Rows, share of rows, mean position change, click rate and mean known lift per "
                    "exposure group.", seed=seed)
    w.table("slate_cluster_support", support, title="Same-cluster spillover support by cluster",
            caption="Promoted and control slates per focal cluster and the same-cluster competitor "
                    "rows they expose.", seed=seed)

    promoted_lift = readiness.set_index("check").loc["mean_promoted_slate_known_lift", "value"]
    w.figure("slate_focal_position", figures.focal_position_figure(slates),
             title="Focal seed positions by arm",
             caption="Number of slates whose focal movie started at each seed position, by "
                     "promotion arm. The coin is flipped after focal selection, so the two arms "
                     "have the same position mix up to chance.",
             alt=f"Paired bars for seed positions {p.design.focal_min_position} to "
                 f"{p.design.focal_max_position}; promoted and control bars have similar heights "
                 "at every position.", seed=seed)
    w.figure("slate_position_change", figures.position_change_figure(exposure),
             title="Position change by exposure group",
             caption="Final minus seed position per exposure group. Promoted focal movies jump "
                     "to the top; spillover-exposed movies above them slide down one place; "
                     "control rows do not move.",
             alt="Box plots: promoted focal movies have large negative position changes, spillover "
                 "groups small positive changes, control groups exactly zero.", seed=seed)
    top = support.iloc[0]
    w.figure("slate_cluster_spillover", figures.cluster_spillover_figure(support),
             title="Same-cluster spillover volume by focal cluster",
             caption="Same-cluster competitors exposed to a promotion (bars) and promoted slates "
                     "(points) per focal cluster. Large clusters support the most precise "
                     "spillover estimates.",
             alt=f"Horizontal bars per cluster; {label(top['focal_spillover_cluster'])} has the most "
                 f"same-cluster spillover rows ({int(top['same_cluster_spillover_rows'])}).",
             seed=seed)
    w.figure("slate_outcomes_by_group", figures.outcomes_by_group_figure(shares),
             title="Simulated outcomes by exposure group",
             caption="Left: observed click rate per exposure group (mixes relevance, position and "
                     "exposure). Right: mean known probability lift, which isolates the effect "
                     "of the promotion built into the simulation.",
             alt="Two bar panels over the five exposure groups; known lifts: "
                 + ", ".join(f"{label(g)} {v:+.3f}" for g, v in
                             zip(shares["exposure_group"], shares["mean_known_lift"], strict=True))
                 + ".", seed=seed)
    w.figure("slate_known_lift", figures.known_lift_figure(slates),
             title="Slate-level known lift",
             caption="Distribution of the known net lift (sum of item probability changes) over "
                     "promoted slates; every control slate has exactly zero lift.",
             alt=f"Histogram of promoted slates' known net lift, centred near "
                 f"{promoted_lift:+.2f} and mostly below zero, with a line at zero for control slates.",
             seed=seed)
