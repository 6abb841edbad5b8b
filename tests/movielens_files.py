"""Small MovieLens folders in the ml-1m (``::`` .dat) and ml-25m/ml-32m (CSV) formats.

The tests write these themselves (no download): a hand-made folder whose numbers are known, and
a synthetic ml-1m folder large enough for the slate experiment's CI settings.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

#: A hand-made ml-1m folder: 3 users, 4 movies (one title in latin-1), 7 ratings.
ML1M_MOVIES = (
    "1::Toy Story (1995)::Animation|Children's|Comedy\n"
    "2::Misérables, Les (1995)::Drama|Musical\n"
    "3::City of Lost Children, The (1995)::Adventure|Sci-Fi\n"
    "4::Nénette et Boni (1996)::Drama\n"
)
ML1M_USERS = "1::F::1::10::48067\n2::M::56::16::70072\n3::M::25::15::55117\n"
ML1M_RATINGS = (
    "1::1::5::978300760\n1::2::3::978302109\n1::4::4::978301968\n"
    "2::1::4::978298413\n2::3::2::978299026\n3::2::1::978297000\n3::1::3::978298000\n"
)

#: A hand-made ml-25m folder: quoted titles with commas, half stars, no users file.
CSV_MOVIES = (
    "movieId,title,genres\n"
    "1,Toy Story (1995),Adventure|Animation|Children|Comedy|Fantasy\n"
    '11,"American President, The (1995)",Comedy|Drama|Romance\n'
    '29,"City of Lost Children, The (Cité des enfants perdus, La) (1995)",Adventure|Drama|Sci-Fi\n'
    "200,Cosmos (2019),(no genres listed)\n"
    "300,Interstellar (2014),Sci-Fi|IMAX\n"
)
CSV_RATINGS = (
    "userId,movieId,rating,timestamp\n"
    "1,1,4.0,1147880044\n1,29,3.5,1147868817\n2,11,5.0,1147868828\n"
    "2,1,0.5,1147878820\n7,200,2.5,1147868510\n7,300,4.5,1147868495\n"
)


def write_ml1m(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "movies.dat").write_bytes(ML1M_MOVIES.encode("latin-1"))
    (folder / "users.dat").write_bytes(ML1M_USERS.encode("ascii"))
    (folder / "ratings.dat").write_bytes(ML1M_RATINGS.encode("ascii"))
    return folder


def write_csv_release(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "movies.csv").write_bytes(CSV_MOVIES.encode("utf-8"))
    (folder / "ratings.csv").write_bytes(CSV_RATINGS.encode("ascii"))
    return folder


ML1M_GENRES = ("Action", "Adventure", "Animation", "Children's", "Comedy", "Crime", "Documentary",
               "Drama", "Fantasy", "Film-Noir", "Horror", "Musical", "Mystery", "Romance",
               "Sci-Fi", "Thriller", "War", "Western")


def write_synthetic_ml1m(folder: Path, n_users: int = 300, n_movies: int = 400,
                         per_user: int = 40, seed: int = 11) -> Path:
    """A random ml-1m folder: every user rates ``per_user`` distinct movies, 1-5 stars."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    genre_lines = []
    for movie in range(1, n_movies + 1):
        k = int(rng.integers(1, 4))
        names = rng.choice(len(ML1M_GENRES), size=k, replace=False)
        genre_lines.append(f"{movie}::Movie {movie} é ({1930 + movie % 70})::"
                           + "|".join(ML1M_GENRES[i] for i in sorted(names)))
    (folder / "movies.dat").write_bytes(("\n".join(genre_lines) + "\n").encode("latin-1"))
    ages = np.array([1, 18, 25, 35, 45, 50, 56])
    users = [f"{u}::{'MF'[u % 2]}::{ages[u % 7]}::{u % 21}::{10000 + u}"
             for u in range(1, n_users + 1)]
    (folder / "users.dat").write_text("\n".join(users) + "\n", encoding="ascii")
    quality = rng.normal(0, 0.8, n_movies)
    lines = []
    for user in range(1, n_users + 1):
        movies = rng.choice(n_movies, size=per_user, replace=False)
        stars = np.clip(np.rint(3.5 + quality[movies] + rng.normal(0, 1, per_user)), 1, 5)
        lines += [f"{user}::{m + 1}::{int(s)}::{978300000 + 60 * i}"
                  for i, (m, s) in enumerate(zip(movies, stars, strict=True))]
    (folder / "ratings.dat").write_text("\n".join(lines) + "\n", encoding="ascii")
    return folder
