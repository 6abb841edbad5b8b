"""Static and executable checks of the Quarto book, for machines without Quarto.

Quarto itself cannot run in CI here, so the test suite checks what Quarto would trip over:
chapters listed in ``_quarto.yml`` exist and parse with pandoc, every citation resolves with
citeproc, every ``@fig-``/``@tbl-``/``@sec-`` reference has a label, every artifact a chapter names
is in the manifest, and every Python cell and inline expression executes against the artifacts.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import yaml

CROSSREF_PREFIXES = ("fig", "tbl", "sec", "eq", "lst", "thm", "lem", "def")
CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```[ \t]*$", re.S | re.M)
INLINE = re.compile(r"`\{python\}\s+([^`]+)`")
CELL_OPTION = re.compile(r"^#\|\s*([\w-]+):\s*(.*)$", re.M)
# An id may follow classes: {.unnumbered #sec-x}.
LABEL_ATTR = re.compile(r"\{[^}#]*#((?:fig|tbl|sec|eq|lst)-[\w-]+)[^}]*\}")
REFERENCE = re.compile(r"(?<![\w`])@((?:fig|tbl|sec|eq|lst)-[\w-]*\w)")
ARTIFACT_CALL = re.compile(
    r"book\.(?:table|num|value|record|figure_path|show_table|show_figure|table_markdown)"
    r"\(\s*[\"']([a-z][a-z0-9_]*)[\"']"
)


@dataclass(frozen=True)
class Cell:
    """One executable Python cell of a chapter."""

    chapter: Path
    index: int
    code: str
    options: dict[str, str]

    @property
    def label(self) -> str | None:
        return self.options.get("label")


def chapter_files(root: str | Path) -> list[Path]:
    """Every .qmd file listed in ``_quarto.yml`` (book chapters, parts and appendices)."""
    root = Path(root)
    config = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    book = config.get("book", {})

    def walk(entries: list) -> Iterator[str]:
        for entry in entries or []:
            if isinstance(entry, str):
                yield entry
            elif isinstance(entry, dict):
                if "part" in entry and str(entry["part"]).endswith(".qmd"):
                    yield entry["part"]
                yield from walk(entry.get("chapters", []))

    names = [*walk(book.get("chapters", [])), *walk(book.get("appendices", []))]
    return [root / name for name in names]


def numbered_chapters(root: str | Path) -> list[Path]:
    """Main-matter chapters: those :func:`chapter_numbers` gives a number (not a letter)."""
    return [chapter for chapter, number in chapter_numbers(root).items() if number.isdigit()]


TEACHING_PARTS = {
    "goals": re.compile(r'^::: \{\.callout-note[^}]*title="This chapter at a glance"\}\n'
                        r"(?:(?!^:::).*\n)*?\*\*After it you can\*\*", re.M),
    "takeaways": re.compile(r"^## Key takeaways \{#sec-[\w-]+\}$", re.M),
}


def missing_teaching_parts(chapter: Path) -> list[str]:
    """Which of the opening goals box and the closing key takeaways a chapter lacks."""
    text = chapter.read_text(encoding="utf-8")
    return [name for name, pattern in TEACHING_PARTS.items() if not pattern.search(text)]


def cells(chapter: Path) -> list[Cell]:
    text = chapter.read_text(encoding="utf-8")
    found = []
    for index, match in enumerate(CELL.finditer(text)):
        code = match.group(1)
        options = {k: v.strip().strip('"') for k, v in CELL_OPTION.findall(code)}
        found.append(Cell(chapter=chapter, index=index, code=code, options=options))
    return found


def document_order(chapter: Path) -> list[tuple[str, str | Cell]]:
    """Cells and inline expressions in the order Quarto evaluates them."""
    text = chapter.read_text(encoding="utf-8")
    items: list[tuple[int, str, str | Cell]] = []
    chapter_cells = cells(chapter)
    for match, cell in zip(CELL.finditer(text), chapter_cells, strict=True):
        items.append((match.start(), "cell", cell))
    for match in INLINE.finditer(text):
        if not any(m.start() <= match.start() < m.end() for m in CELL.finditer(text)):
            items.append((match.start(), "inline", match.group(1).strip()))
    return [(kind, item) for _, kind, item in sorted(items, key=lambda t: t[0])]


def labels(chapter: Path) -> set[str]:
    """Cross-reference labels a chapter defines (cell labels and {#...} attributes)."""
    text = chapter.read_text(encoding="utf-8")
    found = {c.label for c in cells(chapter) if c.label}
    found.update(LABEL_ATTR.findall(text))
    return {label for label in found if label.split("-", 1)[0] in CROSSREF_PREFIXES}


def references(chapter: Path) -> set[str]:
    """Cross-references (``@fig-x`` ...) used in a chapter's prose, outside code cells."""
    text = CELL.sub("", chapter.read_text(encoding="utf-8"))
    text = re.sub(r"`[^`\n]*`", "", text)
    return set(REFERENCE.findall(text))


def artifact_ids(chapter: Path) -> set[str]:
    """Artifact ids a chapter reads through ``analysis.book``."""
    return set(ARTIFACT_CALL.findall(chapter.read_text(encoding="utf-8")))


SHOWN_ARTIFACT = re.compile(r"book\.show_(figure|table)\(\s*[\"']([a-z][a-z0-9_]*)[\"']")


def displayed_artifacts(root: str | Path) -> list[tuple[str, str, str]]:
    """``(label, artifact id, chapter)`` for every labelled cell that shows an artifact, in book
    order: the link between Quarto's figure and table numbers and the manifest."""
    found = []
    for chapter in chapter_files(root):
        for cell in cells(chapter):
            match = SHOWN_ARTIFACT.search(cell.code)
            if cell.label and cell.label.startswith(("fig-", "tbl-")) and match:
                found.append((cell.label, match.group(2), chapter.name))
    return found


def crossref_numbers(root: str | Path) -> dict[str, str]:
    """Every figure and table label of the book with the number Quarto gives it ("Figure 3.2",
    "Table A.1"): chapters are numbered in ``_quarto.yml`` order (unnumbered ones skipped),
    appendices by letter, and floats by order of appearance within their chapter.

    For documents outside the book (the memo template), which cannot resolve ``@fig-x`` against the
    book; ``tests/test_citation.py`` checks these numbers against the rendered book.
    """
    numbers: dict[str, str] = {}
    for chapter, chapter_number in chapter_numbers(root).items():
        text = chapter.read_text(encoding="utf-8")
        prefix = f"{chapter_number}." if chapter_number else ""
        found = [(m.start(), m.group(1)) for m in LABEL_ATTR.finditer(text)]
        found += [(m.start(), label) for m in CELL.finditer(text)
                  for label in re.findall(r"^#\|\s*label:\s*(\S+)", m.group(1), re.M)]
        counts = {"fig": 0, "tbl": 0}
        for _, label in sorted(found):
            kind = label.split("-", 1)[0]
            if kind in counts:
                counts[kind] += 1
                word = "Figure" if kind == "fig" else "Table"
                numbers[label] = f"{word} {prefix}{counts[kind]}"
    return numbers


def first_heading(chapter: str | Path) -> str:
    """A chapter file's level-1 heading line (``# Title {#sec-x}``), or "" if it has none."""
    lines = Path(chapter).read_text(encoding="utf-8").splitlines()
    return next((line for line in lines if line.startswith("# ")), "")


def chapter_numbers(root: str | Path) -> dict[Path, str]:
    """Every chapter file with the number Quarto gives it ("3", "A"; "" when unnumbered)."""
    root = Path(root)
    config = yaml.safe_load((root / "_quarto.yml").read_text(encoding="utf-8"))
    appendices = {str(root / name) for name in _appendix_names(config.get("book", {}))}
    numbers: dict[Path, str] = {}
    chapter_no, appendix_no = 0, 0
    for chapter in chapter_files(root):
        first = first_heading(chapter)
        if "unnumbered" in first or "{-" in first:
            numbers[chapter] = ""
        elif str(chapter) in appendices:
            appendix_no += 1
            numbers[chapter] = chr(ord("A") + appendix_no - 1)
        else:
            chapter_no += 1
            numbers[chapter] = str(chapter_no)
    return numbers


def _appendix_names(book: dict) -> list[str]:
    names: list[str] = []
    for entry in book.get("appendices", []) or []:
        if isinstance(entry, str):
            names.append(entry)
        elif isinstance(entry, dict):
            names += [e for e in entry.get("chapters", []) if isinstance(e, str)]
    return names


def pandoc_markdown(chapter: Path) -> str:
    """The chapter as pandoc sees it after Quarto turns executable cells into code blocks."""
    text = chapter.read_text(encoding="utf-8")
    return re.sub(r"^```\{python\}", "```{.python}", text, flags=re.M)


def citation_keys(ast: dict) -> set[str]:
    """Citation ids in a pandoc JSON AST (cross-references included)."""
    keys: set[str] = set()

    def visit(node: object) -> None:
        if isinstance(node, dict):
            if node.get("t") == "Cite":
                for citation in node["c"][0]:
                    keys.add(citation["citationId"])
            for value in node.values():
                visit(value)
        elif isinstance(node, list):
            for value in node:
                visit(value)

    visit(ast)
    return keys


def parse_chapter(chapter: Path) -> dict:
    """Pandoc's JSON AST of a chapter (raises on a parse error)."""
    import pypandoc

    return json.loads(pypandoc.convert_text(pandoc_markdown(chapter), "json",
                                            format="markdown"))


def bibliography_keys(bib: Path) -> set[str]:
    import pypandoc

    entries = json.loads(pypandoc.convert_file(str(bib), "csljson", format="bibtex"))
    return {entry["id"] for entry in entries}


def missing_citations(chapter: Path, bib: Path) -> list[str]:
    """Keys citeproc reports as not found (cross-references excluded)."""
    import subprocess

    import pypandoc

    result = subprocess.run(
        [pypandoc.get_pandoc_path(), "--from=markdown", "--to=plain", "--citeproc",
         f"--bibliography={bib}", "--fail-if-warnings=false"],
        input=pandoc_markdown(chapter), capture_output=True, text=True, check=True,
    )
    missing = re.findall(r"Citeproc: citation (\S+) not found", result.stderr)
    return sorted({key for key in missing if key.split("-", 1)[0] not in CROSSREF_PREFIXES})
