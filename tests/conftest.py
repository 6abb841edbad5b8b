"""Shared fixtures: the project root, MovieLens 100K, and one CI build of the pipeline per session.

MovieLens comes the way the pipeline gets it: ``$MOVIELENS_DIR`` (or ``movielens_dir`` in
config/ci.yaml) when given, else the published archive downloaded once, verified, and cached in
``$XDG_CACHE_HOME/interference-book`` (default ``~/.cache/interference-book``) outside the clone.
When a collected test needs the data and neither a copy nor the network is available, the session
stops before any test runs with one message saying what to do.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from analysis.movielens.download import ArchiveSpec, DownloadError
from analysis.movielens.load import MovieLensError
from analysis.movielens.schema import REQUIRED_FILES
from analysis.movielens.source import (
    ENV_VAR,
    archive_spec,
    cached_download,
    local_copy,
    user_cache_dir,
)

ROOT = Path(__file__).resolve().parents[1]
CI_CONFIG = ROOT / "config" / "ci.yaml"
DATA_FIXTURES = {"ci_results", "movielens_dir", "movielens_copy"}
NO_MOVIELENS = "MovieLens 100K is not available, so the tests that need it cannot run"


def snakemake_command(*args: str) -> list[str]:
    """`snakemake` from the running interpreter's environment."""
    return [sys.executable, "-m", "snakemake", "--cores", "2", *args]


def ci_config() -> dict:
    return yaml.safe_load(CI_CONFIG.read_text(encoding="utf-8"))


def _archive_spec() -> ArchiveSpec:
    defaults = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    return archive_spec({**defaults["movielens"], **ci_config().get("movielens", {})})


_MOVIELENS: list[Path] = []


def movielens_path() -> Path:
    """The MovieLens folder for this session (resolved once; exits the session if unavailable).

    Exported as ``$MOVIELENS_DIR`` so every Snakemake run the tests start uses the same copy.
    """
    if _MOVIELENS:
        return _MOVIELENS[0]
    cache = user_cache_dir(os.environ)
    try:
        found = local_copy(ci_config().get("movielens_dir"), os.environ)
        folder = found[0] if found else cached_download(_archive_spec(), cache)
    except (MovieLensError, DownloadError) as exc:
        pytest.exit(
            f"{NO_MOVIELENS}: {exc}\n"
            f"Either point {ENV_VAR} at an ml-100k folder "
            f"({ENV_VAR}=/path/to/ml-100k make test), or let the tests download the published "
            f"archive once (network needed; it is verified and cached in {cache}).",
            returncode=4,
        )
    folder = folder.resolve()
    os.environ[ENV_VAR] = str(folder)
    _MOVIELENS.append(folder)
    return folder


def _needs_movielens(item: pytest.Item) -> bool:
    fixtures = DATA_FIXTURES - ({"ci_results"} if os.environ.get("BOOK_TEST_RESULTS") else set())
    return (item.get_closest_marker("movielens") is not None
            or (item.get_closest_marker("pipeline") is not None
                and not os.environ.get("BOOK_TEST_RESULTS"))
            or bool(fixtures & set(getattr(item, "fixturenames", ()))))


def pytest_collection_modifyitems(session: pytest.Session, config: pytest.Config,
                                  items: list[pytest.Item]) -> None:
    """Find MovieLens before the first test runs, so a missing copy stops the session at once."""
    if any(_needs_movielens(item) for item in items):
        movielens_path()


@pytest.fixture(scope="session")
def project_root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def movielens_dir() -> Path:
    """The MovieLens 100K folder the session uses."""
    return movielens_path()


@pytest.fixture()
def movielens_copy(tmp_path: Path, movielens_dir: Path) -> Path:
    """A writable copy of the MovieLens files in ``tmp_path/ml-100k``, for a test to damage."""
    target = tmp_path / "ml-100k"
    target.mkdir()
    for name in REQUIRED_FILES:
        shutil.copyfile(movielens_dir / name, target / name)
    return target


@pytest.fixture(scope="session")
def ci_results() -> Path:
    """Build every artifact and the selected exercises from config/ci.yaml (incrementally) and
    return the results folder.

    The build is the real pipeline, end to end, on the session's MovieLens copy. Set
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
    movielens_path()
    # the default target and the exercises config/ci.yaml selects (the solutions appendix)
    result = subprocess.run(snakemake_command("all", "exercises", "--configfile", str(CI_CONFIG)),
                            cwd=ROOT, capture_output=True, text=True)
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
    ``BOOK_TEST_RESULTS=results`` checks the default build), the log to ``logs/render.log`` beside
    the results folder.
    """
    from analysis.quarto_render import render

    out = ci_results.parent / "_book"
    return render(ROOT, out, results_dir=ci_results, quarto=quarto,
                  log_path=ci_results.parent / "logs" / "render.log")
