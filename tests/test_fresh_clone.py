"""A clone on a machine without ../shared: works with MOVIELENS_DIR, stops at once without data.

The "clone" holds exactly the files a clone of this working tree would get (tracked files plus
new, not-ignored ones, so uncommitted work is tested too), in a temporary folder with no
``shared`` folder beside it. Both runs block the network (proxies pointing at a closed port) and
use an empty per-user cache, so nothing can be fetched behind the test's back.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import NO_MOVIELENS, ROOT, snakemake_command

CLOSED_PORT_PROXY = "http://127.0.0.1:9"


def clone_working_tree(target: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            cwd=ROOT, capture_output=True)
    if listed.returncode != 0:
        pytest.skip("not a git checkout: nothing to clone")
    for name in filter(None, listed.stdout.decode().split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not (target.parent / "shared").exists()
    return target


def offline_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The current environment without any MovieLens hint, an empty cache and no network."""
    drop = {"MOVIELENS_DIR", "BOOK_RESULTS_DIR", "BOOK_TEST_RESULTS", "no_proxy", "NO_PROXY",
            "PYTEST_ADDOPTS"}
    env = {k: v for k, v in os.environ.items() if k not in drop}
    env.update({"XDG_CACHE_HOME": str(tmp_path / "cache"), "http_proxy": CLOSED_PORT_PROXY,
                "https_proxy": CLOSED_PORT_PROXY, "HTTP_PROXY": CLOSED_PORT_PROXY,
                "HTTPS_PROXY": CLOSED_PORT_PROXY, **extra})
    return env


@pytest.fixture()
def clone(tmp_path: Path) -> Path:
    return clone_working_tree(tmp_path / "machine" / "book")


def test_clone_with_movielens_dir_runs_tests_and_pipeline(clone: Path, movielens_copy: Path,
                                                          tmp_path: Path):
    copy = movielens_copy
    env = offline_env(tmp_path, MOVIELENS_DIR=str(copy))

    quick = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_movielens_load.py", "tests/test_atomic.py"],
        cwd=clone, env=env, capture_output=True, text=True)
    assert quick.returncode == 0, quick.stdout[-4000:] + quick.stderr[-2000:]
    assert " passed" in quick.stdout and "failed" not in quick.stdout

    fragment = "build/ci/results/manifest/movielens.json"
    build = subprocess.run(snakemake_command("--configfile", "config/ci.yaml", "--", fragment),
                           cwd=clone, env=env, capture_output=True, text=True)
    assert build.returncode == 0, build.stderr[-4000:]
    assert str(copy / "u.data") in (clone / fragment).read_text()
    assert not (tmp_path / "cache" / "interference-book").exists()  # nothing was downloaded


def test_clone_without_any_data_stops_at_once_with_one_message(clone: Path, tmp_path: Path):
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
                            cwd=clone, env=offline_env(tmp_path), capture_output=True, text=True)
    elapsed = time.monotonic() - started
    output = result.stdout + result.stderr
    assert result.returncode == 4, output[-4000:]
    assert output.count(NO_MOVIELENS) == 1
    assert "MOVIELENS_DIR=/path/to/ml-100k make test" in output
    assert "no tests ran" in output and "Traceback" not in output
    assert not re.search(r"\d+ (passed|failed|errors?)\b", output)
    assert not (clone / "build").exists()  # stopped before the pipeline started
    assert elapsed < 120, f"took {elapsed:.0f} s to give up"
