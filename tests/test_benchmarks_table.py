"""The benchmark table reader used by the reproducibility appendix."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.report.benchmarks import (
    BENCHMARK_COLUMNS,
    LIMIT_COLUMNS,
    benchmark_machine,
    benchmark_targets,
    count_phrase,
    count_word,
    limit_words,
    load_benchmarks,
)
from tests.conftest import ROOT


def _write(path, rows):
    pd.DataFrame(rows, columns=list(BENCHMARK_COLUMNS)).to_csv(path, index=False)


def test_load_benchmarks_reader_columns_and_values(tmp_path):
    path = tmp_path / "benchmarks.csv"
    _write(path, [
        {"hot_path": "neighbour share", "size": 10_000, "size_label": "10,000 nodes",
         "seconds": 0.0123456, "reference_seconds": 1.5, "reference_extrapolated": True,
         "speedup": 121.5, "peak_mb": 12.4, "bytes_touched": 1e6, "bound_seconds": 0.004,
         "ratio_to_bound": 3.0864, "copy_bandwidth_gbs": 10.0},
        {"hot_path": "network world step (scale build)", "size": 1_000_000,
         "size_label": "1,000,000 nodes", "seconds": 58.2, "peak_mb": 1812.0},
    ])
    table = load_benchmarks(path)
    assert list(table.columns) == ["Computation", "Size", "Time (s)", "Plain reference (s)",
                                   "Speed-up over reference", "Peak memory (MB)",
                                   "Time / bandwidth bound"]
    first, second = table.iloc[0], table.iloc[1]
    assert first["Computation"] == "Neighbour share"
    assert first["Time (s)"] == "0.0123"
    assert first["Plain reference (s)"] == "1.5 (extrapolated)"
    assert first["Speed-up over reference"] == "122×"
    assert first["Time / bandwidth bound"] == "3.1"
    assert second["Computation"] == "Network world step (scale build)"
    assert second["Time (s)"] == "58.2"
    assert second["Peak memory (MB)"] == "1,812"
    assert second["Plain reference (s)"] == "" and second["Speed-up over reference"] == ""


def test_rows_above_their_bound_say_what_limits_them(tmp_path):
    path = tmp_path / "benchmarks.csv"
    rows = [
        {"hot_path": "randomization inference", "size": 10_000, "size_label": "10,000 units",
         "seconds": 0.06, "reference_seconds": 6.0, "reference_extrapolated": True,
         "speedup": 100.0, "peak_mb": 5.0, "bytes_touched": 1e7, "bound_seconds": 0.0005,
         "ratio_to_bound": 120.0, "copy_bandwidth_gbs": 20.0,
         "limited_by": "random-number generation", "limit_seconds": 0.0412},
        {"hot_path": "bipartite buyer exposure", "size": 10, "size_label": "10 buyers",
         "seconds": 0.001, "reference_seconds": 1.0, "reference_extrapolated": False,
         "speedup": 1000.0, "peak_mb": 1.0, "bytes_touched": 1e7, "bound_seconds": 0.0005,
         "ratio_to_bound": 2.0, "copy_bandwidth_gbs": 20.0},
    ]
    pd.DataFrame(rows, columns=list(BENCHMARK_COLUMNS) + list(LIMIT_COLUMNS)).to_csv(
        path, index=False)
    table = load_benchmarks(path)
    assert table.columns[-1] == "What limits it (that step alone)"
    assert table.iloc[:, -1].tolist() == ["random-number generation (0.0412 s)", ""]
    assert limit_words("sparse product", float("nan")) == "sparse product"
    assert limit_words(float("nan"), 0.5) == ""


def test_load_benchmarks_names_missing_columns(tmp_path):
    path = tmp_path / "old.csv"
    pd.DataFrame({"hot_path": ["x"], "seconds": [1.0]}).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"old\.csv: missing benchmark columns .*size_label"):
        load_benchmarks(path)


def test_machine_facts_are_one_row_and_named_when_missing(tmp_path):
    path = tmp_path / "last-run.csv"
    rows = pd.DataFrame({"hot_path": ["a", "b"], "machine_cores": [2, 2],
                         "machine_cpu": ["Some CPU", "Some CPU"], "run_date": ["2026-11-24"] * 2})
    rows.to_csv(path, index=False)
    facts = benchmark_machine(path)
    assert facts.to_dict("records") == [{"processor": "Some CPU", "cores": 2,
                                         "date": "2026-11-24"}]
    rows.drop(columns=["run_date"]).to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"last-run\.csv: missing machine columns \['run_date'\]"):
        benchmark_machine(path)


def test_appendix_table_is_the_tracked_benchmark_run(ci_results):
    """Every number of the reproducibility appendix's table comes from the tracked CSV."""
    tracked = ROOT / "benchmarks" / "last-run.csv"
    shown = pd.read_parquet(ci_results / "tables" / "benchmarks_last_run.parquet")
    pd.testing.assert_frame_equal(shown, load_benchmarks(tracked))
    raw = pd.read_csv(tracked)
    assert shown["Time (s)"].tolist() == [f"{v:.3g}" if v < 1000 else f"{v:,.0f}"
                                          for v in raw["seconds"]]
    machine = pd.read_parquet(ci_results / "tables" / "benchmarks_machine.parquet")
    assert machine["cores"].iloc[0] == raw["machine_cores"].iloc[0]
    assert machine["processor"].iloc[0] == raw["machine_cpu"].iloc[0]


def test_targets_count_hot_paths_and_scale_steps_separately(tmp_path):
    path = tmp_path / "benchmarks.csv"
    hot = {"size": 10, "size_label": "10", "reference_extrapolated": False, "bytes_touched": 1.0,
           "bound_seconds": 1.0, "copy_bandwidth_gbs": 10.0}
    _write(path, [
        {**hot, "hot_path": "a", "seconds": 1.0, "reference_seconds": 60.0, "speedup": 60.0,
         "peak_mb": 1.0, "ratio_to_bound": 4.9},
        {**hot, "hot_path": "b", "seconds": 1.0, "reference_seconds": 49.0, "speedup": 49.0,
         "peak_mb": 1.0, "ratio_to_bound": 5.1},
        {"hot_path": "step (scale build)", "size": 10, "size_label": "10", "seconds": 59.9,
         "peak_mb": 2100.0},
    ])
    targets = benchmark_targets(path).set_index("target")
    assert targets.loc["speedup", ["rows", "met"]].tolist() == [2, 1]
    assert targets.loc["bound", ["rows", "met"]].tolist() == [2, 1]
    assert targets.loc["scale_time", ["rows", "met"]].tolist() == [1, 1]
    assert targets.loc["scale_memory", ["rows", "met"]].tolist() == [1, 0]


def test_count_words():
    assert [count_phrase(m, 17) for m in (17, 0, 13)] == ["all 17", "none of the 17",
                                                          "13 of the 17"]
    assert [count_word(m, 4) for m in (4, 0, 3)] == ["all", "none", "3"]
    with pytest.raises(ValueError, match="met=5, rows=4"):
        count_word(5, 4)
