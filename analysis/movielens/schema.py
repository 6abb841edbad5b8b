"""The MovieLens 100K file layout and the typed schema of the tidy tables we build from it."""

from __future__ import annotations

#: Files the loader needs inside an ``ml-100k`` directory.
REQUIRED_FILES: tuple[str, ...] = ("u.data", "u.item", "u.user", "u.genre", "u.info")

#: Genre names in u.genre order, as snake_case column suffixes.
GENRES: tuple[str, ...] = (
    "unknown", "action", "adventure", "animation", "childrens", "comedy", "crime",
    "documentary", "drama", "fantasy", "film_noir", "horror", "musical", "mystery", "romance",
    "sci_fi", "thriller", "war", "western",
)
GENRE_COLUMNS: tuple[str, ...] = tuple(f"genre_{g}" for g in GENRES)

#: u.data: tab separated ``user id | item id | rating | timestamp``.
RATINGS_COLUMNS: tuple[str, ...] = ("user_id", "movie_id", "rating", "timestamp")
RATINGS_DTYPES: dict[str, str] = {
    "user_id": "int32", "movie_id": "int32", "rating": "int8", "timestamp": "int64",
}

#: u.item: '|' separated, latin-1; 5 descriptive columns then 19 genre flags.
ITEM_COLUMNS: tuple[str, ...] = (
    "movie_id", "title", "release_date", "video_release_date", "imdb_url", *GENRE_COLUMNS,
)

#: u.user: '|' separated ``user id | age | gender | occupation | zip code``.
USER_COLUMNS: tuple[str, ...] = ("user_id", "age", "gender", "occupation", "zip_code")

#: Published counts (also stated in u.info).
EXPECTED_COUNTS: dict[str, int] = {"users": 943, "items": 1682, "ratings": 100000}

#: Most ratings any one user has in the (MD5-verified) data set: user 405, 737 ratings. Every user
#: has at least 20. A slate of more movies than this cannot be filled from one user's ratings.
MAX_RATINGS_PER_USER = 737

SCHEMA_DOC = """
ratings.parquet  user_id int32, movie_id int32, rating int8 (1-5; float32 0.5-5.0 in ml-25m and
                 ml-32m), timestamp int64 (unix seconds)
items.parquet    movie_id int32, title string, year Int16 (nullable; from the title or release
                 date), release_date date (nullable), imdb_url string, n_genres int8,
                 genre_<name> int8 0/1 for the 19 genres of u.genre
users.parquet    user_id int32, age int16 (ml-1m: age-group code), gender string ('M'/'F'),
                 occupation string, zip_code string; ml-25m/32m: rating users, demographics
                 missing (age Int16)
"""
