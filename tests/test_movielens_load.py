"""The MovieLens loader against the real data set, and its errors on damaged copies."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from analysis.movielens.load import MovieLensError, load_movielens
from analysis.movielens.schema import GENRE_COLUMNS


@pytest.fixture(scope="module")
def movielens(movielens_dir: Path):
    return load_movielens(movielens_dir)


@pytest.fixture()
def copy_dir(movielens_copy: Path) -> Path:
    return movielens_copy


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
    with pytest.raises(MovieLensError, match=r"line 1 has 3 field\(s\), expected 4 .* columns \(user_id, movie_id, rating, timestamp\)"):
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


# -- every loader error names the file, the line and the offending text -------------------------

def edit_line(path: Path, line: int, new: str) -> str:
    """Replace 1-based ``line`` of a latin-1 file; return the old line."""
    lines = path.read_bytes().decode("latin-1").split("\n")
    old, lines[line - 1] = lines[line - 1], new
    path.write_bytes("\n".join(lines).encode("latin-1"))
    return old


def test_truncated_last_line_that_still_parses_is_rejected(copy_dir: Path):
    data = (copy_dir / "u.data").read_bytes()
    (copy_dir / "u.data").write_bytes(data[:-3])  # timestamp digits cut: "...\t8812509" is valid
    with pytest.raises(MovieLensError, match=r"u\.data: line 100000 \(the last\) does not end "
                                             r"with a newline: the file is truncated"):
        load_movielens(copy_dir)


def test_extra_field_names_line_and_text_not_a_pandas_error(copy_dir: Path):
    old = edit_line(copy_dir / "u.data", 5, "1\t2\t3\t4\t5")
    assert old.count("\t") == 3
    with pytest.raises(MovieLensError) as info:
        load_movielens(copy_dir)
    message = str(info.value)
    assert "u.data: line 5 has 5 field(s), expected 4 '\\t'-separated columns" in message
    assert "'1\\t2\\t3\\t4\\t5'" in message
    assert "tokenizing" not in message and "C error" not in message


def test_missing_field_and_blank_line_name_the_line(copy_dir: Path):
    edit_line(copy_dir / "u.user", 7, "7|57|M|administrator")
    with pytest.raises(MovieLensError, match=r"u\.user: line 7 has 4 field\(s\), expected 5 "
                                             r".*'7\|57\|M\|administrator'"):
        load_movielens(copy_dir)
    edit_line(copy_dir / "u.user", 7, "")
    with pytest.raises(MovieLensError, match=r"u\.user: line 7 has 1 field\(s\), .*: ''"):
        load_movielens(copy_dir)


def test_bad_value_names_line_and_value(copy_dir: Path):
    edit_line(copy_dir / "u.data", 42, "10\t20\tfour\t881250949")
    with pytest.raises(MovieLensError, match=r"column 'rating' must be an integer; line 42 has 'four'"):
        load_movielens(copy_dir)
    edit_line(copy_dir / "u.data", 42, "10\t20\t9\t881250949")
    with pytest.raises(MovieLensError, match=r"column 'rating' must lie in \[1, 5\]; line 42 has '9'"):
        load_movielens(copy_dir)
    edit_line(copy_dir / "u.user", 3, "3|23|X|writer|32067")
    edit_line(copy_dir / "u.data", 42, "10\t20\t4\t881250949")
    with pytest.raises(MovieLensError, match=r"u\.user: column 'gender' must be 'M' or 'F'; line 3 has 'X'"):
        load_movielens(copy_dir)


def test_repeated_rating_names_line_and_pair(copy_dir: Path):
    first = (copy_dir / "u.data").read_text().split("\n", 1)[0]
    edit_line(copy_dir / "u.data", 10, first)
    with pytest.raises(MovieLensError, match=r"u\.data: line 10 repeats the \(user_id, movie_id\) "
                                             r"pair \(196, 242\)"):
        load_movielens(copy_dir)


def test_rating_of_unknown_user_names_the_value(copy_dir: Path):
    edit_line(copy_dir / "u.data", 1, "999\t242\t3\t881250949")
    with pytest.raises(MovieLensError, match=r"a rating refers to user_id 999, which .*u\.user "
                                             r"does not list"):
        load_movielens(copy_dir)


def test_item_file_resaved_as_utf8_is_rejected(copy_dir: Path):
    text = (copy_dir / "u.item").read_bytes().decode("latin-1")
    (copy_dir / "u.item").write_bytes(text.encode("utf-8"))
    with pytest.raises(MovieLensError, match=r"u\.item: line \d+ is UTF-8 encoded \(.*\) but "
                                             r"MovieLens ships this file as latin-1"):
        load_movielens(copy_dir)


def test_utf16_and_non_ascii_files_are_rejected(copy_dir: Path):
    text = (copy_dir / "u.user").read_text()
    (copy_dir / "u.user").write_bytes(text.encode("utf-16"))
    with pytest.raises(MovieLensError, match=r"u\.user: line 1 contains a NUL byte"):
        load_movielens(copy_dir)
    (copy_dir / "u.user").write_text(text.replace("|technician|", "|t\u00e9chnician|", 1),
                                     encoding="latin-1")
    with pytest.raises(MovieLensError, match=r"u\.user: line 1 has the non-ASCII byte 0xe9"):
        load_movielens(copy_dir)


def test_empty_info_file_is_named(copy_dir: Path):
    (copy_dir / "u.info").write_bytes(b"")
    with pytest.raises(MovieLensError, match=r"u\.info: the file is empty"):
        load_movielens(copy_dir)
