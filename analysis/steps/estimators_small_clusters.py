"""Rule estimators_small_clusters: coverage of cluster-robust intervals with few clusters."""

from __future__ import annotations

import logging

from analysis.cli import StepContext
from analysis.estimators.small_cluster_coverage import (
    SmallClusterWorld,
    coverage_study,
    coverage_wide,
)
from analysis.estimators.small_cluster_figure import small_cluster_coverage_figure

LOG = logging.getLogger(__name__)


def run(ctx: StepContext) -> None:
    cfg = ctx.params["small_clusters"]
    world = SmallClusterWorld(**cfg["world"])
    seed, reps, level = int(cfg["seed"]), int(cfg["reps"]), float(cfg["level"])
    settings = [int(m) for m in cfg["clusters_per_arm"]]
    study = coverage_study(world, settings, reps, level, int(cfg["wild_draws"]), seed)
    LOG.info("small-cluster coverage: %d settings x %d replications", len(settings), reps)
    note = (f"Cluster-randomized experiments with half of the clusters treated; cluster sizes "
            f"drawn uniformly between {world.cluster_size_min} and {world.cluster_size_max}; "
            f"cluster shock SD {world.cluster_sd:g}, unit noise SD {world.noise_sd:g}, average "
            f"effect {world.effect:g} varying between treated clusters with SD "
            f"{world.effect_sd:g}; {reps:,} simulated experiments per row. The wild cluster "
            f"bootstrap uses Rademacher weights, every sign vector when there are at most 12 "
            f"clusters and {int(cfg['wild_draws']):,} random draws otherwise.")
    w = ctx.writer
    w.table("small_cluster_coverage", study, title="Coverage with few clusters (long form)",
            caption=f"Share of {level:.0%} intervals that cover the true effect, with its Monte "
                    f"Carlo standard error, by method and clusters per arm. {note}", seed=seed)
    w.table("small_cluster_coverage_wide", coverage_wide(study),
            title="Coverage of 95% intervals as clusters per arm fall",
            caption=f"Share of {level:.0%} intervals covering the true effect; one column per "
                    f"method. {note}", seed=seed)
    w.figure("small_cluster_coverage_plot", small_cluster_coverage_figure(study),
             title="Coverage against the number of clusters per arm",
             caption=f"Coverage of each method's {level:.0%} interval (bars: ±2 Monte Carlo "
                     f"standard errors); dashed: the nominal level. {note}",
             alt="Line chart: with many clusters every method covers close to the nominal "
                 "level; as clusters per arm fall, the normal-reference CR1 interval covers "
                 "least, the t reference helps a little, and CR2, CR3 and the wild cluster "
                 "bootstrap stay closest to nominal.", seed=seed)
