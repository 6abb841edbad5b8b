"""Incremental book rendering: a chapter re-executes only when what it reads has changed.

Quarto's ``freeze: auto`` re-executes a chapter when its source changes, but it does not know that
a chapter's numbers come from artifacts. Before every render (Quarto's ``pre-render`` step runs
``book/prerender.py``, which calls :func:`invalidate`), each chapter gets a key: the SHA-256 of

* the results folder it reads (the default build and the CI build are different books),
* the manifest hash of every artifact the chapter names (every manifest id that appears in the
  chapter's text), or of the whole manifest for chapters that list it (the catalog),
* the code that turns artifacts into text (:data:`READER_CODE`) and every module of the
  ``analysis`` package the chapter imports, with everything those import in turn
  (:func:`imported_code`), so a change to the words a chapter's functions choose re-executes it,
* every exercise file and exercise build record for chapters that list exercises or solutions,
* the commit and build date for chapters that print them.

When a chapter's key differs from the one stored at its last execution, its frozen results are
deleted, so Quarto executes it again; otherwise Quarto reuses them. A stale number is never served:
any change to an artifact a chapter names changes its key.
"""

from __future__ import annotations

import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
from pathlib import Path

from analysis import book_checks

#: Files whose change alters how every chapter executes; the package modules a chapter runs
#: (``analysis.book`` and everything it imports among them) are found per chapter by
#: :func:`imported_code`.
READER_CODE = ("analysis/book_freeze.py", "_quarto.yml")
#: A chapter's executable cells.
PYTHON_CELL = re.compile(r"^```\{python\}[^\n]*\n(.*?)^```", re.M | re.S)
#: The package whose modules chapters import.
PACKAGE = "analysis"
#: Chapters that show exercises: keyed on every exercise file and every exercise build's record.
EXERCISES = re.compile(r"book\.(?:exercises_markdown|solutions_markdown)\(")
#: Chapters that read the whole manifest rather than named artifacts.
WHOLE_MANIFEST = re.compile(r"book\.(?:catalog|show_catalog|manifest)\(")
#: Chapters that print the edition (commit, build date) from executed code. The citation lines
#: under figures and tables carry it as a metadata shortcode instead (``book.EDITION_SHORTCODE``),
#: so showing an artifact does not tie a chapter's frozen output to the commit.
EDITION = re.compile(r"book\.(?:build_date|edition)\(")
STAMP = "artifact-keys.json"
IDENTIFIER = re.compile(r"[\"']([a-z][a-z0-9_]*)[\"']")


def _sha(*parts: str | bytes) -> str:
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8") if isinstance(part, str) else part)
        digest.update(b"\0")
    return digest.hexdigest()


def _git_head(root: Path) -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True,
                              text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "no-git"


def _exercises_key(root: Path, results: Path) -> str:
    """Every exercise file and every exercise build's record (it names its manifest's SHA-256)."""
    files = sorted((root / "config" / "exercises").glob("*.yaml"))
    files += sorted((results / "exercises").glob("*/exercise.json"))
    return _sha(*(f"{p.relative_to(p.parents[1])}={_sha(p.read_bytes())}" for p in files))


def _module_files(root: Path, dotted: str) -> list[Path]:
    """The file of module ``dotted`` under ``root`` and the ``__init__.py`` of each package on
    its way (importing ``analysis.report.labels`` runs ``analysis/report/__init__.py`` too)."""
    parts = dotted.split(".")
    files = [root.joinpath(*parts[:k], "__init__.py") for k in range(1, len(parts) + 1)]
    files.append(root.joinpath(*parts).with_suffix(".py"))
    return [f for f in files if f.is_file()]


def _imports(source: str) -> set[str]:
    """Dotted names of the package's modules that ``source`` imports (``from analysis.report
    import labels`` names both ``analysis.report`` and ``analysis.report.labels``)."""
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return set()
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.split(".")[0] == PACKAGE)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module \
                and node.module.split(".")[0] == PACKAGE:
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


def imported_code(root: str | Path, chapter_text: str) -> list[Path]:
    """Every file of the package that a chapter's cells import, directly or through the modules
    they import (sorted). A name that is not a module (a function) has no file and is skipped."""
    root = Path(root)
    sources = PYTHON_CELL.findall(chapter_text)
    pending = set().union(*(_imports(cell) for cell in sources)) if sources else set()
    seen: set[str] = set()
    files: set[Path] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for path in _module_files(root, name):
            if path not in files:
                files.add(path)
                pending |= _imports(path.read_text(encoding="utf-8")) - seen
    return sorted(files)


def chapter_keys(root: str | Path, results_dir: str | Path) -> dict[str, str]:
    """The key of every chapter of the book (relative path → SHA-256)."""
    root = Path(root).resolve()
    results = Path(results_dir).resolve()
    manifest_path = results / "manifest.json"
    manifest_bytes = manifest_path.read_bytes() if manifest_path.exists() else b""
    records = json.loads(manifest_bytes)["artifacts"] if manifest_bytes else []
    hashes = {r["id"]: r["sha256"] for r in records}
    reader_code = _sha(*[(root / p).read_bytes() for p in READER_CODE if (root / p).exists()])
    edition = _sha(_git_head(root), os.environ.get("SOURCE_DATE_EPOCH", ""))
    keys = {}
    for chapter in book_checks.chapter_files(root):
        text = chapter.read_text(encoding="utf-8")
        named = sorted(set(IDENTIFIER.findall(text)) & set(hashes))
        code = _sha(*(f"{p.relative_to(root)}={_sha(p.read_bytes())}"
                      for p in imported_code(root, text)))
        parts = [str(results), reader_code, code, *(f"{i}={hashes[i]}" for i in named)]
        if WHOLE_MANIFEST.search(text):
            parts.append(_sha(manifest_bytes))
        if EXERCISES.search(text):
            parts.append(_exercises_key(root, results))
        if EDITION.search(text):
            parts.append(edition)
        keys[str(chapter.relative_to(root))] = _sha(*parts)
    return keys


def freeze_dir(root: Path, chapter: str) -> Path:
    """Where Quarto keeps a chapter's frozen execution results."""
    return root / "_freeze" / Path(chapter).with_suffix("")


def invalidate(root: str | Path, results_dir: str | Path) -> list[str]:
    """Delete the frozen results of every chapter whose key changed; return those chapters."""
    root = Path(root).resolve()
    stamp_path = root / "_freeze" / STAMP
    old = json.loads(stamp_path.read_text(encoding="utf-8")) if stamp_path.exists() else {}
    new = chapter_keys(root, results_dir)
    changed = sorted(c for c, key in new.items() if old.get(c) != key)
    for chapter in changed:
        shutil.rmtree(freeze_dir(root, chapter), ignore_errors=True)
    stamp_path.parent.mkdir(parents=True, exist_ok=True)
    tmp = stamp_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(new, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    tmp.replace(stamp_path)
    return changed
