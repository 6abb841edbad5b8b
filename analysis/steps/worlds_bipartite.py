"""Rule worlds_bipartite: the buyer/seller marketplace with seller-side randomization."""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.cli import StepContext
from analysis.designs.assignment import bernoulli_assignment
from analysis.report.comparison_words import coverage_phrase
from analysis.report.labels import heading, label_text
from analysis.worlds import bipartite_estimates as be
from analysis.worlds import bipartite_marketplace as bm
from analysis.worlds import figures_marketplace, figures_montecarlo
from analysis.worlds.parameters import parameter_table

LOG = logging.getLogger(__name__)


def run(ctx: StepContext) -> None:
    cfg = ctx.params["bipartite_marketplace"]
    params = bm.BipartiteParams.from_config(cfg)
    seed, level = int(cfg["seed"]), float(cfg["level"])
    graph_rng, assign_rng, outcome_rng = (np.random.default_rng(s)
                                          for s in np.random.SeedSequence(seed).spawn(3))
    graph = bm.build_graph(params, graph_rng)
    sellers = bernoulli_assignment(params.n_sellers, params.treat_p, assign_rng)
    exposure = bm.buyer_exposure(graph, sellers)
    y = bm.simulate_outcomes(graph, exposure, params, outcome_rng)
    LOG.info("bipartite graph: %d buyers, %d sellers, %d links", *graph.shape, graph.nnz)

    source = (f"Simulated marketplace: {params.n_sellers:,} sellers randomized at "
              f"{params.treat_p:.0%}, {params.n_buyers:,} buyers using "
              f"{params.min_sellers_per_buyer}-{params.max_sellers_per_buyer} sellers each; true "
              f"full-exposure effect {params.effect_all:g}, partial-exposure effect "
              f"{params.effect_mixed:g}.")
    w = ctx.writer
    mc_cfg = cfg["montecarlo"]
    param_rows = pd.concat([parameter_table(params), pd.DataFrame({
        "parameter": ["montecarlo_n_sellers", "montecarlo_n_buyers", "montecarlo_reps"],
        "value": [float(mc_cfg["n_sellers"]), float(mc_cfg["n_buyers"]), float(mc_cfg["reps"])],
    })], ignore_index=True)
    w.table("bipartite_parameters", param_rows, title="Parameters of the bipartite marketplace world",
            caption="Every numeric parameter of the data-generating process and design, as "
                    "configured for this build, plus the size of the smaller fixed graph and the "
                    "number of re-randomizations of the Monte Carlo study.", seed=seed)
    counts = be.exposure_counts(exposure, params.treat_p)
    w.table("bipartite_exposure_counts", counts, title="Buyer exposure conditions",
            caption=f"Buyers per number of sellers and exposure condition (none / mixed / all "
                    f"treated sellers): observed, expected under the design, and the design "
                    f"probability. {source}", seed=seed)
    w.table("bipartite_graph_summary", be.graph_summary(graph, exposure, sellers),
            title="Bipartite graph at a glance",
            caption=f"Size, links, seller-degree spread and treated shares of the simulated "
                    f"marketplace. {source}", seed=seed)
    estimates = be.bipartite_estimates(graph, exposure, y, params, level)
    w.table("bipartite_estimates", estimates, title="Direct, spillover and total effects on buyers",
            caption=f"Exposure-group difference in means and Hájek estimator with naive and "
                    f"seller-overlap standard errors, beside the true effects. {source}",
            seed=seed)
    w.figure("bipartite_exposure", figures_marketplace.bipartite_exposure_figure(exposure, counts),
             title="Buyer exposure under seller randomization",
             caption=f"Left: share of each buyer's sellers that are treated, by number of sellers. "
                     f"Right: buyers per exposure condition, observed (bars) and expected (ticks). "
                     f"{source}",
             alt="Histograms of the treated share pile up at 0 and 1 for one-seller buyers and "
                 "spread out for buyers with more sellers; bars show 'mixed' exposure dominating "
                 "from two sellers on while 'all' and 'none' halve with each extra seller.",
             seed=seed)
    plot = estimates[estimates["se_type"] == "seller-overlap"].copy()
    plot["row"] = plot["estimator"].map(label_text)
    plot["panel"] = plot["estimand"].map(heading) + " effect"
    w.figure("bipartite_estimates_plot",
             figures_montecarlo.estimates_vs_truth_figure(plot, "row", "panel"),
             title="Bipartite estimates against the truth",
             caption="Estimates with seller-overlap 95% intervals and the true effects (diamonds). "
                     "The naive group contrast for mixed exposure is confounded by buyer degree; "
                     "the Hájek estimator weights by the design's exposure probabilities.",
             alt="Interval plot: direct and total estimates sit on the truth of 0.8; the "
                 "indirect difference in group means lands far above its truth of 0.3 while the "
                 "Hájek estimate covers it.", seed=seed)

    mc_params = bm.BipartiteParams.from_config({**cfg, "n_sellers": mc_cfg["n_sellers"],
                                                "n_buyers": mc_cfg["n_buyers"]})
    mc = be.bipartite_montecarlo(mc_params, int(mc_cfg["reps"]), int(mc_cfg["seed"]), level)
    # Round the bias to the precision the book shows and drop the sign of zero, so that a
    # tiny negative bias cannot print as "-0.000".
    mc_table = mc.assign(bias=mc["bias"].round(3) + 0.0)
    w.table("bipartite_montecarlo", mc_table, title="Monte Carlo: bipartite marketplace",
            caption=f"Bias, RMSE and 95% CI coverage over {int(mc_cfg['reps'])} re-randomizations "
                    f"of sellers (with fresh shocks) on a fixed graph of "
                    f"{int(mc_cfg['n_sellers']):,} sellers and {int(mc_cfg['n_buyers']):,} buyers.",
            seed=int(mc_cfg["seed"]))
    group_mixed_coverage = float(mc.loc[mc["estimator"].str.startswith("Difference in exposure")
                                        & (mc["target"] == "indirect"), "coverage"].max())
    w.figure("bipartite_montecarlo_coverage",
             figures_montecarlo.coverage_figure(
                 mc.assign(row=mc["estimator"].map(label_text),
                           panel=mc["target"].map(heading) + " effect"), "row", "panel", level),
             title="Monte Carlo coverage, bipartite marketplace",
             caption="Coverage of nominal 95% intervals: naive (independent buyers) versus "
                     "seller-overlap standard errors, for each estimator and estimand.",
             alt="Dot plot: seller-overlap intervals of the Hájek estimator cover near 95 percent; "
                 "naive intervals fall well short; intervals of the confounded group contrast "
                 f"for mixed exposure {coverage_phrase(group_mixed_coverage)}.",
             seed=int(mc_cfg["seed"]))
