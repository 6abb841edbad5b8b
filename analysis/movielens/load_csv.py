"""MovieLens 25M / 32M: ``ratings.csv`` and ``movies.csv`` (UTF-8, comma-separated, header row).

``ratings.csv`` (``userId,movieId,rating,timestamp``, half stars 0.5-5.0) is streamed in chunks by
:mod:`analysis.movielens.ratings_stream`. ``movies.csv`` (``movieId,title,genres``; titles that
contain a comma are double-quoted) is read whole: it has one line per movie.

These releases ship no users file. The users table lists every user id found in the ratings with
age, gender, occupation and zip code missing; see :func:`users_from_ratings`.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.movielens.catalog import genre_flags, items_table
from analysis.movielens.load import (
    MovieLensError,
    _line_text,
    _no_repeats,
    _to_int,
    parser_error,
)
from analysis.movielens.ratings_stream import CSV_RATINGS, read_ratings

MOVIES_HEADER: tuple[str, ...] = ("movieId", "title", "genres")


def load_ratings_csv(directory: str | Path, chunk_rows: int = 500_000) -> pd.DataFrame:
    """ratings.csv as ``user_id, movie_id, rating (float32), timestamp``, sorted by user, movie."""
    return read_ratings(Path(directory) / "ratings.csv", CSV_RATINGS, chunk_rows)


def load_movies_csv(directory: str | Path) -> pd.DataFrame:
    """movies.csv (UTF-8, quoted titles) as the items table with the 19 genre flags."""
    path = Path(directory) / "movies.csv"
    expected = f"3 comma-separated columns ({','.join(MOVIES_HEADER)}), titles with commas quoted"
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[:exc.start].count(b"\n") + 1
        raise MovieLensError(f"{path}: line {line} is not UTF-8 (byte {exc.object[exc.start]:#04x}); "
                             "MovieLens ships this file as UTF-8") from None
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8", engine="c")
    except pd.errors.ParserError as exc:
        raise parser_error(path, exc, expected, lambda line: _line_text(text, line)) from None
    except pd.errors.EmptyDataError:
        raise MovieLensError(f"{path}: the file is empty; expected {expected}") from None
    if tuple(raw.columns) != MOVIES_HEADER:
        raise MovieLensError(f"{path}: line 1 must be the header {','.join(MOVIES_HEADER)!r}; "
                             f"found {','.join(map(str, raw.columns))!r}")
    raw.columns = ["movie_id", "title", "genres"]
    movie_id = _to_int(raw, "movie_id", path, "int32", low=1, first_line=2)  # after the header
    _no_repeats(movie_id, path, "movie_id", first_line=2)
    return items_table(movie_id, raw["title"], genre_flags(raw["genres"], path, first_line=2))


def users_from_ratings(ratings: pd.DataFrame) -> pd.DataFrame:
    """One row per rating user, demographics missing (ml-25m/ml-32m publish none).

    The columns and their order are ml-100k's; ``age`` is a nullable Int16 and the text columns
    are missing strings, so code that needs demographics sees they are absent instead of zeros.
    """
    ids = pd.unique(ratings["user_id"].to_numpy())
    ids.sort()
    n = len(ids)
    return pd.DataFrame({
        "user_id": ids.astype("int32"),
        "age": pd.array([pd.NA] * n, dtype="Int16"),
        "gender": pd.array([pd.NA] * n, dtype="string"),
        "occupation": pd.array([pd.NA] * n, dtype="string"),
        "zip_code": pd.array([pd.NA] * n, dtype="string"),
    })
