"""ArtifactWriter and manifest: deterministic bytes, atomic writes, complete records."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis import atomic
from analysis.report.artifacts import ArtifactWriter
from analysis.report.manifest import Manifest, ManifestError, merge_fragments
from analysis.report.style import new_figure


def write_some(results: Path, inputs: list[Path]) -> ArtifactWriter:
    writer = ArtifactWriter(results, rule="demo", config={"seed": 7}, inputs=inputs)
    df = pd.DataFrame({"x": np.arange(5), "y": np.linspace(0, 1, 5), "g": list("abcab")})
    writer.table("demo_table", df, title="Demo", caption="A demo table.", seed=7)
    fig, ax = new_figure(4, 3)
    ax.plot(df["x"], df["y"])
    writer.figure("demo_figure", fig, title="Demo", caption="A demo figure.", alt="A line.", seed=7)
    writer.finish()
    return writer


def test_same_inputs_give_byte_identical_artifacts(tmp_path: Path):
    source = tmp_path / "input.txt"
    source.write_text("data")
    first = write_some(tmp_path / "a", [source])
    second = write_some(tmp_path / "b", [source])
    for a, b in zip(first.artifacts, second.artifacts, strict=True):
        for fa, fb in zip(a.files, b.files, strict=True):
            assert Path(fa.path).read_bytes() == Path(fb.path).read_bytes(), fa.path
    assert b"Date" not in (tmp_path / "a" / "figures" / "demo_figure.svg").read_bytes()[:2000]


def test_manifest_records_are_complete(tmp_path: Path):
    source = tmp_path / "input.txt"
    source.write_text("data")
    writer = write_some(tmp_path / "r", [source])
    target = merge_fragments([tmp_path / "r" / "manifest" / "demo.json"], tmp_path / "r" / "manifest.json")
    manifest = Manifest.load(target, root=Path.cwd())
    table = manifest.get("demo_table", kind="table")
    assert set(table) >= {"id", "kind", "path", "title", "caption", "alt", "rule", "config", "seed",
                          "inputs", "sha256", "files"}
    assert table["inputs"] == {str(source): atomic.sha256_file(source)}
    assert table["seed"] == 7 and table["config"] == {"seed": 7}
    assert {f["format"] for f in manifest.get("demo_figure")["files"]} == {"png", "svg"}
    assert manifest.verify() == []
    assert len(writer.artifacts) == 2


def test_duplicate_ids_across_rules_are_refused(tmp_path: Path):
    a = write_some(tmp_path / "r", [])
    fragment = json.loads((tmp_path / "r" / "manifest" / "demo.json").read_text())
    fragment["rule"] = "other"
    for record in fragment["artifacts"]:
        record["rule"] = "other"
    other = tmp_path / "r" / "manifest" / "other.json"
    other.write_text(json.dumps(fragment))
    with pytest.raises(ManifestError, match="produced by both rule 'demo' and rule 'other'"):
        merge_fragments([tmp_path / "r" / "manifest" / "demo.json", other], tmp_path / "m.json")
    assert a.artifacts


def test_bad_ids_and_missing_captions_are_refused(tmp_path: Path):
    writer = ArtifactWriter(tmp_path, rule="demo")
    df = pd.DataFrame({"x": [1]})
    with pytest.raises(ValueError, match="snake_case"):
        writer.table("Bad-Id", df, title="t", caption="c")
    with pytest.raises(ValueError, match="caption must be a non-empty string"):
        writer.table("ok_id", df, title="t", caption=" ")


def test_failed_write_leaves_no_partial_file(tmp_path: Path):
    target = tmp_path / "out.bin"
    target.write_bytes(b"old")

    def explode(tmp: Path) -> None:
        tmp.write_bytes(b"half")
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        atomic.write_with(target, explode)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["out.bin"]
