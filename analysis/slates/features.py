"""User and item features used for balance checks and the outcome model.

All features are computed from the full MovieLens ratings table, i.e. they are pre-treatment
characteristics of the user or movie, not of any simulated slate.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.slates.genre_clusters import ALL_GENRES, assign_spillover_cluster, genre_columns

RATING_COLUMNS = ("user_id", "movie_id", "rating")


def _require(df: pd.DataFrame, columns: tuple[str, ...] | list[str], name: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ValueError(f"{name}: missing columns {missing}; expected at least {list(columns)}")


def _rating_stats(ratings: pd.DataFrame, key: str, ids: np.ndarray, liked_threshold: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per id in ``ids``: number of ratings, mean rating and share liked, from group sums.

    Ids with no ratings get a count of 0 and NaN mean and share.
    """
    keys = ratings[key].to_numpy()
    rating = ratings["rating"].to_numpy().astype(float)
    size = int(max(keys.max(), ids.max())) + 1
    count = np.bincount(keys, minlength=size)
    total = np.bincount(keys, weights=rating, minlength=size)
    liked = np.bincount(keys, weights=(rating >= liked_threshold).astype(float), minlength=size)
    n = count[ids]
    with np.errstate(invalid="ignore", divide="ignore"):
        return n, np.where(n > 0, total[ids] / n, np.nan), np.where(n > 0, liked[ids] / n, np.nan)


def item_features(ratings: pd.DataFrame, items: pd.DataFrame, liked_threshold: int = 4) -> pd.DataFrame:
    """One row per movie: popularity, liked rate, mean rating, year, genre count and cluster.

    ``popularity`` is the number of ratings; ``popularity_z`` is the standardised
    ``log1p(popularity)`` across movies; ``liked_rate`` is the share of ratings at or above
    ``liked_threshold`` and ``liked_rate_z`` its standardised version.
    """
    _require(ratings, RATING_COLUMNS, "ratings")
    _require(items, ["movie_id", "year", *genre_columns()], "items")
    if not 1 <= liked_threshold <= 5:
        raise ValueError(f"liked_threshold must be a rating between 1 and 5, got {liked_threshold}")
    ids = items["movie_id"].to_numpy()
    n, mean_rating, liked_rate = _rating_stats(ratings, "movie_id", ids, liked_threshold)
    log_pop = np.log1p(n)
    out = pd.DataFrame({
        "movie_id": ids.astype("int32"),
        "popularity": n.astype("int64"),
        "popularity_z": (log_pop - log_pop.mean()) / log_pop.std(),
        "item_mean_rating": mean_rating,
        "liked_rate": liked_rate,
        "liked_rate_z": (liked_rate - np.nanmean(liked_rate)) / np.nanstd(liked_rate),
        "year": items["year"].astype("Int16").to_numpy(),
        "n_genres": items[genre_columns()].to_numpy().sum(axis=1).astype("int8"),
        "spillover_cluster": assign_spillover_cluster(items).to_numpy(),
    })
    for genre in ALL_GENRES:
        out[f"genre_{genre}"] = items[f"genre_{genre}"].to_numpy().astype("int8")
    return out


def _age(age: pd.Series) -> np.ndarray:
    """int16 ages; float with NaN where a release publishes no age (ml-25m, ml-32m)."""
    if age.isna().any():
        return age.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    return age.to_numpy().astype("int16")


def user_features(ratings: pd.DataFrame, users: pd.DataFrame, liked_threshold: int = 4) -> pd.DataFrame:
    """One row per user: activity, mean rating, rating tendency, liked share and demographics.

    ``user_tendency`` is the user's mean rating minus the global mean rating (a harsh rater has a
    negative tendency).
    """
    _require(ratings, RATING_COLUMNS, "ratings")
    _require(users, ["user_id", "age", "gender", "occupation"], "users")
    ids = users["user_id"].to_numpy()
    n, mean_rating, liked_share = _rating_stats(ratings, "user_id", ids, liked_threshold)
    rating = ratings["rating"].to_numpy().astype(float)
    return pd.DataFrame({
        "user_id": ids.astype("int32"),
        "user_activity": n.astype("int64"),
        "user_mean_rating": mean_rating,
        "user_tendency": mean_rating - rating.mean(),
        "user_liked_share": liked_share,
        "age": _age(users["age"]),
        "gender": users["gender"].astype("str").to_numpy(),
        "occupation": users["occupation"].astype("str").to_numpy(),
    })
