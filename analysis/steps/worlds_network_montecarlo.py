"""Rule worlds_network_montecarlo: naive vs design-based estimators over re-randomizations.

The seed-sized network world (never rescaled: design-based variances need n x n joint exposure
probabilities) is held fixed while each design is re-randomized many times.
"""

from __future__ import annotations

import logging

import numpy as np
import pandas as pd

from analysis.cli import StepContext
from analysis.designs.graph_cluster import partition_graph
from analysis.report.labels import label
from analysis.worlds import figures_network as figs
from analysis.worlds import network_study as study

LOG = logging.getLogger(__name__)


def design_name(target_size: int | None, method: str) -> str:
    if target_size == 1:
        return "Individual"
    if target_size is None:
        return f"Graph-cluster ({label(method)} communities)"
    return f"Graph-cluster (~{target_size} nodes)"


def run(ctx: StepContext) -> None:
    cfg = ctx.params["network"]
    mc = cfg["monte_carlo"]
    world = study.world_from_config(cfg, scaled=False)
    method = cfg["partition"]["method"]
    communities = partition_graph(world.graph, method, float(cfg["partition"]["resolution"]),
                                  int(cfg["partition"]["seed"]))
    seed, level = int(mc["seed"]), float(cfg["level"])
    threshold = float(cfg["full_exposure_threshold"])
    replicates, designs = [], []
    for d_idx, size in enumerate(mc["cluster_sizes"]):  # a handful of designs
        design = study.make_design(world, communities, design_name(size, method), size,
                                   float(mc["treatment_probability"]), complete=True)
        rng_prob, rng_sim = (np.random.default_rng(s)
                             for s in np.random.SeedSequence([seed, d_idx]).spawn(2))
        probs = study.design_probabilities(world, design, int(mc["n_probability_draws"]),
                                           rng_prob, threshold)
        designs.append(study.design_summary(world, design, probs))
        replicates.append(study.simulate_design(world, design, probs, int(mc["n_replications"]),
                                                rng_sim, threshold, alpha=1 - level))
        LOG.info("design %s: %d clusters", design.name, design.n_clusters)
    summary = study.summarise_study(pd.concat(replicates, ignore_index=True), level)
    w = ctx.writer
    note = (f"{int(mc['n_replications']):,} re-randomizations of each design (treatment share "
            f"{float(mc['treatment_probability']):g}, complete randomization of clusters) on the "
            f"fixed {world.graph.n_nodes}-node SBM world; exposure probabilities from "
            f"{int(mc['n_probability_draws']):,} further draws.")
    w.table("network_mc_summary", summary, title="Monte Carlo study of the network world",
            caption=f"Bias, empirical SD, RMSE, mean standard error and {level:.0%} interval "
                    f"coverage of each estimator against its true estimand. Difference in means "
                    f"and the share regression target the total effect; Horvitz–Thompson and "
                    f"Hájek contrasts target the total effect (full neighbourhood) or the "
                    f"direct effect (four-way mapping) on units with positive probability of "
                    f"both conditions. {note}", seed=seed)
    w.table("network_mc_designs", pd.DataFrame(designs), title="Designs of the Monte Carlo study",
            caption=f"Clusters, cross-cluster edges, expected numbers of fully treated / fully "
                    f"untreated units and units with positivity for each contrast. {note}",
            seed=seed)
    w.figure("network_mc_summary_plot", figs.monte_carlo_figure(summary),
             title="Naive vs design-based estimators in the network world",
             caption=f"Bias with RMSE whiskers (left) and {level:.0%} interval coverage (right) "
                     f"by estimator and design. {note}",
             alt="Dot-and-whisker plot: the difference in means sits far left of zero under "
                 "every design, the share regression and Hájek estimators near zero; coverage "
                 "bars are near zero for the difference in means and near or above 0.95 for "
                 "the others where positivity holds.", seed=seed)
