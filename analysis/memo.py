"""The memo template's content: chosen book figures with their citation lines, and headline numbers.

``memo/memo.qmd`` is a parameterised Quarto document (its own project, rendered apart from the
book) that prints :func:`memo_markdown`. A reader picks figures by their book label
(``fig-slate-decomposition-bars``) or artifact id (``slate_decomposition_bars``)::

    quarto render memo/memo.qmd -P figures:fig-slate-decomposition-bars,fig-portfolio-robustness
    make memo FIGURES=fig-slate-decomposition-bars,fig-portfolio-robustness

Each figure comes with its caption and the book's citation line (the book's figure number, not the
memo's); an unknown name stops the render with :class:`MemoError` listing the closest names.
``python -m analysis.memo FIGURES`` makes the same check before Quarto starts (``make memo`` runs it).
Tables are not embedded (they are wider than a memo page); the headline-numbers table is.
"""

from __future__ import annotations

import difflib
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from analysis import book, book_checks
from analysis.report import citation

#: Figures a memo shows when none are chosen: the decision in two pictures.
DEFAULT_FIGURES = ("fig-slate-decomposition-bars", "fig-portfolio-robustness")
#: How many close matches an unknown name lists.
CLOSE_MATCHES = 5


class MemoError(ValueError):
    """A memo names a figure the book does not show."""


@dataclass(frozen=True)
class Chosen:
    """One figure chosen for a memo: its book label, artifact id and number in the book."""

    label: str
    artifact_id: str
    number: str


def parse_names(names: str | Iterable[str] | None) -> list[str]:
    """``"a, b"``, ``["a", "b"]`` or None (the defaults) as a list of names."""
    if names is None or names == "":
        return list(DEFAULT_FIGURES)
    if isinstance(names, str):
        names = names.strip("[]").split(",")
    return [name.strip().strip("'\"") for name in names if name.strip().strip("'\"")]


def resolve(names: str | Iterable[str] | None, root: str | Path | None = None) -> list[Chosen]:
    """The book figures named by label or artifact id, in the order given.

    Raises :class:`MemoError` for a name the book does not show, listing close matches."""
    root = Path(root) if root else book.project_root()
    shown = book_checks.displayed_artifacts(root)
    numbers = book_checks.crossref_numbers(root)
    figures = [(label, artifact_id) for label, artifact_id, _ in shown if label.startswith("fig-")]
    by_label = dict(figures)
    by_id = {artifact_id: label for label, artifact_id in figures}
    chosen, unknown = [], []
    for name in parse_names(names):
        if name in by_label:
            chosen.append(Chosen(name, by_label[name], numbers[name]))
        elif name in by_id:
            chosen.append(Chosen(by_id[name], name, numbers[by_id[name]]))
        else:
            unknown.append(name)
    if unknown:
        known = sorted(by_label) + sorted(by_id)
        lines = []
        for name in unknown:
            close = difflib.get_close_matches(name, known, n=CLOSE_MATCHES, cutoff=0.5)
            hint = f"close matches: {', '.join(close)}" if close else "no close match"
            lines.append(f"  {name!r}: {hint}")
        raise MemoError("the book has no figure named\n" + "\n".join(lines) + "\n"
                        "Name figures by their label (fig-...) or artifact id; the catalog "
                        "appendix lists every one.")
    return chosen


def headline_numbers() -> pd.DataFrame:
    """The decision's headline numbers per 1,000 promoted slates: focal gain, competitor change
    and slate total (with its 95% interval), observed and known, in reader words."""
    summary = book.table("slate_product_summary").set_index("view")
    rows = []
    for view in ("observed_clicks", "known_lift"):
        row = summary.loc[view]
        interval = ""
        if pd.notna(row.get("total_ci_lower")) and pd.notna(row.get("total_ci_upper")):
            interval = (f"{book.fmt_number(1000 * row['total_ci_lower'], 1)} to "
                        f"{book.fmt_number(1000 * row['total_ci_upper'], 1)}")
        rows.append({
            "Outcome": book.label(view),
            "Promoted movie's gain": book.fmt_number(row["focal_gain_per_1000"], 1),
            "Other movies' change": book.fmt_number(row["competitor_change_per_1000"], 1),
            "Slate total": book.fmt_number(row["total_change_per_1000"], 1),
            "95% interval of the total": interval or "none (known value)",
        })
    return pd.DataFrame(rows)


def _figure_block(item: Chosen, index: int, figures_dir: Path) -> str:
    rec = book.record(item.artifact_id)
    figures_dir.mkdir(parents=True, exist_ok=True)
    target = figures_dir / f"{item.artifact_id}.png"
    shutil.copyfile(book.figure_path(item.artifact_id, "png"), target)
    alt = rec.get("alt", rec["title"]).replace('"', "'")
    note = citation.artifact_note(
        citation.provenance_line(rec, book.data_links(item.artifact_id, absolute=True)),
        book.citation_text(item.artifact_id, number=item.number))
    return (f"![{rec['caption']}]({target.as_posix()})"
            f"{{#fig-memo-{index} fig-alt=\"{alt}\" width=\"100%\"}}\n{note}")


def memo_markdown(names: str | Iterable[str] | None, figures_dir: str | Path = "figures") -> str:
    """The memo's evidence section: headline numbers, then each chosen figure with its caption,
    provenance and citation line. Figure PNGs are copied into ``figures_dir`` (relative to the
    memo), where the memo's image links point."""
    chosen = resolve(names)
    figures_dir = Path(figures_dir)
    headline = book._escape_cells(headline_numbers()).to_markdown(index=False,
                                                                  disable_numparse=True)
    parts = ["## Headline numbers\n",
             "Clicks per 1,000 promoted slates, from the book's product summary "
             f"({book_checks.crossref_numbers(book.project_root())['tbl-portfolio-summary']}).\n",
             f"{headline}\n\n: Headline numbers of the slate-promotion experiment. "
             "{#tbl-memo-headline}\n",
             "## Evidence\n"]
    for index, item in enumerate(chosen, start=1):
        parts.append(f"### {item.number} of the book: {book.record(item.artifact_id)['title']}\n")
        parts.append(_figure_block(item, index, figures_dir))
    return "\n".join(parts)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.memo [FIGURES]``: check a memo's figure names before rendering it.

    Prints the figures the memo will show; an unknown name prints the closest names and exits 2.
    """
    import argparse
    import sys

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("figures", nargs="?", default="",
                        help="comma-separated book labels or artifact ids (default: "
                             f"{','.join(DEFAULT_FIGURES)})")
    args = parser.parse_args(argv)
    try:
        chosen = resolve(args.figures)
    except MemoError as error:
        print(f"make memo: {error}", file=sys.stderr)
        return 2
    print("The memo shows " + "; ".join(f"{item.number} ({item.label})" for item in chosen) + ".")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
