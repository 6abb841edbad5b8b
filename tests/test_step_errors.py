"""A failing step: one clear line per error on the console, the traceback in the rule's log."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.movielens.schema import REQUIRED_FILES
from tests.conftest import CI_CONFIG, ROOT, snakemake_command

pytestmark = pytest.mark.movielens


@pytest.fixture()
def damaged_copy(movielens_copy: Path) -> Path:
    copy = movielens_copy
    lines = (copy / "u.data").read_text().split("\n")
    lines[41] = "10\t20\tfour\t881250949"
    (copy / "u.data").write_text("\n".join(lines))
    return copy


def test_step_prints_one_line_and_logs_the_traceback(damaged_copy: Path, tmp_path: Path):
    log = tmp_path / "logs" / "movielens.log"
    results = tmp_path / "results"
    result = subprocess.run(
        [sys.executable, "-m", "analysis", "movielens", "--params",
         json.dumps({"movielens_dir": str(damaged_copy)}), "--data-dir", str(tmp_path / "data"),
         "--results-dir", str(results), "--inputs",
         *[str(damaged_copy / n) for n in REQUIRED_FILES],
         "--outputs", str(results / "manifest" / "movielens.json"), "--log", str(log)],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    errors = [line for line in result.stderr.splitlines() if line.startswith("ERROR")]
    assert errors == [
        f"ERROR analysis: step movielens failed: MovieLensError: {damaged_copy / 'u.data'}: "
        f"column 'rating' must be an integer; line 42 has 'four' (traceback in {log})"]
    assert "Traceback" not in result.stderr
    logged = log.read_text()
    assert "Traceback (most recent call last)" in logged and "load_ratings" in logged
    assert not (results / "manifest" / "movielens.json").exists()


def test_pipeline_console_shows_the_line_not_the_traceback(damaged_copy: Path, tmp_path: Path):
    override = tmp_path / "override.yaml"
    override.write_text(yaml.safe_dump({"movielens_dir": str(damaged_copy),
                                        "data_dir": str(tmp_path / "data"),
                                        "results_dir": str(tmp_path / "results"),
                                        "log_dir": str(tmp_path / "logs")}))
    result = subprocess.run(
        snakemake_command("--nolock", "--configfile", str(CI_CONFIG), str(override), "--",
                          str(tmp_path / "results" / "manifest" / "movielens.json")),
        cwd=ROOT, capture_output=True, text=True)
    console = result.stdout + result.stderr
    assert result.returncode != 0
    assert console.count("line 42 has 'four'") == 1
    assert "Traceback (most recent call last)" not in console
    assert "Traceback (most recent call last)" in (tmp_path / "logs" / "movielens.log").read_text()
    assert not list((tmp_path / "results").rglob("*.parquet"))
