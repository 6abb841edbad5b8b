"""Provenance and citation lines for figures and tables, from manifest records.

Under every figure and table the book prints two short lines (see :func:`artifact_note`):

* **Provenance** — the rule and module that made the artifact, the configuration sections and seed
  it used, the start of its SHA-256, and links to the data behind it as CSV;
* **Cite as** — book title, edition (short commit and build date), figure or table number and
  title, the URL of the figure on the published site, and the SHA-256 prefix.

The functions here only format text from plain values, so the book, the memo template and the
catalog appendix say the same thing the same way. The lines name the pipeline's rules and modules,
so they carry fixed prefixes (:data:`PROVENANCE_PREFIX`, :data:`CITE_PREFIX`) and, in HTML, the
class :data:`NOTE_CLASS`: the rendered-book checks exempt exactly these lines from the rule that no
identifier reaches a page (``analysis.render_checks``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

PROVENANCE_PREFIX = "Provenance:"
CITE_PREFIX = "Cite as:"
NOTE_CLASS = "artifact-provenance"
#: Hex digits of the SHA-256 shown to readers (48 bits: collisions are not a practical concern).
SHA_DIGITS = 12
STEPS = Path(__file__).resolve().parents[1] / "steps"


@dataclass(frozen=True)
class Edition:
    """Which build of the book: the short commit and the reproducible build date."""

    commit: str
    date: str

    def __str__(self) -> str:
        return f"edition {self.commit} ({self.date})"


@dataclass(frozen=True)
class DataLink:
    """A link to the CSV of one table: the table's title and where the CSV is."""

    title: str
    href: str


def module_of(rule: str) -> str | None:
    """The Python module a rule runs (``python -m analysis <rule>``), if it exists."""
    return f"analysis.steps.{rule}" if (STEPS / f"{rule}.py").exists() else None


def short_sha(sha256: str) -> str:
    return sha256[:SHA_DIGITS]


def provenance_line(record: Mapping[str, Any], data: Sequence[DataLink]) -> str:
    """``Provenance: rule ..., module ...; config ...; seed ...; SHA-256 ....  Data: [CSV]``."""
    parts = [f"rule {record['rule']}"]
    module = module_of(record["rule"])
    if module:
        parts[0] += f" (module {module})"
    config = ", ".join(sorted(record.get("config") or {}))
    if config:
        parts.append(f"config {config}")
    if record.get("seed") is not None:
        parts.append(f"seed {record['seed']}")
    parts.append(f"SHA-256 {short_sha(record['sha256'])}")
    if data:
        links = ", ".join(f"[{link.title} (CSV)]({link.href})" for link in data)
        tail = f" Data: {links}."
    else:
        tail = " Data: none (a diagram drawn from no data)."
    return f"{PROVENANCE_PREFIX} {'; '.join(parts)}.{tail}"


def citation_line(book_title: str, edition: Edition | str, number: str, title: str, url: str,
                  sha256: str) -> str:
    """``Cite as: *Book*, edition abc1234 (2026-01-31), Figure 3.2 "Title", <url>, SHA-256 ...``.

    ``number`` is what names the figure in the book: a Quarto cross-reference (``@fig-x``, which
    Quarto resolves to "Figure 3.2") inside the book, the resolved words elsewhere.
    """
    return (f"{CITE_PREFIX} *{book_title}*, {edition}, {number} “{title}”, <{url}>, "
            f"SHA-256 {short_sha(sha256)}.")


def artifact_note(provenance: str, citation: str) -> str:
    """Both lines as one Markdown block of class :data:`NOTE_CLASS` (small, muted type)."""
    return f"\n\n::: {{.{NOTE_CLASS}}}\n{provenance}\n\n{citation}\n:::\n"
