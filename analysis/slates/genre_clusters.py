"""Genre-based spillover clusters: which movies are close substitutes for one another.

MovieLens 100K tags a movie with up to six of 19 genres. For spillover accounting each movie needs
exactly one *spillover cluster*, so the mapping below groups related genres into seven content
families and resolves multi-genre movies by a fixed priority: the most specific family a movie
belongs to wins (a "Children's|Comedy" movie is a family title; a "Drama|War" movie is an action
title; drama, the broadest genre, is the fallback). The order is part of the design and is
published as a table so the book can show it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Spillover clusters in priority order, each with the genre flags (``genre_<name>``) it claims.
CLUSTER_GENRES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("family", ("animation", "childrens", "musical", "fantasy")),
    ("documentary", ("documentary",)),
    ("action_adventure", ("action", "adventure", "sci_fi", "war", "western")),
    ("thriller_crime", ("thriller", "crime", "mystery", "film_noir", "horror")),
    ("romance", ("romance",)),
    ("comedy", ("comedy",)),
    ("drama", ("drama",)),
)

#: Cluster for movies with no genre flag other than ``unknown``.
FALLBACK_CLUSTER = "other"

ALL_GENRES: tuple[str, ...] = (
    "unknown", "action", "adventure", "animation", "childrens", "comedy", "crime", "documentary",
    "drama", "fantasy", "film_noir", "horror", "musical", "mystery", "romance", "sci_fi",
    "thriller", "war", "western",
)


def genre_columns() -> list[str]:
    """The 19 genre flag column names of the processed items table."""
    return [f"genre_{g}" for g in ALL_GENRES]


def cluster_map_table() -> pd.DataFrame:
    """The documented mapping: one row per cluster with its priority and its genres."""
    rows = [
        {"priority": rank + 1, "spillover_cluster": cluster, "genres": ", ".join(genres)}
        for rank, (cluster, genres) in enumerate(CLUSTER_GENRES)
    ]
    rows.append({"priority": len(CLUSTER_GENRES) + 1, "spillover_cluster": FALLBACK_CLUSTER,
                 "genres": "unknown (no other genre)"})
    return pd.DataFrame(rows)


def assign_spillover_cluster(items: pd.DataFrame) -> pd.Series:
    """One spillover cluster per movie, following :data:`CLUSTER_GENRES` priority.

    Parameters
    ----------
    items:
        Processed items table with the 19 ``genre_*`` flag columns (0/1).

    Returns
    -------
    pandas.Series of cluster names aligned with ``items.index``.
    """
    missing = [c for c in genre_columns() if c not in items.columns]
    if missing:
        raise ValueError(f"items: missing genre flag columns {missing}; expected all 19 genre_* flags")
    n = len(items)
    chosen = np.full(n, FALLBACK_CLUSTER, dtype=object)
    unassigned = np.ones(n, dtype=bool)
    for cluster, genres in CLUSTER_GENRES:  # seven clusters: a loop over a fixed, tiny list
        member = items[[f"genre_{g}" for g in genres]].to_numpy().astype(bool).any(axis=1)
        take = member & unassigned
        chosen[take] = cluster
        unassigned &= ~take
    return pd.Series(chosen, index=items.index, name="spillover_cluster", dtype="str")
