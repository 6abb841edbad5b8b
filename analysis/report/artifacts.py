"""ArtifactWriter: the one way a pipeline step publishes a table or a figure.

Every artifact is written atomically, hashed, and described in a manifest fragment
(``<results>/manifest/<rule>.json``) that rule ``manifest`` merges into ``manifest.json``.
Nothing here carries a wall-clock timestamp, so identical inputs give identical bytes.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from matplotlib.figure import Figure

from analysis import atomic
from analysis.report.figure_checks import figure_problems, svg_text_problems
from analysis.report.style import diagram_bytes, figure_bytes

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class ArtifactFile:
    """One file of an artifact (a table has parquet + csv, a figure png + svg)."""

    path: str
    format: str
    sha256: str


@dataclass(frozen=True)
class Artifact:
    """A manifest record."""

    id: str
    kind: str  # "table" | "figure"
    path: str  # the primary file: parquet for tables, png for figures
    title: str
    caption: str
    alt: str
    rule: str
    config: dict[str, Any]
    seed: int | None
    inputs: dict[str, str]
    sha256: str  # of the primary file
    files: list[ArtifactFile] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def table_paths(results_dir: str | Path, artifact_id: str) -> dict[str, Path]:
    """Where a table artifact lives (parquet first)."""
    base = Path(results_dir) / "tables"
    return {"parquet": base / f"{artifact_id}.parquet", "csv": base / f"{artifact_id}.csv"}


def figure_paths(results_dir: str | Path, artifact_id: str) -> dict[str, Path]:
    """Where a figure artifact lives (png first)."""
    base = Path(results_dir) / "figures"
    return {"png": base / f"{artifact_id}.png", "svg": base / f"{artifact_id}.svg"}


def fragment_path(results_dir: str | Path, rule: str) -> Path:
    """The manifest fragment one rule writes."""
    return Path(results_dir) / "manifest" / f"{rule}.json"


def _check_text(value: str, name: str, artifact_id: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"artifact {artifact_id!r}: {name} must be a non-empty string")
    return value.strip()


def _table_bytes(df: pd.DataFrame, fmt: str) -> bytes:
    if fmt == "parquet":
        buffer = io.BytesIO()
        df.to_parquet(buffer, index=False, engine="pyarrow", compression="zstd")
        return buffer.getvalue()
    return df.to_csv(index=False, lineterminator="\n").encode("utf-8")


class ArtifactWriter:
    """Writes one rule's artifacts and its manifest fragment.

    Parameters
    ----------
    results_dir:
        The results folder from config (``results_dir``).
    rule:
        The rule / step name; recorded on every artifact.
    config:
        The config values the rule used (recorded as ``config``).
    inputs:
        Data files the rule read; their SHA-256 is recorded on every artifact.
    """

    def __init__(self, results_dir: str | Path, rule: str, config: Mapping[str, Any] | None = None,
                 inputs: Sequence[str | Path] = ()) -> None:
        self.results_dir = Path(results_dir)
        self.rule = rule
        self.config = dict(config or {})
        self.inputs = {str(p): atomic.sha256_file(p) for p in sorted(map(str, inputs))}
        self._artifacts: dict[str, Artifact] = {}

    # -- public API ---------------------------------------------------------------------------
    def table(self, artifact_id: str, df: pd.DataFrame, *, title: str, caption: str,
              alt: str | None = None, seed: int | None = None) -> Artifact:
        """Write ``df`` as parquet + CSV and register it."""
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"artifact {artifact_id!r}: expected a pandas DataFrame, got {type(df)}")
        alt_text = alt or f"Table: {title}"
        paths = table_paths(self.results_dir, artifact_id)
        blobs = {fmt: _table_bytes(df, fmt) for fmt in paths}
        return self._register(artifact_id, "table", paths, blobs, title, caption, alt_text, seed)

    def figure(self, artifact_id: str, fig: Figure, *, title: str, caption: str, alt: str,
               seed: int | None = None) -> Artifact:
        """Write a matplotlib figure as PNG + SVG, close it, and register it.

        A figure that does not read as a book figure (identifiers in its text, a title inside the
        plot of a single-panel figure, too wide, type too small: see
        :func:`analysis.report.figure_checks.figure_problems`) is refused with a ValueError
        naming the artifact and the offending text; nothing is written.
        """
        import matplotlib.pyplot as plt

        paths = figure_paths(self.results_dir, artifact_id)
        try:
            blobs = {fmt: figure_bytes(fig, fmt) for fmt in paths}
            problems = figure_problems(fig)
        finally:
            plt.close(fig)
        if problems:
            raise ValueError(f"figure {artifact_id!r} (rule {self.rule!r}) is not a book figure: "
                             + "; ".join(problems))
        return self._register(artifact_id, "figure", paths, blobs, title, caption, alt, seed)

    def diagram(self, artifact_id: str, graph: Any, *, title: str, caption: str, alt: str,
                seed: int | None = None) -> Artifact:
        """Render a ``graphviz.Digraph``/``Graph`` with ``dot`` to PNG + SVG and register it."""
        paths = figure_paths(self.results_dir, artifact_id)
        try:
            blobs = {fmt: diagram_bytes(graph, fmt) for fmt in paths}
        except Exception as exc:  # graphviz.ExecutableNotFound and friends
            raise RuntimeError(
                f"artifact {artifact_id!r}: rendering with Graphviz 'dot' failed ({exc}). "
                "Install Graphviz (Debian/Ubuntu: apt-get install graphviz; macOS: brew install "
                "graphviz) so that 'dot' is on PATH."
            ) from exc
        problems = svg_text_problems(blobs["svg"])
        if problems:
            raise ValueError(f"diagram {artifact_id!r} (rule {self.rule!r}) is not a book "
                             "figure: " + "; ".join(problems))
        return self._register(artifact_id, "figure", paths, blobs, title, caption, alt, seed)

    def finish(self) -> Path:
        """Write this rule's manifest fragment (sorted by id) and return its path."""
        records = [self._artifacts[k].to_json() for k in sorted(self._artifacts)]
        payload = json.dumps({"rule": self.rule, "artifacts": records}, indent=2, sort_keys=True)
        return atomic.write_text(fragment_path(self.results_dir, self.rule), payload + "\n")

    @property
    def artifacts(self) -> list[Artifact]:
        return [self._artifacts[k] for k in sorted(self._artifacts)]

    # -- internals ----------------------------------------------------------------------------
    def _register(self, artifact_id: str, kind: str, paths: Mapping[str, Path],
                  blobs: Mapping[str, bytes], title: str, caption: str, alt: str,
                  seed: int | None) -> Artifact:
        if not ID_PATTERN.match(artifact_id):
            raise ValueError(f"artifact id {artifact_id!r} must be snake_case ([a-z][a-z0-9_]*)")
        if artifact_id in self._artifacts:
            raise ValueError(f"artifact id {artifact_id!r} registered twice in rule {self.rule!r}")
        title = _check_text(title, "title", artifact_id)
        caption = _check_text(caption, "caption", artifact_id)
        alt = _check_text(alt, "alt", artifact_id)
        files = []
        for fmt, path in paths.items():
            atomic.write_bytes(path, blobs[fmt])
            files.append(ArtifactFile(path=str(path), format=fmt,
                                      sha256=_sha256_bytes(blobs[fmt])))
        record = Artifact(
            id=artifact_id, kind=kind, path=files[0].path, title=title, caption=caption, alt=alt,
            rule=self.rule, config=self.config, seed=None if seed is None else int(seed),
            inputs=self.inputs, sha256=files[0].sha256, files=files,
        )
        self._artifacts[artifact_id] = record
        return record


def _sha256_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
