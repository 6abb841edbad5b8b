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
import textwrap
from collections.abc import Mapping, Sequence
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from analysis.atomic import sha256_file, write_text
from analysis.report import citation, figure_data, labels
from analysis.report.manifest import Manifest, ManifestError

RESULTS_ENV = "BOOK_RESULTS_DIR"
MAX_LISTED = 12


class StaleArtifactsError(ManifestError):
    """Artifact files on disk do not match the manifest (a build did not finish)."""

#: The reader's word for an identifier (re-exported for chapters: ``book.label("sci_fi")``).
label = labels.label
#: A tiny or huge number in reader notation (``3.9 × 10⁻¹⁶``); re-exported for chapters.
fmt_scientific = labels.scientific


def project_root(start: str | Path | None = None) -> Path:
    """The book project: the nearest folder at or above ``start`` (default: cwd) whose
    ``_quarto.yml`` configures a book (documents with their own ``_quarto.yml`` inside the book's
    folder, like the memo template, still read the book's results); else the nearest folder with a
    ``_quarto.yml``."""
    here = Path(start or Path.cwd()).resolve()
    candidates = [folder for folder in (here, *here.parents) if (folder / "_quarto.yml").exists()]
    for folder in candidates:
        if _is_book(folder / "_quarto.yml"):
            return folder
    if candidates:
        return candidates[0]
    raise ManifestError(f"no _quarto.yml found at or above {here}: run from inside the book project")


def _is_book(config_path: Path) -> bool:
    return "book" in _quarto_config(str(config_path))


@lru_cache(maxsize=8)
def _quarto_config(config_path: str) -> dict[str, Any]:
    return yaml.safe_load(Path(config_path).read_text(encoding="utf-8")) or {}


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


def fmt_share_as_percent(share: float, table_digits: int = 3) -> str:
    """A share written as a percentage that agrees with the share's table cell: the share is
    rounded to ``table_digits`` decimals exactly as :func:`fmt_number` rounds it, and only then
    turned into a percentage (0.8235 prints 0.824 in a table, so 82.4% in the text, not the 82.3%
    that formatting the float as a percentage gives)."""
    cell = Decimal(f"{share:.{table_digits}f}")
    return fmt_minus(f"{cell * 100:.{max(table_digits - 2, 0)}f}%")


def fmt_minus(text: str) -> str:
    """Formatted number text with a true minus sign (``-0.3`` → ``−0.3``)."""
    return "−" + text[1:] if text.startswith("-") else text


def _escape_cells(df: pd.DataFrame) -> pd.DataFrame:
    """Pipe-table safe text: a ``|`` inside a cell would end the cell."""
    return df.map(lambda v: v.replace("|", "\\|") if isinstance(v, str) else v)


def table_markdown(artifact_id: str, columns: Sequence[str] | None = None,
                   rename: Mapping[str, str] | None = None, where: Mapping[str, Any] | None = None,
                   digits: int | Mapping[str, int] = 3, max_rows: int | None = None,
                   keep: Sequence[str] = (),
                   values: Mapping[str, Mapping[Any, str]] | None = None) -> str:
    """A pipe table (Markdown) of an artifact in reader words, with chosen columns and rounding.

    Column names and identifier values go through :mod:`analysis.report.labels` (``rename``
    overrides a column's label; columns in ``keep`` keep their values); booleans read yes/no.
    ``values`` gives a column's own reader words where an identifier means something else in
    other tables (``{"design": {"cluster": "Cluster randomization"}}``); every value of such a
    column must be listed.
    """
    df = _select(table(artifact_id), where, artifact_id)
    if columns is not None:
        missing = [c for c in columns if c not in df.columns]
        if missing:
            raise KeyError(f"{artifact_id}: no columns {missing} (columns: {list(df.columns)})")
        df = df[list(columns)]
    if max_rows is not None:
        df = df.head(max_rows)
    df = _format_frame(df, digits)
    for column, words in (values or {}).items():
        if column not in df.columns:
            raise KeyError(f"{artifact_id}: values given for column {column!r}, which the table "
                           f"does not show (columns: {list(df.columns)})")
        unknown = sorted(set(df[column]) - set(words))
        if unknown:
            raise KeyError(f"{artifact_id}: column {column!r} has no reader words for {unknown}")
        df[column] = df[column].map(words)
    keep = [*keep, *(values or {})]
    df = labels.relabel_frame(df, rename=rename, keep=keep)
    return _escape_cells(df).to_markdown(index=False, disable_numparse=True)


def show_table(artifact_id: str, label: str | None = None, **kwargs: Any) -> Any:
    """Display an artifact table as Markdown (use in a ``#| label: tbl-...`` cell), followed by
    its provenance and citation lines (:func:`artifact_note`)."""
    from IPython.display import Markdown

    return Markdown(table_markdown(artifact_id, **kwargs) + artifact_note(artifact_id, label))


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


def figure_image(artifact_id: str, width: int | None = None) -> Any:
    """A figure artifact as an image: the SVG for HTML (sharp at any zoom), else the PNG."""
    from IPython.display import SVG, Image

    if target_format() == "html" and width is None:
        return SVG(filename=str(figure_path(artifact_id, "svg")))
    return Image(filename=str(figure_path(artifact_id, "png")), width=width)


def show_figure(artifact_id: str, width: int | None = None, label: str | None = None) -> Any:
    """Display a figure artifact (use in a ``#| label: fig-...`` cell), then its provenance and
    citation lines (:func:`artifact_note`)."""
    from IPython.display import Markdown, display

    display(figure_image(artifact_id, width))
    return Markdown(artifact_note(artifact_id, label))


# -- provenance and citation lines ----------------------------------------------------------------
#: Folder of the rendered site that holds every table's CSV (copied by book/postrender.py).
SITE_DATA = "data"


def chapter_citation(chapter: str) -> str:
    """How to cite one chapter of the book on its own (``chapter``: its path in the book, e.g.
    ``chapters/08-portfolio-report.qmd``): title, chapter number, book, edition and address."""
    import re

    from analysis import book_checks
    from analysis.report import portfolio

    root = project_root()
    path = root / chapter
    heading = book_checks.first_heading(path)
    if not heading:
        raise ValueError(f"{chapter}: no level-1 heading ('# Title') to cite the chapter by")
    title = re.sub(r"\s*\{[^}]*\}\s*$", "", heading[2:]).strip()
    number = book_checks.chapter_numbers(root)[path]
    url = f"{site_url()}{Path(chapter).with_suffix('.html').as_posix()}"
    return portfolio.report_citation(book_title(), edition_text(), number, title, url)


#: In the book, the edition is a Quarto shortcode filled from ``_edition.yml`` (written by
#: book/prerender.py on every render), so a new commit changes no executed output and frozen
#: chapters stay valid; the memo and the report, rendered afresh each time, print it directly.
EDITION_SHORTCODE = "{{< meta edition >}}"
EDITION_FILE = "_edition.yml"


def edition_text() -> str:
    """The edition as it should appear in this document's executed output."""
    return EDITION_SHORTCODE if in_book() else str(edition())


def write_edition_metadata(root: Path | None = None) -> Path:
    """Write ``_edition.yml`` (Quarto metadata: ``edition``) for the book's shortcodes."""
    root = Path(root) if root is not None else project_root()
    text = yaml.safe_dump({"edition": str(edition()), "built-on": build_date()},
                          allow_unicode=True, sort_keys=True)
    path = root / EDITION_FILE
    write_text(path, text)
    return path


def in_book() -> bool:
    """Whether the running document is part of the book (the book executes from its own folder;
    the memo and the standalone report execute from theirs)."""
    return Path.cwd().resolve() == project_root()


def site_url() -> str:
    """The published site's address (``book: site-url`` in _quarto.yml), ending in ``/``."""
    book_config = _quarto_config(str(project_root() / "_quarto.yml")).get("book", {})
    url = book_config.get("site-url")
    if not url:
        raise ManifestError("_quarto.yml has no book: site-url; the citation lines need it")
    return url.rstrip("/") + "/"


def book_title() -> str:
    return _quarto_config(str(project_root() / "_quarto.yml"))["book"]["title"]


def edition() -> citation.Edition:
    """This build of the book: short commit of HEAD and :func:`build_date` (deterministic)."""
    import subprocess

    try:
        commit = subprocess.run(["git", "rev-parse", "--short=7", "HEAD"], capture_output=True,
                                text=True, check=True, cwd=project_root()).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "uncommitted"
    return citation.Edition(commit=commit or "uncommitted", date=build_date())


@lru_cache(maxsize=4)
def _shown_at(root: str) -> dict[str, tuple[str, str]]:
    """Artifact id -> (label, chapter path relative to the book) where the book first shows it."""
    from analysis import book_checks

    chapters = {path.name: path.relative_to(root).as_posix()
                for path in book_checks.chapter_files(root)}
    shown: dict[str, tuple[str, str]] = {}
    for label_, artifact_id, chapter in book_checks.displayed_artifacts(root):
        shown.setdefault(artifact_id, (label_, chapters[chapter]))
    return shown


def artifact_url(artifact_id: str) -> str:
    """The artifact's address on the published site (its chapter page and anchor)."""
    shown = _shown_at(str(project_root())).get(artifact_id)
    if shown is None:
        return f"{site_url()}chapters/catalog.html"
    label_, chapter = shown
    return f"{site_url()}{Path(chapter).with_suffix('.html').as_posix()}#{label_}"


def data_links(artifact_id: str, absolute: bool | None = None) -> list[citation.DataLink]:
    """Links to the CSV of every table behind an artifact. In HTML they are relative to the
    chapter page (the CSVs are copied into the site); elsewhere they point at the site."""
    rec = record(artifact_id)
    if absolute is None:
        absolute = target_format() != "html" or not in_book()
    shown = _shown_at(str(project_root())).get(artifact_id)
    depth = len(Path(shown[1]).parent.parts) if shown else 1
    base = site_url() if absolute else "../" * depth
    return [citation.DataLink(title=record(table_id)["title"],
                              href=f"{base}{SITE_DATA}/{table_id}.csv")
            for table_id in figure_data.data_tables(rec)]


def citation_text(artifact_id: str, number: str | None = None) -> str:
    """The "Cite as" line of an artifact; ``number`` defaults to a cross-reference to the label
    the book shows it under (Quarto resolves it to "Figure 3.2")."""
    rec = record(artifact_id)
    if number is None:
        shown = _shown_at(str(project_root())).get(artifact_id)
        if shown is None:
            number = "the catalog entry"
        elif in_book():
            number = f"@{shown[0]}"
        else:  # a document of its own (the standalone report) cites the book's number
            from analysis import book_checks

            number = book_checks.crossref_numbers(project_root())[shown[0]]
    return citation.citation_line(book_title(), edition_text(), number, rec["title"],
                                  artifact_url(artifact_id), rec["sha256"])


def artifact_note(artifact_id: str, label: str | None = None, number: str | None = None,
                  absolute: bool | None = None) -> str:
    """Provenance and "Cite as" lines for under a figure or table, as a Markdown block."""
    if label is not None and number is None:
        number = f"@{label}"
    return citation.artifact_note(
        citation.provenance_line(record(artifact_id), data_links(artifact_id, absolute)),
        citation_text(artifact_id, number))


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


def sentence_end(title: str) -> str:
    """``title`` closed by a full stop, unless it already ends a sentence ("Where is the optimum?"
    stays as it is rather than becoming "Where is the optimum?.")."""
    return title if title.rstrip().endswith((".", "?", "!")) else f"{title}."


def catalog_markdown(kind: str) -> str:
    """The catalog of one kind of artifact as a Markdown list keyed by figure or table number.

    Each entry resolves to its number through a Quarto cross-reference (``@fig-...``), then gives
    the title and the artifact id, then the same provenance and citation lines as under the figure
    or table itself.
    """
    entries = []
    for row in catalog(kind).itertuples(index=False):
        head = f"@{row.label}" if row.label else "Not shown in a chapter"
        note = artifact_note(row.id, row.label or None).strip("\n")
        entries.append(f"- **{head}**: {sentence_end(row.title)} Artifact `{row.id}`.\n\n"
                       + textwrap.indent(note, "  "))
    return "\n\n".join(entries)


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
