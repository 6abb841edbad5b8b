"""The book rendered by the real Quarto, HTML and PDF, checked as a reader would meet it.

The whole book is rendered once per session against the CI build (``rendered_book`` fixture).
Each check is also run on a planted defect, so none of them can pass by being unable to fail.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from analysis import render_checks
from analysis.report.manifest import Manifest
from tests.conftest import ROOT

pytestmark = pytest.mark.render

PDF_NAME = "Causal-Inference-Under-Interference-and-Spillovers.pdf"
CATALOG_PAGE = Path("chapters/catalog.html")


def _fail_with(problems: list[str], what: str, limit: int = 40) -> None:
    if problems:
        shown = "\n".join(problems[:limit])
        more = f"\n... and {len(problems) - limit} more" if len(problems) > limit else ""
        pytest.fail(f"{len(problems)} {what}:\n{shown}{more}")


@pytest.fixture(scope="module")
def site(rendered_book) -> Path:
    if rendered_book.returncode != 0:
        pytest.fail(f"quarto render failed (exit {rendered_book.returncode}):\n"
                    f"{rendered_book.log[-6000:]}")
    return rendered_book.output_dir


@pytest.fixture(scope="module")
def pages(site) -> list[render_checks.Page]:
    return render_checks.html_pages(site)


@pytest.fixture(scope="module")
def pdf(site) -> Path:
    path = site / PDF_NAME
    assert path.exists(), f"the PDF edition was not written: {sorted(p.name for p in site.iterdir())}"
    return path


@pytest.fixture(scope="module")
def artifact_ids(ci_results) -> set[str]:
    """The documented exception to "no identifiers on a page": the catalog appendix names each
    artifact by its id and the rule that made it."""
    records = Manifest.load(ci_results / "manifest.json", root=ROOT).records
    return set(records) | {record["rule"] for record in records.values()}


# -- the real book --------------------------------------------------------------------------------
def test_render_exits_cleanly(rendered_book):
    assert rendered_book.returncode == 0, rendered_book.log[-6000:]


def test_render_log_has_no_warnings_or_errors(rendered_book, site):
    _fail_with(render_checks.log_problems(rendered_book.log),
               "warning or error lines from Quarto, pandoc or Typst")


def test_every_chapter_is_an_html_page(site, pages):
    names = {str(p.path) for p in pages}
    for chapter in ["index.html", "chapters/01-data.html", "chapters/08-portfolio-report.html",
                    "chapters/catalog.html", "chapters/notation.html"]:
        assert chapter in names, f"{chapter} missing from the site ({sorted(names)})"


def test_html_has_no_unresolved_references_or_raw_markup(pages):
    problems = []
    for page in pages:
        problems += render_checks.unresolved_html_references(page)
        problems += [f"{page.path}: {p}" for p in render_checks.raw_markup(page.text)]
    _fail_with(problems, "unresolved references or raw markup in the HTML")


def test_html_images_exist(site, pages):
    _fail_with([p for page in pages for p in render_checks.missing_images(site, page)],
               "missing images in the HTML")


def test_html_internal_links_resolve(site, pages):
    _fail_with(render_checks.broken_internal_links(site, pages), "broken internal links")


def test_html_pages_show_no_identifiers(pages, artifact_ids):
    """No snake_case name reaches a reader; artifact ids are allowed in the catalog only."""
    problems = []
    for page in pages:
        allowed = artifact_ids if page.path == CATALOG_PAGE else set()
        words = render_checks.snake_case_words(render_checks.identifier_text(page), allowed)
        problems += [f"{page.path}: {w}" for w in words]
    _fail_with(problems, "snake_case identifiers on HTML pages")


def test_pdf_text_has_no_unresolved_references_or_raw_markup(pdf):
    _fail_with(render_checks.raw_markup(render_checks.pdf_text(pdf)), "raw markup in the PDF")


def test_pdf_bibliography_names_each_proceedings_once(pdf):
    """Typst printed conference papers as 'In "Proceedings of X." Special issue, Proceedings of X'
    (references.bib enters them as @article for that reason)."""
    references = render_checks.pdf_text(pdf).split("References")[-1]
    assert "Proceedings of the" in references
    assert "Special issue" not in references


def test_pdf_shows_no_identifiers_outside_the_catalog(pdf, artifact_ids):
    pages = render_checks.without_pdf_provenance(render_checks.pdf_text(pdf)).split("\f")
    catalog = render_checks.pdf_chapter_pages(pages, "Figure and table catalog")
    assert catalog, "the catalog appendix is missing from the PDF"
    problems = []
    for number, page in enumerate(pages, start=1):
        allowed = artifact_ids if number in catalog else set()
        problems += [f"page {number}: {w}"
                     for w in render_checks.snake_case_words(page, allowed)]
    _fail_with(problems, "snake_case identifiers in the PDF")


@pytest.fixture(scope="module")
def shown_labels() -> list[str]:
    """Labels of every figure and table cell that shows an artifact."""
    from analysis import book_checks

    return [label for label, _, _ in book_checks.displayed_artifacts(ROOT)]


def test_every_html_figure_and_table_has_provenance_and_citation(pages, shown_labels):
    found = {label for page in pages for label in shown_labels if page.soup.find(id=label)}
    assert found == set(shown_labels), f"not on any page: {set(shown_labels) - found}"
    _fail_with([p for page in pages
                for p in render_checks.missing_artifact_notes(page, shown_labels)],
               "figures or tables without provenance and citation lines in the HTML")
    catalog = next(p for p in pages if p.path == CATALOG_PAGE)
    cited = {a["href"].split("#")[-1] for note in catalog.soup.select(".artifact-provenance")
             for a in note.select("a.quarto-xref")}
    assert set(shown_labels) <= cited, f"catalog lacks {set(shown_labels) - cited}"


def test_html_pages_carry_google_scholar_metadata(pages):
    index = next(p for p in pages if p.path == Path("index.html"))
    meta = {m.get("name"): m.get("content") for m in index.soup.find_all("meta")}
    assert meta.get("citation_title"), sorted(k for k in meta if k)
    assert meta.get("citation_author") == "The interference book team"
    assert any(k.startswith("citation_") for k in meta if k), meta


def test_pdf_cites_every_figure_and_table_by_its_number(pdf, shown_labels):
    """Each citation line names the figure's number as Quarto resolved it, and those numbers are
    the ones ``book_checks.crossref_numbers`` computes for documents outside the book (the memo)."""
    from analysis import book_checks

    text = render_checks.pdf_text(pdf)
    numbers = book_checks.crossref_numbers(ROOT)
    expected = {numbers[label] for label in shown_labels}
    cited = render_checks.pdf_cited_numbers(text)
    assert expected <= cited, f"no citation line for {sorted(expected - cited)}"
    flat = " ".join(text.split())
    assert flat.count("Provenance:") >= 2 * len(shown_labels)  # under each, and in the catalog
    assert flat.count("Provenance:") == flat.count("Cite as:")


def test_pdf_text_stays_in_the_measure_and_never_overprints(pdf):
    _fail_with(render_checks.pdf_layout_problems(pdf), "PDF layout problems")


def test_pdf_names_appendices_and_numbers_only_what_is_numbered(pdf):
    """References to an appendix read "Appendix A" (as in the HTML), and no contents list gives
    the unnumbered Exercises a section number, as the part pages' chapter lists once did."""
    text = render_checks.pdf_text(pdf)
    assert not re.findall(r"\bChapter [A-Z]\b", text), "an appendix is called a chapter"
    assert re.search(r"\bAppendix [A-Z]\b", text)
    text = render_checks.pdf_layout_text(pdf)
    assert re.search(r"^\s*Exercises(?:\s*\.){3,}", text, re.M), "no Exercises in a contents list"
    borrowed = re.findall(r"^\s*[0-9]+\.[0-9]+\s+Exercises(?:\s*\.){3,}", text, re.M)
    assert not borrowed, f"numbered unnumbered sections in a contents list: {borrowed}"


def test_pdf_has_no_empty_reference_or_appendix_pages(pdf):
    pages = [p.strip() for p in render_checks.pdf_text(pdf).split("\f")]
    for number, page in enumerate(pages, start=1):
        lines = [line for line in page.splitlines() if line.strip()]
        assert lines != ["References"] and lines != ["Appendices"], f"page {number} is empty"
    assert sum(1 for p in pages if re.search(r"^References$", p, re.M)) >= 1



def test_pdf_running_heads_number_only_numbered_headings(pdf):
    """The Exercises sections and the References are unnumbered: their running heads read just
    the title (the book template borrowed the section before's number and the last appendix's
    letter), numbered sections keep their numbers, and the notation page's table is "Table 1", as
    on its HTML page, not "Table 0.1"."""
    text = render_checks.pdf_layout_text(pdf)
    _fail_with(render_checks.borrowed_numbers(text), "borrowed heading or float numbers in the PDF")
    heads = render_checks.pdf_running_heads(text)
    assert any(re.fullmatch(r"[0-9]+\s+References", head) for head in heads), \
        "no running head reads References"
    assert any(re.fullmatch(r"[0-9]+\.[0-9]+\s+\S.*\s[0-9]+", head) for head in heads), \
        "no running head names a numbered section"
    assert re.search(r"^\s*Table 1:\s+Symbols used in this book", text, re.M)


def _references_pdf(pdf: Path) -> str:
    """The bibliography pages of the PDF (from the page that opens with "References"), flat."""
    pages = render_checks.pdf_text(pdf).replace("\u00ad\n", "").split("\f")
    start = max(i for i, page in enumerate(pages) if page.lstrip().startswith("References\n"))
    return " ".join(" ".join(pages[start:]).split())


def test_bibliography_prints_preprint_numbers_and_report_institutions(pdf, pages):
    """Typst printed the arXiv preprint as '"Title.".' without its number and the technical
    reports without their institution; both editions now print them, and no stray '".'."""
    html = next(p for p in pages if p.path == Path("chapters/references.html"))
    editions = {"PDF": _references_pdf(pdf),
                "HTML": " ".join(html.soup.select_one("#refs").get_text(" ").split())}
    for edition, references in editions.items():
        assert "Saint-Jacques" in references, edition
        assert "\u201d." not in references, f"{edition}: a stray '\u201d.' in the references"
        for expected in ["arXiv 1903.08755", "Measuring Ad Effectiveness Using Geo Experiments",
                         "Google Inc.", "Working Paper No. 1315",
                         "University, Department of Economics"]:
            assert expected in references, f"{edition} references lack {expected!r}"

# -- each check catches a planted defect -----------------------------------------------------------
def test_log_check_catches_planted_warnings():
    log = textwrap.dedent("""\
        Output created: _book/index.html
        WARN: Repository links require that you specify a repo-url
        [WARNING] Citeproc: citation nobody2099 not found
        warning: unknown font family: fancy
        ERROR: Typst compilation failed
        """)
    assert len(render_checks.log_problems(log)) == 4
    assert render_checks.log_problems("Output created: _book/index.html\n") == []


def test_log_check_skips_only_the_kernel_shutdown_race():
    race = textwrap.dedent("""\
          Cell 1/1: ''...Done

        ERROR:tornado.general:Uncaught exception in ZMQStream callback
        Traceback (most recent call last):
          File "zmq/eventloop/zmqstream.py", line 585, in _log_error
            f.result()
          File "zmq/backend/cython/_zmq.py", line 190, in zmq.backend.cython._zmq._check_rc
        zmq.error.ZMQError: Socket operation on non-socket
        [ 2/16] chapters/notation.qmd
        """)
    assert render_checks.log_problems(race) == []
    other = race.replace("zmq.error.ZMQError: Socket operation on non-socket",
                         "KeyError: 'tbl-missing'")
    assert render_checks.log_problems(other) == [
        "ERROR:tornado.general:Uncaught exception in ZMQStream callback"]


def test_html_numbers_are_signed_with_a_true_minus(pages):
    """Prose prints "−0.318" as the tables do (book/filters/true-minus.lua), never "-0.318"."""
    problems = []
    for page in pages:
        problems += [f"{page.path}: {p}" for p in render_checks.hyphen_signed_numbers(page.text)]
    _fail_with(problems, "numbers signed with a hyphen on HTML pages")


def test_hyphen_sign_check_catches_planted_hyphens():
    planted = "moves from -0.318 to +0.025 (-2.37 observed) and [-1, 1]"
    assert len(render_checks.hyphen_signed_numbers(planted)) == 3
    clean = ("moves from −0.318 at positions 11-12 on 2026-11-24, gap 3.9e-16, "
             "doi 10.1214/12-AOAS583, s41598-019-41695-z, Chapman & Hall")
    assert render_checks.hyphen_signed_numbers(clean) == []


def test_raw_markup_check_catches_planted_markup():
    planted = ("See ?@fig-missing, the value `{python} x` and `code` in prose, at "
               "https://interference\\-book\\.github\\.io.")
    kinds = {p.split(":")[0] for p in render_checks.raw_markup(planted)}
    assert kinds == {"unresolved cross-reference", "raw inline code", "backtick",
                     "escaped punctuation"}
    assert render_checks.raw_markup("A clean sentence with −0.25 and 95% (Harper 2015).") == []


def test_borrowed_number_check_catches_planted_numbers():
    planted = ("5.4 Exercises                         63\f110                       C. References\n"
               "              Table 0.1: Symbols used in this book.\n")
    assert render_checks.borrowed_numbers(planted) == [
        "5.4 Exercises                         63", "110                       C. References",
        "Table 0.1: Symbols used in this book."]
    clean = ("Exercises                    63\f110            References\nA.5 Designing the slate\n"
             "Table 1: Symbols used in this book.\nTable 5.4: Exercises ... Table 10.1\n"
             "Appendix C. References to it\n")
    assert render_checks.borrowed_numbers(clean) == []
    assert render_checks.pdf_running_heads(" \n 2.4 The teams world  25\nbody\f\n\f") == [
        "2.4 The teams world  25", "", ""]

def test_identifier_check_catches_planted_snake_case():
    text = "Observed clicks fell under horvitz_thompson and sci_fi, see results/x_y.csv."
    assert render_checks.snake_case_words(text) == ["horvitz_thompson", "sci_fi"]
    assert render_checks.snake_case_words(text, {"horvitz_thompson", "sci_fi"}) == []


def test_provenance_checks_catch_planted_defects(tmp_path):
    note = ('<div class="artifact-provenance"><p>Provenance: rule slates_design; seed 1. Data: '
            '<a href="../data/x.csv">X (CSV)</a>.</p><p>Cite as: <em>Book</em>, '
            '<a class="quarto-xref" href="#fig-a">Figure 1.1</a> “A”.</p></div>')
    pages = _site(tmp_path, '<div id="fig-a">A</div>' + note + '<div id="fig-b">B</div>'
                  '<div id="tbl-c">C</div><div class="artifact-provenance"><p>Provenance: rule r. '
                  'Data: ask us.</p><p>Cite as: <a href="#tbl-c">Table 1.1</a></p></div>'
                  '<p>A stray sci_fi word.</p>')
    page = next(p for p in pages if p.path == Path("a.html"))
    problems = render_checks.missing_artifact_notes(page, ["fig-a", "fig-b", "tbl-c", "tbl-x"])
    assert len(problems) == 2 and "fig-b has no citation line" in problems[0]
    assert "tbl-c has no link to its data" in problems[1]
    assert render_checks.snake_case_words(render_checks.identifier_text(page)) == ["sci_fi"]
    assert "slates_design" in render_checks.snake_case_words(page.text)
    pdf = ("Figure 2.1: A.\nProvenance: rule slates_design; config two_stage;\nseed 1.\fCite as: "
           "Book, Figure\n2.1 “A”, SHA-256 ab.\nBut sci_fi leaks. Provenance: rule x_y\nz_w")
    cleaned = render_checks.without_pdf_provenance(pdf)
    assert render_checks.snake_case_words(cleaned) == ["sci_fi", "z_w"]
    assert cleaned.count("\f") == 1
    assert render_checks.pdf_cited_numbers(pdf) == {"Figure 2.1"}


def _site(tmp_path: Path, body: str) -> list[render_checks.Page]:
    (tmp_path / "a.html").write_text(f"<html><body><main>{body}</main></body></html>")
    (tmp_path / "b.html").write_text('<html><body><main><h2 id="sec-b">B</h2></main></body></html>')
    return render_checks.html_pages(tmp_path)


def test_html_checks_catch_planted_defects(tmp_path):
    pages = _site(tmp_path, '<p>As in <strong>?@fig-gone</strong> and '
                            '<span class="citation">(<strong>nobody2099?</strong>)</span>.</p>'
                            '<img src="figures/missing.png"><img src="https://cdn.example/x.png">'
                            '<a href="b.html#sec-b">ok</a><a href="b.html#sec-none">bad anchor</a>'
                            '<a href="c.html">bad file</a>')
    page = next(p for p in pages if p.path == Path("a.html"))
    assert len(render_checks.unresolved_html_references(page)) == 2
    assert len(render_checks.missing_images(tmp_path, page)) == 2
    broken = render_checks.broken_internal_links(tmp_path, pages)
    assert len(broken) == 2 and any("sec-none" in b for b in broken)


def test_pdf_layout_check_catches_planted_overprint_and_overflow(tmp_path):
    from matplotlib.backends.backend_pdf import PdfPages

    from analysis.report.style import new_figure

    pdf_path = tmp_path / "planted.pdf"
    with PdfPages(pdf_path) as pdf:
        for page in range(6):
            fig, ax = new_figure(8.27, 11.69)
            ax.set_axis_off()
            for line in range(40):
                fig.text(0.15, 0.9 - line * 0.02, "A line of ordinary body text, within the measure.",
                         fontsize=6)
            if page == 4:
                fig.text(0.15, 0.05, "Overprinted cell", fontsize=6)
                fig.text(0.16, 0.05, "Overprinted cell", fontsize=6)
                fig.text(0.55, 0.10, "this cell runs past the right margin", fontsize=6)
            pdf.savefig(fig)
    problems = render_checks.pdf_layout_problems(pdf_path, skip_pages=())
    assert any("overprint" in p for p in problems)
    assert any("runs past the text measure" in p for p in problems)
    assert all(p.startswith("page 5") for p in problems)


PLANTED_DOC = """\
---
title: Planted
bibliography: refs.bib
---

```{python}
from analysis import book
ref = book.Prose("as @fig-dot shows")
```

The inline reference resolves `{python} ref`.

```{python}
#| label: fig-dot
#| fig-cap: "A dot."
import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt
plt.plot([0], [0], "o")
plt.show()
```

PLANTED
"""


def test_quarto_resolves_a_reference_inside_an_inline_value_and_flags_planted_ones(quarto,
                                                                                   tmp_path):
    """One real Quarto render of a tiny document: a reference carried by an inline value
    (``book.Prose``) resolves; a planted unresolved reference and citation are caught."""
    from analysis.quarto_render import render

    (tmp_path / "_quarto.yml").write_text("project:\n  type: default\n")
    (tmp_path / "refs.bib").write_text("@book{real2020, title={Real}, author={Real, A.}, year={2020}}\n")
    (tmp_path / "good.qmd").write_text(PLANTED_DOC.replace("PLANTED", "All good [@real2020]."))
    (tmp_path / "bad.qmd").write_text(PLANTED_DOC.replace(
        "PLANTED", "See @fig-nowhere and [@nobody2099]."))
    result = render(tmp_path, tmp_path / "out", quarto=quarto, to="html")
    assert result.returncode == 0, result.log[-3000:]
    pages = {str(p.path): p for p in render_checks.html_pages(tmp_path / "out")}
    good, bad = pages["good.html"], pages["bad.html"]
    assert "as Figure 1 shows" in " ".join(good.text.split())
    assert good.soup.find("a", href="#fig-dot") is not None
    assert render_checks.unresolved_html_references(good) == []
    assert len(render_checks.unresolved_html_references(bad)) == 2
    assert any("nobody2099" in line for line in render_checks.log_problems(result.log))


def test_running_heads_of_a_tiny_typst_book_number_only_numbered_sections(quarto, tmp_path):
    """One real Quarto render of a tiny book with the book's Typst style: the pages of an
    unnumbered Exercises section are headed "Exercises", not the section before's "1.1 ..." (the
    CI book's layout need not put an Exercises section under an odd page's head)."""
    from analysis.quarto_render import render

    styles = [ROOT / "book" / "typst" / name
              for name in ("book-style.typ", "orange-book-overrides.typ")]
    (tmp_path / "_quarto.yml").write_text(textwrap.dedent(f"""\
        project:
          type: book
        book:
          title: Tiny
          author: A reader
          chapters: [index.qmd, chapter.qmd]
        format:
          typst:
            number-sections: true
            include-before-body: [{', '.join(map(str, styles))}]
        """))
    words = " ".join(["spillover"] * 12)
    paragraphs = "\n\n".join([f"A paragraph {i} on designs, {words}. " * 6 for i in range(40)])
    (tmp_path / "index.qmd").write_text("# Preface {.unnumbered}\n\nA preface.\n")
    (tmp_path / "chapter.qmd").write_text(
        f"# Designs\n\n## A numbered section\n\n{paragraphs}\n\n"
        f"## Exercises {{.unnumbered}}\n\n{paragraphs}\n\n{paragraphs}\n")
    result = render(tmp_path, tmp_path / "out", quarto=quarto, to="typst")
    assert result.returncode == 0, result.log[-3000:]
    heads = render_checks.pdf_running_heads(
        render_checks.pdf_layout_text(next((tmp_path / "out").glob("*.pdf"))))
    assert any(re.fullmatch(r"Exercises\s+[0-9]+", head) for head in heads), heads
    assert any(re.fullmatch(r"1\.1\s+A numbered section\s+[0-9]+", head) for head in heads), heads
    assert not any(re.search(r"[0-9]\s+Exercises", head) for head in heads), heads

def test_site_offers_the_pdf_and_repo_actions_that_point_at_real_files(site, pages):
    import yaml

    repo = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))["book"]["repo-url"]
    index = next(p for p in pages if p.path == Path("index.html"))
    pdf_links = [a["href"] for a in index.soup.select("a.quarto-navigation-tool[href$='.pdf']")]
    assert pdf_links == [f"./{PDF_NAME}"], pdf_links
    problems = []
    for page in pages:
        sources = [a["href"] for a in page.soup.select("a.toc-action")
                   if "/blob/" in a.get("href", "")]
        if page.path.name != "index.html" and not sources:
            problems.append(f"{page.path}: no 'view source' action")
        for href in sources:
            prefix = f"{repo}/blob/main/"
            if not href.startswith(prefix) or not (ROOT / href[len(prefix):]).is_file():
                problems.append(f"{page.path}: source action {href} names no file of this repo")
    _fail_with(problems, "repository action problems")
