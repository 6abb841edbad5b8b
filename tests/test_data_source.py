"""Changing where MovieLens comes from rebuilds or fails clearly, even when a build exists."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from analysis.movielens.load import MovieLensError
from analysis.movielens.source import fingerprint, local_copy
from tests.conftest import CI_CONFIG, ROOT, snakemake_command

pytestmark = pytest.mark.pipeline


def dry_run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(snakemake_command("-n", "--configfile", str(CI_CONFIG), *args),
                          cwd=ROOT, capture_output=True, text=True, env=env)


@pytest.fixture()
def copy_dir(movielens_copy: Path) -> Path:
    return movielens_copy


def test_missing_folder_fails_before_any_rule_even_with_a_build(ci_results, tmp_path: Path):
    assert (ci_results / "manifest.json").exists()
    result = dry_run("--config", f"movielens_dir={tmp_path / 'nope'}")
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert f"config movielens_dir = {tmp_path / 'nope'}: MovieLens directory" in output
    assert "does not exist" in output and "Nothing to be done" not in output


def test_folder_lacking_a_file_fails_naming_it(ci_results, copy_dir: Path):
    (copy_dir / "u.item").unlink()
    result = dry_run("--config", f"movielens_dir={copy_dir}")
    assert result.returncode != 0
    assert "lacks u.item" in result.stdout + result.stderr


def test_bad_environment_variable_is_named(ci_results, tmp_path: Path):
    env = {**os.environ, "MOVIELENS_DIR": str(tmp_path / "gone")}
    result = dry_run(env=env)
    assert result.returncode != 0
    assert f"$MOVIELENS_DIR = {tmp_path / 'gone'}" in result.stdout + result.stderr


def test_another_copy_rebuilds_from_movielens_on(ci_results, copy_dir: Path):
    result = dry_run("--config", f"movielens_dir={copy_dir}")
    assert result.returncode == 0, result.stderr[-3000:]
    assert "rule movielens:" in result.stdout and "rule manifest:" in result.stdout


def test_fingerprint_follows_the_bytes_not_the_timestamps(copy_dir: Path):
    before = fingerprint(copy_dir)
    stat = (copy_dir / "u.genre").stat()
    (copy_dir / "u.genre").write_bytes((copy_dir / "u.genre").read_bytes().replace(b"Action", b"Actiox"))
    os.utime(copy_dir / "u.genre", ns=(stat.st_atime_ns, stat.st_mtime_ns))  # cp -p, say
    after = fingerprint(copy_dir)
    assert {k for k in before if before[k] != after[k]} == {"u.genre"}


def test_config_setting_wins_over_the_environment(copy_dir: Path, tmp_path: Path):
    assert local_copy(str(copy_dir), {"MOVIELENS_DIR": str(tmp_path)}) == (copy_dir,
                                                                           "config movielens_dir")
    assert local_copy(None, {"MOVIELENS_DIR": str(copy_dir)}) == (copy_dir, "$MOVIELENS_DIR")
    assert local_copy(None, {}) is None
    with pytest.raises(MovieLensError, match=r"\$MOVIELENS_DIR = .*lacks u\.data, u\.item"):
        local_copy(None, {"MOVIELENS_DIR": str(tmp_path)})
