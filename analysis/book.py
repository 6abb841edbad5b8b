"""What chapters import: read artifacts through the manifest, never recompute them.

Chapters call these helpers from code cells and inline expressions::

    from analysis import book
    book.show_figure("movielens_overview")                 # in a `#| label: fig-...` cell
    book.show_table("movielens_genres", digits=2)          # in a `#| label: tbl-...` cell
    `{python} book.num("movielens_summary", "mean_rating", fmt="{:.2f}")`   # inline

The results folder is ``$BOOK_RESULTS_DIR`` when set (the test suite points it at the CI build),
else ``results/`` under the project root (the folder holding ``_quarto.yml``).

Every file is checked against the SHA-256 the manifest records before anything is read (hashed
once per process, re-hashed only when its size or modification time changes). A run that failed
or was interrupted after rebuilding some artifacts but before rewriting the manifest therefore
stops the render with :class:`StaleArtifactsError`, naming the artifacts and the rebuild command,
instead of serving new numbers with old provenance.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.atomic import sha256_file
from analysis.report import labels
from analysis.report.manifest import Manifest, ManifestError

RESULTS_ENV = "BOOK_RESULTS_DIR"
MAX_LISTED = 12


class StaleArtifactsError(ManifestError):
    """Artifact files on disk do not match the manifest (a build did not finish)."""

#: The reader's word for an identifier (re-exported for chapters: ``book.label("sci_fi")``).
label = labels.label


def project_root(start: str | Path | None = None) -> Path:
    """The nearest folder at or above ``start`` (default: cwd) that holds ``_quarto.yml``."""
    here = Path(start or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / "_quarto.yml").exists():
            return folder
    raise ManifestError(f"no _quarto.yml found at or above {here}: run from inside the book project")


def results_dir() -> Path:
    env = os.environ.get(RESULTS_ENV)
    root = project_root()
    path = Path(env) if env else Path("results")
    return path if path.is_absolute() else root / path


@lru_cache(maxsize=4)
def _load(manifest_path: str, root: str, stamp: tuple[int, int]) -> Manifest:
    return Manifest.load(manifest_path, root=root)


_HASHES: dict[tuple[str, int, int], str] = {}


def _sha256_cached(path: Path) -> str:
    """SHA-256 of a file, computed once per (path, size, mtime) in this process."""
    info = path.stat()
    key = (str(path), info.st_size, info.st_mtime_ns)
    if key not in _HASHES:
        _HASHES[key] = sha256_file(path)
    return _HASHES[key]


def rebuild_command(results: Path, root: Path) -> str:
    """The Snakemake command whose config writes to ``results`` (found among config/*.yaml)."""
    import yaml

    for config_file in sorted((root / "config").glob("*.yaml")):
        try:
            folder = (yaml.safe_load(config_file.read_text(encoding="utf-8")) or {}).get(
                "results_dir")
        except (OSError, yaml.YAMLError):
            continue
        if folder and (root / folder).resolve() == results.resolve():
            if config_file.name == "config.yaml":
                return "snakemake --cores 2"
            return f"snakemake --cores 2 --configfile config/{config_file.name}"
    return "snakemake --cores 2 --configfile <the config that writes to this folder>"


def _stale_message(problems: list[str], results: Path, root: Path) -> str:
    ids = sorted({problem.split(":", 1)[0] for problem in problems})
    listed = ", ".join(ids[:MAX_LISTED]) + (f" and {len(ids) - MAX_LISTED} more"
                                            if len(ids) > MAX_LISTED else "")
    return (
        f"{results / 'manifest.json'} does not describe the files on disk for {len(ids)} "
        f"artifact(s): {listed}. A build probably failed or was interrupted after rebuilding them "
        f"and before rewriting the manifest, so their provenance is unknown; the book will not "
        f"read them. Finish the build with `{rebuild_command(results, root)}` (add "
        "--rerun-incomplete if Snakemake reports incomplete files), then render again.\n"
        + "\n".join(problems[:MAX_LISTED])
    )


def manifest(folder: Path | None = None) -> Manifest:
    """The manifest of the results folder (default: the book's; an exercise's build folder for
    the solutions appendix), after checking every file's SHA-256."""
    path, root = (folder or results_dir()) / "manifest.json", project_root()
    try:
        info = path.stat()
        stamp = (info.st_size, info.st_mtime_ns)
    except OSError:
        stamp = (-1, -1)
    loaded = _load(str(path), str(root), stamp)
    problems = loaded.verify(sha256=_sha256_cached)
    if problems:
        raise StaleArtifactsError(_stale_message(problems, path.parent, root))
    return loaded


def record(artifact_id: str) -> dict[str, Any]:
    """The manifest record of an artifact (title, caption, alt, paths, provenance)."""
    return manifest().get(artifact_id)


def table(artifact_id: str) -> pd.DataFrame:
    """An artifact table as a DataFrame."""
    return pd.read_parquet(manifest().file(artifact_id, "parquet"))


def figure_path(artifact_id: str, fmt: str = "png") -> Path:
    """Path of a figure artifact's PNG or SVG file."""
    manifest().get(artifact_id, kind="figure")
    return manifest().file(artifact_id, fmt)


def _select(df: pd.DataFrame, where: Mapping[str, Any] | None, artifact_id: str) -> pd.DataFrame:
    for column, wanted in (where or {}).items():
        if column not in df.columns:
            raise KeyError(f"{artifact_id}: no column {column!r} (columns: {list(df.columns)})")
        df = df[df[column] == wanted]
    return df


def value(artifact_id: str, column: str, where: Mapping[str, Any] | None = None) -> Any:
    """The single value of ``column`` in the row(s) of a table matching ``where``."""
    df = _select(table(artifact_id), where, artifact_id)
    if column not in df.columns:
        raise KeyError(f"{artifact_id}: no column {column!r} (columns: {list(df.columns)})")
    if len(df) != 1:
        raise ValueError(f"{artifact_id}: {len(df)} rows match {dict(where or {})}, expected exactly 1")
    result = df[column].iloc[0]
    return result.item() if hasattr(result, "item") else result


class Prose(str):
    """Text for an inline expression: displays without quotes whatever the kernel's formatter."""

    def __repr__(self) -> str:
        return str.__str__(self)

    def _repr_markdown_(self) -> str:
        return str.__str__(self)


def num(artifact_id: str, column: str, where: Mapping[str, Any] | None = None,
        fmt: str = "{:,.3f}", scale: float = 1.0) -> Prose:
    """A formatted number for prose, e.g. ``num("slate_product_summary", "total", fmt="{:+.2f}")``.

    ``scale`` multiplies the value first (e.g. 100 for percentages, 1000 for "per 1,000 slates").
    """
    raw = value(artifact_id, column, where)
    return Prose(fmt.format(raw * scale if scale != 1.0 else raw))


def _format_frame(df: pd.DataFrame, digits: int | Mapping[str, int]) -> pd.DataFrame:
    """Numbers as text: floats rounded, integers with thousands separators, no negative zeros."""
    out = df.copy()
    for column in out.columns:
        series = out[column]
        if pd.api.types.is_bool_dtype(series):
            continue
        if pd.api.types.is_float_dtype(series):
            d = digits.get(column, 3) if isinstance(digits, Mapping) else digits
            out[column] = series.map(lambda x, d=d: "" if pd.isna(x) else fmt_number(x, d))
        elif pd.api.types.is_integer_dtype(series):
            out[column] = series.map(lambda x: "" if pd.isna(x) else f"{int(x):,}")
    return out


def fmt_number(x: float, digits: int) -> str:
    """``x`` with ``digits`` decimals and a true minus sign; a value that rounds to zero has none."""
    text = f"{x:,.{digits}f}"
    if text.startswith("-") and text.lstrip("-").strip("0.,") == "":
        text = text[1:]
    return text.replace("-", "−")


def fmt_minus(text: str) -> str:
    """Formatted number text with a true minus sign (``-0.3`` → ``−0.3``)."""
    return "−" + text[1:] if text.startswith("-") else text


def _escape_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Pipe-table safe text: a ``|`` inside a cell would end the cell."""
    return df.map(lambda v: v.replace("|", "\\|") if isinstance(v, str) else v)


def table_markdown(artifact_id: str, columns: Sequence[str] | None = None,
                   rename: Mapping[str, str] | None = None, where: Mapping[str, Any] | None = None,
                   digits: int | Mapping[str, int] = 3, max_rows: int | None = None,
                   keep: Sequence[str] = ()) -> str:
    """A pipe table (Markdown) of an artifact in reader words, with chosen columns and rounding.

    Column names and identifier values go through :mod:`analysis.report.labels` (``rename``
    overrides a column's label; columns in ``keep`` keep their values); booleans read yes/no.
    """
    df = _select(table(artifact_id), where, artifact_id)
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise KeyError(f"{artifact_id}: no columns {missing} (columns: {list(df.columns)})")
        df = df[list(columns)]
    if max_rows is not None:
        df = df.head(max_rows)
    df = labels.relabel_frame(_format_frame(df, digits), rename=rename, keep=keep)
    return _escape_cells(df).to_markdown(index=False, disable_numparse=True)


def show_table(artifact_id: str, **kwargs: Any) -> Any:
    """Display an artifact table as Markdown (use in a ``#| label: tbl-...`` cell)."""
    from IPython.display import Markdown

    return Markdown(table_markdown(artifact_id, **kwargs))


def target_format() -> str | None:
    """The format Quarto is rendering (``html``, ``typst``, ...), if it says so."""
    import json

    info = os.environ.get("QUARTO_EXECUTE_INFO")
    if not info:
        return None
    try:
        with open(info, encoding="utf-8") as handle:
            return json.load(handle)["format"]["identifier"]["target-format"]
    except (OSError, KeyError, ValueError):
        return None


def show_figure(artifact_id: str, width: int | None = None) -> Any:
    """Display a figure artifact (use in a ``#| label: fig-...`` cell).

    HTML output gets the SVG (sharp at any zoom); every other format gets the PNG.
    """
    from IPython.display import SVG, Image

    if target_format() == "html" and width is None:
        return SVG(filename=str(figure_path(artifact_id, "svg")))
    return Image(filename=str(figure_path(artifact_id, "png")), width=width)


def catalog(kind: str | None = None) -> pd.DataFrame:
    """Every artifact in the manifest, in book order where a chapter shows it.

    Columns: ``label`` (the cross-reference label of the figure or table showing it, empty if no
    chapter shows it), ``id``, ``kind``, ``title``, ``rule``, ``seed``, ``sha256`` (first 12 hex
    digits) and ``files``.
    """
    from analysis import book_checks

    shown = book_checks.displayed_artifacts(project_root())
    order: dict[str, tuple[int, str]] = {}
    for position, (label_, artifact_id, _) in enumerate(shown):
        order.setdefault(artifact_id, (position, label_))  # where the book first shows it
    rows = []
    for artifact_id, rec in manifest().records.items():
        if kind is not None and rec["kind"] != kind:
            continue
        position, label_ = order.get(artifact_id, (len(shown), ""))
        rows.append({
            "position": position, "label": label_, "id": artifact_id, "kind": rec["kind"],
            "title": rec["title"], "rule": rec["rule"],
            "seed": "" if rec["seed"] is None else str(rec["seed"]),
            "sha256": rec["sha256"][:12],
            "files": ", ".join(Path(f["path"]).name for f in rec["files"]),
        })
    columns = ["label", "id", "kind", "title", "rule", "seed", "sha256", "files"]
    if not rows:
        return pd.DataFrame(columns=columns)
    df = pd.DataFrame(rows).sort_values(["position", "id"], kind="stable")
    return df[columns].reset_index(drop=True)


def catalog_markdown(kind: str) -> str:
    """The catalog of one kind of artifact as a Markdown list keyed by figure or table number.

    Each entry resolves to its number through a Quarto cross-reference (``@fig-...``), then gives
    the title, the artifact id, the rule and seed that made it and the start of its SHA-256.
    """
    entries = []
    for row in catalog(kind).itertuples(index=False):
        head = f"@{row.label}" if row.label else "Not shown in a chapter"
        seed = f", seed {row.seed}" if row.seed else ""
        entries.append(f"- **{head}**: {row.title}. Artifact `{row.id}` (rule `{row.rule}`{seed}; "
                       f"SHA-256 `{row.sha256}`).")
    return "\n".join(entries)


def show_catalog(kind: str) -> Any:
    """The artifact catalog of one kind (``figure`` or ``table``) as a Markdown list."""
    from IPython.display import Markdown

    return Markdown(catalog_markdown(kind))


def build_date() -> str:
    """A reproducible date for the book: SOURCE_DATE_EPOCH, else the last commit, else 'unreleased'."""
    import datetime as dt
    import subprocess

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch is None:
        try:
            epoch = subprocess.run(["git", "log", "-1", "--format=%ct"], capture_output=True,
                                   text=True, check=True, cwd=project_root()).stdout.strip()
        except (OSError, subprocess.CalledProcessError):
            return "unreleased"
    if not epoch:
        return "unreleased"
    return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC).strftime("%Y-%m-%d")


def exercises_markdown(chapter: str) -> str:
    """A chapter's exercises as a numbered Markdown list, each pointing at its computed solution
    (print it from an ``output: asis`` cell; ``chapter`` is the chapter's ``#sec-`` label)."""
    from analysis.exercises import solutions

    return solutions.exercise_list_markdown(chapter)


def solutions_markdown() -> str:
    """The solutions appendix: every exercise's computed answer beside the main build's."""
    from analysis.exercises import solutions

    return solutions.solutions_markdown()
