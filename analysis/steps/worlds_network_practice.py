"""Rule worlds_network_practice: ego clusters with a holdout, and when to give up on cluster
randomization (bias against the share of edges a partition cuts)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.cli import StepContext
from analysis.designs.graph_cluster import cross_cluster_edge_fraction, partition_graph
from analysis.worlds import figures_practice as figs
from analysis.worlds import network_ego_holdout as ego
from analysis.worlds import network_give_up as give_up
from analysis.worlds import network_study as study
from analysis.worlds.network import NetworkOutcomeModel


def _ego_tables(ctx: StepContext, cfg: dict, ec: dict) -> None:
    world = study.world_from_config({**cfg, "n_nodes": int(ec["n_nodes"])})
    rng_egos, rng_study = (np.random.default_rng(s)
                           for s in np.random.SeedSequence(int(ec["seed"])).spawn(2))
    sample = ego.sample_egos(world, rng_egos)
    table = ego.ego_holdout_study(world, sample, int(ec["n_replications"]),
                                  float(ec["treatment_probability"]),
                                  float(ec["holdout_share"]), rng_study, float(cfg["level"]))
    for key, value in sample.summary.items():
        table[key] = value
    table["holdout_share"] = float(ec["holdout_share"])
    s = sample.summary
    note = (f"The network world rescaled to {s['n_nodes']:,} people (mean degree "
            f"{s['mean_degree']:.1f}); {s['n_egos']:,} egos with non-overlapping ego networks "
            f"(mean ego degree {s['mean_ego_degree']:.1f}); {int(ec['n_replications']):,} "
            f"re-randomizations per design; holdouts keep {float(ec['holdout_share']):.0%} out.")
    ctx.writer.table("network_ego_holdout", table,
                     title="Ego clusters and holdouts in the network world",
                     caption=f"Bias, spread and interval coverage of each design's contrast "
                             f"against the total effect it should recover. {note}",
                     seed=int(ec["seed"]))


def _give_up_tables(ctx: StepContext, cfg: dict, gc: dict) -> None:
    grid = give_up.mixing_study(
        NetworkOutcomeModel(**cfg["outcome"]), int(gc["n_communities"]),
        int(gc["community_size"]), float(gc["mean_degree"]), gc["between_shares"],
        gc["resolutions"], int(gc["n_replications"]), int(gc["graph_seed"]),
        int(gc["outcome_seed"]), int(gc["seed"]), int(cfg["partition"]["seed"]),
        float(cfg["level"]))
    rule = give_up.give_up_threshold(grid, float(gc["max_relative_bias"]))
    min_arm = float(gc["min_clusters_per_arm"])
    grid["verdict"] = [give_up.give_up_verdict(c, k, rule["threshold"], min_arm)
                       for c, k in zip(grid["cut_edge_share"], grid["clusters_per_arm"],
                                       strict=True)]
    # the verdict for the book's own network world and its partition
    world = study.world_from_config(cfg)
    part = cfg["partition"]
    clusters = partition_graph(world.graph, part["method"], float(part["resolution"]),
                               int(part["seed"]))
    cut = cross_cluster_edge_fraction(world.graph, clusters)
    per_arm = np.unique(clusters).size * float(cfg["cluster_treatment_probability"])
    reasons = give_up.give_up_reasons(cut, per_arm, rule["threshold"], min_arm)
    rule_table = pd.DataFrame([{
        **rule, "claimed_threshold": float(gc["claimed_threshold"]),
        "min_clusters_per_arm": min_arm, "world_cut_edge_share": cut,
        "world_clusters_per_arm": per_arm, "world_verdict": " and ".join(reasons) or "usable",
        "world_verdict_text": give_up.verdict_text(reasons),
    }])
    note = (f"Planted-partition graphs of {int(gc['n_communities'])} communities of "
            f"{int(gc['community_size'])} (mean degree {float(gc['mean_degree']):g}), Leiden "
            f"partitions at several resolutions, half of the clusters treated, "
            f"{int(gc['n_replications']):,} re-randomizations each.")
    w = ctx.writer
    seed = int(gc["seed"])
    w.table("network_give_up", grid, title="Cluster randomization against the cut-edge share",
            caption=f"Bias, spread and coverage of the cluster-randomized difference in means "
                    f"for the total effect, by mixing and partition, with the give-up verdict. "
                    f"{note}", seed=seed)
    w.table("network_give_up_rule", rule_table, title="The give-up rule",
            caption=f"Slope of the share of the total effect missed against the cut-edge share "
                    f"(simulated and predicted), the derived threshold, and the verdict for the "
                    f"network world's own partition. {note}", seed=seed)
    w.figure("network_give_up_plot", figs.give_up_figure(grid, rule),
             title="Share of the total effect missed against the cut-edge share",
             caption=f"Share of the total effect that the cluster-randomized difference in means "
                     f"misses, against the share of edges the partition cuts: simulated "
                     f"(points), predicted from the outcome model (line), the tolerance (dotted) "
                     f"and the give-up threshold it implies (dashed). {note}",
             alt="Points rising in a straight line from the origin as more edges are cut, on "
                 "top of the predicted line; a dashed vertical line marks the cut share at which "
                 "the missed share crosses the dotted tolerance line.", seed=seed)


def run(ctx: StepContext) -> None:
    cfg = ctx.params["network"]
    _ego_tables(ctx, cfg, ctx.params["network_ego_clusters"])
    _give_up_tables(ctx, cfg, ctx.params["network_give_up"])
