"""The real download code against a local HTTP server on 127.0.0.1 (no outside network)."""

from __future__ import annotations

import hashlib
import http.server
import io
import json
import os
import subprocess
import threading
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from analysis.movielens.download import (
    PUBLISHED_MD5,
    PUBLISHED_SIZE,
    PUBLISHED_URL,
    ArchiveSpec,
    DownloadError,
    download_archive,
)
from analysis.movielens.extract import extract_archive
from analysis.movielens.load import load_movielens
from analysis.movielens.schema import REQUIRED_FILES


def build_zip(source: Path, extra: dict[str, bytes] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in REQUIRED_FILES:
            zf.write(source / name, f"ml-100k/{name}")
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def archive(movielens_dir: Path) -> bytes:
    return build_zip(movielens_dir)


@pytest.fixture()
def server() -> Iterator[tuple[str, dict[str, bytes]]]:
    """Serves whatever bytes the test puts into ``files`` at http://127.0.0.1:<port>/<name>."""
    files: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 (http.server API)
            body = files.get(self.path.lstrip("/"))
            if body is None:
                self.send_error(404)
                return
            self.send_response(200)
            self.send_header("Content-Type", "application/zip")
            self.end_headers()  # no Content-Length: the client must count bytes itself
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}", files
    finally:
        httpd.shutdown()
        httpd.server_close()


def spec_for(url: str, data: bytes, **overrides) -> ArchiveSpec:
    values = {"url": url, "size_bytes": len(data), "md5": hashlib.md5(data).hexdigest(),
              "timeout_seconds": 10.0}
    values.update(overrides)
    return ArchiveSpec(**values)


def test_defaults_are_the_published_archive():
    spec = ArchiveSpec()
    assert spec.url == PUBLISHED_URL
    assert spec.url.startswith("https://files.grouplens.org/")
    assert (spec.size_bytes, spec.md5) == (4_924_029, "0e33842e24a9c977be4e0107933c0723")
    assert (PUBLISHED_SIZE, PUBLISHED_MD5) == (spec.size_bytes, spec.md5)


def test_download_verify_extract_load(server, archive, tmp_path: Path):
    base, files = server
    files["ml-100k.zip"] = archive
    progress: list[int] = []
    target = download_archive(spec_for(f"{base}/ml-100k.zip", archive), tmp_path / "ml-100k.zip",
                              progress=lambda done, total: progress.append(done))
    assert target.read_bytes() == archive
    assert progress[-1] == len(archive)
    folder = extract_archive(target, tmp_path / "ml-100k")
    assert sorted(p.name for p in folder.iterdir()) == sorted(REQUIRED_FILES)
    assert len(load_movielens(folder).ratings) == 100_000


def test_corrupted_download_is_rejected_and_leaves_nothing(server, archive, tmp_path: Path):
    base, files = server
    corrupted = bytearray(archive)
    corrupted[len(corrupted) // 2] ^= 0xFF
    files["ml-100k.zip"] = bytes(corrupted)
    with pytest.raises(DownloadError, match="md5 .* does not match the published"):
        download_archive(spec_for(f"{base}/ml-100k.zip", archive), tmp_path / "ml-100k.zip")
    assert list(tmp_path.iterdir()) == []


def test_wrong_checksum_is_rejected(server, archive, tmp_path: Path):
    base, files = server
    files["ml-100k.zip"] = archive
    with pytest.raises(DownloadError, match="does not match the published 0e33842e"):
        download_archive(spec_for(f"{base}/ml-100k.zip", archive, md5=PUBLISHED_MD5),
                         tmp_path / "ml-100k.zip")
    assert list(tmp_path.iterdir()) == []


def test_truncated_download_is_rejected(server, archive, tmp_path: Path):
    base, files = server
    files["ml-100k.zip"] = archive[:-1000]
    with pytest.raises(DownloadError, match="truncated download"):
        download_archive(spec_for(f"{base}/ml-100k.zip", archive), tmp_path / "ml-100k.zip")
    assert list(tmp_path.iterdir()) == []


def test_oversized_download_is_rejected(server, archive, tmp_path: Path):
    base, files = server
    files["ml-100k.zip"] = archive + b"x" * 100_000
    with pytest.raises(DownloadError, match="more than the expected"):
        download_archive(spec_for(f"{base}/ml-100k.zip", archive), tmp_path / "ml-100k.zip")
    assert list(tmp_path.iterdir()) == []


def test_http_error_is_reported(server, archive, tmp_path: Path):
    base, _ = server
    with pytest.raises(DownloadError, match="could not download .*404"):
        download_archive(spec_for(f"{base}/missing.zip", archive), tmp_path / "ml-100k.zip")
    assert list(tmp_path.iterdir()) == []


def test_path_traversal_member_is_refused(tmp_path: Path, movielens_dir: Path):
    evil = tmp_path / "evil.zip"
    evil.write_bytes(build_zip(movielens_dir, {"ml-100k/../../escape.txt": b"owned"}))
    with pytest.raises(DownloadError, match="outside the target folder"):
        extract_archive(evil, tmp_path / "out" / "ml-100k")
    assert not (tmp_path / "escape.txt").exists()
    assert not (tmp_path / "out" / "ml-100k").exists()


def test_not_a_zip_is_refused(tmp_path: Path):
    junk = tmp_path / "junk.zip"
    junk.write_bytes(b"this is not a zip archive")
    with pytest.raises(DownloadError, match="not a valid zip archive"):
        extract_archive(junk, tmp_path / "ml-100k")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["junk.zip"]


def run_download_pipeline(tmp_path: Path, url: str, archive: bytes, release: str,
                          target: Path) -> subprocess.CompletedProcess:
    """Snakemake on config/ci.yaml with no local copy: ``release`` is downloaded from ``url``.

    Data, results and logs go to ``tmp_path``; the archive's size and MD5 are pinned to ``archive``.
    """
    from tests.conftest import CI_CONFIG, ROOT, snakemake_command

    override = tmp_path / "download.yaml"
    override.write_text(json.dumps({
        "movielens_dir": None,
        "data_dir": str(tmp_path / "data"),
        "results_dir": str(tmp_path / "results"),
        "log_dir": str(tmp_path / "logs"),
        "movielens": {"release": release, "url": url, "size_bytes": len(archive),
                      "md5": hashlib.md5(archive).hexdigest(), "timeout_seconds": 10,
                      "figure_seed": 100},
    }))
    return subprocess.run(
        snakemake_command("--nolock", "--configfile", str(CI_CONFIG), str(override), "--",
                          str(target)),
        cwd=ROOT, capture_output=True, text=True,
        env={k: v for k, v in os.environ.items() if k != "MOVIELENS_DIR"})


def test_pipeline_downloads_when_no_local_copy_is_configured(server, archive, tmp_path: Path):
    """`movielens_dir: null` and no $MOVIELENS_DIR make Snakemake run rule movielens_download."""
    base, files = server
    files["ml-100k.zip"] = archive
    target = tmp_path / "results" / "manifest" / "movielens.json"
    result = run_download_pipeline(tmp_path, f"{base}/ml-100k.zip", archive, "ml-100k", target)
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / "data" / "raw" / "ml-100k.zip").read_bytes() == archive
    log = (tmp_path / "logs" / "movielens_download.log").read_text()
    assert "downloaded and verified" in log and "100%" in log
    records = json.loads(target.read_text())["artifacts"]
    summary = next(r for r in records if r["id"] == "movielens_summary")
    assert any(path.endswith("raw/ml-100k/u.data") for path in summary["inputs"])


def test_cached_download_is_verified_once_and_reused(server, archive, tmp_path: Path,
                                                     movielens_dir: Path):
    """The tests' per-user cache: downloaded once, reused offline, repaired from the archive."""
    from analysis.movielens.source import cached_download

    base, files = server
    files["ml-100k.zip"] = archive
    spec = spec_for(f"{base}/ml-100k.zip", archive)
    cache = tmp_path / "cache"
    folder = cached_download(spec, cache)
    assert len(load_movielens(folder).ratings) == 100_000

    del files["ml-100k.zip"]  # the server is gone: reuse must not need it
    assert cached_download(spec, cache) == folder
    (folder / "u.data").write_text("damaged\n")
    assert cached_download(spec, cache) == folder  # re-extracted from the verified archive
    assert (folder / "u.data").read_bytes() == (movielens_dir / "u.data").read_bytes()

    (cache / "ml-100k.zip").write_bytes(archive[:-10])  # damaged archive: fetched again, and fails
    with pytest.raises(DownloadError, match="404"):
        cached_download(spec, cache)


# -- the larger releases: registry, published .md5, streamed loaders ------------------------------

def release_zip(folder: Path, release: str) -> bytes:
    """The files of ``folder`` zipped under ``<release>/``, as GroupLens packs its archives."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(f"{release}/README.txt", b"synthetic test archive\n")
        for path in sorted(folder.iterdir()):
            zf.write(path, f"{release}/{path.name}")
    return buffer.getvalue()


def test_unpinned_release_is_verified_against_the_published_md5_file(server, tmp_path: Path):
    from analysis.movielens.load_release import load_release
    from analysis.movielens.releases import RELEASES
    from analysis.movielens.source import archive_spec
    from tests.movielens_files import write_csv_release

    base, files = server
    release = RELEASES["ml-32m"]
    data = release_zip(write_csv_release(tmp_path / "src"), "ml-32m")
    files["ml-32m.zip"] = data
    files["ml-32m.zip.md5"] = f"{hashlib.md5(data).hexdigest()}  ml-32m.zip\n".encode()
    spec = archive_spec({"release": "ml-32m", "url": f"{base}/ml-32m.zip", "size_bytes": None,
                         "md5": None, "timeout_seconds": 10})
    assert (spec.md5, spec.size_bytes) == (hashlib.md5(data).hexdigest(), None)
    archive = download_archive(spec, tmp_path / "raw" / "ml-32m.zip")
    folder = extract_archive(archive, tmp_path / "raw" / "ml-32m", release.files)
    assert sorted(p.name for p in folder.iterdir()) == ["movies.csv", "ratings.csv"]
    loaded = load_release(folder, release)
    assert (len(loaded.ratings), len(loaded.items), len(loaded.users)) == (6, 5, 3)

    files["ml-32m.zip"] = data[:-10] + b"0123456789"  # same size, other bytes
    with pytest.raises(DownloadError, match=r"does not match the published .*ml-32m.zip"):
        download_archive(spec, tmp_path / "again" / "ml-32m.zip")
    assert not (tmp_path / "again").exists() or list((tmp_path / "again").iterdir()) == []


def test_missing_published_md5_file_stops_before_downloading(server):
    from analysis.movielens.source import archive_spec

    base, files = server
    files["ml-32m.zip"] = b"anything"
    with pytest.raises(DownloadError, match=r"could not fetch the published checksum "
                                            r".*ml-32m.zip.md5: .*404"):
        archive_spec({"release": "ml-32m", "url": f"{base}/ml-32m.zip", "timeout_seconds": 10})
    files["ml-32m.zip.md5"] = b"MD5 (other.zip) = 0123456789abcdef0123456789abcdef\n"
    with pytest.raises(DownloadError, match=r"no MD5 line for ml-32m.zip"):
        archive_spec({"release": "ml-32m", "url": f"{base}/ml-32m.zip", "timeout_seconds": 10})
    files["ml-32m.zip.md5"] = b"MD5 (ml-32m.zip) = 0123456789ABCDEF0123456789abcdef\n"
    spec = archive_spec({"release": "ml-32m", "url": f"{base}/ml-32m.zip", "timeout_seconds": 10})
    assert spec.md5 == "0123456789abcdef0123456789abcdef"


def test_ml1m_cached_download_by_md5_alone(server, tmp_path: Path):
    """ml-1m pins no size: a download of any size with the right MD5 is kept, then reused."""
    from analysis.movielens.releases import RELEASES
    from analysis.movielens.source import cached_download
    from tests.movielens_files import write_ml1m

    base, files = server
    release = RELEASES["ml-1m"]
    data = release_zip(write_ml1m(tmp_path / "src"), "ml-1m")
    files["ml-1m.zip"] = data
    spec = ArchiveSpec(url=f"{base}/ml-1m.zip", size_bytes=None,
                       md5=hashlib.md5(data).hexdigest(), timeout_seconds=10)
    folder = cached_download(spec, tmp_path / "cache", release)
    assert folder == tmp_path / "cache" / "ml-1m"
    assert (folder / "movies.dat").read_bytes() == (tmp_path / "src" / "movies.dat").read_bytes()
    del files["ml-1m.zip"]
    assert cached_download(spec, tmp_path / "cache", release) == folder  # offline reuse
