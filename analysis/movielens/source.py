"""Where the MovieLens files come from, in one order for the pipeline and the tests.

The release (config ``movielens.release``, default ml-100k; :mod:`analysis.movielens.releases`)
decides which files a folder must hold and which archive is downloaded.

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
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from analysis.atomic import sha256_file
from analysis.movielens.download import ArchiveSpec, download_archive, published_md5
from analysis.movielens.extract import extract_archive
from analysis.movielens.load import MovieLensError, check_directory
from analysis.movielens.releases import RELEASES, Release, configured_release

ML_100K = RELEASES["ml-100k"]

ENV_VAR = "MOVIELENS_DIR"
CACHE_FOLDER = "interference-book"


def local_copy(configured: str | None, environ: Mapping[str, str],
               release: Release = ML_100K) -> tuple[Path, str] | None:
    """The local copy to use and the setting that named it, or None (download).

    The folder is checked at once for ``release``'s files: a missing folder or file raises
    :class:`MovieLensError` naming the setting (``config movielens_dir`` or ``$MOVIELENS_DIR``).
    """
    if configured:
        folder, setting = Path(configured), "config movielens_dir"
    elif environ.get(ENV_VAR):
        folder, setting = Path(environ[ENV_VAR]), f"${ENV_VAR}"
    else:
        return None
    try:
        check_directory(folder, release.files)
    except MovieLensError as exc:
        raise MovieLensError(
            f"{setting} = {folder}: {exc}. Point it at an {release.name} folder holding "
            f"{', '.join(release.files)}, or unset it to download the verified archive."
        ) from None
    return folder, setting


def fingerprint(folder: str | Path, release: Release = ML_100K) -> dict[str, str]:
    """SHA-256 of every file the loader reads (a rerun trigger for the pipeline)."""
    folder = Path(folder)
    return {name: sha256_file(folder / name) for name in release.files}


def archive_spec(movielens: Mapping[str, Any],
                 fetch_md5: Callable[[str, float], str] = published_md5) -> ArchiveSpec:
    """What to download and how to verify it, from the config's ``movielens`` section.

    ``url``, ``size_bytes`` and ``md5`` override the release's published values when set (a
    mirror must serve the same bytes). With no MD5 in the config or the registry, the MD5 is
    read from GroupLens's ``<url>.md5`` by ``fetch_md5`` (a :class:`DownloadError` when that fails).
    """
    release = configured_release(movielens)
    url = movielens.get("url") or release.url
    timeout = float(movielens.get("timeout_seconds") or 60.0)
    size = movielens.get("size_bytes")
    md5 = movielens.get("md5") or release.md5 or fetch_md5(url, timeout)
    return ArchiveSpec(url=url, size_bytes=int(size) if size else release.size_bytes, md5=md5,
                       timeout_seconds=timeout)


def user_cache_dir(environ: Mapping[str, str]) -> Path:
    """``$XDG_CACHE_HOME/interference-book`` (default ``~/.cache/interference-book``)."""
    base = environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / CACHE_FOLDER


def _archive_is_verified(archive: Path, spec: ArchiveSpec) -> bool:
    if not archive.is_file():
        return False
    if spec.size_bytes is not None and archive.stat().st_size != spec.size_bytes:
        return False
    digest = hashlib.md5()
    with open(archive, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest() == spec.md5


def _extracted_match_archive(archive: Path, folder: Path, files: tuple[str, ...]) -> bool:
    """Every required file is in ``folder`` with the size and CRC-32 the archive records."""
    with zipfile.ZipFile(archive) as zf:
        recorded = {Path(info.filename).name: info for info in zf.infolist()}
    for name in files:
        path = folder / name
        info = recorded.get(name)
        if info is None or not path.is_file() or path.stat().st_size != info.file_size:
            return False
        if _crc32_file(path) != info.CRC:
            return False
    return True


def _crc32_file(path: Path) -> int:
    crc = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            crc = zlib.crc32(chunk, crc)
    return crc


def cached_download(spec: ArchiveSpec, cache: str | Path, release: Release = ML_100K) -> Path:
    """The ``release`` folder inside ``cache``, downloading and verifying the archive only once.

    A cached archive is reused when its size and MD5 still match ``spec``; the extracted files
    are reused when they match the archive's recorded sizes and CRCs, and re-extracted otherwise.
    Raises :class:`~analysis.movielens.download.DownloadError` when the archive cannot be fetched.
    """
    cache = Path(cache)
    archive, folder = cache / release.archive_name, cache / release.name
    if not _archive_is_verified(archive, spec):
        download_archive(spec, archive)
    if not _extracted_match_archive(archive, folder, release.files):
        extract_archive(archive, folder, release.files)
    return check_directory(folder, release.files)
