"""Download the MovieLens archive over HTTP(S), verifying size and MD5 before it is kept.

The archive is streamed into a temporary file beside the target while its MD5 is computed; only a
download with the published size and checksum is renamed into place. Anything else raises
:class:`DownloadError` and leaves no file behind.
"""

from __future__ import annotations

import hashlib
import logging
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from analysis import atomic

LOG = logging.getLogger(__name__)

PUBLISHED_URL = "https://files.grouplens.org/datasets/movielens/ml-100k.zip"
PUBLISHED_SIZE = 4_924_029
PUBLISHED_MD5 = "0e33842e24a9c977be4e0107933c0723"


class DownloadError(RuntimeError):
    """The archive could not be fetched or failed verification."""


@dataclass(frozen=True)
class ArchiveSpec:
    """Where the archive lives and what it must look like (defaults: the published values)."""

    url: str = PUBLISHED_URL
    size_bytes: int = PUBLISHED_SIZE
    md5: str = PUBLISHED_MD5
    timeout_seconds: float = 60.0


def download_archive(spec: ArchiveSpec, target: str | Path,
                     progress: Callable[[int, int], None] | None = None,
                     chunk_size: int = 1 << 16) -> Path:
    """Fetch ``spec.url`` to ``target`` and verify it; return ``target``.

    ``progress(bytes_done, bytes_total)`` is called as data arrives (default: log every 10%).
    """
    target = Path(target)
    report = progress or _log_progress()
    LOG.info("downloading %s (expecting %d bytes, md5 %s)", spec.url, spec.size_bytes, spec.md5)
    try:
        with atomic.atomic_path(target) as tmp:
            digest = hashlib.md5()
            done = 0
            try:
                with urllib.request.urlopen(spec.url, timeout=spec.timeout_seconds) as response, \
                        open(tmp, "wb") as out:
                    declared = response.headers.get("Content-Length")
                    if declared is not None and int(declared) != spec.size_bytes:
                        raise DownloadError(
                            f"{spec.url}: server announces {declared} bytes, expected "
                            f"{spec.size_bytes}; refusing the download"
                        )
                    while chunk := response.read(chunk_size):
                        done += len(chunk)
                        if done > spec.size_bytes:
                            raise DownloadError(
                                f"{spec.url}: more than the expected {spec.size_bytes} bytes"
                            )
                        digest.update(chunk)
                        out.write(chunk)
                        report(done, spec.size_bytes)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise DownloadError(f"could not download {spec.url}: {exc}") from exc
            if done != spec.size_bytes:
                raise DownloadError(
                    f"{spec.url}: got {done} bytes, expected {spec.size_bytes} (truncated download?)"
                )
            if digest.hexdigest() != spec.md5:
                raise DownloadError(
                    f"{spec.url}: md5 {digest.hexdigest()} does not match the published {spec.md5}; "
                    "the archive is corrupted or not the published MovieLens 100K"
                )
    except DownloadError:
        raise
    LOG.info("downloaded and verified %s (%d bytes)", target, done)
    return target


def _log_progress(step: float = 0.1) -> Callable[[int, int], None]:
    state = {"next": step}

    def report(done: int, total: int) -> None:
        if total and done / total >= state["next"]:
            LOG.info("  %3.0f%% (%d of %d bytes)", 100 * done / total, done, total)
            state["next"] = (int(done / total / step) + 1) * step

    return report
