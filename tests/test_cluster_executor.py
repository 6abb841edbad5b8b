"""The CI pipeline through a cluster executor: every rule a separately submitted job.

``snakemake-executor-plugin-cluster-generic`` hands each job's script to a submit command, as it
would to ``sbatch``/``qsub``; here the submit script starts the job as its own background process
on this machine. The run goes into ``build/cluster/`` and must reproduce the local CI build's
artifacts byte for byte (every file's SHA-256 in the manifests).
"""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import CI_CONFIG, ROOT

CLUSTER_DIR = "build/cluster"

SUBMIT_SCRIPT = """#!/bin/bash
# Local stand-in for sbatch: run the job script (the last argument) as its own process and print
# a job id. Snakemake learns that the job finished from the marker files the job script writes.
jobscript="${@: -1}"
nohup bash "$jobscript" > "$jobscript.out" 2>&1 &
echo $!
"""


def _file_hashes(results: Path) -> dict[str, str]:
    """Artifact file (path relative to its results folder) -> SHA-256, from the manifest."""
    manifest = json.loads((results / "manifest.json").read_text())
    prefix = os.path.relpath(results, ROOT) + "/"
    return {f["path"].removeprefix(prefix): f["sha256"]
            for record in manifest["artifacts"] for f in record["files"]}


def test_cluster_generic_run_matches_local_build(ci_results, tmp_path):
    if os.environ.get("BOOK_TEST_RESULTS"):
        pytest.skip("compares against the CI build, not an existing one")
    pytest.importorskip("snakemake_executor_plugin_cluster_generic")
    submit = tmp_path / "submit.sh"
    submit.write_text(SUBMIT_SCRIPT)
    submit.chmod(submit.stat().st_mode | stat.S_IXUSR)
    shutil.rmtree(ROOT / CLUSTER_DIR, ignore_errors=True)
    result = subprocess.run(
        [sys.executable, "-m", "snakemake", "--executor", "cluster-generic",
         "--cluster-generic-submit-cmd", str(submit), "--jobs", "2", "--latency-wait", "10",
         "--max-status-checks-per-second", "5",
         # a local "cluster" finishes jobs in seconds: look every second, not every ten
         "--seconds-between-status-checks", "1", "--configfile", str(CI_CONFIG), "--config",
         f"results_dir={CLUSTER_DIR}/results", f"data_dir={CLUSTER_DIR}/data",
         f"log_dir={CLUSTER_DIR}/logs"],
        cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-4000:]
    # every rule ran as its own submitted job, not inside the controlling process
    submitted = result.stderr.count("Submitted job")
    assert submitted >= 15, result.stderr[-2000:]
    local, cluster = _file_hashes(ci_results), _file_hashes(ROOT / CLUSTER_DIR / "results")
    assert len(local) > 100
    assert cluster.keys() == local.keys()
    differ = sorted(k for k in local if local[k] != cluster[k])
    assert differ == [], f"artifacts differ between the cluster and the local run: {differ}"
