"""Download a MovieLens archive over HTTP(S), verifying size and MD5 before it is kept.

The archive is streamed into a temporary file beside the target while its MD5 is computed; only a
download with the published size and checksum is renamed into place. Anything else raises
:class:`DownloadError` and leaves no file behind. A release whose size is not pinned is checked by
MD5 alone; one whose MD5 is not pinned is checked against the ``<archive>.md5`` file GroupLens
publishes beside it (:func:`published_md5`).
"""

from __future__ import annotations

import hashlib
import logging
import re
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
    size_bytes: int | None = PUBLISHED_SIZE  # None: not pinned, the MD5 alone decides
    md5: str = PUBLISHED_MD5
    timeout_seconds: float = 60.0


_MD5_LINE = re.compile(r"^\s*(?:MD5 \((?P<bsd>[^)]*)\) = (?P<bsd_md5>[0-9a-fA-F]{32})|"
                       r"(?P<md5>[0-9a-fA-F]{32})\s+\*?(?P<name>\S+))\s*$")


def parse_md5_file(text: str, archive_name: str, source: str) -> str:
    """The MD5 for ``archive_name`` in a checksum file (``md5sum`` or BSD ``MD5 (f) = h`` style)."""
    for line in text.splitlines():
        found = _MD5_LINE.match(line)
        if not found:
            continue
        name = found.group("bsd") or found.group("name")
        if name.rsplit("/", 1)[-1] == archive_name:
            return (found.group("bsd_md5") or found.group("md5")).lower()
    raise DownloadError(f"{source}: no MD5 line for {archive_name} (expected "
                        f"'<32 hex digits>  {archive_name}'); cannot verify the archive")


def published_md5(url: str, timeout_seconds: float = 60.0, max_bytes: int = 4096) -> str:
    """Fetch GroupLens's ``<url>.md5`` and return the MD5 it publishes for the archive."""
    md5_url = f"{url}.md5"
    try:
        with urllib.request.urlopen(md5_url, timeout=timeout_seconds) as response:
            data = response.read(max_bytes + 1)
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DownloadError(f"could not fetch the published checksum {md5_url}: {exc}; the "
                            "archive cannot be verified, so it is not downloaded (pin "
                            "movielens.md5 in the config to verify against a known value)") from exc
    if len(data) > max_bytes:
        raise DownloadError(f"{md5_url}: more than {max_bytes} bytes; not a checksum file")
    return parse_md5_file(data.decode("ascii", errors="replace"), url.rsplit("/", 1)[-1],
                          md5_url)


def download_archive(spec: ArchiveSpec, target: str | Path,
                     progress: Callable[[int, int], None] | None = None,
                     chunk_size: int = 1 << 16) -> Path:
    """Fetch ``spec.url`` to ``target`` and verify it; return ``target``.

    ``progress(bytes_done, bytes_total)`` is called as data arrives (default: log every 10%).
    """
    target = Path(target)
    report = progress or _log_progress()
    expected = "unpublished size" if spec.size_bytes is None else f"{spec.size_bytes} bytes"
    LOG.info("downloading %s (expecting %s, md5 %s)", spec.url, expected, spec.md5)
    try:
        with atomic.atomic_path(target) as tmp:
            digest = hashlib.md5()
            done = 0
            try:
                with urllib.request.urlopen(spec.url, timeout=spec.timeout_seconds) as response, \
                        open(tmp, "wb") as out:
                    declared = response.headers.get("Content-Length")
                    limit = spec.size_bytes if spec.size_bytes is not None else (
                        int(declared) if declared is not None else None)
                    if declared is not None and int(declared) != limit:
                        raise DownloadError(
                            f"{spec.url}: server announces {declared} bytes, expected "
                            f"{spec.size_bytes}; refusing the download"
                        )
                    while chunk := response.read(chunk_size):
                        done += len(chunk)
                        if limit is not None and done > limit:
                            raise DownloadError(f"{spec.url}: more than the expected {limit} bytes")
                        digest.update(chunk)
                        out.write(chunk)
                        report(done, limit or 0)
            except (urllib.error.URLError, TimeoutError, OSError) as exc:
                raise DownloadError(f"could not download {spec.url}: {exc}") from exc
            if limit is not None and done != limit:
                raise DownloadError(
                    f"{spec.url}: got {done} bytes, expected {limit} (truncated download?)"
                )
            if digest.hexdigest() != spec.md5:
                raise DownloadError(
                    f"{spec.url}: md5 {digest.hexdigest()} does not match the published {spec.md5}; "
                    f"the archive is corrupted or not the published {spec.url.rsplit('/', 1)[-1]}"
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
