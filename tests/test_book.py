"""Book checks that stand in for `quarto render`: parse, cite, cross-reference, execute."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest

from analysis import book_checks
from analysis.report.manifest import Manifest
from tests.conftest import ROOT

CHAPTERS = book_checks.chapter_files(ROOT)
BIB = ROOT / "references.bib"
ids = [str(p.relative_to(ROOT)) for p in CHAPTERS]


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_chapter_exists_and_parses(chapter: Path):
    assert chapter.exists(), f"{chapter} is listed in _quarto.yml but missing"
    assert book_checks.parse_chapter(chapter)["blocks"], f"{chapter} parsed to nothing"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_citations_resolve_with_citeproc(chapter: Path):
    assert book_checks.missing_citations(chapter, BIB) == []


def test_citation_check_can_fail(tmp_path: Path):
    bad = tmp_path / "bad.qmd"
    bad.write_text("# Bad\n\nAs shown by [@nobody2099made_up] and in @fig-demo.\n")
    assert book_checks.missing_citations(bad, BIB) == ["nobody2099made_up"]


def test_every_citation_key_is_in_the_bibliography():
    keys = book_checks.bibliography_keys(BIB)
    used = set().union(*(book_checks.citation_keys(book_checks.parse_chapter(c)) for c in CHAPTERS))
    used = {k for k in used if k.split("-", 1)[0] not in book_checks.CROSSREF_PREFIXES}
    assert used <= keys, f"unknown keys: {sorted(used - keys)}"
    assert "harper2015movielens" in used


def test_cross_references_have_labels():
    labels: dict[str, Path] = {}
    for chapter in CHAPTERS:
        for label in book_checks.labels(chapter):
            assert label not in labels, f"label {label} defined in {labels[label]} and {chapter}"
            labels[label] = chapter
    for chapter in CHAPTERS:
        missing = book_checks.references(chapter) - set(labels)
        assert not missing, f"{chapter.name}: references without a label: {sorted(missing)}"


@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_labelled_cells_have_captions(chapter: Path):
    for cell in book_checks.cells(chapter):
        if cell.label and cell.label.startswith(("fig-", "tbl-")):
            kind = cell.label.split("-", 1)[0]
            assert cell.options.get(f"{kind}-cap"), f"{chapter.name}: {cell.label} has no {kind}-cap"
            if kind == "fig":
                assert cell.options.get("fig-alt"), f"{chapter.name}: {cell.label} has no fig-alt"


@pytest.mark.pipeline
def test_chapters_read_only_manifest_artifacts(ci_results):
    manifest = Manifest.load(ci_results / "manifest.json", root=ROOT)
    for chapter in CHAPTERS:
        unknown = book_checks.artifact_ids(chapter) - set(manifest.records)
        assert not unknown, f"{chapter.name} reads artifacts not in the manifest: {sorted(unknown)}"


def _run_cell(code: str, namespace: dict) -> object:
    """Execute a cell like Jupyter: statements, then the value of a trailing expression."""
    tree = ast.parse(code)
    last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
    exec(compile(tree, "<cell>", "exec"), namespace)
    if last is None:
        return None
    return eval(compile(ast.Expression(last.value), "<cell>", "eval"), namespace)


@pytest.mark.pipeline
@pytest.mark.parametrize("chapter", CHAPTERS, ids=ids)
def test_chapter_code_executes_against_artifacts(chapter: Path, ci_results, monkeypatch):
    from IPython.display import SVG, Image, Markdown

    monkeypatch.chdir(ROOT)  # _quarto.yml sets execute-dir: project
    monkeypatch.setenv("BOOK_RESULTS_DIR", str(ci_results))
    displayed: list = []  # what cells pass to IPython's display() (show_figure's image)
    monkeypatch.setattr("IPython.display.display", lambda *objs, **_: displayed.extend(objs))
    namespace: dict = {"__name__": "__main__"}
    for kind, item in book_checks.document_order(chapter):
        if kind == "cell":
            displayed.clear()
            try:
                shown = _run_cell(item.code, namespace)
            except Exception as exc:
                pytest.fail(f"{chapter.name} cell {item.index} ({item.label}) failed: {exc!r}")
            if item.label and item.label.startswith("fig-"):
                assert any(isinstance(o, Image | SVG) for o in displayed), \
                    f"{item.label} does not display a figure"
            if item.label and item.label.startswith(("fig-", "tbl-")):
                assert isinstance(shown, Markdown), f"{item.label} does not display Markdown"
                assert "Provenance:" in shown.data and f"@{item.label} " in shown.data, \
                    f"{item.label} lacks its provenance and citation lines"
        else:
            try:
                text = str(eval(item, namespace))
            except Exception as exc:
                pytest.fail(f"{chapter.name}: inline `{{python}} {item}` failed: {exc!r}")
            assert text.strip() and "nan" not in text.lower(), f"inline {item} gave {text!r}"
    assert os.environ["BOOK_RESULTS_DIR"] == str(ci_results)


def test_every_numbered_chapter_has_goals_and_takeaways():
    chapters = book_checks.numbered_chapters(ROOT)
    assert len(chapters) >= 9, [c.name for c in chapters]
    missing = {c.name: book_checks.missing_teaching_parts(c) for c in chapters}
    assert not {name: parts for name, parts in missing.items() if parts}


def test_teaching_check_can_fail(tmp_path: Path):
    chapter = tmp_path / "x.qmd"
    chapter.write_text('# X\n\n::: {.callout-note title="This chapter at a glance"}\n'
                       "**The question.** Why?\n:::\n\n## Takeaways\n")
    assert book_checks.missing_teaching_parts(chapter) == ["goals", "takeaways"]
    chapter.write_text('# X\n\n::: {.callout-note icon=false title="This chapter at a glance"}\n'
                       "**The question.** Why?\n\n**After it you can**\n\n- a\n:::\n\n"
                       "## Key takeaways {#sec-x-takeaways}\n")
    assert book_checks.missing_teaching_parts(chapter) == []


def test_the_eight_failure_modes_are_listed_with_their_sections():
    text = (ROOT / "chapters" / "04-marketplaces.qmd").read_text(encoding="utf-8")
    box = text.split('title="The eight common failure modes"}', 1)[1].split("\n:::", 1)[0]
    items = [line for line in box.splitlines() if line[:3].rstrip(". ").isdigit()]
    assert len(items) == 8, items
    labels = set().union(*(book_checks.labels(c) for c in CHAPTERS))
    refs = set(book_checks.REFERENCE.findall(box))
    assert refs and refs <= labels, sorted(refs - labels)
    # every failure mode also has its own warning box where it bites
    callouts = sum(c.read_text(encoding="utf-8").count('{.callout-warning title="Failure mode:')
                   for c in CHAPTERS)
    assert callouts >= 8


def test_no_chapter_places_content_in_page_columns():
    """Quarto's Typst book turns one `column: page-right` (or a `.column-*` div) into a margin
    layout for every page of the PDF: narrow text, broken part pages. Wide tables use smaller
    type instead (see book/book.scss)."""
    import re

    pattern = re.compile(r"^#\|\s*(fig-|tbl-)?column:|\{[^}]*\.column-(page|screen|margin|body-outset)",
                         re.MULTILINE)
    offenders = [str(p.relative_to(ROOT)) for p in book_checks.chapter_files(ROOT)
                 if pattern.search(p.read_text(encoding="utf-8"))]
    assert offenders == []


@pytest.mark.pipeline
def test_table_values_give_one_column_its_own_reader_words(ci_results, monkeypatch):
    from analysis import book
    from analysis.worlds.teams import DESIGN_WORDS

    monkeypatch.setenv("BOOK_RESULTS_DIR", str(ci_results))
    shown = book.table_markdown("teams_design_summary", columns=["design", "n_units"],
                                values={"design": DESIGN_WORDS})
    assert all(word in shown for word in DESIGN_WORDS.values())
    # without them, "cluster" falls back to the global labels, where it is a unit of uncertainty
    plain = book.table_markdown("teams_design_summary", columns=["design", "n_units"])
    assert "Cluster randomization" not in plain and "cluster" in plain
    with pytest.raises(KeyError, match=r"no reader words for \['saturation'\]"):
        book.table_markdown("teams_design_summary", columns=["design"],
                            values={"design": {"individual": "I", "cluster": "C"}})
    with pytest.raises(KeyError, match="does not show"):
        book.table_markdown("teams_design_summary", columns=["n_units"],
                            values={"design": DESIGN_WORDS})
