"""The benchmark table (`make bench` -> results/benchmarks.csv) with reader-facing columns.

``benchmarks/hot_paths.py`` writes one row per hot path and size; :func:`load_benchmarks` reads
that file for the reproducibility appendix: checked columns, reader words, rounded numbers.
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd

__all__ = ["BENCHMARK_COLUMNS", "BOUND_TARGET", "LIMIT_COLUMNS", "MACHINE_COLUMNS",
           "READER_COLUMNS", "SCALE_PEAK_MB_TARGET", "SCALE_SECONDS_TARGET", "SPEEDUP_TARGET",
           "TARGETS", "benchmark_machine", "benchmark_targets", "count_phrase", "count_word",
           "limit_words", "load_benchmarks"]

#: Columns of results/benchmarks.csv, in order.
BENCHMARK_COLUMNS: tuple[str, ...] = (
    "hot_path", "size", "size_label", "seconds", "reference_seconds", "reference_extrapolated",
    "speedup", "peak_mb", "bytes_touched", "bound_seconds", "ratio_to_bound",
    "copy_bandwidth_gbs",
)

#: Columns that explain a row more than five times above its bandwidth bound: what limits it
#: and the time of that step alone, measured in the same run. Tables written before these
#: columns existed are still read (the appendix then has no such column).
LIMIT_COLUMNS: tuple[str, ...] = ("limited_by", "limit_seconds")

#: Columns the tracked copy (benchmarks/last-run.csv) adds: the machine and the date of the run.
MACHINE_COLUMNS: tuple[str, ...] = ("machine_cores", "machine_cpu", "run_date")

#: CSV column -> column name a reader sees.
READER_COLUMNS: dict[str, str] = {
    "hot_path": "Computation",
    "size_label": "Size",
    "seconds": "Time (s)",
    "reference_seconds": "Plain reference (s)",
    "speedup": "Speed-up over reference",
    "peak_mb": "Peak memory (MB)",
    "ratio_to_bound": "Time / bandwidth bound",
    "limited_by": "What limits it (that step alone)",
}


#: The targets of issue 11. Hot paths: speed-up over the plain reference at least this much,
#: time at most this many times the memory-bandwidth bound; million-node pipeline steps: wall
#: time and peak memory below these.
SPEEDUP_TARGET = 50.0
BOUND_TARGET = 5.0
SCALE_SECONDS_TARGET = 60.0
SCALE_PEAK_MB_TARGET = 2000.0


def _read_benchmarks(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The benchmark CSV as written by ``make bench``; a clear error when it misses columns."""
    table = pd.read_csv(path)
    missing = [c for c in BENCHMARK_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{os.fspath(path)}: missing benchmark columns {missing}; expected "
                         f"{list(BENCHMARK_COLUMNS)} (re-run `make bench`)")
    return table


def load_benchmarks(path: str | os.PathLike[str]) -> pd.DataFrame:
    """The last ``make bench`` as a reader-facing table, one row per computation and size.

    Extrapolated reference times are marked with "(extrapolated)"; cells with no reference or
    bound (the scale-build rows) are empty. Raises a clear error when the file misses columns.
    """
    table = _read_benchmarks(path)
    out = pd.DataFrame({
        "hot_path": table["hot_path"].map(lambda s: s[:1].upper() + s[1:]),
        "size_label": table["size_label"],
        "seconds": table["seconds"].map(_seconds),
        "reference_seconds": [
            "" if not np.isfinite(s) else _seconds(s) + (" (extrapolated)" if bool(e) else "")
            for s, e in zip(table["reference_seconds"].astype(float),
                            table["reference_extrapolated"].fillna(False), strict=True)],
        "speedup": table["speedup"].map(lambda v: "" if not np.isfinite(v) else f"{v:,.0f}×"),
        "peak_mb": table["peak_mb"].map(lambda v: "" if not np.isfinite(v) else f"{v:,.0f}"),
        "ratio_to_bound": table["ratio_to_bound"].map(
            lambda v: "" if not np.isfinite(v) else f"{v:,.1f}"),
    })
    if all(c in table.columns for c in LIMIT_COLUMNS):
        out["limited_by"] = [limit_words(what, seconds) for what, seconds in
                             zip(table["limited_by"], table["limit_seconds"].astype(float),
                                 strict=True)]
    return out.rename(columns=READER_COLUMNS)


#: Every target as (id, what a reader reads); :func:`benchmark_targets` counts rows meeting it.
TARGETS: tuple[tuple[str, str], ...] = (
    ("speedup", "at least 50 times faster than the plain reference"),
    ("bound", "within 5 times the memory-bandwidth bound"),
    ("scale_time", "a million-node pipeline step in under 60 seconds"),
    ("scale_memory", "a million-node pipeline step in under 2 GB of memory"),
)


def benchmark_targets(path: str | os.PathLike[str]) -> pd.DataFrame:
    """One row per target: its wording, how many rows it applies to and how many meet it.

    Hot-path rows (those with a plain reference) are held to the speed-up (>= 50x) and the
    bandwidth bound (ratio <= 5); the scale-build rows (pipeline steps at a million nodes or
    buyers, no reference) to under 60 s wall time and under 2,000 MB peak memory.
    """
    table = _read_benchmarks(path)
    hot = np.isfinite(table["reference_seconds"].astype(float)).to_numpy()
    met = {
        "speedup": table["speedup"].astype(float)[hot] >= SPEEDUP_TARGET,
        "bound": table["ratio_to_bound"].astype(float)[hot] <= BOUND_TARGET,
        "scale_time": table["seconds"].astype(float)[~hot] < SCALE_SECONDS_TARGET,
        "scale_memory": table["peak_mb"].astype(float)[~hot] < SCALE_PEAK_MB_TARGET,
    }
    return pd.DataFrame({"target": [key for key, _ in TARGETS],
                         "wording": [words for _, words in TARGETS],
                         "rows": [int(met[key].size) for key, _ in TARGETS],
                         "met": [int(met[key].sum()) for key, _ in TARGETS]})


def _check_counts(met: int, rows: int) -> None:
    if not 0 <= met <= rows or rows < 1:
        raise ValueError(f"expected 0 <= met <= rows and rows >= 1, got met={met}, rows={rows}")


def count_phrase(met: int, rows: int) -> str:
    """How many of ``rows`` meet a target, before a plural noun: "all 17", "none of the 17",
    "15 of the 17"."""
    _check_counts(met, rows)
    if met == rows:
        return f"all {rows}"
    if met == 0:
        return f"none of the {rows}"
    return f"{met} of the {rows}"


def count_word(met: int, rows: int) -> str:
    """How many of ``rows`` meet a target, after "Of the N ...,": "all", "none", "3"."""
    _check_counts(met, rows)
    return "all" if met == rows else "none" if met == 0 else str(met)


def limit_words(limited_by: object, seconds: float) -> str:
    """"random-number generation (0.0312 s)"; empty when the row names no limit."""
    if not isinstance(limited_by, str) or not limited_by.strip():
        return ""
    return limited_by if not np.isfinite(seconds) else f"{limited_by} ({_seconds(seconds)} s)"


def _seconds(value: float) -> str:
    """Seconds with three significant digits (0.00123, 1.23, 123)."""
    return f"{value:.3g}" if value < 1000 else f"{value:,.0f}"


def benchmark_machine(path: str | os.PathLike[str]) -> pd.DataFrame:
    """One row: the processor, its core count and the date of the run in the tracked table."""
    table = pd.read_csv(path)
    missing = [c for c in MACHINE_COLUMNS if c not in table.columns]
    if missing:
        raise ValueError(f"{os.fspath(path)}: missing machine columns {missing}; expected "
                         f"{list(MACHINE_COLUMNS)} (written by `make bench`)")
    facts = table[list(MACHINE_COLUMNS)].drop_duplicates()
    if len(facts) != 1:
        raise ValueError(f"{os.fspath(path)}: expected one machine and date, got {len(facts)}")
    return pd.DataFrame({"processor": [str(facts["machine_cpu"].iloc[0])],
                         "cores": [int(facts["machine_cores"].iloc[0])],
                         "date": [str(facts["run_date"].iloc[0])]})
