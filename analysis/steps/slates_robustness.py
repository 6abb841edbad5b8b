"""Rule slates_robustness: other seeds, other outcome-model settings, randomization inference."""

from __future__ import annotations

import pandas as pd

from analysis.cli import StepContext
from analysis.slates import figures
from analysis.slates.params import slate_params
from analysis.slates.robustness import randomization_inference, seed_robustness, setting_robustness


def run(ctx: StepContext) -> None:
    p = slate_params(ctx.params)
    seed_slates = pd.read_parquet(ctx.input_named("slate_seed.parquet"))
    slates = pd.read_parquet(ctx.input_named("slate_outcomes.parquet"))
    w, seed = ctx.writer, p.seed

    settings = setting_robustness(seed_slates, p.design, p.outcome, p.robustness_settings, p.seed, p.alpha)
    seeds = seed_robustness(seed_slates, p.design, p.outcome, p.robustness_seeds, p.alpha)
    ri, ri_draws = randomization_inference(slates, p.design.promotion_probability, p.randomizations, p.seed)

    w.table("slate_robustness_seeds", seeds, title="Robustness across simulation seeds",
            caption="The experiment re-simulated (focal draw, promotion coins, clicks) with each "
                    "seed on the same seed slates: observed decomposition, 95% CI of the total, "
                    "known truth, and whether the observed total flips sign.", seed=seed)
    w.table("slate_robustness_settings", settings, title="Robustness across outcome-model settings",
            caption="Known and observed decomposition under named variants of the click model; "
                    "a market-expansion term can turn the total effect positive.", seed=seed)
    w.table("slate_randomization_inference", ri, title="Randomization inference",
            caption=f"Two-sided p-values from {p.randomizations:,} re-draws of the Bernoulli("
                    f"{p.design.promotion_probability:g}) promotion coins under the sharp null of "
                    "no effect on any slate.", seed=seed)
    flips = int(seeds["sign_flipped"].sum())
    w.figure("slate_robustness", figures.robustness_figure(seeds, settings),
             title="Total effect across seeds and settings",
             caption="Observed total effect with 95% CI (points) and known total (diamonds) for "
                     "each simulation seed (top) and outcome-model setting (bottom).",
             alt=f"Two interval panels; across {len(seeds)} seeds the observed total flips sign "
                 f"{flips} times; {int(settings['truth_total_positive'].sum())} of {len(settings)} "
                 "outcome-model settings have a positive known total.",
             seed=seed)
    w.figure("slate_randomization_null", figures.randomization_figure(ri_draws, ri),
             title="Randomization null distributions",
             caption="Differences in means under re-randomized promotion coins for slate focal, "
                     "competitor and total clicks, with the observed statistic.",
             alt="Three null histograms centred at zero (focal, competitor, total clicks) with the "
                 "observed statistic marked; p-values "
                 + ", ".join(f"{r.outcome} {r.p_value:.3f}" for r in ri.itertuples()) + ".",
             seed=seed)
