"""Safe extraction of a MovieLens archive: only expected members, no path traversal."""

from __future__ import annotations

import os
import shutil
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from analysis.atomic import folder_mode
from analysis.movielens.download import DownloadError
from analysis.movielens.schema import REQUIRED_FILES


def _safe_member(name: str) -> PurePosixPath:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or (path.parts and ":" in path.parts[0]):
        raise DownloadError(f"archive member {name!r} would be written outside the target folder")
    return path


def extract_archive(archive: str | Path, target_dir: str | Path,
                    members: Iterable[str] = REQUIRED_FILES) -> Path:
    """Extract the ``<release>/<member>`` files of ``archive`` into ``target_dir`` atomically.

    Every member name in the archive is checked for traversal (absolute paths, ``..``) before
    anything is written; the files land in a temporary folder that is renamed at the end.
    """
    target_dir = Path(target_dir)
    wanted = set(members)
    try:
        with zipfile.ZipFile(archive) as zf:
            names = zf.namelist()
            for name in names:
                _safe_member(name)
            by_file = {PurePosixPath(n).name: n for n in names if not n.endswith("/")}
            missing = sorted(wanted - set(by_file))
            if missing:
                raise DownloadError(f"{archive}: archive lacks {', '.join(missing)}")
            target_dir.parent.mkdir(parents=True, exist_ok=True)
            staging = Path(tempfile.mkdtemp(prefix=f".{target_dir.name}.", dir=target_dir.parent))
            os.chmod(staging, folder_mode())
            try:
                for filename in sorted(wanted):  # streamed: ml-25m's ratings.csv is 650 MB
                    with zf.open(by_file[filename]) as member, \
                            open(staging / filename, "wb") as out:
                        shutil.copyfileobj(member, out, 1 << 20)
                if target_dir.exists():
                    shutil.rmtree(target_dir)
                staging.rename(target_dir)
            except BaseException:
                shutil.rmtree(staging, ignore_errors=True)
                raise
    except zipfile.BadZipFile as exc:
        raise DownloadError(f"{archive} is not a valid zip archive: {exc}") from exc
    return target_dir
