"""The memo template and the standalone portfolio report, rendered by the real Quarto against the
CI build: each is its own Quarto project beside the book (memo/, report/)."""

from __future__ import annotations

import shutil
import zipfile
from pathlib import Path

import pytest

from analysis import book_checks, render_checks
from analysis.quarto_render import render
from tests.conftest import ROOT

pytestmark = pytest.mark.render

MEMO_FIGURES = "fig-slate-decomposition-bars,slate_robustness"


def _copy_project(name: str, tmp_path: Path) -> Path:
    """The memo or report folder, copied beside the book so renders leave the clone clean."""
    target = ROOT / "build" / "documents" / tmp_path.name / name
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(ROOT / name, target, ignore=shutil.ignore_patterns(
        "*.html", "*.pdf", "*.docx", "*.typ", "figures", "*_files", ".quarto", "*.quarto_ipynb"))
    return target


def _rewrite_relative(project: Path) -> None:
    """The copy sits two folders deeper: point its ../ paths back at the book's files."""
    rel = Path(*([".."] * len(project.relative_to(ROOT).parts)))
    for path in [project / "_quarto.yml", *project.glob("*.qmd")]:
        text = path.read_text(encoding="utf-8").replace("../", f"{rel.as_posix()}/")
        path.write_text(text, encoding="utf-8")


@pytest.fixture(scope="module")
def memo_render(ci_results, quarto, tmp_path_factory):
    project = _copy_project("memo", tmp_path_factory.mktemp("memo"))
    _rewrite_relative(project)
    out = project / "_out"
    result = render(project, out, results_dir=ci_results, quarto=quarto, target="memo.qmd",
                    to="all", extra_args=("-P", f"figures:{MEMO_FIGURES}"))
    return result


def test_memo_renders_to_html_pdf_and_docx_with_citation_lines(memo_render):
    assert memo_render.returncode == 0, memo_render.log[-4000:]
    assert render_checks.log_problems(memo_render.log) == []
    out = memo_render.output_dir
    numbers = book_checks.crossref_numbers(ROOT)
    expected = [numbers["fig-slate-decomposition-bars"], numbers["fig-portfolio-robustness"]]
    html = (out / "memo.html").read_text(encoding="utf-8")
    for number in expected:
        assert f"{number} “" in html
    assert html.count('class="artifact-provenance"') == 2 and "data:image/png;base64" in html
    pdf = " ".join(render_checks.pdf_text(out / "memo.pdf").split())
    assert all(f"{number} “" in pdf for number in expected) and pdf.count("Cite as:") == 2
    assert "Headline numbers" in pdf
    with zipfile.ZipFile(out / "memo.docx") as docx:
        document = docx.read("word/document.xml").decode("utf-8")
        images = [n for n in docx.namelist() if n.startswith("word/media/")]
    assert "Cite as:" in document and len(images) == 2


def test_memo_refuses_an_unknown_figure_naming_close_matches(ci_results, quarto, tmp_path):
    project = _copy_project("memo", tmp_path)
    _rewrite_relative(project)
    result = render(project, project / "_out", results_dir=ci_results, quarto=quarto,
                    target="memo.qmd", to="html",
                    extra_args=("-P", "figures:fig-slate-decompositon"))
    assert result.returncode != 0
    assert "MemoError" in result.log
    assert "close matches: fig-slate-decomposition-bars" in result.log


def test_portfolio_report_renders_alone_to_html_and_pdf(ci_results, quarto, tmp_path):
    project = _copy_project("report", tmp_path)
    _rewrite_relative(project)
    result = render(project, project / "_out", results_dir=ci_results, quarto=quarto,
                    target="portfolio.qmd", to="all")
    assert result.returncode == 0, result.log[-4000:]
    assert render_checks.log_problems(result.log) == []
    (page,) = render_checks.html_pages(project / "_out")
    assert render_checks.unresolved_html_references(page) == []
    assert render_checks.raw_markup(page.text) == []
    html = " ".join(page.text.split())
    pdf = " ".join(render_checks.pdf_text(project / "_out" / "portfolio.pdf").split())
    assert render_checks.raw_markup(pdf) == []
    chapter = book_checks.chapter_numbers(ROOT)[ROOT / "chapters/08-portfolio-report.qmd"]
    for text in (html, pdf):
        assert "How to cite this report" in text and f"Chapter {chapter} of" in text
        assert "decide the sign of the known total" in text or "not for its sign" in text
        assert text.count("Cite as:") == 10  # one per figure and table of the chapter
        assert "Athey" in text  # the chapter's citation resolves against the book's bibliography


def test_memo_check_names_close_matches_before_quarto_starts(capsys):
    from analysis import memo

    assert memo.main(["slate_decomposition, fig-portfolio-robustness"]) == 2
    err = capsys.readouterr().err
    assert "'slate_decomposition': close matches: slate_decomposition_bars" in err
    assert "fig-portfolio-robustness" not in err  # a known name is not reported
    assert memo.main(["slate_decomposition_bars,fig-portfolio-robustness"]) == 0
    numbers = book_checks.crossref_numbers(ROOT)
    assert capsys.readouterr().out == (
        f"The memo shows {numbers['fig-slate-decomposition-bars']} (fig-slate-decomposition-bars); "
        f"{numbers['fig-portfolio-robustness']} (fig-portfolio-robustness).\n")


def test_render_without_artifacts_stops_before_quarto_naming_the_manifest(tmp_path, capsys,
                                                                          monkeypatch):
    from analysis import quarto_render

    monkeypatch.setattr(quarto_render, "find_quarto", lambda: Path("/nonexistent/quarto"))
    code = quarto_render.main(["--results-dir", str(tmp_path), "--output-dir", str(tmp_path / "o"),
                               "--project", "memo", "--target", "memo.qmd"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{tmp_path / 'manifest.json'} does not exist" in err and "Build them first" in err
    assert not (tmp_path / "o").exists()
