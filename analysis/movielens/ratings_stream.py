"""Read a large MovieLens ratings file in bounded chunks into compact typed columns.

ml-1m's ``ratings.dat`` (``::``-separated) and ml-25m/ml-32m's ``ratings.csv`` hold one rating a
line. The file is parsed by pandas' C reader ``chunk_rows`` lines at a time; each chunk is checked
(field count, integer ids, the rating scale) and reduced to int32 ids, an int8 (whole stars) or
float32 (half stars) rating and an int64 timestamp before the next is read, so the peak memory is
the compact result plus one chunk. Every problem names the file, the line and what was expected.
"""

from __future__ import annotations

import io
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.movielens.load import MovieLensError

#: Column names of the tidy ratings table, in file order for every release.
RATINGS_COLUMNS: tuple[str, ...] = ("user_id", "movie_id", "rating", "timestamp")

#: Stand-in for ml-1m's two-character separator, so the C reader can split the lines.
UNIT_SEPARATOR = "\x1f"


@dataclass(frozen=True)
class RatingsFormat:
    """How one release writes its ratings file."""

    separator: str  # as written in the file: "::" or ","
    header: tuple[str, ...] | None  # the exact header row, or None when there is none
    half_stars: bool  # ratings in 0.5 steps from 0.5 to 5 (else whole stars 1 to 5)

    @property
    def expected(self) -> str:
        return f"4 {self.separator!r}-separated columns ({', '.join(RATINGS_COLUMNS)})"


DAT_RATINGS = RatingsFormat(separator="::", header=None, half_stars=False)
CSV_RATINGS = RatingsFormat(separator=",", header=("userId", "movieId", "rating", "timestamp"),
                            half_stars=True)


class _SeparatorStream(io.RawIOBase):
    """A binary file read with every ``::`` replaced by :data:`UNIT_SEPARATOR` (one byte)."""

    def __init__(self, path: Path, block: int = 1 << 20) -> None:
        self._handle = open(path, "rb")  # noqa: SIM115 (closed in close())
        self._block = block
        self._pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._pending:
            data = self._handle.read(self._block)
            if not data:
                return 0
            if data.endswith(b":"):  # a separator may straddle two blocks
                data += self._handle.read(1)
            self._pending = data.replace(b"::", UNIT_SEPARATOR.encode())
        n = min(len(buffer), len(self._pending))
        buffer[:n] = self._pending[:n]
        self._pending = self._pending[n:]
        return n

    def close(self) -> None:
        self._handle.close()
        super().close()


def _line_at(path: Path, line: int) -> str:
    """The text of 1-based line ``line`` (read again, only to word an error)."""
    with open(path, encoding="latin-1", newline="") as handle:
        found = next(itertools.islice(handle, line - 1, None), "")
    return found.rstrip("\r\n")


def _fail_fields(path: Path, line: int, fmt: RatingsFormat) -> MovieLensError:
    text = _line_at(path, line)
    n_fields = len(text.split(fmt.separator)) if text else 0
    return MovieLensError(f"{path}: line {line} has {n_fields} field(s), expected "
                          f"{fmt.expected}: {text[:120]!r}")


def _check_header(path: Path, fmt: RatingsFormat) -> int:
    """Lines before the data (0 or 1), after checking the header row is the expected one."""
    if fmt.header is None:
        return 0
    first = _line_at(path, 1)
    if first.split(fmt.separator) != list(fmt.header):
        raise MovieLensError(f"{path}: line 1 must be the header {','.join(fmt.header)!r}; "
                             f"found {first[:120]!r}")
    return 1


def _shown(value: object) -> str:
    """A parsed field as the text it came from ('' for an empty field)."""
    return "" if pd.isna(value) else str(value)


def _integer_column(values: pd.Series, column: str, path: Path, first_line: int,
                    low: int, high: int | None = None) -> np.ndarray:
    """``values`` as int64 after checking every entry is an integer in ``[low, high]``."""
    if pd.api.types.is_integer_dtype(values.dtype):  # the common case: the parser found integers
        ints = values.to_numpy()
        if ints.min() >= low and (high is None or ints.max() <= high):
            return ints
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numbers) | (numbers != np.floor(numbers)) | (numbers < low)
        if high is not None:
            bad |= numbers > high
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        bound = f"an integer >= {low}" if high is None else f"an integer in [{low}, {high}]"
        raise MovieLensError(f"{path}: column {column!r} must be {bound}; line {first_line + row} "
                             f"has {_shown(values.iloc[row])!r}")
    return numbers.astype(np.int64)


def _rating_column(values: pd.Series, path: Path, first_line: int, half_stars: bool
                   ) -> np.ndarray:
    numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    step, low = (0.5, 0.5) if half_stars else (1.0, 1.0)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numbers) | (numbers < low) | (numbers > 5) | \
            (numbers / step != np.floor(numbers / step))
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        scale = "0.5, 1.0, ..., 5.0 (half stars)" if half_stars else "1, 2, 3, 4 or 5 (stars)"
        raise MovieLensError(f"{path}: column 'rating' must be one of {scale}; line "
                             f"{first_line + row} has {_shown(values.iloc[row])!r}")
    return numbers.astype(np.float32) if half_stars else numbers.astype(np.int8)


def _chunks(path: Path, fmt: RatingsFormat, skip: int, chunk_rows: int
            ) -> Iterator[tuple[int, pd.DataFrame]]:
    """(first line number, chunk) pairs; a line with too many fields raises with its number.

    Columns come back as pandas infers them (int64 when clean), which keeps a chunk small; the
    checks in :func:`read_ratings` word any other problem.
    """
    source: io.BufferedIOBase | Path
    sep = fmt.separator
    if len(sep) > 1:
        source, sep = io.BufferedReader(_SeparatorStream(path)), UNIT_SEPARATOR
    else:
        source = path
    first_line = skip + 1
    try:
        reader = pd.read_csv(source, sep=sep, header=None, names=list(RATINGS_COLUMNS),
                             skiprows=skip, quoting=3,
                             engine="c", skip_blank_lines=False, encoding="latin-1",
                             chunksize=chunk_rows)
        with reader:
            for chunk in reader:
                yield first_line, chunk
                first_line += len(chunk)
    except pd.errors.ParserError as exc:
        found = re.search(r"in line (\d+)", str(exc))
        if not found:
            raise MovieLensError(f"{path}: cannot be split into {fmt.expected}: {exc}") from None
        raise _fail_fields(path, skip + int(found.group(1)), fmt) from None
    finally:
        if isinstance(source, io.BufferedIOBase):
            source.close()


def read_ratings(path: str | Path, fmt: RatingsFormat, chunk_rows: int = 500_000
                 ) -> pd.DataFrame:
    """The ratings file as ``user_id, movie_id, rating, timestamp``, sorted by user and movie.

    Compact dtypes: int32 ids, int8 whole-star or float32 half-star ratings, int64 timestamps.
    A repeated (user, movie) pair is an error naming the line of its second occurrence.
    """
    path = Path(path)
    if not path.is_file() or path.stat().st_size == 0:
        raise MovieLensError(f"{path}: missing or empty; expected one rating a line, "
                             f"{fmt.expected}")
    skip = _check_header(path, fmt)
    parts: dict[str, list[np.ndarray]] = {name: [] for name in RATINGS_COLUMNS}
    for first_line, chunk in _chunks(path, fmt, skip, chunk_rows):
        missing = chunk.isna().to_numpy().any(axis=1)
        if missing.any():
            line = first_line + int(np.flatnonzero(missing)[0])
            text = _line_at(path, line)
            if len(text.split(fmt.separator)) != len(RATINGS_COLUMNS):
                raise _fail_fields(path, line, fmt)
        parts["user_id"].append(_integer_column(chunk["user_id"], "user_id", path, first_line,
                                                1, np.iinfo(np.int32).max).astype(np.int32))
        parts["movie_id"].append(_integer_column(chunk["movie_id"], "movie_id", path, first_line,
                                                 1, np.iinfo(np.int32).max).astype(np.int32))
        parts["rating"].append(_rating_column(chunk["rating"], path, first_line, fmt.half_stars))
        parts["timestamp"].append(_integer_column(chunk["timestamp"], "timestamp", path,
                                                  first_line, 0))
        del chunk
    if not parts["user_id"]:
        raise MovieLensError(f"{path}: holds no ratings; expected {fmt.expected}")
    return _sorted_without_repeats(parts, path, skip)


def _sorted_without_repeats(parts: dict[str, list[np.ndarray]], path: Path, skip: int
                            ) -> pd.DataFrame:
    """The chunks joined and sorted by (user, movie), one column at a time to bound the peak."""
    user = np.concatenate(parts.pop("user_id"))
    movie = np.concatenate(parts.pop("movie_id"))
    ascending = (user[1:] > user[:-1]) | ((user[1:] == user[:-1]) & (movie[1:] > movie[:-1]))
    if ascending.all():  # already sorted without repeats (as ml-25m writes it): no reordering
        return pd.DataFrame({"user_id": user, "movie_id": movie,
                             **{name: np.concatenate(parts.pop(name))
                                for name in ("rating", "timestamp")}}, copy=False)
    del ascending
    order = np.lexsort((movie, user))
    user_sorted, movie_sorted = user[order], movie[order]
    repeated = (user_sorted[1:] == user_sorted[:-1]) & (movie_sorted[1:] == movie_sorted[:-1])
    if repeated.any():
        first = int(order[np.flatnonzero(repeated) + 1].min())
        raise MovieLensError(f"{path}: line {skip + 1 + first} repeats the (user_id, movie_id) "
                             f"pair ({int(user[first])}, {int(movie[first])})")
    del user, movie, repeated
    columns = {"user_id": user_sorted, "movie_id": movie_sorted}
    for name in ("rating", "timestamp"):
        columns[name] = np.concatenate(parts.pop(name))[order]
    return pd.DataFrame(columns, copy=False)
