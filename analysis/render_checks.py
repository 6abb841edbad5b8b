"""Checks of the rendered book: Quarto's log, the HTML pages and the PDF, as a reader gets them.

``book_checks`` is the fast layer (pandoc parse, citeproc, cell execution, no Quarto). This module
checks what only a real ``quarto render`` shows: warnings in the log, cross-references and citations
Quarto could not resolve, raw markup that leaked into the text, missing images, internal
identifiers that reach a reader, and PDF text that runs past the margins or overprints.

Every function takes text or a path and returns a list of problems (empty when the output is
clean), so the tests can both run them on the real book and prove on planted defects that each
check can fail.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from bs4 import BeautifulSoup

from analysis.report.citation import CITE_PREFIX, NOTE_CLASS, PROVENANCE_PREFIX

#: Lines of Quarto's, pandoc's or Typst's output that signal a problem.
LOG_PROBLEM = re.compile(r"\b(WARN|WARNING|ERROR)\b|^\s*(warning|error)(\[\w+\])?:", re.M)

#: A Jupyter kernel's shutdown race, logged after a chapter has finished executing: ipykernel 7
#: publishes a last "idle" status while its IOPub socket is being closed, and tornado logs the
#: resulting ENOTSOCK as an uncaught callback error. ipykernel 7.4 silences one path of it
#: (ipython/ipykernel#1518); the event-pipe path still logs. It says nothing about the book, so
#: exactly this traceback (ending in ENOTSOCK) is not a problem; any other traceback still is.
KERNEL_SHUTDOWN_RACE = re.compile(
    r"^ERROR:tornado\.general:Uncaught exception in ZMQStream callback\n"
    r"Traceback \(most recent call last\):\n"
    r"(?:[ \t].*\n)+"
    r"zmq\.error\.ZMQError: Socket operation on non-socket$",
    re.M)

#: Raw markup that must never reach a reader's text.
RAW_MARKUP = {
    "unresolved cross-reference": re.compile(r"\?@[\w-]+"),
    "raw inline code": re.compile(r"\{python\}|\{r\}"),
    "backtick": re.compile(r"`"),
    "unresolved citation": re.compile(r"\?\?|\(\s*[\w:-]+\?\s*\)"),
    # Plain text passed through Markdown escaping (an inline value that should be book.Prose).
    "escaped punctuation": re.compile(r"\w\\[-.*_]\w"),
}

#: An identifier in snake_case (two or more lower-case words joined by underscores).
SNAKE_CASE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w/])")
#: A number whose sign is an ASCII hyphen ("-0.318"), where the book prints a true minus ("−0.318").
HYPHEN_SIGN = re.compile(r"(?<![\w.,/−-])-\d[\d.,]*")

#: A PDF line where an unnumbered heading borrows a number, as the book template's running heads
#: did ("5.4 Exercises" from the section before, "C. References" from the last appendix), or a
#: float before chapter 1 numbered within a chapter 0 ("Table 0.1").
BORROWED_NUMBER = re.compile(
    r"(?<![\w.])(?:[0-9]+|[A-Z])\.[0-9]+\s+Exercises\b|(?<![\w.])[A-Z]\.\s+References\s*$"
    r"|\b(?:Table|Figure)\s+0\.[0-9]+")


def log_problems(log: str) -> list[str]:
    """Lines of a ``quarto render`` log that are warnings or errors (a kernel's shutdown race,
    :data:`KERNEL_SHUTDOWN_RACE`, excepted)."""
    log = KERNEL_SHUTDOWN_RACE.sub("", log)
    return [line.strip() for line in log.splitlines() if LOG_PROBLEM.search(line)]


@dataclass(frozen=True)
class Page:
    """One rendered HTML page: its path in the site and its reader-visible text."""

    path: Path
    text: str
    soup: BeautifulSoup


def html_pages(site: str | Path) -> list[Page]:
    """Every HTML page of a rendered site, with the text a reader sees in its main content."""
    site = Path(site)
    pages = []
    for path in sorted(site.rglob("*.html")):
        if "site_libs" in path.parts:
            continue
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        main = soup.find("main") or soup.body or soup
        pages.append(Page(path=path.relative_to(site), text=reader_text(main), soup=soup))
    return pages


def reader_text(element) -> str:
    """The text of an HTML element without code listings, scripts, styles and math markup.

    Inline ``<code>`` in prose stays: an identifier in a code span still reaches the reader."""
    clone = BeautifulSoup(str(element), "html.parser")
    for tag in clone.find_all(["script", "style", "pre", "math", "svg", "noscript"]):
        tag.decompose()
    # Quarto's hidden copies (e.g. the search index's shadow text) are not read.
    for tag in clone.select(".visually-hidden, .sr-only, .quarto-alternate-formats"):
        tag.decompose()
    return clone.get_text(" ", strip=False)


def identifier_text(page: Page) -> str:
    """A page's reader text without the provenance and citation lines under figures and tables
    (elements of class ``artifact-provenance``): the only place where rule and module names may
    reach a reader outside the catalog appendix."""
    main = page.soup.find("main") or page.soup.body or page.soup
    clone = BeautifulSoup(str(main), "html.parser")
    for tag in clone.select(f".{NOTE_CLASS}"):
        tag.decompose()
    return reader_text(clone)


#: A provenance line in PDF text: from its prefix to the citation line that always follows it
#: (at most ``PDF_NOTE_CHARS`` characters; a line whose citation is not found ends at its line end).
PDF_NOTE_CHARS = 800
_PROV, _CITE = re.escape(PROVENANCE_PREFIX), re.escape(CITE_PREFIX)
PDF_PROVENANCE = re.compile(
    rf"{_PROV}(?:(?!{_CITE}).){{0,{PDF_NOTE_CHARS}}}?{_CITE}|{_PROV}[^\n]*", re.S)


def without_pdf_provenance(text: str) -> str:
    """PDF text with every provenance line (prefix ``Provenance:``) cut out, for the identifier
    check; the citation line that follows has no identifiers and stays."""
    return PDF_PROVENANCE.sub(lambda m: CITE_PREFIX + "\f" * m.group(0).count("\f"), text)


def missing_artifact_notes(page: Page, labels: Iterable[str]) -> list[str]:
    """Figures and tables of ``labels`` on the page without their provenance and citation lines.

    Each must be followed by an element of class ``artifact-provenance`` holding a provenance line
    with a CSV link (diagrams excepted: they say they have no data) and a citation line that links
    back to the figure's own anchor."""
    problems = []
    notes = page.soup.select(f".{NOTE_CLASS}")
    for label in labels:
        if page.soup.find(id=label) is None:
            continue
        note = next((n for n in notes if n.find("a", href=f"#{label}") is not None), None)
        if note is None:
            problems.append(f"{page.path}: {label} has no citation line")
            continue
        text = " ".join(note.get_text(" ").split())
        if PROVENANCE_PREFIX not in text or CITE_PREFIX not in text:
            problems.append(f"{page.path}: {label} lacks a provenance or citation line: {text!r}")
        elif not note.select("a[href$='.csv']") and "Data: none" not in text:
            problems.append(f"{page.path}: {label} has no link to its data as CSV")
    return problems


def pdf_cited_numbers(text: str) -> set[str]:
    """Figure and table numbers named by the citation lines of a PDF ("Figure 3.2", "Table A.1")."""
    flat = " ".join(text.split())
    return {f"{m.group(1)} {m.group(2)}" for m in re.finditer(
        re.escape(CITE_PREFIX) + r"[^“]{0,200}?\b(Figure|Table) ((?:[0-9]+|[A-Z])(?:\.[0-9]+)?)\s*“",
        flat)}


def raw_markup(text: str) -> list[str]:
    """Raw markup in reader text: ``?@`` references, ``{python}``, backticks, ``??`` citations."""
    problems = []
    for name, pattern in RAW_MARKUP.items():
        for match in pattern.finditer(text):
            start = max(0, match.start() - 40)
            problems.append(f"{name}: ...{text[start:match.end() + 40]!r}...")
    return problems


def borrowed_numbers(text: str) -> list[str]:
    """Lines of PDF text (``pdf_layout_text``) that number an unnumbered heading or a front-matter
    float (:data:`BORROWED_NUMBER`)."""
    return [line.strip() for line in re.split(r"[\n\f]", text) if BORROWED_NUMBER.search(line)]


def pdf_running_heads(text: str) -> list[str]:
    """The first line of each page of PDF text, the running head where the page has one."""
    return [next((line.strip() for line in page.splitlines() if line.strip()), "")
            for page in text.split("\f")]


def hyphen_signed_numbers(text: str) -> list[str]:
    """Numbers in reader text signed with an ASCII hyphen instead of a true minus (``(-0.27``);
    ranges (``11-12``), dates and identifiers with hyphens are not numbers with a sign."""
    problems = []
    for match in HYPHEN_SIGN.finditer(text):
        start = max(0, match.start() - 30)
        problems.append(f"...{text[start:match.end() + 10]!r}...")
    return problems


def snake_case_words(text: str, allowed: Iterable[str] = ()) -> list[str]:
    """snake_case identifiers in reader text, except the explicitly ``allowed`` ones."""
    allowed = set(allowed)
    return sorted({m.group(0) for m in SNAKE_CASE.finditer(text)} - allowed)


def unresolved_html_references(page: Page) -> list[str]:
    """Cross-references Quarto could not resolve (it prints them as ``?@label``)."""
    problems = [f"{page.path}: {m.group(0)}" for m in RAW_MARKUP["unresolved cross-reference"]
                .finditer(page.text)]
    for cite in page.soup.select("span.citation"):
        if "?" in cite.get_text():
            problems.append(f"{page.path}: unresolved citation {cite.get_text(strip=True)!r}")
    return problems


def missing_images(site: str | Path, page: Page) -> list[str]:
    """``<img>`` sources of a page that do not exist in the site."""
    site = Path(site)
    problems = []
    for img in page.soup.find_all("img"):
        src = img.get("src", "")
        if not src or src.startswith("data:"):
            continue
        parts = urlsplit(src)
        if parts.scheme or parts.netloc:
            problems.append(f"{page.path}: image from outside the site: {src}")
            continue
        target = (site / page.path).parent / unquote(parts.path)
        if not target.exists():
            problems.append(f"{page.path}: missing image {src}")
    return problems


def broken_internal_links(site: str | Path, pages: list[Page]) -> list[str]:
    """Links between pages of the site whose file or anchor does not exist."""
    site = Path(site)
    ids = {page.path: {tag["id"] for tag in page.soup.find_all(id=True)} for page in pages}
    problems = []
    for page in pages:
        for link in page.soup.find_all("a", href=True):
            href = link["href"]
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            if parts.path:
                target = ((site / page.path).parent / unquote(parts.path)).resolve()
                if not target.exists():
                    problems.append(f"{page.path}: link to missing file {href}")
                    continue
                rel = target.relative_to(site.resolve()) if target.is_relative_to(
                    site.resolve()) else None
            else:
                rel = page.path
            if parts.fragment and rel is not None and rel in ids:
                if unquote(parts.fragment) not in ids[rel]:
                    problems.append(f"{page.path}: link to missing anchor {href}")
    return problems


def _pdftotext(pdf: str | Path, *options: str) -> str:
    """``pdftotext`` (poppler-utils) output for ``pdf``, as UTF-8 text."""
    if shutil.which("pdftotext") is None:
        raise RuntimeError("pdftotext is not on PATH: install poppler-utils")
    return subprocess.run(["pdftotext", *options, "-enc", "UTF-8", str(pdf), "-"],
                          capture_output=True, text=True, check=True).stdout


def pdf_text(pdf: str | Path) -> str:
    """The text layer of a PDF, pages separated by form feeds."""
    return _pdftotext(pdf)


def pdf_layout_text(pdf: str | Path) -> str:
    """The text layer with the page layout kept: a number stays on the line of its title."""
    return _pdftotext(pdf, "-layout")


def pdf_chapter_pages(pages: list[str], title: str) -> set[int]:
    """Page numbers (1-based) of the appendix or chapter whose opening page has ``title`` as a
    heading line, up to the page before the References (the last part of the PDF)."""
    opening = re.compile(r"^\s*(?:[0-9A-Z]+\.\s+)?" + re.escape(title) + r"\s*$", re.M)
    start = next((i for i, page in enumerate(pages, start=1) if opening.search(page)), None)
    if start is None:
        return set()
    found = {start}
    for number in range(start + 1, len(pages) + 1):
        first_line = pages[number - 1].strip().splitlines()[:1]
        if first_line and first_line[0].strip() in {"References", "Bibliography"}:
            break
        found.add(number)
    return found


@dataclass(frozen=True)
class Word:
    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def pdf_words(pdf: str | Path) -> tuple[list[Word], dict[int, tuple[float, float]]]:
    """Every word of a PDF with its bounding box, and each page's (width, height) in points."""
    out = _pdftotext(pdf, "-bbox")
    soup = BeautifulSoup(out, "html.parser")
    words: list[Word] = []
    sizes: dict[int, tuple[float, float]] = {}
    for number, page in enumerate(soup.find_all("page"), start=1):
        sizes[number] = (float(page["width"]), float(page["height"]))
        for w in page.find_all("word"):
            words.append(Word(number, float(w["xmin"]), float(w["ymin"]), float(w["xmax"]),
                              float(w["ymax"]), w.get_text()))
    return words, sizes


HEADING_NUMBER = re.compile(r"^(?:[0-9]+|[A-Z])(?:\.[0-9]+)*\.?$")


def pdf_layout_problems(pdf: str | Path, tolerance: float = 4.0, min_overlap: float = 0.3,
                        skip_pages: Iterable[int] = (1,), max_word_height: float = 30.0,
                        heading_height: float = 14.0) -> list[str]:
    """Words that run past the text measure, and words printed over each other.

    The measure is read off the book itself: the 1st and 99th percentiles of where words start and
    end, per page parity (a book's inner and outer margins differ). Section numbers hang in the
    left margin by design and are exempt from the left edge, as are display headings (words
    taller than ``heading_height`` points, placed by the book template); the cover
    (``skip_pages``) and decorative glyphs taller than ``max_word_height`` points (part numerals)
    are not checked. Two words overprint when their boxes overlap by more than ``min_overlap`` of
    the smaller box; combining marks (a hat over a symbol) sit on their base by design.
    """
    import numpy as np

    skip = set(skip_pages)
    words, _ = pdf_words(pdf)
    words = [w for w in words if w.page not in skip and w.y1 - w.y0 <= max_word_height]
    problems = []
    for parity in (0, 1):
        side = [w for w in words if w.page % 2 == parity]
        if not side:
            continue
        left = float(np.percentile([w.x0 for w in side], 1))
        right = float(np.percentile([w.x1 for w in side], 99))
        for w in side:
            if w.y1 - w.y0 > heading_height:
                continue
            if w.x1 > right + tolerance or (w.x0 < left - tolerance
                                            and not HEADING_NUMBER.match(w.text)):
                problems.append(f"page {w.page}: {w.text!r} runs past the text measure "
                                f"(x {w.x0:.0f}-{w.x1:.0f}, measure {left:.0f}-{right:.0f})")
    by_page: dict[int, list[Word]] = {}
    for w in words:
        if not unicodedata.category(w.text[:1]).startswith("M"):
            by_page.setdefault(w.page, []).append(w)
    for number, page_words in sorted(by_page.items()):
        page_words.sort(key=lambda w: (w.y0, w.x0))
        for i, a in enumerate(page_words):
            for b in page_words[i + 1:]:
                if b.y0 >= a.y1:
                    break
                overlap_x = min(a.x1, b.x1) - max(a.x0, b.x0)
                overlap_y = min(a.y1, b.y1) - max(a.y0, b.y0)
                if overlap_x <= 0 or overlap_y <= 0:
                    continue
                smaller = min((a.x1 - a.x0) * (a.y1 - a.y0), (b.x1 - b.x0) * (b.y1 - b.y0))
                if smaller > 0 and overlap_x * overlap_y > min_overlap * smaller:
                    problems.append(f"page {number}: {a.text!r} and {b.text!r} overprint")
    return problems
