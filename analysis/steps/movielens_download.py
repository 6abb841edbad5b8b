"""Rule movielens_download: fetch, verify and extract ml-100k.zip into data/raw/ml-100k."""

from __future__ import annotations

from analysis.cli import StepContext
from analysis.movielens.download import ArchiveSpec, download_archive
from analysis.movielens.extract import extract_archive
from analysis.movielens.load import check_directory


def run(ctx: StepContext) -> None:
    cfg = ctx.params["movielens"]
    spec = ArchiveSpec(url=cfg["url"], size_bytes=int(cfg["size_bytes"]), md5=cfg["md5"],
                       timeout_seconds=float(cfg["timeout_seconds"]))
    archive = download_archive(spec, ctx.raw_dir / "ml-100k.zip")
    check_directory(extract_archive(archive, ctx.raw_dir / "ml-100k"))
