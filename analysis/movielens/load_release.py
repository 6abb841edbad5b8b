"""Load any registered MovieLens release into the same three tidy tables.

ml-100k goes through :func:`analysis.movielens.load.load_movielens` (checked against u.info);
ml-1m through :mod:`analysis.movielens.load_dat`; ml-25m and ml-32m through
:mod:`analysis.movielens.load_csv`. Whatever the release, every rating must refer to a listed
movie (and, where the release has a users file, a listed user).
"""

from __future__ import annotations

from pathlib import Path

from analysis.movielens.load import MovieLens, MovieLensError, check_directory, load_movielens
from analysis.movielens.load_csv import load_movies_csv, load_ratings_csv, users_from_ratings
from analysis.movielens.load_dat import load_movies_dat, load_ratings_dat, load_users_dat
from analysis.movielens.releases import Release


def load_release(directory: str | Path, release: Release,
                 chunk_rows: int = 500_000) -> MovieLens:
    """The ratings, items and users tables of ``release`` from its extracted folder."""
    directory = check_directory(directory, release.files)
    if release.layout == "ml-100k":
        return load_movielens(directory)
    if release.layout == "dat":
        data = MovieLens(load_ratings_dat(directory, chunk_rows), load_movies_dat(directory),
                         load_users_dat(directory))
        ratings_file, checks = "ratings.dat", (("user_id", data.users, "users.dat"),
                                               ("movie_id", data.items, "movies.dat"))
    else:
        ratings = load_ratings_csv(directory, chunk_rows)
        data = MovieLens(ratings, load_movies_csv(directory), users_from_ratings(ratings))
        ratings_file, checks = "ratings.csv", (("movie_id", data.items, "movies.csv"),)
    for column, table, file in checks:
        unknown = ~data.ratings[column].isin(table[column]).to_numpy()
        if unknown.any():
            value = int(data.ratings[column].to_numpy()[unknown][0])
            raise MovieLensError(f"{directory / ratings_file}: a rating refers to {column} "
                                 f"{value}, which {directory / file} does not list")
    return data
