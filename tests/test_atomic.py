"""Atomic writes: all-or-nothing, and permissions that follow the umask like any other tool."""

from __future__ import annotations

import os
import stat
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis import atomic
from analysis.movielens.extract import extract_archive
from analysis.movielens.schema import REQUIRED_FILES


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o002, 0o077], ids=lambda m: f"umask{m:03o}")
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    previous = os.umask(request.param)
    try:
        yield request.param
    finally:
        os.umask(previous)


def test_written_files_follow_the_umask(tmp_path: Path, umask: int):
    expected = {0o022: 0o644, 0o002: 0o664, 0o077: 0o600}[umask]
    assert mode(atomic.write_text(tmp_path / "a.txt", "hello")) == expected
    assert mode(atomic.write_with(tmp_path / "b.bin", lambda p: p.write_bytes(b"x"))) == expected
    assert atomic.current_umask() == umask  # reading the umask does not change it


def test_extracted_folder_follows_the_umask(tmp_path: Path, umask: int):
    archive = tmp_path / "ml.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name in REQUIRED_FILES:
            zf.writestr(f"ml-100k/{name}", b"data")
    folder = extract_archive(archive, tmp_path / "ml-100k")
    assert mode(folder) == {0o022: 0o755, 0o002: 0o775, 0o077: 0o700}[umask]
    assert {mode(p) for p in folder.iterdir()} == {0o666 & ~umask}


def test_failed_write_leaves_old_file_and_no_temporary(tmp_path: Path):
    target = atomic.write_text(tmp_path / "t.txt", "old")

    def explode(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError, match="disk full"):
        atomic.write_with(target, explode)
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.txt"]
