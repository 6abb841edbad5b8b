"""The MovieLens releases the pipeline can read: archive, verification values and file layout.

``movielens.release`` in the config picks one. Each release's archive lives at
``https://files.grouplens.org/datasets/movielens/<name>.zip``. Where the archive's size and MD5
are pinned here they are the values GroupLens publishes (the MD5s agree with the ``<name>.zip.md5``
files GroupLens serves beside each archive). A release without a pinned MD5 (ml-32m) is verified
against that published ``.md5`` file, fetched alongside the archive; a release without a pinned
size (ml-1m, ml-32m) is checked by MD5 alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

BASE_URL = "https://files.grouplens.org/datasets/movielens"

Layout = Literal["ml-100k", "dat", "csv"]


@dataclass(frozen=True)
class Release:
    """One MovieLens release: where its archive is and what its folder holds."""

    name: str
    title: str  # how the book names it
    layout: Layout  # "ml-100k" (u.* files), "dat" ('::'-separated), "csv" (quoted CSV)
    files: tuple[str, ...]  # files the loader reads from the extracted folder
    size_bytes: int | None  # published archive size; None = not pinned (MD5 check only)
    md5: str | None  # published archive MD5; None = read GroupLens's <name>.zip.md5
    has_users: bool  # whether the release ships a users file with demographics
    half_star_ratings: bool  # ratings in 0.5 steps (float32) rather than whole stars (int8)

    @property
    def url(self) -> str:
        return f"{BASE_URL}/{self.name}.zip"

    @property
    def archive_name(self) -> str:
        return f"{self.name}.zip"


RELEASES: dict[str, Release] = {
    release.name: release for release in (
        Release("ml-100k", "MovieLens 100K", "ml-100k",
                ("u.data", "u.item", "u.user", "u.genre", "u.info"),
                size_bytes=4_924_029, md5="0e33842e24a9c977be4e0107933c0723",
                has_users=True, half_star_ratings=False),
        Release("ml-1m", "MovieLens 1M", "dat", ("ratings.dat", "movies.dat", "users.dat"),
                size_bytes=None, md5="c4d9eecfca2ab87c1945afe126590906",
                has_users=True, half_star_ratings=False),
        Release("ml-25m", "MovieLens 25M", "csv", ("ratings.csv", "movies.csv"),
                size_bytes=261_978_986, md5="6b51fb2759a8657d3bfcbfc42b592ada",
                has_users=False, half_star_ratings=True),
        Release("ml-32m", "MovieLens 32M", "csv", ("ratings.csv", "movies.csv"),
                size_bytes=None, md5=None, has_users=False, half_star_ratings=True),
    )
}

DEFAULT_RELEASE = "ml-100k"


def get_release(name: str) -> Release:
    """The registry entry for ``name``; an unknown name is an error listing the known ones."""
    try:
        return RELEASES[name]
    except KeyError:
        raise ValueError(f"movielens.release: unknown release {name!r}; expected one of "
                         f"{', '.join(RELEASES)}") from None


def configured_release(movielens: Mapping[str, Any]) -> Release:
    """The release named by the config's ``movielens`` section (default ml-100k)."""
    return get_release(str(movielens.get("release") or DEFAULT_RELEASE))


def release_of(record_config: Mapping[str, Any]) -> Release:
    """The release a ``movielens`` manifest record was built from (ml-100k records name none)."""
    return get_release(str(record_config.get("release") or DEFAULT_RELEASE))


def verification_phrase(release: Release) -> str:
    """How a download of ``release`` is checked, as the data chapter words it."""
    if release.size_bytes is not None and release.md5 is not None:
        return "its size and MD5 match the published archive"
    if release.md5 is not None:
        return "its MD5 matches the published one"
    return "its MD5 matches the checksum file GroupLens publishes beside it"


def count_check_phrase(release: Release) -> str:
    """What the loader cross-checks the row counts against, as the data chapter words it."""
    if release.layout == "ml-100k":
        return "compares the row counts with those stated in the archive's own `u.info`"
    listed = "a listed movie and user" if release.has_users else "a listed movie"
    return f"checks that every rating refers to {listed}"


def star_scale_phrase(release: Release) -> str:
    """The rating scale, as the data chapter words it."""
    return "a half-star scale from 0.5 to 5" if release.half_star_ratings else "a 1–5 star scale"
