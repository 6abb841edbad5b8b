"""Movies of the ml-1m / ml-25m / ml-32m releases as the same items table ml-100k gives.

Those releases name each movie's genres as one ``|``-joined string ("Animation|Children's|Comedy")
instead of 19 0/1 columns. They are mapped onto ml-100k's 19 genre flags: ``Children's`` (ml-1m)
and ``Children`` (ml-25m/32m) are the same flag, ``(no genres listed)`` is ml-100k's ``unknown``,
and ``IMAX`` (ml-25m/32m), a projection format rather than a kind of film, sets no flag. Any
other name is an error naming the file and line. The year is the ``(yyyy)`` at the end of the
title (missing when a title has none); these releases publish no release date or IMDb URL.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.movielens.load import YEAR_IN_TITLE, MovieLensError
from analysis.movielens.schema import GENRE_COLUMNS

#: Genre names as the releases write them -> the ml-100k genre flag they set.
GENRE_FLAGS: dict[str, str] = {
    "Action": "genre_action", "Adventure": "genre_adventure", "Animation": "genre_animation",
    "Children's": "genre_childrens", "Children": "genre_childrens", "Comedy": "genre_comedy",
    "Crime": "genre_crime", "Documentary": "genre_documentary", "Drama": "genre_drama",
    "Fantasy": "genre_fantasy", "Film-Noir": "genre_film_noir", "Horror": "genre_horror",
    "Musical": "genre_musical", "Mystery": "genre_mystery", "Romance": "genre_romance",
    "Sci-Fi": "genre_sci_fi", "Thriller": "genre_thriller", "War": "genre_war",
    "Western": "genre_western", "(no genres listed)": "genre_unknown", "unknown": "genre_unknown",
}

#: Names that are known but set no flag.
NO_FLAG: frozenset[str] = frozenset({"IMAX"})


def genre_flags(genres: pd.Series, path: Path, first_line: int) -> pd.DataFrame:
    """The 19 ``genre_*`` int8 flags from ``|``-joined genre names (row i is line first_line+i)."""
    empty = (genres.str.strip() == "").to_numpy()
    if empty.any():
        line = first_line + int(np.flatnonzero(empty)[0])
        raise MovieLensError(f"{path}: line {line} lists no genre; expected '|'-joined genre "
                             "names, or '(no genres listed)'")
    dummies = genres.str.get_dummies(sep="|")
    unknown = sorted(set(dummies.columns) - set(GENRE_FLAGS) - NO_FLAG)
    if unknown:
        rows = dummies[unknown].to_numpy().any(axis=1)
        line = first_line + int(np.flatnonzero(rows)[0])
        raise MovieLensError(
            f"{path}: line {line} has the genre {unknown[0]!r}; expected '|'-joined names from "
            f"{', '.join(sorted(GENRE_FLAGS))} (or IMAX, which sets no flag)")
    flags = pd.DataFrame(0, index=genres.index, columns=list(GENRE_COLUMNS), dtype="int8")
    for name in dummies.columns.intersection(list(GENRE_FLAGS)):  # at most 21 names
        flags[GENRE_FLAGS[name]] |= dummies[name].to_numpy().astype("int8")
    return flags


def items_table(movie_id: pd.Series, title: pd.Series, flags: pd.DataFrame) -> pd.DataFrame:
    """The processed items table (ml-100k's columns and dtypes), sorted by movie id."""
    index = pd.RangeIndex(len(title))
    year = pd.to_numeric(title.str.extract(YEAR_IN_TITLE, expand=False), errors="coerce")
    items = pd.DataFrame({
        "movie_id": pd.Series(movie_id.to_numpy().astype("int32"), index=index),
        "title": pd.Series(title.str.strip().to_numpy(), index=index, dtype="string"),
        "year": pd.Series(year.to_numpy(), index=index).astype("Int16"),
        "n_genres": pd.Series(flags.to_numpy().sum(axis=1).astype("int8"), index=index),
        "release_date": pd.Series(pd.NaT, index=index, dtype="datetime64[s]"),
        "imdb_url": pd.Series(pd.NA, index=index, dtype="string"),
    })
    for column in GENRE_COLUMNS:
        items[column] = flags[column].to_numpy()
    return items.sort_values("movie_id", kind="stable").reset_index(drop=True)
