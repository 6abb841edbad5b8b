"""Provenance and citation lines, the data behind each figure, the memo's figure choice, the
report's assumption sentence and the citation file: the parts that need no Quarto."""

from __future__ import annotations

import re

import pandas as pd
import pytest
import yaml

from analysis import book, book_checks, book_freeze, memo
from analysis.report import citation, figure_data, portfolio
from analysis.report.manifest import Manifest
from analysis.report.site_data import copy_table_csvs
from tests.conftest import ROOT

RECORD = {"id": "slate_known_lift", "kind": "figure", "rule": "slates_design", "seed": 20260428,
          "config": {"slates": {"n": 1}, "two_stage": {}}, "sha256": "ab" * 32}


def test_provenance_line_names_rule_module_config_seed_hash_and_data():
    line = citation.provenance_line(RECORD, [citation.DataLink("Slate outcomes", "d/x.csv")])
    assert line == ("Provenance: rule slates_design (module analysis.steps.slates_design); "
                    "config slates, two_stage; seed 20260428; SHA-256 abababababab. "
                    "Data: [Slate outcomes (CSV)](d/x.csv).")
    diagram = citation.provenance_line({**RECORD, "rule": "no_such_rule", "seed": None}, [])
    assert "module" not in diagram and "seed" not in diagram
    assert diagram.endswith("Data: none (a diagram drawn from no data).")


def test_citation_line_is_stable_and_carries_every_part():
    edition = citation.Edition("abc1234", "2026-01-31")
    line = citation.citation_line("Book", edition, "@fig-x", "Title", "https://s/c.html#fig-x",
                                  "0123456789abcdef" * 4)
    assert line == ("Cite as: *Book*, edition abc1234 (2026-01-31), @fig-x “Title”, "
                    "<https://s/c.html#fig-x>, SHA-256 0123456789ab.")
    note = citation.artifact_note("Provenance: p.", line)
    assert note.strip().startswith("::: {.artifact-provenance}") and note.strip().endswith(":::")


@pytest.fixture(scope="module")
def records(ci_results) -> dict[str, dict]:
    return Manifest.load(ci_results / "manifest.json", root=ROOT).records


def test_every_figure_names_the_tables_it_is_drawn_from(records):
    figures = {i for i, r in records.items() if r["kind"] == "figure"}
    assert figures <= set(figure_data.FIGURE_DATA), figures - set(figure_data.FIGURE_DATA)
    for figure_id in figures:
        tables = figure_data.data_tables(records[figure_id])
        if not figure_id.startswith("diagram_"):
            assert tables, f"{figure_id}: no data behind it"
        for table_id in tables:
            assert records[table_id]["kind"] == "table"
            assert records[table_id]["rule"] == records[figure_id]["rule"], (figure_id, table_id)
    with pytest.raises(KeyError, match="FIGURE_DATA"):
        figure_data.data_tables({"id": "new_plot", "kind": "figure", "rule": "r"})


def test_site_data_copies_every_table_csv_and_drops_stale_ones(records, ci_results, tmp_path):
    (tmp_path / "old_table.csv").write_text("stale\n")
    manifest = Manifest.load(ci_results / "manifest.json", root=ROOT)
    copied = copy_table_csvs(manifest, tmp_path)
    tables = {i for i, r in records.items() if r["kind"] == "table"}
    assert {p.stem for p in tmp_path.glob("*.csv")} == tables == {p.stem for p in copied}
    first = sorted(tables)[0]
    assert (tmp_path / f"{first}.csv").read_bytes() == manifest.file(first, "csv").read_bytes()


def test_book_notes_link_the_data_and_cite_by_cross_reference(ci_results, monkeypatch):
    monkeypatch.chdir(ROOT)
    note = book.artifact_note("slate_robustness")
    assert "@fig-portfolio-robustness “Total effect across seeds and settings”" in note
    assert "chapters/08-portfolio-report.html#fig-portfolio-robustness>" in note
    assert note.count("(CSV)](") == 2 and "/data/slate_robustness_seeds.csv" in note
    assert book.site_url() == "https://interference-book.github.io/interference-book/"
    assert re.fullmatch(r"edition [0-9a-f]{7} \(\d{4}-\d{2}-\d{2}\)|edition uncommitted .*",
                        str(book.edition()))


def test_outside_the_book_the_note_cites_the_books_number(ci_results, monkeypatch):
    monkeypatch.chdir(ROOT / "memo")
    note = book.artifact_note("slate_robustness")
    number = book_checks.crossref_numbers(ROOT)["fig-portfolio-robustness"]
    assert f"{number} “Total effect" in note and "@fig" not in note
    assert "](https://interference-book.github.io/interference-book/data/" in note


def test_crossref_numbers_follow_chapter_order():
    numbers = book_checks.crossref_numbers(ROOT)
    chapters = book_checks.chapter_numbers(ROOT)
    assert chapters[ROOT / "index.qmd"] == ""
    appendices = [chapters[ROOT / f"chapters/{name}.qmd"]
                  for name in ("solutions", "catalog", "reproducibility")]
    assert appendices == ["A", "B", "C"]
    assert chapters[ROOT / "chapters/01-data.qmd"] == "1"
    first_data = [lab for lab in book_checks.labels(ROOT / "chapters/01-data.qmd")
                  if lab.startswith("fig-")]
    assert any(numbers[lab] == "Figure 1.1" for lab in first_data)
    assert len(set(numbers.values())) == len(numbers)


def test_memo_resolves_labels_and_ids_and_refuses_unknown_figures_with_close_matches(ci_results):
    chosen = memo.resolve("fig-slate-decomposition-bars, slate_robustness")
    assert [c.artifact_id for c in chosen] == ["slate_decomposition_bars", "slate_robustness"]
    assert chosen[1].label == "fig-portfolio-robustness"
    assert memo.parse_names(None) == list(memo.DEFAULT_FIGURES)
    assert memo.parse_names("[a, 'b']") == ["a", "b"]
    with pytest.raises(memo.MemoError) as info:
        memo.resolve("fig-slate-decompositon,fig-portfolio-robustness,tbl-portfolio-summary")
    message = str(info.value)
    assert "'fig-slate-decompositon': close matches: fig-slate-decomposition-bars" in message
    assert "'tbl-portfolio-summary'" in message and "fig-portfolio-robustness'" not in message


def test_memo_headline_numbers_match_the_product_summary(ci_results):
    headline = memo.headline_numbers()
    summary = book.table("slate_product_summary").set_index("view")
    assert list(headline["Outcome"]) == ["Observed clicks", "Known lift"]
    expected = book.fmt_number(summary.loc["observed_clicks", "total_change_per_1000"], 1)
    assert headline.loc[0, "Slate total"] == expected


@pytest.mark.parametrize(("default", "without", "phrase"), [
    (-0.317, 0.021, "decide the sign of the known total"),
    (-0.317, -0.1, "for the size of the known total, not for its sign"),
    (0.2, 0.2, "does not rest on"),
])
def test_attention_assumption_says_whether_the_penalty_decides_the_sign(default, without, phrase):
    sentence = portfolio.attention_assumption(default, without)
    assert phrase in sentence
    assert f"{default:+.3f}" in sentence and f"{without:+.3f}" in sentence


@pytest.mark.parametrize(("lower", "upper", "phrase"), [
    (-0.314, 0.291, "cannot tell a net loss from a net gain"),  # CI build: observed total
    (-0.40, -0.01, "show a net loss"),
    (0.01, 0.40, "show a net gain"),
    (-0.40, 0.0, "cannot tell"),  # an end point at zero does not exclude it
])
def test_observed_total_reading(lower, upper, phrase):
    assert phrase in portfolio.observed_total_reading(lower, upper)


@pytest.mark.parametrize(("default", "without", "phrase"), [
    (-0.317, 0.021, "the known net loss comes from the click model's attention penalties"),
    (-0.317, -0.1, "account for part of the true total"),
    (-0.317, -0.4, "do not lower the true total"),
])
def test_attention_loss_source(default, without, phrase):
    sentence = portfolio.attention_loss_source(default, without)
    assert sentence.startswith(phrase) or phrase in sentence
    assert f"from {default:+.3f} to {without:+.3f}" in sentence


def test_report_citation_punctuates_its_title_once():
    edition = citation.Edition("abc1234", "2026-01-31")
    assert portfolio.report_citation("Book", edition, "9", "Should we?", "https://u") == (
        "*Should we?* Chapter 9 of *Book*, edition abc1234 (2026-01-31). <https://u>.")
    assert portfolio.report_citation("Book", edition, "9", "Report", "u").startswith("*Report*. ")


def test_showing_an_artifact_does_not_tie_a_chapter_to_the_commit(monkeypatch):
    # the citation lines carry the edition as a shortcode, so only chapters that print the
    # edition from their own code are keyed on the commit
    assert book_freeze.EDITION.search("built = book.build_date()")
    assert book_freeze.EDITION.search("e = book.edition()")
    assert not book_freeze.EDITION.search('book.show_figure("x")')
    assert not book_freeze.EDITION.search('book.show_table(\n "x")')
    monkeypatch.chdir(ROOT)
    assert book.in_book() and book.edition_text() == "{{< meta edition >}}"
    monkeypatch.chdir(ROOT / "memo")  # a document of its own prints the edition directly
    assert not book.in_book() and book.edition_text() == str(book.edition())


def test_edition_metadata_names_the_commit_and_date(tmp_path):
    path = book.write_edition_metadata(tmp_path)
    meta = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert meta == {"edition": str(book.edition()), "built-on": book.build_date()}
    assert path.name == book.EDITION_FILE
    config = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
    assert book.EDITION_FILE in config["metadata-files"]


def test_citation_file_is_cff_and_cites_movielens():
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text(encoding="utf-8"))
    assert cff["cff-version"] == "1.2.0"
    assert {"message", "title", "authors"} <= set(cff)
    assert cff["title"] == yaml.safe_load((ROOT / "_quarto.yml").read_text())["book"]["title"]
    harper = next(r for r in cff["references"] if r["authors"][0]["family-names"] == "Harper")
    bib = (ROOT / "references.bib").read_text(encoding="utf-8")
    assert f"doi = {{{harper['doi']}}}" in bib and harper["year"] == 2015


def test_headline_table_has_no_identifiers(ci_results):
    from analysis import render_checks

    text = pd.DataFrame(memo.headline_numbers()).to_string()
    assert render_checks.snake_case_words(text) == []


def test_first_heading_is_the_level_one_title_and_empty_when_missing(tmp_path):
    chapter = tmp_path / "c.qmd"
    chapter.write_text("---\ntitle: x\n---\n\n## Not this\n\n# Slates {#sec-slates}\n\n# Later\n")
    assert book_checks.first_heading(chapter) == "# Slates {#sec-slates}"
    chapter.write_text("## Only a section\n")
    assert book_checks.first_heading(chapter) == ""
