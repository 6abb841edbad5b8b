"""The baseline ranker that orders each seed slate before any promotion.

The ranker is a damped ("Bayesian average") mean rating computed *without the slate user's own
rating*: for a rating row (user u, movie i)

    score(u, i) = (S_i - r_ui + m * mu) / (N_i - 1 + m)

where S_i and N_i are the sum and count of all ratings of movie i, r_ui is the user's own rating,
mu is the global mean rating and m (``prior_strength``) is the number of pseudo-ratings at the
global mean. Leaving out the user's own rating means the seed order never peeks at the relevance
it will later be judged on, while the damping favours movies that many people rated well, the
way a popularity-aware production ranker does.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def leave_user_out_scores(ratings: pd.DataFrame, prior_strength: float) -> np.ndarray:
    """Baseline score for every rating row (aligned with ``ratings``), as described above."""
    for column in ("movie_id", "rating"):
        if column not in ratings.columns:
            raise ValueError(f"ratings: missing column {column!r}")
    if not prior_strength > 0:
        raise ValueError(f"prior_strength must be positive, got {prior_strength}")
    movie = ratings["movie_id"].to_numpy()
    rating = ratings["rating"].to_numpy().astype(float)
    count = np.bincount(movie)
    total = np.bincount(movie, weights=rating)
    mu = rating.mean()
    return (total[movie] - rating + prior_strength * mu) / (count[movie] - 1 + prior_strength)
