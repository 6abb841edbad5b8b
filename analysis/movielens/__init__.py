"""MovieLens (Harper & Konstan, 2015): the 100K, 1M, 25M and 32M releases downloaded, verified
and loaded into the same typed tables (:mod:`analysis.movielens.releases` lists them)."""

from analysis.movielens.download import ArchiveSpec, DownloadError, download_archive
from analysis.movielens.extract import extract_archive
from analysis.movielens.load import (
    MovieLensError,
    load_items,
    load_movielens,
    load_ratings,
    load_users,
)
from analysis.movielens.load_release import load_release
from analysis.movielens.releases import RELEASES, Release, get_release

__all__ = [
    "ArchiveSpec",
    "DownloadError",
    "MovieLensError",
    "RELEASES",
    "Release",
    "download_archive",
    "extract_archive",
    "get_release",
    "load_items",
    "load_movielens",
    "load_release",
    "load_ratings",
    "load_users",
]
