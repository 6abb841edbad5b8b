"""The slate experiment runs on ml-1m: a synthetic ml-1m archive, downloaded and verified from a
127.0.0.1 server by the real pipeline (config ``movielens.release: ml-1m``), through the slate
design to the decomposition, whose components add up to the total."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from tests.movielens_files import write_synthetic_ml1m
from tests.test_movielens_download import (  # noqa: F401 (server is a fixture)
    release_zip,
    run_download_pipeline,
    server,
)


def test_slate_decomposition_on_downloaded_ml1m(server, tmp_path: Path):  # noqa: F811
    base, files = server
    archive = release_zip(write_synthetic_ml1m(tmp_path / "src"), "ml-1m")
    files["ml-1m.zip"] = archive
    results = tmp_path / "results"
    target = results / "manifest" / "slates_decomposition.json"
    run = run_download_pipeline(tmp_path, f"{base}/ml-1m.zip", archive, "ml-1m", target)
    assert run.returncode == 0, run.stderr[-4000:]
    assert (tmp_path / "data" / "raw" / "ml-1m" / "ratings.dat").read_bytes() == \
        (tmp_path / "src" / "ratings.dat").read_bytes()

    summary = pd.read_parquet(results / "tables" / "movielens_summary.parquet").iloc[0]
    assert (summary["n_ratings"], summary["n_users"], summary["n_items"]) == (12_000, 300, 400)
    records = json.loads((results / "manifest" / "movielens.json").read_text())["artifacts"]
    record = next(r for r in records if r["id"] == "movielens_summary")
    assert record["title"] == "MovieLens 1M at a glance" and record["config"]["release"] == "ml-1m"

    effects = pd.read_parquet(results / "tables" / "slate_decomposition.parquet")
    assert effects["treated_slates"].iloc[0] + effects["control_slates"].iloc[0] == 600
    for view, part in effects.groupby("view"):
        by = part.set_index("component")["estimate_per_slate"]
        parts = by["focal"] + by["same_cluster_competitor"] + by["other_competitor"]
        assert abs(parts - by["total"]) < 1e-12, view
        assert by["total"] != 0
    additivity = pd.read_parquet(results / "tables" / "slate_additivity.parquet")
    assert additivity["passes"].all()
    seed = pd.read_parquet(tmp_path / "data" / "processed" / "slate_seed.parquet")
    assert seed["user_id"].between(1, 300).all() and set(seed["age"]) <= {1, 18, 25, 35, 45, 50, 56}
