"""Ctrl-C during a step: prompt stop, nothing left that looks complete, clean byte-identical rerun.

The interrupt arrives at a fixed point, not in a race with the step: a ``sitecustomize`` module on
``PYTHONPATH`` makes the step process (and only it: ``python -m analysis``) pause inside the artifact
writer right after its first artifact is on disk, and announce that with a marker file.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import pytest
import yaml

from analysis.report.manifest import Manifest
from tests.conftest import CI_CONFIG, ROOT, snakemake_command

pytestmark = pytest.mark.pipeline

HOLD_HOOK = """
import sys

if sys.orig_argv[1:3] == ["-m", "analysis"]:
    import time
    from pathlib import Path

    from analysis.report.artifacts import ArtifactWriter

    _register = ArtifactWriter._register

    def _register_then_hold(self, *args, **kwargs):
        record = _register(self, *args, **kwargs)
        Path({marker!r}).write_text(record.id)
        time.sleep(120)  # the test interrupts the step here
        return record

    ArtifactWriter._register = _register_then_hold
"""


def hold_after_first_artifact(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """Environment that pauses a step after its first artifact, and the marker it writes then."""
    hook_dir, marker = tmp_path / "hook", tmp_path / "first-artifact-written"
    hook_dir.mkdir()
    (hook_dir / "sitecustomize.py").write_text(HOLD_HOOK.format(marker=str(marker)))
    path = os.pathsep.join(filter(None, [str(hook_dir), os.environ.get("PYTHONPATH")]))
    return {**os.environ, "PYTHONPATH": path}, marker


def _ctrl_c_enabled() -> None:
    """As in a terminal: a test run started in the background inherits SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_for(marker: Path, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + 300
    while not marker.exists():
        assert process.poll() is None, process.communicate()[0][-3000:]
        assert time.monotonic() < deadline, "the step never wrote its first artifact"
        time.sleep(0.02)


def test_interrupted_step_leaves_nothing_and_reruns_identically(ci_results, tmp_path: Path):
    override = tmp_path / "override.yaml"
    override.write_text(yaml.safe_dump({"data_dir": str(tmp_path / "data"),
                                        "results_dir": str(tmp_path / "results"),
                                        "log_dir": str(tmp_path / "logs")}))
    results = tmp_path / "results"
    fragment = results / "manifest" / "worlds_teams.json"
    command = snakemake_command("--nolock", "--configfile", str(CI_CONFIG), str(override), "--",
                                str(fragment))

    # Ctrl-C in a terminal sends SIGINT to the whole foreground process group.
    env, marker = hold_after_first_artifact(tmp_path)
    run = subprocess.Popen(command, cwd=ROOT, start_new_session=True, text=True, env=env,
                           preexec_fn=_ctrl_c_enabled, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
    wait_for(marker, run)
    assert any((results / "tables").iterdir()), "the step had written an artifact"
    interrupted_at = time.monotonic()
    os.killpg(run.pid, signal.SIGINT)
    output, _ = run.communicate(timeout=60)
    assert time.monotonic() - interrupted_at < 30, "Ctrl-C did not stop the step promptly"
    assert run.returncode != 0, output[-3000:]
    assert "step worlds_teams interrupted" in (tmp_path / "logs" / "worlds_teams.log").read_text()
    leftovers = sorted(str(p.relative_to(results)) for p in results.rglob("*") if p.is_file())
    assert leftovers == [], f"an interrupted step left files behind: {leftovers}"

    rerun = subprocess.run(command, cwd=ROOT, capture_output=True, text=True)  # no extra flags
    assert rerun.returncode == 0, rerun.stderr[-3000:]
    uninterrupted = Manifest.load(ci_results / "manifest.json", root=ROOT)
    records = json.loads(fragment.read_text())["artifacts"]
    assert len(records) >= 10
    for record in records:
        expected = {f["format"]: f["sha256"] for f in uninterrupted.get(record["id"])["files"]}
        assert {f["format"]: f["sha256"] for f in record["files"]} == expected, record["id"]
    assert Manifest(records={r["id"]: r for r in records}, root=ROOT, extra={}).verify() == []


def test_sigterm_stops_a_step_and_removes_its_outputs(ci_results, tmp_path: Path):
    """What Snakemake or a batch scheduler sends: same clean stop as Ctrl-C."""
    import sys

    from snakemake.utils import update_config

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    update_config(config, yaml.safe_load(CI_CONFIG.read_text()))
    uninterrupted = Manifest.load(ci_results / "manifest.json", root=ROOT)
    results = tmp_path / "results"
    env, marker = hold_after_first_artifact(tmp_path)
    outputs = [results / "manifest" / "worlds_teams.json"] + [
        results / Path(f["path"]).relative_to(Path(f["path"]).parents[1])
        for r in uninterrupted.records.values() if r["rule"] == "worlds_teams" for f in r["files"]]
    step = subprocess.Popen(
        [sys.executable, "-m", "analysis", "worlds_teams",
         "--params", json.dumps({"teams": config["teams"]}), "--data-dir", str(tmp_path / "data"),
         "--results-dir", str(results), "--outputs", *map(str, outputs),
         "--log", str(tmp_path / "step.log")],
        cwd=ROOT, text=True, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    wait_for(marker, step)
    assert any((results / "tables").iterdir()), "the step had written an artifact"
    step.terminate()
    output, _ = step.communicate(timeout=60)
    assert step.returncode == 130, output[-3000:]
    assert "step worlds_teams interrupted" in output
    assert [p for p in results.rglob("*") if p.is_file()] == []
