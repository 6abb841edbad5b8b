"""Shared fixtures: the project root and one CI build of the whole pipeline per test session."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
CI_CONFIG = ROOT / "config" / "ci.yaml"
SHARED_ML100K = ROOT.parent / "shared" / "data" / "ml-100k"


def snakemake_command(*args: str) -> list[str]:
    """`snakemake` from the running interpreter's environment."""
    return [sys.executable, "-m", "snakemake", "--cores", "2", *args]


def ci_config() -> dict:
    return yaml.safe_load(CI_CONFIG.read_text(encoding="utf-8"))


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def ci_results() -> Path:
    """Build every artifact from config/ci.yaml (incrementally) and return the results folder.

    The build is the real pipeline, end to end, on the shared MovieLens copy. Set
    ``BOOK_TEST_RESULTS=results`` to check an existing build instead (e.g. the full book build:
    ``BOOK_TEST_RESULTS=results pytest tests/test_book.py``).
    """
    existing = os.environ.get("BOOK_TEST_RESULTS")
    if existing:
        results = (ROOT / existing).resolve()
        if not (results / "manifest.json").exists():
            pytest.fail(f"BOOK_TEST_RESULTS={existing}: no manifest.json there")
        os.environ["BOOK_RESULTS_DIR"] = str(results)
        return results
    result = subprocess.run(snakemake_command("--configfile", str(CI_CONFIG)), cwd=ROOT,
                            capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"CI pipeline failed:\n{result.stdout[-4000:]}\n{result.stderr[-8000:]}")
    results = ROOT / ci_config()["results_dir"]
    os.environ["BOOK_RESULTS_DIR"] = str(results)
    return results
