"""Load MovieLens 100K files into typed, tidy tables, checking schema and counts as we go.

Every check names the file, the column and what was expected, so a damaged copy fails loudly
instead of producing a subtly different book.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
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


def check_directory(directory: str | Path, files: tuple[str, ...] = REQUIRED_FILES) -> Path:
    """The directory as a Path, after checking that every required file (``files``) is there."""
    directory = Path(directory)
    if not directory.is_dir():
        raise MovieLensError(f"MovieLens directory {directory} does not exist")
    missing = [name for name in files if not (directory / name).is_file()]
    if missing:
        raise MovieLensError(f"MovieLens directory {directory} lacks {', '.join(missing)}")
    return directory


def _line_of(data: bytes, offset: int) -> int:
    """1-based line number of byte ``offset``."""
    return data.count(b"\n", 0, offset) + 1


def _line_text(text: str, line: int) -> str:
    return text.split("\n", line)[line - 1] if line >= 1 else ""


def _decode(path: Path, encoding: str) -> str:
    """The file's text, after rejecting truncated, binary and wrongly encoded files.

    ``encoding`` is ``"ascii"`` (u.data, u.user) or ``"latin-1"`` (u.item). Latin-1 accepts any
    byte, so a copy re-saved as UTF-8 would load as silent mojibake ("CafÃ©"); it is rejected.
    """
    data = path.read_bytes()
    if not data:
        raise MovieLensError(f"{path}: the file is empty")
    if b"\0" in data:
        line = _line_of(data, data.index(b"\0"))
        raise MovieLensError(f"{path}: line {line} contains a NUL byte: not a text file in the "
                             f"expected {encoding} encoding (UTF-16, or a damaged copy?)")
    if not data.endswith(b"\n"):
        line, tail = _line_of(data, len(data)), data.rsplit(b"\n", 1)[-1][:80]
        raise MovieLensError(f"{path}: line {line} (the last) does not end with a newline: the "
                             f"file is truncated; that line is {tail!r}")
    if encoding == "ascii":
        if not data.isascii():
            high = int(np.flatnonzero(np.frombuffer(data, dtype=np.uint8) >= 0x80)[0])
            line = _line_of(data, high)
            raise MovieLensError(f"{path}: line {line} has the non-ASCII byte {data[high]:#04x}; "
                                 "MovieLens ships this file as plain ASCII (wrong encoding?)")
        return data.decode("ascii")
    if not data.isascii():
        try:
            as_utf8 = data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode(encoding)
        first = re.search(r"[^\x00-\x7f]", as_utf8)
        line = as_utf8.count("\n", 0, first.start() if first else 0) + 1
        raise MovieLensError(
            f"{path}: line {line} is UTF-8 encoded ({_line_text(as_utf8, line)[:80]!r}) but "
            f"MovieLens ships this file as {encoding}; use the original file, not a re-saved copy")
    return data.decode(encoding)


def _fields_per_line(text: str, sep: str) -> np.ndarray:
    """Number of ``sep``-separated fields on every line (the text ends with a newline)."""
    codes = np.frombuffer(text.encode("latin-1"), dtype=np.uint8)
    newlines = np.flatnonzero(codes == ord("\n"))
    separators = np.flatnonzero(codes == ord(sep))
    return np.bincount(np.searchsorted(newlines, separators), minlength=newlines.size) + 1


_PANDAS_LINE = re.compile(r"Expected (\d+) fields in line (\d+), saw (\d+)")


def _read_delimited(path: Path, sep: str, columns: tuple[str, ...], encoding: str) -> pd.DataFrame:
    """Split a MovieLens file into string columns; every problem names the file, line and text."""
    return split_delimited(path, _decode(path, encoding), sep, columns)


def split_delimited(path: Path, text: str, sep: str, columns: tuple[str, ...],
                    shown_sep: str | None = None) -> pd.DataFrame:
    """Split decoded ``text`` on the one-character ``sep`` into string columns.

    ``shown_sep`` is the separator as the file writes it when ``text`` had it replaced by ``sep``
    (ml-1m's ``::``); messages quote it and the line as written.
    """
    shown = shown_sep or sep

    def line_as_written(line: int) -> str:
        return _line_text(text, line).replace(sep, shown)[:120]

    expected = f"{len(columns)} {shown!r}-separated columns ({', '.join(columns)})"
    fields = _fields_per_line(text, sep)
    wrong = np.flatnonzero(fields != len(columns))
    if wrong.size:
        line = int(wrong[0]) + 1
        raise MovieLensError(f"{path}: line {line} has {fields[line - 1]} field(s), expected "
                             f"{expected}: {line_as_written(line)!r}")
    try:
        frame = pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str,
                            keep_default_na=False, quoting=3, engine="c",
                            skip_blank_lines=False)
    except pd.errors.ParserError as exc:
        raise parser_error(path, exc, expected, line_as_written) from None
    frame.columns = list(columns)
    return frame


def parser_error(path: Path, exc: pd.errors.ParserError, expected: str,
                 line_text: Callable[[int], str]) -> MovieLensError:
    """pandas' tokenizer error as one naming the file, the line, its text and what was expected."""
    found = _PANDAS_LINE.search(str(exc))
    if not found:
        return MovieLensError(f"{path}: cannot be split into {expected}: {exc}")
    line = int(found.group(2))
    return MovieLensError(f"{path}: line {line} has {found.group(3)} fields, expected "
                          f"{expected}: {line_text(line)[:120]!r}")


def require_values(raw: pd.DataFrame, column: str, ok: np.ndarray, expected: str,
                   path: Path) -> None:
    """Raise naming the first line (row i = line i + 1) where ``ok`` is False."""
    wrong = ~np.asarray(ok, dtype=bool)
    if wrong.any():
        line = int(np.flatnonzero(wrong)[0]) + 1
        raise MovieLensError(f"{path}: column {column!r} must be {expected}; line {line} has "
                             f"{raw[column].iloc[line - 1]!r}")


def _to_int(frame: pd.DataFrame, column: str, path: Path, dtype: str,
            low: int | None = None, high: int | None = None, first_line: int = 1) -> pd.Series:
    """``frame[column]`` as integers; row i of ``frame`` is line ``first_line + i`` of the file."""
    values = pd.to_numeric(frame[column].str.strip(), errors="coerce")
    bad = values.isna() | (values != np.floor(values))
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise MovieLensError(
            f"{path}: column {column!r} must be an integer; line {first_line + row} has "
            f"{frame[column].iloc[row]!r}"
        )
    outside = ((values < low) if low is not None else False) | \
        ((values > high) if high is not None else False)
    if np.any(outside):
        row = int(np.flatnonzero(np.asarray(outside))[0])
        raise MovieLensError(
            f"{path}: column {column!r} must lie in [{low}, {high}]; line {first_line + row} has "
            f"{frame[column].iloc[row]!r}"
        )
    return values.astype(dtype)


def _no_repeats(values: pd.Series, path: Path, column: str, first_line: int = 1) -> None:
    repeated = values.duplicated().to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise MovieLensError(f"{path}: column {column!r} must not repeat; line {first_line + row} "
                             f"repeats {int(values.iloc[row])}")


def read_info(directory: str | Path) -> dict[str, int]:
    """Counts stated in u.info: ``{"users": 943, "items": 1682, "ratings": 100000}``."""
    path = Path(directory) / "u.info"
    counts: dict[str, int] = {}
    for line in _decode(path, "ascii").splitlines():
        match = re.fullmatch(r"\s*(\d+)\s+(users|items|ratings)\s*", line)
        if match:
            counts[match.group(2)] = int(match.group(1))
    if set(counts) != {"users", "items", "ratings"}:
        raise MovieLensError(f"{path}: expected lines '<n> users', '<n> items', '<n> ratings'")
    return counts


def load_ratings(directory: str | Path) -> pd.DataFrame:
    """u.data as ``user_id, movie_id, rating, timestamp``, sorted by user, movie."""
    path = Path(directory) / "u.data"
    raw = _read_delimited(path, "\t", RATINGS_COLUMNS, "ascii")
    ratings = pd.DataFrame({
        "user_id": _to_int(raw, "user_id", path, RATINGS_DTYPES["user_id"], low=1),
        "movie_id": _to_int(raw, "movie_id", path, RATINGS_DTYPES["movie_id"], low=1),
        "rating": _to_int(raw, "rating", path, RATINGS_DTYPES["rating"], low=1, high=5),
        "timestamp": _to_int(raw, "timestamp", path, RATINGS_DTYPES["timestamp"], low=0),
    })
    repeated = ratings.duplicated(["user_id", "movie_id"]).to_numpy()
    if repeated.any():
        line = int(np.flatnonzero(repeated)[0]) + 1
        pair = tuple(int(v) for v in ratings.loc[line - 1, ["user_id", "movie_id"]])
        raise MovieLensError(f"{path}: line {line} repeats the (user_id, movie_id) pair {pair}")
    return ratings.sort_values(["user_id", "movie_id"], kind="stable").reset_index(drop=True)


YEAR_IN_TITLE = re.compile(r"\((\d{4})\)\s*$")


def load_items(directory: str | Path) -> pd.DataFrame:
    """u.item (latin-1) with title, year, release date, IMDb URL and 19 genre flags."""
    path = Path(directory) / "u.item"
    raw = _read_delimited(path, "|", ITEM_COLUMNS, "latin-1")
    release = pd.to_datetime(raw["release_date"].replace("", None), format="%d-%b-%Y",
                             errors="coerce")
    title_year = pd.to_numeric(raw["title"].str.extract(YEAR_IN_TITLE, expand=False),
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
    _no_repeats(items["movie_id"], path, "movie_id")
    return items.sort_values("movie_id", kind="stable").reset_index(drop=True)


def load_users(directory: str | Path) -> pd.DataFrame:
    """u.user as ``user_id, age, gender, occupation, zip_code``."""
    path = Path(directory) / "u.user"
    raw = _read_delimited(path, "|", USER_COLUMNS, "ascii")
    gender = raw["gender"].str.strip()
    require_values(raw, "gender", gender.isin(["M", "F"]).to_numpy(), "'M' or 'F'", path)
    users = pd.DataFrame({
        "user_id": _to_int(raw, "user_id", path, "int32", low=1),
        "age": _to_int(raw, "age", path, "int16", low=1, high=120),
        "gender": gender.astype("string"),
        "occupation": raw["occupation"].str.strip().astype("string"),
        "zip_code": raw["zip_code"].str.strip().astype("string"),
    })
    _no_repeats(users["user_id"], path, "user_id")
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
    for column, table, file in (("user_id", data.users, "u.user"),
                                ("movie_id", data.items, "u.item")):
        unknown = ~data.ratings[column].isin(table[column])
        if unknown.any():
            value = int(data.ratings.loc[unknown.to_numpy(), column].iloc[0])
            raise MovieLensError(f"{directory / 'u.data'}: a rating refers to {column} {value}, "
                                 f"which {directory / file} does not list")
    return data
