"""MovieLens 100K (Harper & Konstan, 2015): download, verify, load into typed tables."""

from analysis.movielens.download import ArchiveSpec, DownloadError, download_archive
from analysis.movielens.extract import extract_archive
from analysis.movielens.load import (
    MovieLensError,
    load_items,
    load_movielens,
    load_ratings,
    load_users,
)

__all__ = [
    "ArchiveSpec",
    "DownloadError",
    "MovieLensError",
    "download_archive",
    "extract_archive",
    "load_items",
    "load_movielens",
    "load_ratings",
    "load_users",
]
