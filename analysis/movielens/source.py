"""Where the MovieLens 100K files come from, in one order for the pipeline and the tests.

1. a local copy named by config ``movielens_dir``;
2. else a local copy named by the ``MOVIELENS_DIR`` environment variable;
3. else the published archive, downloaded and verified (size + MD5) by
   :mod:`analysis.movielens.download`. The pipeline keeps it in ``<data_dir>/raw``; the test suite
   keeps it in a per-user cache outside the clone (:func:`user_cache_dir`) that later runs reuse.

A local copy that does not exist or lacks a file is an error naming the setting, never silently
replaced by an older build. :func:`fingerprint` gives the SHA-256 of every file read, so a
changed copy (same folder, different bytes) reruns the pipeline.
"""

from __future__ import annotations

import hashlib
import zipfile
import zlib
from collections.abc import Mapping
from pathlib import Path

from analysis.atomic import sha256_file
from analysis.movielens.download import ArchiveSpec, download_archive
from analysis.movielens.extract import extract_archive
from analysis.movielens.load import MovieLensError, check_directory
from analysis.movielens.schema import REQUIRED_FILES

ENV_VAR = "MOVIELENS_DIR"
CACHE_FOLDER = "interference-book"


def local_copy(configured: str | None, environ: Mapping[str, str]) -> tuple[Path, str] | None:
    """The local copy to use and the setting that named it, or None (download).

    The folder is checked at once: a missing folder or file raises :class:`MovieLensError` naming
    the setting (``config movielens_dir`` or ``$MOVIELENS_DIR``).
    """
    if configured:
        folder, setting = Path(configured), "config movielens_dir"
    elif environ.get(ENV_VAR):
        folder, setting = Path(environ[ENV_VAR]), f"${ENV_VAR}"
    else:
        return None
    try:
        check_directory(folder)
    except MovieLensError as exc:
        raise MovieLensError(
            f"{setting} = {folder}: {exc}. Point it at an ml-100k folder holding "
            f"{', '.join(REQUIRED_FILES)}, or unset it to download the verified archive."
        ) from None
    return folder, setting


def fingerprint(folder: str | Path) -> dict[str, str]:
    """SHA-256 of every file the loader reads (a rerun trigger for the pipeline)."""
    folder = Path(folder)
    return {name: sha256_file(folder / name) for name in REQUIRED_FILES}


def user_cache_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/interference-book`` (default ``~/.cache/interference-book``)."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / CACHE_FOLDER


def _archive_is_verified(archive: Path, spec: ArchiveSpec) -> bool:
    if not archive.is_file() or archive.stat().st_size != spec.size_bytes:
        return False
    digest = hashlib.md5()
    with open(archive, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == spec.md5


def _extracted_match_archive(archive: Path, folder: Path) -> bool:
    """Every required file is in ``folder`` with the size and CRC-32 the archive records."""
    with zipfile.ZipFile(archive) as zf:
        recorded = {Path(info.filename).name: info for info in zf.infolist()}
    for name in REQUIRED_FILES:
        path = folder / name
        info = recorded.get(name)
        if info is None or not path.is_file() or path.stat().st_size != info.file_size:
            return False
        if zlib.crc32(path.read_bytes()) != info.CRC:
            return False
    return True


def cached_download(spec: ArchiveSpec, cache: str | Path) -> Path:
    """The ml-100k folder inside ``cache``, downloading and verifying the archive only once.

    A cached archive is reused when its size and MD5 still match ``spec``; the extracted files
    are reused when they match the archive's recorded sizes and CRCs, and re-extracted otherwise.
    Raises :class:`~analysis.movielens.download.DownloadError` when the archive cannot be fetched.
    """
    cache = Path(cache)
    archive, folder = cache / "ml-100k.zip", cache / "ml-100k"
    if not _archive_is_verified(archive, spec):
        download_archive(spec, archive)
    if not _extracted_match_archive(archive, folder):
        extract_archive(archive, folder)
    return check_directory(folder)
