"""Seed slates: real users, real rated movies, a real baseline order.

Each seed slate is a simulated recommendation session for one MovieLens user:

1. a user is drawn uniformly at random (with replacement) from users with at least
   ``slate_size`` ratings, so an active user can appear in several sessions;
2. ``slate_size`` distinct movies the user rated are drawn uniformly at random;
3. the movies are ordered by the leave-user-out baseline ranker
   (:mod:`analysis.slates.baseline_ranker`), ties broken by movie id, giving seed positions
   ``1..slate_size``.

Because every candidate was rated by the user, each row carries observed relevance (the rating),
which the outcome model uses and which the ranker never saw.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.slates.baseline_ranker import leave_user_out_scores


@dataclass(frozen=True)
class SeedSlateSpec:
    """How many slates, how long, and how the baseline ranker is damped."""

    n_slates: int
    slate_size: int
    prior_strength: float
    liked_threshold: int = 4

    def __post_init__(self) -> None:
        if self.n_slates < 2:
            raise ValueError(f"n_slates must be at least 2, got {self.n_slates}")
        if self.slate_size < 2:
            raise ValueError(f"slate_size must be at least 2, got {self.slate_size}")
        if not self.prior_strength > 0:
            raise ValueError(f"prior_strength must be positive, got {self.prior_strength}")


def build_seed_slates(
    ratings: pd.DataFrame,
    item_table: pd.DataFrame,
    user_table: pd.DataFrame,
    spec: SeedSlateSpec,
    rng: np.random.Generator,
) -> pd.DataFrame:
    """One row per (slate, movie) candidate with seed position, relevance and features.

    Parameters
    ----------
    ratings:
        Processed ratings (``user_id``, ``movie_id``, ``rating``).
    item_table, user_table:
        Outputs of :func:`analysis.slates.features.item_features` / ``user_features``.
    spec:
        Slate counts and ranker damping.
    rng:
        Source of randomness for user and candidate draws.

    Returns
    -------
    DataFrame sorted by ``slate_id, slate_position_seed`` with columns ``slate_id``, ``user_id``,
    ``movie_id``, ``slate_position_seed``, ``baseline_score``, ``rating``, ``relevance``
    (``(rating - 3) / 2`` in [-1, 1]), ``liked`` and the user and item features.
    """
    for column in ("user_id", "movie_id", "rating"):
        if column not in ratings.columns:
            raise ValueError(f"ratings: missing column {column!r}")
    order = np.lexsort((ratings["movie_id"].to_numpy(), ratings["user_id"].to_numpy()))
    r = ratings.iloc[order].reset_index(drop=True)
    scores = leave_user_out_scores(r, spec.prior_strength)
    users = r["user_id"].to_numpy()
    user_ids, starts, counts = np.unique(users, return_index=True, return_counts=True)
    eligible = counts >= spec.slate_size
    if not eligible.any():
        raise ValueError(f"no user has at least slate_size={spec.slate_size} ratings")
    pool = np.flatnonzero(eligible)

    # 1. users (one per slate)
    pick = pool[rng.integers(0, pool.size, size=spec.n_slates)]
    n_cand = counts[pick]
    # 2. expand every slate to all of its user's ratings, draw a random key, keep the k smallest
    slate_rep = np.repeat(np.arange(spec.n_slates), n_cand)
    offset = np.arange(slate_rep.size) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
    row = np.repeat(starts[pick], n_cand) + offset
    key = rng.random(slate_rep.size)
    by_key = np.lexsort((key, slate_rep))
    rank = np.arange(slate_rep.size) - np.repeat(np.cumsum(n_cand) - n_cand, n_cand)
    keep = by_key[rank < spec.slate_size]
    slate_id, row = slate_rep[keep], row[keep]
    # 3. order each slate by the baseline score (descending), movie id breaking ties
    movie = r["movie_id"].to_numpy()[row]
    by_score = np.lexsort((movie, -scores[row], slate_id))
    slate_id, row = slate_id[by_score], row[by_score]
    position = np.tile(np.arange(1, spec.slate_size + 1), spec.n_slates)

    rating = r["rating"].to_numpy()[row]  # whole stars (int8), or half stars (ml-25m/32m)
    rating = rating.astype("int8" if np.issubdtype(rating.dtype, np.integer) else "float32")
    slates = pd.DataFrame({
        "slate_id": slate_id.astype("int32"),
        "user_id": r["user_id"].to_numpy()[row].astype("int32"),
        "movie_id": r["movie_id"].to_numpy()[row].astype("int32"),
        "slate_position_seed": position.astype("int16"),
        "baseline_score": scores[row],
        "rating": rating,
        "relevance": (rating.astype(float) - 3.0) / 2.0,
        "liked": (rating >= spec.liked_threshold).astype("int8"),
    })
    slates = slates.merge(user_table, on="user_id", how="left", validate="many_to_one")
    slates = slates.merge(item_table, on="movie_id", how="left", validate="many_to_one")
    if slates["spillover_cluster"].isna().any():
        raise ValueError("items: some rated movies are missing from the items table")
    return slates.sort_values(["slate_id", "slate_position_seed"], kind="stable").reset_index(drop=True)


def seed_slate_summary(slates: pd.DataFrame) -> pd.DataFrame:
    """A short description of the seed slates: counts, distinct users/movies, relevance by position."""
    per_position = slates.groupby("slate_position_seed", observed=True).agg(
        mean_rating=("rating", "mean"), liked_share=("liked", "mean"),
        mean_popularity=("popularity", "mean"), mean_baseline_score=("baseline_score", "mean"),
    ).reset_index()
    return per_position
