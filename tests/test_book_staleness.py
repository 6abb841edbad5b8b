"""The book never reads an artifact whose bytes differ from the manifest (stale after a failed run)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis import book
from analysis.report.artifacts import ArtifactWriter, fragment_path
from analysis.report.manifest import merge_fragments
from tests.conftest import CI_CONFIG, ROOT, snakemake_command


def publish(results: Path, rule: str, tables: dict[str, pd.DataFrame]) -> None:
    writer = ArtifactWriter(results, rule=rule, config={"seed": 1})
    for artifact_id, df in tables.items():
        writer.table(artifact_id, df, title=artifact_id, caption=f"{artifact_id} caption")
    writer.finish()


@pytest.fixture()
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A minimal book project: _quarto.yml, a config naming results/, one merged manifest."""
    (tmp_path / "_quarto.yml").write_text("project: {type: book}\n")
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "small.yaml").write_text("results_dir: out/results\n")
    results = tmp_path / "out" / "results"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv(book.RESULTS_ENV, raising=False)
    monkeypatch.setenv(book.RESULTS_ENV, str(results))
    publish(results, "alpha", {"alpha_table": pd.DataFrame({"x": [1, 2]})})
    publish(results, "beta", {"beta_table": pd.DataFrame({"y": [3.5]})})
    merge_fragments([fragment_path(results, "alpha"), fragment_path(results, "beta")],
                    results / "manifest.json")
    return results


def test_consistent_build_is_served(project: Path):
    assert book.table("alpha_table")["x"].tolist() == [1, 2]
    assert book.value("beta_table", "y") == 3.5


def test_rebuilt_artifact_without_new_manifest_stops_the_book(project: Path):
    book.table("alpha_table")  # served while consistent
    publish(project, "alpha", {"alpha_table": pd.DataFrame({"x": [7, 8]})})  # rule reran, no merge
    with pytest.raises(book.StaleArtifactsError) as info:
        book.table("beta_table")  # even an untouched artifact: the manifest is no longer trusted
    message = str(info.value)
    assert "1 artifact(s): alpha_table." in message
    assert "beta_table" not in message.split("\n")[0]
    assert "`snakemake --cores 2 --configfile config/small.yaml`" in message
    with pytest.raises(book.StaleArtifactsError):
        book.figure_path("alpha_table")


def test_missing_artifact_file_is_named(project: Path):
    (project / "tables" / "beta_table.csv").unlink()
    with pytest.raises(book.StaleArtifactsError, match=r"beta_table: missing file .*beta_table\.csv"):
        book.table("alpha_table")


def test_files_are_hashed_once_per_process(project: Path, monkeypatch: pytest.MonkeyPatch):
    calls: list[str] = []
    real = book.sha256_file
    monkeypatch.setattr(book, "sha256_file", lambda path: calls.append(str(path)) or real(path))
    monkeypatch.setattr(book, "_HASHES", {})
    for _ in range(5):
        book.table("alpha_table")
    assert len(calls) == 4  # 2 artifacts x (parquet + csv), each hashed once
    publish(project, "beta", {"beta_table": pd.DataFrame({"y": [3.5]})})  # same bytes, new mtime
    book.table("alpha_table")
    assert len(calls) == 6  # only the rewritten files were hashed again


def test_truncated_manifest_is_a_clear_error(project: Path):
    path = project / "manifest.json"
    path.write_text(path.read_text()[:40])
    with pytest.raises(book.ManifestError, match=r"manifest\.json is not a valid manifest"):
        book.table("alpha_table")


@pytest.mark.movielens
def test_new_seed_with_unfinished_build_is_not_served(tmp_path: Path, movielens_dir: Path,
                                                      monkeypatch: pytest.MonkeyPatch):
    """The issue's repro: slates.seed changes, a rule reruns, the manifest is not rewritten."""
    override = tmp_path / "override.yaml"
    results = tmp_path / "results"
    settings = {"data_dir": str(tmp_path / "data"), "results_dir": str(results),
                "log_dir": str(tmp_path / "logs")}
    override.write_text(yaml.safe_dump(settings))
    fragments = [fragment_path(results, rule) for rule in ("movielens", "slates_seed")]

    def build(*extra: str) -> None:
        result = subprocess.run(
            snakemake_command("--nolock", "--configfile", str(CI_CONFIG), str(override), *extra,
                              "--", *map(str, fragments)),
            cwd=ROOT, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr[-3000:]

    build()
    merge_fragments(fragments, results / "manifest.json")  # what rule manifest does
    monkeypatch.setenv(book.RESULTS_ENV, str(results))
    before = book.table("slate_seed_summary")
    old_seed = book.record("slate_seed_summary")["config"]["slates"]["seed"]

    override.write_text(yaml.safe_dump({**settings, "slates": {"seed": old_seed + 1}}))
    build()  # slates_seed reruns (params changed); the manifest rule never runs
    rebuilt = pd.read_parquet(results / "tables" / "slate_seed_summary.parquet")
    assert not rebuilt.equals(before)  # new numbers on disk ...
    old = json.loads((results / "manifest.json").read_text())["artifacts"]
    assert {r["config"]["slates"]["seed"] for r in old if r["rule"] == "slates_seed"} == {old_seed}
    with pytest.raises(book.StaleArtifactsError) as info:  # ... old provenance: refused
        book.table("slate_seed_summary")
    assert "slate_cluster_map, slate_seed_summary" in str(info.value)
