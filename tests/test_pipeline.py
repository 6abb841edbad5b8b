"""The whole pipeline on config/ci.yaml: manifest completeness, caching, lint, determinism."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys

import pytest

from analysis.report.manifest import Manifest
from tests.conftest import CI_CONFIG, ROOT, snakemake_command

pytestmark = pytest.mark.pipeline

REQUIRED_KEYS = {"id", "kind", "path", "title", "caption", "alt", "rule", "config", "seed",
                 "inputs", "sha256", "files"}


@pytest.fixture(scope="module")
def manifest(ci_results) -> Manifest:
    return Manifest.load(ci_results / "manifest.json", root=ROOT)


def test_manifest_lists_complete_verified_artifacts(manifest):
    assert len(manifest.records) >= 6
    for artifact_id, record in manifest.records.items():
        assert REQUIRED_KEYS <= set(record), artifact_id
        assert re.fullmatch(r"[a-z][a-z0-9_]*", artifact_id)
        assert record["kind"] in {"table", "figure"}
        assert record["caption"].strip() and record["alt"].strip() and record["title"].strip()
        formats = {f["format"] for f in record["files"]}
        assert formats == ({"parquet", "csv"} if record["kind"] == "table" else {"png", "svg"})
    assert manifest.verify() == []


def test_manifest_records_movielens_inputs(manifest):
    inputs = manifest.get("movielens_summary")["inputs"]
    assert {p.rsplit("/", 1)[-1] for p in inputs} == {"u.data", "u.item", "u.user", "u.genre", "u.info"}
    assert all(re.fullmatch(r"[0-9a-f]{64}", digest) for digest in inputs.values())


def test_manifest_has_no_wall_clock_timestamps(ci_results):
    text = (ci_results / "manifest.json").read_text()
    assert not re.search(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}", text)


def test_second_run_has_nothing_to_do(ci_results):
    result = subprocess.run(snakemake_command("-n", "--configfile", str(CI_CONFIG)), cwd=ROOT,
                            capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    assert "Nothing to be done" in result.stdout + result.stderr


def test_snakemake_lint_is_clean():
    result = subprocess.run(snakemake_command("--lint", "--configfile", str(CI_CONFIG)), cwd=ROOT,
                            capture_output=True, text=True)
    assert "Congratulations, your workflow is in a good condition!" in result.stdout + result.stderr, \
        result.stdout[-4000:]


def test_movielens_step_is_deterministic(ci_results, manifest, movielens_dir, tmp_path):
    """Re-running a step into a fresh folder reproduces the CI build's bytes exactly."""
    inputs = [str(movielens_dir / n) for n in ("u.data", "u.item", "u.user", "u.genre", "u.info")]
    results = tmp_path / "results"
    subprocess.run(
        [sys.executable, "-m", "analysis", "movielens",
         "--params", json.dumps({"movielens_dir": str(movielens_dir)}),
         "--data-dir", str(tmp_path / "data"), "--results-dir", str(results),
         "--inputs", *inputs, "--outputs", str(results / "manifest" / "movielens.json")],
        cwd=ROOT, check=True, capture_output=True)
    fresh = json.loads((results / "manifest" / "movielens.json").read_text())["artifacts"]
    for record in fresh:
        assert record["sha256"] == manifest.get(record["id"])["sha256"], record["id"]


def test_whole_build_is_byte_identical_when_forced_to_rerun(ci_results):
    """Every rule rerun from scratch reproduces every artifact's SHA-256 (and so the manifest)."""
    if os.environ.get("BOOK_TEST_RESULTS"):
        pytest.skip("checks the CI build, not an existing one")
    before = (ci_results / "manifest.json").read_bytes()
    result = subprocess.run(snakemake_command("--forceall", "--configfile", str(CI_CONFIG)),
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]
    after = (ci_results / "manifest.json").read_bytes()
    if after != before:
        old = {r["id"]: r["sha256"] for r in json.loads(before)["artifacts"]}
        new = {r["id"]: r["sha256"] for r in json.loads(after)["artifacts"]}
        changed = sorted(k for k in old.keys() | new.keys() if old.get(k) != new.get(k))
        pytest.fail(f"artifacts changed on a forced rebuild: {changed}")


def test_artifacts_are_readable_by_others_under_the_umask(manifest):
    """Files get 0666 minus the umask (0644 under the usual 022), not tempfile's private 0600."""
    if os.environ.get("BOOK_TEST_RESULTS"):
        pytest.skip("checks the CI build, not an existing one")
    from analysis.atomic import file_mode

    modes = {oct(stat.S_IMODE(manifest.file(artifact_id, f["format"]).stat().st_mode))
             for artifact_id, record in manifest.records.items() for f in record["files"]}
    assert modes == {oct(file_mode())}
