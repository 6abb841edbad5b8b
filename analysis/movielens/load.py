"""Load MovieLens 100K files into typed, tidy tables, checking schema and counts as we go.

Every check names the file, the column and what was expected, so a damaged copy fails loudly
instead of producing a subtly different book.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.movielens.schema import (
    GENRE_COLUMNS,
    ITEM_COLUMNS,
    RATINGS_COLUMNS,
    RATINGS_DTYPES,
    REQUIRED_FILES,
    USER_COLUMNS,
)


class MovieLensError(ValueError):
    """A MovieLens file is missing, malformed, or inconsistent with u.info."""


@dataclass(frozen=True)
class MovieLens:
    """The three tidy tables."""

    ratings: pd.DataFrame
    items: pd.DataFrame
    users: pd.DataFrame


def check_directory(directory: str | Path) -> Path:
    """The directory as a Path, after checking that every required file is there."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MovieLensError(f"MovieLens directory {directory} does not exist")
    missing = [name for name in REQUIRED_FILES if not (directory / name).is_file()]
    if missing:
        raise MovieLensError(f"MovieLens directory {directory} lacks {', '.join(missing)}")
    return directory


def _read_delimited(path: Path, sep: str, columns: tuple[str, ...], encoding: str) -> pd.DataFrame:
    frame = pd.read_csv(path, sep=sep, header=None, dtype=str, encoding=encoding,
                        keep_default_na=False, quoting=3, engine="c")
    if frame.shape[1] != len(columns):
        raise MovieLensError(
            f"{path}: expected {len(columns)} {sep!r}-separated columns ({', '.join(columns)}), "
            f"found {frame.shape[1]}"
        )
    frame.columns = list(columns)
    return frame


def _to_int(frame: pd.DataFrame, column: str, path: Path, dtype: str,
            low: int | None = None, high: int | None = None) -> pd.Series:
    values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    bad = values.isna() | (values != np.floor(values))
    if bad.any():
        line = int(np.flatnonzero(bad.to_numpy())[0]) + 1
        raise MovieLensError(
            f"{path}: column {column!r} must be an integer; line {line} has "
            f"{frame[column].iloc[line - 1]!r}"
        )
    if (low is not None and (values < low).any()) or (high is not None and (values > high).any()):
        raise MovieLensError(f"{path}: column {column!r} must lie in [{low}, {high}]")
    return values.astype(dtype)


def read_info(directory: str | Path) -> dict[str, int]:
    """Counts stated in u.info: ``{"users": 943, "items": 1682, "ratings": 100000}``."""
    path = Path(directory) / "u.info"
    counts: dict[str, int] = {}
    for line in path.read_text(encoding="latin-1").splitlines():
        match = re.fullmatch(r"\s*(\d+)\s+(users|items|ratings)\s*", line)
        if match:
            counts[match.group(2)] = int(match.group(1))
    if set(counts) != {"users", "items", "ratings"}:
        raise MovieLensError(f"{path}: expected lines '<n> users', '<n> items', '<n> ratings'")
    return counts


def load_ratings(directory: str | Path) -> pd.DataFrame:
    """u.data as ``user_id, movie_id, rating, timestamp``, sorted by user, movie."""
    path = Path(directory) / "u.data"
    raw = _read_delimited(path, "\t", RATINGS_COLUMNS, "latin-1")
    ratings = pd.DataFrame({
        "user_id": _to_int(raw, "user_id", path, RATINGS_DTYPES["user_id"], low=1),
        "movie_id": _to_int(raw, "movie_id", path, RATINGS_DTYPES["movie_id"], low=1),
        "rating": _to_int(raw, "rating", path, RATINGS_DTYPES["rating"], low=1, high=5),
        "timestamp": _to_int(raw, "timestamp", path, RATINGS_DTYPES["timestamp"], low=0),
    })
    if ratings.duplicated(["user_id", "movie_id"]).any():
        raise MovieLensError(f"{path}: a (user_id, movie_id) pair appears twice")
    return ratings.sort_values(["user_id", "movie_id"], kind="stable").reset_index(drop=True)


_YEAR_IN_TITLE = re.compile(r"\((\d{4})\)\s*$")


def load_items(directory: str | Path) -> pd.DataFrame:
    """u.item (latin-1) with title, year, release date, IMDb URL and 19 genre flags."""
    path = Path(directory) / "u.item"
    raw = _read_delimited(path, "|", ITEM_COLUMNS, "latin-1")
    release = pd.to_datetime(raw["release_date"].replace("", None), format="%d-%b-%Y",
                             errors="coerce")
    title_year = pd.to_numeric(raw["title"].str.extract(_YEAR_IN_TITLE, expand=False),
                               errors="coerce")
    year = title_year.fillna(release.dt.year).astype("Int16")
    items = pd.DataFrame({
        "movie_id": _to_int(raw, "movie_id", path, "int32", low=1),
        "title": raw["title"].str.strip().astype("string"),
        "year": year,
        "release_date": release.dt.date.astype("object"),
        "imdb_url": raw["imdb_url"].astype("string"),
    })
    for column in GENRE_COLUMNS:
        items[column] = _to_int(raw, column, path, "int8", low=0, high=1)
    items.insert(3, "n_genres", items[list(GENRE_COLUMNS)].sum(axis=1).astype("int8"))
    items["release_date"] = pd.to_datetime(items["release_date"])
    if items["movie_id"].duplicated().any():
        raise MovieLensError(f"{path}: column 'movie_id' has duplicates")
    return items.sort_values("movie_id", kind="stable").reset_index(drop=True)


def load_users(directory: str | Path) -> pd.DataFrame:
    """u.user as ``user_id, age, gender, occupation, zip_code``."""
    path = Path(directory) / "u.user"
    raw = _read_delimited(path, "|", USER_COLUMNS, "latin-1")
    gender = raw["gender"].str.strip()
    if not gender.isin(["M", "F"]).all():
        raise MovieLensError(f"{path}: column 'gender' must be 'M' or 'F'")
    users = pd.DataFrame({
        "user_id": _to_int(raw, "user_id", path, "int32", low=1),
        "age": _to_int(raw, "age", path, "int16", low=1, high=120),
        "gender": gender.astype("string"),
        "occupation": raw["occupation"].str.strip().astype("string"),
        "zip_code": raw["zip_code"].str.strip().astype("string"),
    })
    if users["user_id"].duplicated().any():
        raise MovieLensError(f"{path}: column 'user_id' has duplicates")
    return users.sort_values("user_id", kind="stable").reset_index(drop=True)


def load_movielens(directory: str | Path) -> MovieLens:
    """Load and cross-check all three tables against u.info and each other."""
    directory = check_directory(directory)
    info = read_info(directory)
    data = MovieLens(load_ratings(directory), load_items(directory), load_users(directory))
    found = {"ratings": len(data.ratings), "items": len(data.items), "users": len(data.users)}
    for name, expected in info.items():
        if found[name] != expected:
            file = {"ratings": "u.data", "items": "u.item", "users": "u.user"}[name]
            raise MovieLensError(
                f"{directory / file}: has {found[name]:,} {name} but u.info states {expected:,} "
                "(truncated or damaged copy?)"
            )
    unknown_users = ~data.ratings["user_id"].isin(data.users["user_id"])
    unknown_items = ~data.ratings["movie_id"].isin(data.items["movie_id"])
    if unknown_users.any() or unknown_items.any():
        raise MovieLensError(f"{directory / 'u.data'}: ratings refer to unknown users or items")
    return data
