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


# -- the rendered book (real Quarto) ----------------------------------------------------------------
REQUIRE_QUARTO = "BOOK_REQUIRE_QUARTO"


@pytest.fixture(scope="session")
def quarto() -> Path:
    """The quarto command; skips the rendered-book tests where Quarto is absent.

    With ``BOOK_REQUIRE_QUARTO=1`` (CI sets it) a missing Quarto fails instead of skipping.
    """
    from analysis.quarto_render import find_quarto

    path = find_quarto()
    if path is None:
        message = ("Quarto is not installed, so the rendered book (HTML + PDF) is not checked: "
                   "install Quarto >= 1.9 (https://quarto.org/docs/get-started/) or set QUARTO to "
                   "the quarto command")
        if os.environ.get(REQUIRE_QUARTO) == "1":
            pytest.fail(f"{REQUIRE_QUARTO}=1: {message}")
        pytest.skip(message)
    return path


@pytest.fixture(scope="session")
def rendered_book(ci_results: Path, quarto: Path):
    """The whole book rendered by the real Quarto (HTML + Typst PDF) against ``ci_results``.

    Output goes beside the results folder (``build/ci/_book`` for the CI build; ``_book`` when
    ``BOOK_TEST_RESULTS=results`` checks the default build), the log to ``render.log`` there.
    """
    from analysis.quarto_render import render

    out = ci_results.parent / "_book"
    return render(ROOT, out, results_dir=ci_results, quarto=quarto,
                  log_path=ci_results.parent / "render.log")
