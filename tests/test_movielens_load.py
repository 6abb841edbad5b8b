"""The MovieLens loader against the real data set, and its errors on damaged copies."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from analysis.movielens.load import MovieLensError, load_movielens
from analysis.movielens.schema import GENRE_COLUMNS, REQUIRED_FILES


@pytest.fixture(scope="module")
def movielens(movielens_dir: Path):
    return load_movielens(movielens_dir)


@pytest.fixture()
def copy_dir(tmp_path: Path, movielens_dir: Path) -> Path:
    target = tmp_path / "ml-100k"
    target.mkdir()
    for name in REQUIRED_FILES:
        shutil.copyfile(movielens_dir / name, target / name)
    return target


def test_counts_and_mean_match_the_published_data_set(movielens):
    assert len(movielens.ratings) == 100_000
    assert movielens.ratings["user_id"].nunique() == 943
    assert len(movielens.users) == 943
    assert len(movielens.items) == 1682
    assert movielens.ratings["rating"].mean() == pytest.approx(3.52986, abs=1e-9)


def test_tables_are_typed(movielens):
    assert movielens.ratings.dtypes.astype(str).to_dict() == {
        "user_id": "int32", "movie_id": "int32", "rating": "int8", "timestamp": "int64"}
    assert all(movielens.items[c].dtype == "int8" for c in GENRE_COLUMNS)
    assert str(movielens.items["year"].dtype) == "Int16"
    assert movielens.users["age"].dtype == "int16"
    assert set(movielens.users["gender"]) == {"M", "F"}


def test_items_decode_latin1_titles_and_years(movielens):
    items = movielens.items.set_index("movie_id")
    assert items.loc[1, "title"] == "Toy Story (1995)"
    assert items.loc[1, "year"] == 1995
    assert items.loc[1, "genre_animation"] == 1 and items.loc[1, "genre_comedy"] == 1
    assert items["title"].str.contains("é").any()  # latin-1 accents decoded, not mangled
    assert items["n_genres"].min() >= 1


def test_truncated_ratings_file_is_rejected(copy_dir: Path):
    lines = (copy_dir / "u.data").read_text().splitlines(keepends=True)
    (copy_dir / "u.data").write_text("".join(lines[:-500]))
    with pytest.raises(MovieLensError, match=r"u\.data: has 99,500 ratings but u\.info states 100,000"):
        load_movielens(copy_dir)


def test_partially_written_last_line_is_rejected(copy_dir: Path):
    data = (copy_dir / "u.data").read_text()
    (copy_dir / "u.data").write_text(data[: len(data) - 14])  # cut inside the last line
    with pytest.raises(MovieLensError, match="u.data"):
        load_movielens(copy_dir)


def test_missing_column_is_named(copy_dir: Path):
    frame = pd.read_csv(copy_dir / "u.data", sep="\t", header=None)
    frame.drop(columns=[3]).to_csv(copy_dir / "u.data", sep="\t", header=False, index=False)
    with pytest.raises(MovieLensError, match=r"expected 4 .* columns \(user_id, movie_id, rating, timestamp\), found 3"):
        load_movielens(copy_dir)


def test_out_of_range_rating_is_named(copy_dir: Path):
    text = (copy_dir / "u.data").read_text().replace("196\t242\t3\t", "196\t242\t7\t", 1)
    (copy_dir / "u.data").write_text(text)
    with pytest.raises(MovieLensError, match=r"column 'rating' must lie in \[1, 5\]"):
        load_movielens(copy_dir)


def test_missing_file_is_named(copy_dir: Path):
    (copy_dir / "u.user").unlink()
    with pytest.raises(MovieLensError, match="lacks u.user"):
        load_movielens(copy_dir)
