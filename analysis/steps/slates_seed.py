"""Rule slates_seed: build the seed slates from the processed MovieLens tables."""

from __future__ import annotations

import logging

import pandas as pd

from analysis import atomic
from analysis.cli import StepContext
from analysis.slates.experiment import stream
from analysis.slates.features import item_features, user_features
from analysis.slates.genre_clusters import cluster_map_table
from analysis.slates.params import slate_params
from analysis.slates.seed_slates import build_seed_slates, seed_slate_summary

LOG = logging.getLogger(__name__)


def run(ctx: StepContext) -> None:
    p = slate_params(ctx.params)
    ratings = pd.read_parquet(ctx.input_named("ratings.parquet"))
    items = pd.read_parquet(ctx.input_named("items.parquet"))
    users = pd.read_parquet(ctx.input_named("users.parquet"))
    item_table = item_features(ratings, items, p.seed_slates.liked_threshold)
    user_table = user_features(ratings, users, p.seed_slates.liked_threshold)
    slates = build_seed_slates(ratings, item_table, user_table, p.seed_slates, stream(p.seed, "seed_slates"))
    LOG.info("built %d seed slates (%d rows) for %d distinct users", slates["slate_id"].nunique(),
             len(slates), slates["user_id"].nunique())
    atomic.write_with(ctx.processed_dir / "slate_seed.parquet",
                      lambda tmp: slates.to_parquet(tmp, index=False, compression="zstd"))

    clusters = cluster_map_table()
    share = slates["spillover_cluster"].value_counts(normalize=True)
    clusters["share_of_slate_rows"] = clusters["spillover_cluster"].map(share).fillna(0.0)
    ctx.writer.table(
        "slate_cluster_map", clusters, title="Genre-based spillover clusters",
        caption="Each movie gets the first cluster (lowest priority number) any of its genres maps "
                "to; drama, the broadest genre, comes last. The share column is the share of seed "
                "slate rows in each cluster.", seed=p.seed)
    ctx.writer.table(
        "slate_seed_summary", seed_slate_summary(slates),
        title="Seed slates by baseline position",
        caption="Mean observed rating, share liked, movie popularity and baseline score at each "
                "seed position. The leave-user-out ranker never saw these ratings, yet higher "
                "positions hold movies the user rated higher.", seed=p.seed)
