"""ml-1m (``::`` .dat) and ml-25m/ml-32m (CSV) loaders on small files the tests write themselves."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.movielens.download import ArchiveSpec
from analysis.movielens.load import MovieLensError
from analysis.movielens.load_release import load_release
from analysis.movielens.ratings_stream import DAT_RATINGS, read_ratings
from analysis.movielens.releases import RELEASES, get_release
from analysis.movielens.schema import GENRE_COLUMNS
from analysis.movielens.source import archive_spec, local_copy
from analysis.movielens.summaries import rating_distribution
from tests.movielens_files import write_csv_release, write_ml1m

ML1M, ML25M = RELEASES["ml-1m"], RELEASES["ml-25m"]


def flags(items: pd.DataFrame, movie_id: int) -> set[str]:
    row = items.set_index("movie_id").loc[movie_id, list(GENRE_COLUMNS)]
    return {c.removeprefix("genre_") for c, v in row.items() if v == 1}


# -- ml-1m ------------------------------------------------------------------------------------

def test_ml1m_tables_numbers_and_dtypes(tmp_path: Path):
    data = load_release(write_ml1m(tmp_path / "ml-1m"), ML1M)
    r = data.ratings
    assert len(r) == 7 and r["rating"].mean() == pytest.approx(22 / 7)
    assert r.groupby("user_id")["rating"].mean().round(6).to_dict() == {1: 4.0, 2: 3.0, 3: 2.0}
    assert list(r["user_id"]) == [1, 1, 1, 2, 2, 3, 3]
    assert list(r["movie_id"]) == [1, 2, 4, 1, 3, 1, 2]  # sorted by user, then movie
    assert dict(r.dtypes.astype(str)) == {"user_id": "int32", "movie_id": "int32",
                                          "rating": "int8", "timestamp": "int64"}
    items = data.items
    assert items["title"].tolist()[1] == "Misérables, Les (1995)"  # latin-1 decoded
    assert items["title"].tolist()[3] == "Nénette et Boni (1996)"
    assert items["year"].tolist() == [1995, 1995, 1995, 1996]
    assert flags(items, 1) == {"animation", "childrens", "comedy"}
    assert flags(items, 3) == {"adventure", "sci_fi"}
    assert items["n_genres"].tolist() == [3, 2, 2, 1]
    assert items[list(GENRE_COLUMNS)].sum().sum() == 8
    users = data.users
    assert users["age"].tolist() == [1, 56, 25]
    assert users["occupation"].tolist() == ["K-12 student", "self-employed", "scientist"]
    assert users["gender"].tolist() == ["F", "M", "M"]
    assert str(users["age"].dtype) == "int16"


def test_ml1m_matches_the_ml100k_columns(tmp_path: Path, movielens_dir: Path):
    small = load_release(write_ml1m(tmp_path / "ml-1m"), ML1M)
    reference = load_release(movielens_dir, RELEASES["ml-100k"])
    for name in ("ratings", "items", "users"):
        assert dict(getattr(small, name).dtypes.astype(str)) == \
            dict(getattr(reference, name).dtypes.astype(str)), name


def test_malformed_separator_names_file_line_and_format(tmp_path: Path):
    folder = write_ml1m(tmp_path / "ml-1m")
    lines = (folder / "ratings.dat").read_text().splitlines()
    lines[4] = "2:3::2::978299026"
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n")
    with pytest.raises(MovieLensError) as err:
        load_release(folder, ML1M)
    message = str(err.value)
    assert f"{folder / 'ratings.dat'}: line 5 has 3 field(s), expected 4 '::'-separated columns " \
           "(user_id, movie_id, rating, timestamp): '2:3::2::978299026'" in message


def test_extra_field_and_bad_value_name_their_lines(tmp_path: Path):
    folder = write_ml1m(tmp_path / "ml-1m")
    ratings = folder / "ratings.dat"
    original = ratings.read_text()
    ratings.write_text(original.replace("2::3::2::978299026", "2::3::2::978299026::9"))
    with pytest.raises(MovieLensError, match=r"line 5 has 5 field\(s\), expected 4 '::'"):
        load_release(folder, ML1M)
    ratings.write_text(original.replace("3::2::1::", "3::2::7::"))
    with pytest.raises(MovieLensError, match=r"column 'rating' must be one of 1, 2, 3, 4 or 5 "
                                             r"\(stars\); line 6 has '7'"):
        load_release(folder, ML1M)
    movies = folder / "movies.dat"
    ratings.write_text(original)
    movies.write_bytes(movies.read_bytes().replace(b"::Drama|Musical", b"::Drama|Musicals"))
    with pytest.raises(MovieLensError, match=r"movies.dat: line 2 has the genre 'Musicals'"):
        load_release(folder, ML1M)


def test_ml1m_movies_saved_as_utf8_are_refused(tmp_path: Path):
    folder = write_ml1m(tmp_path / "ml-1m")
    (folder / "movies.dat").write_bytes((folder / "movies.dat").read_bytes()
                                        .decode("latin-1").encode("utf-8"))
    with pytest.raises(MovieLensError, match=r"movies.dat: line 2 is UTF-8 encoded"):
        load_release(folder, ML1M)


def test_ml1m_users_codes_are_checked(tmp_path: Path):
    folder = write_ml1m(tmp_path / "ml-1m")
    (folder / "users.dat").write_text("1::F::1::10::48067\n2::M::30::16::70072\n3::M::25::15::5\n")
    with pytest.raises(MovieLensError, match=r"users.dat: column 'age' must be an age-group code "
                                             r".*line 2 has '30'"):
        load_release(folder, ML1M)




# -- ml-25m / ml-32m ----------------------------------------------------------------------------

def test_csv_tables_quoted_titles_half_stars_and_genres(tmp_path: Path):
    data = load_release(write_csv_release(tmp_path / "ml-25m"), ML25M)
    r = data.ratings
    assert len(r) == 6 and str(r["rating"].dtype) == "float32"
    assert r["rating"].mean() == pytest.approx(20.0 / 6)
    assert r.groupby("user_id")["rating"].sum().to_dict() == {1: 7.5, 2: 5.5, 7: 7.0}
    items = data.items.set_index("movie_id")
    assert items.loc[11, "title"] == "American President, The (1995)"
    assert items.loc[29, "title"] == "City of Lost Children, The (Cité des enfants perdus, La) (1995)"
    assert items["year"].tolist() == [1995, 1995, 1995, 2019, 2014]
    assert flags(data.items, 1) == {"adventure", "animation", "childrens", "comedy", "fantasy"}
    assert flags(data.items, 200) == {"unknown"}
    assert flags(data.items, 300) == {"sci_fi"}  # IMAX sets no flag
    assert data.items["release_date"].isna().all() and data.items["imdb_url"].isna().all()
    users = data.users
    assert users["user_id"].tolist() == [1, 2, 7]
    assert users[["age", "gender", "occupation", "zip_code"]].isna().all().all()
    shares = rating_distribution(r).set_index("rating")["n_ratings"]
    assert shares.index.tolist() == [k / 2 for k in range(1, 11)]
    assert shares.loc[[0.5, 2.5, 3.5, 4.0, 4.5, 5.0]].tolist() == [1] * 6 and shares.sum() == 6


def test_csv_errors_name_file_line_and_format(tmp_path: Path):
    folder = write_csv_release(tmp_path / "ml-25m")
    ratings, movies = folder / "ratings.csv", folder / "movies.csv"
    original = ratings.read_text()
    ratings.write_text(original.replace("2,11,5.0,", "2,11,4.3,"))
    with pytest.raises(MovieLensError, match=r"ratings.csv: column 'rating' must be one of 0.5, "
                                             r"1.0, ..., 5.0 \(half stars\); line 4 has '4.3'"):
        load_release(folder, ML25M)
    ratings.write_text(original.replace("userId,", "user,"))
    with pytest.raises(MovieLensError, match=r"line 1 must be the header 'userId,movieId,rating,"):
        load_release(folder, ML25M)
    ratings.write_text(original)
    movies.write_text(movies.read_text().replace('"American President, The (1995)"',
                                                 "American President, The (1995)"))
    with pytest.raises(MovieLensError, match=r"movies.csv: line 3 has 4 fields, expected 3 "
                                             r"comma-separated columns"):
        load_release(folder, ML25M)


@pytest.mark.parametrize(("release", "appended", "message"), [
    ("ml-1m", "9::1::4::978300000",
     r"ratings.dat: a rating refers to user_id 9, which .*users.dat does not list"),
    ("ml-25m", "1,29,2.0,1147868900",  # with 2-line chunks the repeat is in a later chunk
     r"ratings.csv: line 8 repeats the \(user_id, movie_id\) pair \(1, 29\)"),
])
def test_appended_rating_that_breaks_a_rule_is_named(tmp_path: Path, release: str, appended: str,
                                                     message: str):
    spec = RELEASES[release]
    folder = (write_ml1m if release == "ml-1m" else write_csv_release)(tmp_path / release)
    with open(folder / spec.files[0], "a") as handle:
        handle.write(appended + "\n")
    with pytest.raises(MovieLensError, match=message):
        load_release(folder, spec, chunk_rows=2)


# -- streaming --------------------------------------------------------------------------------

def test_chunked_reading_gives_the_same_table_and_bytes(tmp_path: Path):
    rng = np.random.default_rng(3)
    n = 5_000
    pairs = rng.choice(400 * 300, size=n, replace=False)
    text = "".join(f"{p // 400 + 1}::{p % 400 + 1}::{s}::{t}\n" for p, s, t in
                   zip(pairs, rng.integers(1, 6, n), rng.integers(9e8, 1e9, n), strict=True))
    path = tmp_path / "ratings.dat"
    path.write_text(text)
    whole = read_ratings(path, DAT_RATINGS, chunk_rows=10**6)
    chunked = read_ratings(path, DAT_RATINGS, chunk_rows=333)
    pd.testing.assert_frame_equal(whole, chunked)
    assert len(whole) == n and whole["rating"].sum() == sum(int(x.split("::")[2])
                                                            for x in text.splitlines())

    def parquet(frame: pd.DataFrame) -> bytes:
        buffer = io.BytesIO()
        frame.to_parquet(buffer, index=False, compression="zstd")
        return buffer.getvalue()

    assert parquet(whole) == parquet(chunked)


def test_separator_split_across_read_blocks(tmp_path: Path):
    """A '::' that straddles two raw reads still separates (blocks of 7 bytes)."""
    from analysis.movielens import ratings_stream

    path = tmp_path / "ratings.dat"
    path.write_text("1::10::5::978300760\n22::3::1::978300761\n")
    stream = ratings_stream._SeparatorStream(path, block=7)
    data = io.BufferedReader(stream).read()
    assert data == b"1\x1f10\x1f5\x1f978300760\n22\x1f3\x1f1\x1f978300761\n"


# -- registry and resolution ------------------------------------------------------------------

def test_registry_keeps_ml100k_verification_and_names_archives():
    assert archive_spec({"release": "ml-100k", "url": None, "size_bytes": None, "md5": None,
                         "timeout_seconds": 60}) == ArchiveSpec()
    assert ML1M.url == "https://files.grouplens.org/datasets/movielens/ml-1m.zip"
    assert RELEASES["ml-32m"].url.endswith("/ml-32m.zip") and RELEASES["ml-32m"].md5 is None
    spec = archive_spec({"release": "ml-1m", "timeout_seconds": 5})
    assert (spec.url, spec.size_bytes, spec.md5) == (ML1M.url, None, ML1M.md5)
    with pytest.raises(ValueError, match="unknown release 'ml-10m'; expected one of ml-100k, ml-1m"):
        get_release("ml-10m")


def test_unpinned_md5_is_read_from_the_published_file():
    asked: list[str] = []

    def fetch(url: str, timeout: float) -> str:
        asked.append(url)
        return "d" * 32

    spec = archive_spec({"release": "ml-32m", "timeout_seconds": 5}, fetch_md5=fetch)
    assert asked == [RELEASES["ml-32m"].url] and spec.md5 == "d" * 32
    pinned = archive_spec({"release": "ml-32m", "md5": "e" * 32}, fetch_md5=fetch)
    assert pinned.md5 == "e" * 32 and len(asked) == 1


def test_local_copy_checks_the_release_files(tmp_path: Path):
    folder = write_ml1m(tmp_path / "ml-1m")
    assert local_copy(str(folder), {}, ML1M) == (folder, "config movielens_dir")
    (folder / "users.dat").unlink()
    with pytest.raises(MovieLensError, match=r"lacks users.dat\. Point it at an ml-1m folder "
                                             r"holding ratings.dat, movies.dat, users.dat"):
        local_copy(str(folder), {}, ML1M)


def test_data_chapter_words_follow_the_release():
    from analysis.movielens.releases import (
        count_check_phrase,
        release_of,
        star_scale_phrase,
        verification_phrase,
    )

    default = release_of({"movielens_dir": "/x"})
    assert default.title == "MovieLens 100K" and default.archive_name == "ml-100k.zip"
    assert verification_phrase(default) == "its size and MD5 match the published archive"
    assert count_check_phrase(default).endswith("the archive's own `u.info`")
    assert star_scale_phrase(default) == "a 1–5 star scale"
    ml1m = release_of({"release": "ml-1m"})
    assert ml1m.title == "MovieLens 1M"
    assert verification_phrase(ml1m) == "its MD5 matches the published one"
    assert count_check_phrase(ml1m) == "checks that every rating refers to a listed movie and user"
    ml32m = release_of({"release": "ml-32m"})
    assert "checksum file GroupLens publishes" in verification_phrase(ml32m)
    assert count_check_phrase(ml32m) == "checks that every rating refers to a listed movie"
    assert star_scale_phrase(ml32m) == "a half-star scale from 0.5 to 5"
