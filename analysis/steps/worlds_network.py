"""Rule worlds_network: the SBM world, one realised experiment, exposures and the partition."""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

from analysis.cli import StepContext
from analysis.designs.assignment import bernoulli_assignment, cluster_assignment
from analysis.designs.graph_cluster import (
    CrossClusterWarning,
    cluster_size_table,
    neighbor_share_by_design,
    partition_diagnostics,
    read_partition,
)
from analysis.worlds import figures_network as figs
from analysis.worlds import network_study as study
from analysis.worlds.network import network_estimands

LOG = logging.getLogger(__name__)

DESIGN_LABELS = ("Individual randomization", "Graph-cluster randomization")


def run(ctx: StepContext) -> None:
    cfg = ctx.params["network"]
    world = study.world_from_config(cfg)
    graph = world.graph
    LOG.info("SBM world: %d nodes, %d edges, mean degree %.2f", graph.n_nodes, graph.n_edges,
             graph.degree.mean())
    seed = int(cfg["assignment_seed"])
    rng_assign, rng_cluster, rng_draw = (np.random.default_rng(s)
                                         for s in np.random.SeedSequence(seed).spawn(3))
    z = bernoulli_assignment(graph.n_nodes, float(cfg["treatment_probability"]), rng_assign)
    high_degree = int(np.ceil(np.quantile(graph.degree, float(cfg["high_degree_quantile"]))))
    k = int(cfg["at_least_k"])
    units = study.unit_table(world, z, high_degree, at_least_k=k)
    m = world.model
    source = (f"Simulated SBM world: {graph.n_nodes:,} nodes in {len(cfg['block_sizes'])} planted "
              f"communities, {graph.n_edges:,} edges; Y = {m.intercept:g} + {m.direct:g} A + "
              f"{m.spillover:g} x (share of treated neighbours) + {m.degree_slope:g} degree + "
              f"community shock + noise.")
    w = ctx.writer

    estimands = network_estimands(world)
    w.table("network_estimands", estimands, title="True estimands of the network world",
            caption=f"Exact finite-population estimands implied by the outcome model. {source}",
            seed=int(cfg["outcome_seed"]))
    summary = pd.DataFrame([{
        "n_nodes": graph.n_nodes, "n_edges": graph.n_edges, "n_communities": len(cfg["block_sizes"]),
        "mean_degree": float(graph.degree.mean()), "min_degree": int(graph.degree.min()),
        "max_degree": int(graph.degree.max()), "isolated_nodes": int((graph.degree == 0).sum()),
        "high_degree_threshold": high_degree, "treatment_probability":
            float(cfg["treatment_probability"]), "n_treated": int(z.sum()),
        "share_any_treated_neighbor": float(units["any_treated_neighbor"].mean()),
        "mean_neighbor_share": float(units["neighbor_share"].mean()),
    }])
    w.table("network_summary", summary, title="The network world at a glance",
            caption=f"Size, degrees and realised exposure of the Bernoulli("
                    f"{float(cfg['treatment_probability']):g}) experiment. {source}", seed=seed)
    w.table("network_units", units, title="Every node's exposure in the realised experiment",
            caption=f"One row per node: own assignment, treated-neighbour count and share, any "
                    f"treated neighbour, at least {k} treated, treated "
                    f"high-degree (degree >= {high_degree}) neighbours, the four-way condition "
                    f"and the outcome. {source}", seed=seed)
    regressions = study.exposure_regressions(units, alpha=1 - float(cfg["level"]))
    w.table("network_regressions", regressions, title="Regressions under three exposure models",
            caption=f"OLS with classical standard errors: own treatment only; own treatment plus "
                    f"treated-neighbour share (the true mapping), degree and community; own "
                    f"treatment plus any treated neighbour. Truth: direct {m.direct:g}, "
                    f"spillover {m.spillover:g}. {source}", seed=seed)
    mapping = str(cfg["exposure_mapping"])
    counts = study.exposure_condition_counts(units, mapping, k)
    conditions = ("band of treated-neighbour share (none = 0, low <= 0.25, medium <= 0.5, "
                  "high <= 0.75, all <= 1)" if mapping == "share_bands" else
                  f"exposure condition (fewer than {k} or at least {k} treated neighbours)")
    w.table("network_exposure_counts", counts, title="Units per exposure condition",
            caption=f"Units per own assignment and {conditions} in the realised "
                    "individual-randomization experiment.", seed=seed)

    # --- partition and graph-cluster randomization ---------------------------------------
    part_cfg = cfg["partition"]
    threshold = float(part_cfg["cross_cluster_threshold"])
    partitions = read_partition(ctx.input_named(study.PARTITION_FILE), graph.n_nodes)
    rows = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", CrossClusterWarning)
        # both methods on graphs of moderate size, to compare quality; only the configured one
        # at scale (see graph_partitions)
        for method in partitions.columns[1:]:
            labels = partitions[method].to_numpy()
            rows.append(partition_diagnostics(graph, labels, threshold, method).as_dict())
        rows.append(partition_diagnostics(graph, graph.block, threshold, "planted").as_dict())
    for item in caught:
        LOG.warning("%s", item.message)
    diagnostics = pd.DataFrame(rows)
    w.table("network_partition", diagnostics, title="Graph partitions for cluster randomization",
            caption=f"Leiden and Louvain (igraph, resolution {float(part_cfg['resolution']):g}) "
                    f"against the planted communities: modularity, cluster sizes and the share "
                    f"of edges crossing clusters, flagged above the {threshold:.0%} threshold. "
                    f"{source}", seed=int(part_cfg["seed"]))
    communities = partitions[part_cfg["method"]].to_numpy()
    sizes = cluster_size_table(communities)
    w.table("network_cluster_sizes", sizes, title="Cluster sizes of the partition",
            caption=f"Nodes per {part_cfg['method']} cluster, largest first.",
            seed=int(part_cfg["seed"]))
    z_cluster = cluster_assignment(communities, float(cfg["cluster_treatment_probability"]),
                                   rng_cluster, complete=True)
    comparison = neighbor_share_by_design(graph, dict(zip(DESIGN_LABELS, (z, z_cluster),
                                                          strict=True)))
    described = (comparison.groupby("design", sort=False)["neighbor_share"]
                 .describe().reset_index())
    full = comparison.assign(full_exposure=lambda d: d["neighbor_share"].isin([0.0, 1.0]))
    described["share_all_or_none"] = full.groupby("design", sort=False)["full_exposure"].mean(
    ).to_numpy()
    w.table("network_share_by_design", described,
            title="Treated-neighbour share under individual vs graph-cluster randomization",
            caption=f"Distribution of each node's treated-neighbour share under one draw of "
                    f"individual Bernoulli({float(cfg['treatment_probability']):g}) and one draw "
                    f"of graph-cluster randomization ({float(cfg['cluster_treatment_probability']):g}"
                    f" of {int(sizes.shape[0])} {part_cfg['method']} clusters treated); "
                    f"share_all_or_none is the share of nodes whose neighbourhood is entirely "
                    f"treated or entirely untreated.", seed=seed)

    # --- figures --------------------------------------------------------------------------
    max_drawn = int(cfg["max_drawn_nodes"])
    drawn_subset = (f" (the subgraph of a random {max_drawn:,} of its {graph.n_nodes:,} nodes)"
                    if graph.n_nodes > max_drawn else "")
    w.figure("network_drawing",
             figs.network_drawing(graph, z, 21, max_drawn, rng_draw),
             title="The network experiment",
             caption=f"Spring-layout drawing of the SBM{drawn_subset}; treated nodes in blue, "
                     f"node area grows with degree. {source}",
             alt="Node-link drawing with four dense clusters of nodes joined by a few edges; "
                 "blue treated nodes are scattered through every cluster.", seed=seed)
    w.figure("network_exposure_effects",
             figs.exposure_effects_figure(units, regressions, m.direct, m.spillover,
                                          seed=seed),
             title="Outcomes and coefficients under exposure models",
             caption="Top: outcome against treated-neighbour share (point area grows with "
                     "degree). Bottom: own-treatment and neighbour-share coefficients with 95% "
                     "intervals under three exposure models; dashed and dotted lines mark the "
                     "true direct and spillover effects.",
             alt="Scatter of outcomes rising with the share of treated neighbours, treated units "
                 "above controls; interval plot where own-treatment estimates sit near the true "
                 "direct effect and the share coefficient's wide interval covers the true "
                 "spillover.", seed=seed)
    if mapping == "share_bands":
        counts_words = dict(
            title="Thin exposure conditions",
            caption="Units per own assignment and treated-neighbour-share band: the extremes "
                    "(no treated neighbour, all neighbours treated) are nearly empty under "
                    "individual randomization.",
            alt="Grouped bars peaking at the low and medium bands with almost no units in the "
                "'none' and 'all' bands for either arm.")
    else:
        counts_words = dict(
            title="Units per exposure condition",
            caption=f"Units per own assignment with fewer than {k} or at least {k} treated "
                    "neighbours under individual randomization.",
            alt=f"Grouped bars of control and treated units with fewer than {k} and with at "
                f"least {k} treated neighbours.")
    w.figure("network_exposure_counts_bars",
             figs.exposure_counts_figure(counts, "Treated-neighbour share band"
                                         if mapping == "share_bands" else "Exposure condition"),
             seed=seed, **counts_words)
    w.figure("network_share_by_design_hist", figs.share_by_design_figure(comparison),
             title="Exposure under individual vs graph-cluster randomization",
             caption="Distribution of treated-neighbour share under one draw of each design: "
                     "individual randomization concentrates shares around the treatment "
                     "probability, graph-cluster randomization pushes them to 0 and 1.",
             alt="Two step histograms: the individual design is a hump around one third; the "
                 "graph-cluster design piles mass at zero and one.", seed=seed)
