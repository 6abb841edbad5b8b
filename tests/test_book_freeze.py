"""Incremental rendering: exactly the chapters that read a changed artifact re-execute."""

from __future__ import annotations

import json
import re
import textwrap
from pathlib import Path

import pandas as pd
import pytest

from analysis import book_freeze
from analysis.report.artifacts import ArtifactWriter
from analysis.report.manifest import merge_fragments

CHAPTER = """\
# {title} {{#sec-{name}}}

```{{python}}
from analysis import book
```

The value is `{{python}} book.num("{artifact}", "value", fmt="{{:.1f}}")`.
"""


def _tiny_book(root: Path, values: dict[str, float]) -> Path:
    """A two-chapter Quarto book reading artifacts ``alpha`` and ``beta`` from ``root/results``."""
    (root / "_quarto.yml").write_text(textwrap.dedent("""\
        project:
          type: book
          pre-render: prerender.py
        book:
          title: Tiny
          chapters: [index.qmd, a.qmd, b.qmd]
        execute:
          freeze: auto
        format: html
        """))
    (root / "prerender.py").write_text(textwrap.dedent("""\
        from pathlib import Path
        from analysis import book, book_freeze
        changed = book_freeze.invalidate(Path.cwd(), book.results_dir())
        print("execute:", ",".join(changed) or "none")
        """))
    (root / "index.qmd").write_text("# Preface {.unnumbered}\n\nNo numbers here.\n")
    (root / "a.qmd").write_text(CHAPTER.format(title="A", name="a", artifact="alpha"))
    (root / "b.qmd").write_text(CHAPTER.format(title="B", name="b", artifact="beta"))
    return write_results(root / "results", values)


def write_results(results: Path, values: dict[str, float]) -> Path:
    writer = ArtifactWriter(results, rule="tiny")
    for artifact_id, value in values.items():
        writer.table(artifact_id, pd.DataFrame({"value": [value]}), title=artifact_id,
                     caption=f"The {artifact_id} value.")
    merge_fragments([writer.finish()], results / "manifest.json")
    return results


def test_keys_change_for_exactly_the_chapters_reading_a_changed_artifact(tmp_path):
    results = _tiny_book(tmp_path, {"alpha": 1.0, "beta": 2.0})
    assert book_freeze.invalidate(tmp_path, results) == ["a.qmd", "b.qmd", "index.qmd"]
    assert book_freeze.invalidate(tmp_path, results) == []
    (tmp_path / "_freeze" / "b").mkdir(parents=True)
    write_results(results, {"alpha": 1.0, "beta": 3.0})
    assert book_freeze.invalidate(tmp_path, results) == ["b.qmd"]
    assert not (tmp_path / "_freeze" / "b").exists()
    # another results folder is another book: every chapter executes again
    other = write_results(tmp_path / "other", {"alpha": 1.0, "beta": 3.0})
    assert book_freeze.invalidate(tmp_path, other) == ["a.qmd", "b.qmd", "index.qmd"]


def test_a_chapter_re_executes_when_a_module_it_imports_changes_even_indirectly(tmp_path):
    """Word-choosing code a chapter imports is part of its key, through the package's own imports
    (a threshold changed in a helper of a helper re-executes exactly the chapters using it)."""
    package = tmp_path / "analysis"
    (package / "report").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "report" / "__init__.py").write_text("")
    (package / "report" / "words.py").write_text(
        "from analysis.report import thresholds\n\ndef word(x):\n    return 'big'\n")
    (package / "report" / "thresholds.py").write_text("BIG = 2.0\n")
    results = _tiny_book(tmp_path, {"alpha": 1.0, "beta": 2.0})
    (tmp_path / "a.qmd").write_text(CHAPTER.format(title="A", name="a", artifact="alpha")
                                    + "\n```{python}\nfrom analysis.report.words import word\n```\n")
    assert [p.relative_to(tmp_path).as_posix()
            for p in book_freeze.imported_code(tmp_path, (tmp_path / "a.qmd").read_text())] == [
        "analysis/__init__.py", "analysis/report/__init__.py", "analysis/report/thresholds.py",
        "analysis/report/words.py"]
    assert book_freeze.invalidate(tmp_path, results) == ["a.qmd", "b.qmd", "index.qmd"]
    (package / "report" / "thresholds.py").write_text("BIG = 3.0\n")
    assert book_freeze.invalidate(tmp_path, results) == ["a.qmd"]
    (package / "report" / "unused.py").write_text("X = 1\n")
    assert book_freeze.invalidate(tmp_path, results) == []


@pytest.mark.render
def test_quarto_re_executes_only_the_chapter_whose_artifact_changed(quarto, tmp_path):
    from analysis.quarto_render import render

    results = _tiny_book(tmp_path, {"alpha": 1.0, "beta": 2.0})

    def rendered() -> tuple[str, dict[str, str]]:
        run = render(tmp_path, tmp_path / "_book", results_dir=results, quarto=quarto)
        assert run.returncode == 0, run.log[-3000:]
        executed = re.search(r"execute: (.*)", run.log).group(1)
        text = {name: " ".join((tmp_path / "_book" / f"{name}.html").read_text().split())
                for name in ("a", "b")}
        return executed, text

    executed, text = rendered()
    assert executed == "a.qmd,b.qmd,index.qmd"
    assert "The value is 1.0." in text["a"] and "The value is 2.0." in text["b"]

    executed, _ = rendered()
    assert executed == "none"

    write_results(results, {"alpha": 1.0, "beta": 7.0})
    executed, text = rendered()
    assert executed == "b.qmd"
    assert "The value is 1.0." in text["a"] and "The value is 7.0." in text["b"]
    frozen = json.loads((tmp_path / "_freeze" / book_freeze.STAMP).read_text())
    assert set(frozen) == {"index.qmd", "a.qmd", "b.qmd"}
