"""MovieLens 1M: ``ratings.dat``, ``movies.dat`` and ``users.dat`` (``::``-separated).

``ratings.dat`` (``UserID::MovieID::Rating::Timestamp``, whole stars) is streamed in chunks by
:mod:`analysis.movielens.ratings_stream`. ``movies.dat`` (``MovieID::Title::Genres``, latin-1)
and ``users.dat`` (``UserID::Gender::Age::Occupation::Zip-code``, ASCII) are small and read whole,
with the same checks as the ml-100k loader. ml-1m codes a user's age as the lower bound of an age
group (1 = under 18, 18, 25, 35, 45, 50, 56 = 56 and over); the users table keeps that code as
``age``. Occupations are codes 0-20, replaced by the names the ml-1m README gives them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from analysis.movielens.catalog import genre_flags, items_table
from analysis.movielens.load import (
    _decode,
    _no_repeats,
    _to_int,
    require_values,
    split_delimited,
)
from analysis.movielens.ratings_stream import DAT_RATINGS, read_ratings

SEPARATOR = "::"
_STANDIN = "\x1f"  # one byte for '::', so the lines split with the C reader

#: Age-group codes of ml-1m's users.dat (the lower bound of each group; 1 means under 18).
AGE_GROUPS: tuple[int, ...] = (1, 18, 25, 35, 45, 50, 56)

#: Occupation codes of ml-1m's users.dat, as its README names them.
OCCUPATIONS: tuple[str, ...] = (
    "other", "academic/educator", "artist", "clerical/admin", "college/grad student",
    "customer service", "doctor/health care", "executive/managerial", "farmer", "homemaker",
    "K-12 student", "lawyer", "programmer", "retired", "sales/marketing", "scientist",
    "self-employed", "technician/engineer", "tradesman/craftsman", "unemployed", "writer",
)


def _read_dat(path: Path, columns: tuple[str, ...], encoding: str) -> pd.DataFrame:
    text = _decode(path, encoding)
    return split_delimited(path, text.replace(SEPARATOR, _STANDIN), _STANDIN, columns,
                           shown_sep=SEPARATOR)


def load_ratings_dat(directory: str | Path, chunk_rows: int = 500_000) -> pd.DataFrame:
    """ratings.dat as ``user_id, movie_id, rating (int8), timestamp``, sorted by user, movie."""
    return read_ratings(Path(directory) / "ratings.dat", DAT_RATINGS, chunk_rows)


def load_movies_dat(directory: str | Path) -> pd.DataFrame:
    """movies.dat (latin-1) as the items table with the 19 genre flags."""
    path = Path(directory) / "movies.dat"
    raw = _read_dat(path, ("movie_id", "title", "genres"), "latin-1")
    movie_id = _to_int(raw, "movie_id", path, "int32", low=1)
    _no_repeats(movie_id, path, "movie_id")
    return items_table(movie_id, raw["title"], genre_flags(raw["genres"], path, first_line=1))


def load_users_dat(directory: str | Path) -> pd.DataFrame:
    """users.dat as ``user_id, age (age-group code), gender, occupation, zip_code``."""
    path = Path(directory) / "users.dat"
    raw = _read_dat(path, ("user_id", "gender", "age", "occupation", "zip_code"), "ascii")
    gender = raw["gender"].str.strip()
    age = _to_int(raw, "age", path, "int16", low=1, high=56)
    occupation = _to_int(raw, "occupation", path, "int16", low=0, high=len(OCCUPATIONS) - 1)
    require_values(raw, "gender", gender.isin(["M", "F"]).to_numpy(), "'M' or 'F'", path)
    require_values(raw, "age", age.isin(AGE_GROUPS).to_numpy(),
                   f"an age-group code ({', '.join(map(str, AGE_GROUPS))})", path)
    users = pd.DataFrame({
        "user_id": _to_int(raw, "user_id", path, "int32", low=1),
        "age": age,
        "gender": gender.astype("string"),
        "occupation": pd.Series(np.asarray(OCCUPATIONS, dtype=object)[occupation.to_numpy()],
                                dtype="string"),
        "zip_code": raw["zip_code"].str.strip().astype("string"),
    })
    _no_repeats(users["user_id"], path, "user_id")
    return users.sort_values("user_id", kind="stable").reset_index(drop=True)
