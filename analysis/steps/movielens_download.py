"""Rule movielens_download: fetch, verify and extract <release>.zip into data/raw/<release>."""

from __future__ import annotations

from analysis.cli import StepContext
from analysis.movielens.download import download_archive
from analysis.movielens.extract import extract_archive
from analysis.movielens.load import check_directory
from analysis.movielens.releases import configured_release
from analysis.movielens.source import archive_spec


def run(ctx: StepContext) -> None:
    cfg = ctx.params["movielens"]
    release = configured_release(cfg)
    archive = download_archive(archive_spec(cfg), ctx.raw_dir / release.archive_name)
    folder = extract_archive(archive, ctx.raw_dir / release.name, release.files)
    check_directory(folder, release.files)
