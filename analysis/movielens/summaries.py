"""Descriptive tables of MovieLens 100K used in the data chapter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.atomic import sha256_file
from analysis.movielens.schema import GENRE_COLUMNS


def dataset_summary(ratings: pd.DataFrame, items: pd.DataFrame, users: pd.DataFrame) -> pd.DataFrame:
    """One-row overview: counts, mean rating, density, activity quantiles."""
    per_user = ratings.groupby("user_id").size()
    per_item = ratings.groupby("movie_id").size()
    n_users, n_items = len(users), len(items)
    return pd.DataFrame([{
        "n_ratings": len(ratings),
        "n_users": n_users,
        "n_items": n_items,
        "mean_rating": float(ratings["rating"].mean()),
        "share_ratings_4_or_5": float((ratings["rating"] >= 4).mean()),
        "density": len(ratings) / (n_users * n_items),
        "median_ratings_per_user": float(per_user.median()),
        "min_ratings_per_user": int(per_user.min()),
        "median_ratings_per_item": float(per_item.median()),
        "items_with_fewer_than_10_ratings": int((per_item.reindex(items["movie_id"], fill_value=0) < 10).sum()),
        "first_year": int(items["year"].min()),
        "last_year": int(items["year"].max()),
    }])


def rating_distribution(ratings: pd.DataFrame) -> pd.DataFrame:
    """Share of ratings at each star level: 1..5 (int8), or 0.5..5.0 for half-star releases."""
    if pd.api.types.is_integer_dtype(ratings["rating"]):
        levels, dtype = list(range(1, 6)), "int8"
    else:
        levels, dtype = [k / 2 for k in range(1, 11)], "float32"
    counts = ratings["rating"].value_counts().reindex(levels, fill_value=0).sort_index()
    return pd.DataFrame({"rating": counts.index.astype(dtype), "n_ratings": counts.to_numpy(),
                         "share": counts.to_numpy() / counts.sum()})


def genre_table(ratings: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Per genre: number of movies, ratings, mean rating and share liked (rating >= 4)."""
    merged = ratings[["movie_id", "rating"]].merge(items[["movie_id", *GENRE_COLUMNS]], on="movie_id")
    rows = []
    for column in GENRE_COLUMNS:
        flag = merged[column] == 1
        rows.append({
            "genre": column.removeprefix("genre_"),
            "n_movies": int(items[column].sum()),
            "n_ratings": int(flag.sum()),
            "mean_rating": float(merged.loc[flag, "rating"].mean()) if flag.any() else float("nan"),
            "share_liked": float((merged.loc[flag, "rating"] >= 4).mean()) if flag.any() else float("nan"),
        })
    return pd.DataFrame(rows).sort_values(["n_ratings", "genre"], ascending=[False, True],
                                          ignore_index=True)


def item_popularity(ratings: pd.DataFrame) -> pd.DataFrame:
    """Items ranked by number of ratings, with the cumulative share of all ratings."""
    counts = ratings.groupby("movie_id").size().sort_values(ascending=False, kind="stable")
    return pd.DataFrame({
        "rank": range(1, len(counts) + 1),
        "movie_id": counts.index.astype("int32"),
        "n_ratings": counts.to_numpy(),
        "cumulative_share": counts.cumsum().to_numpy() / counts.sum(),
    })


def source_files(paths: list[Path]) -> pd.DataFrame:
    """File name, size and SHA-256 of every source file used."""
    return pd.DataFrame([{"file": p.name, "bytes": p.stat().st_size, "sha256": sha256_file(p)}
                         for p in sorted(paths)])
