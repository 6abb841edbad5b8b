"""Rule movielens: load the raw files into typed parquet tables and describe the data set."""

from __future__ import annotations

import logging

from analysis import atomic
from analysis.cli import StepContext
from analysis.movielens import figures, summaries
from analysis.movielens.load_release import load_release
from analysis.movielens.releases import get_release

LOG = logging.getLogger(__name__)


def run(ctx: StepContext) -> None:
    release = get_release(ctx.params.get("release", "ml-100k"))
    cite = f"{release.title} (Harper & Konstan, 2015)."
    source_dir = ctx.input_named(release.files[0]).parent
    data = load_release(source_dir, release)
    LOG.info("loaded %d ratings, %d users, %d items from %s", len(data.ratings), len(data.users),
             len(data.items), source_dir)
    for name, table in (("ratings", data.ratings), ("items", data.items), ("users", data.users)):
        atomic.write_with(ctx.processed_dir / f"{name}.parquet",
                          lambda tmp, t=table: t.to_parquet(tmp, index=False, compression="zstd"))

    w = ctx.writer
    w.table("movielens_summary", summaries.dataset_summary(data.ratings, data.items, data.users),
            title=f"{release.title} at a glance",
            caption=f"Counts, mean rating and sparsity of the ratings matrix. {cite}")
    w.table("movielens_sources", summaries.source_files(list(ctx.inputs)),
            title="Source files and checksums",
            caption="Every MovieLens file the pipeline read, with its size and SHA-256.")
    distribution = summaries.rating_distribution(data.ratings)
    popularity = summaries.item_popularity(data.ratings)
    genres = summaries.genre_table(data.ratings, data.items)
    w.table("movielens_rating_distribution", distribution, title="Rating distribution",
            caption=f"Number and share of ratings at each star level. {cite}")
    w.table("movielens_genres", genres, title="Ratings by genre",
            caption=f"Movies, ratings, mean rating and share of 4-5 star ratings per genre. {cite}")
    w.figure("movielens_overview", figures.rating_and_popularity_figure(distribution, popularity),
             title="Rating distribution and item popularity",
             caption=f"Left: share of ratings per star level. Right: cumulative share of all "
                     f"ratings captured by the most-rated items. {cite}",
             alt="Bar chart of the share of ratings at 1 to 5 stars, peaking at 4 stars, beside a "
                 "concave curve showing that a few hundred movies collect most ratings.")
    w.figure("movielens_genre_volume", figures.genre_figure(genres),
             title="Ratings by genre",
             caption=f"Number of ratings per genre, annotated with the share rated 4 or 5. {cite}",
             alt="Horizontal bar chart of rating counts per genre; drama and comedy lead, "
                 "documentary and unknown trail; each bar is labelled with its share liked.")
