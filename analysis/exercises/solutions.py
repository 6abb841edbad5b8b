"""The chapters' exercise lists and the solutions appendix, as Markdown.

An exercise's numbers come from its own build (``<results>/exercises/<name>/``, every file checked
against that build's manifest exactly as the main artifacts are) and, beside them, the same cells
of the main build the book is rendered from. The sentences under each table take their words from
:mod:`analysis.exercises.verdicts`. An exercise that this edition did not build still gets its
section, saying so in a sentence, so every cross-reference resolves.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path

import pandas as pd

from analysis import book
from analysis.exercises import verdicts
from analysis.exercises.build import RECORD
from analysis.exercises.spec import Exercise, Quantity, Verdict, load_exercises
from analysis.report.manifest import ManifestError

MISSING = "—"
NOT_BUILT = ("This edition of the book was built without this exercise, so its computed answer "
             "is not shown here; the online edition shows every answer.")
_CHAPTER_ID = re.compile(r"^#\s+(?P<title>.+?)\s*\{#sec-(?P<id>[a-z0-9-]+)\}", re.MULTILINE)


@lru_cache(maxsize=2)
def _exercises(root: str) -> dict[str, Exercise]:
    folder = Path(root)
    return load_exercises(folder / "config" / "exercises",
                          folder / "config" / "schema" / "config.schema.yaml")


def exercises() -> dict[str, Exercise]:
    """Every exercise of the book, by name."""
    return _exercises(str(book.project_root()))


def section_id(exercise: Exercise) -> str:
    """The solution's cross-reference label."""
    return f"sec-solution-{exercise.name}"


def exercise_folder(name: str) -> Path:
    """Where the book finds exercise ``name``'s build."""
    return book.results_dir() / "exercises" / name


def is_built(name: str) -> bool:
    return (exercise_folder(name) / RECORD).exists()


def quantity_value(quantity: Quantity, folder: Path) -> float | None:
    """The quantity's number in the build in ``folder`` (None when that build lacks the cell)."""
    try:
        frame = pd.read_parquet(book.manifest(folder).file(quantity.artifact, "parquet"))
    except ManifestError:
        return None
    selected = book._select(frame, quantity.where, quantity.artifact)
    if quantity.column not in selected.columns:
        raise KeyError(f"{quantity.artifact}: no column {quantity.column!r}")
    if len(selected) != 1:
        return None
    value = selected[quantity.column].iloc[0]
    return None if pd.isna(value) else float(value) * quantity.scale


def _text(quantity: Quantity, value: float | None) -> str:
    return MISSING if value is None else book.fmt_minus(quantity.fmt.format(value))


# -- chapters ---------------------------------------------------------------------------------------

def exercise_list_markdown(chapter: str) -> str:
    """The numbered questions a chapter ends with, each pointing at its solution."""
    chosen = [e for e in exercises().values() if e.chapter == chapter]
    if not chosen:
        raise KeyError(f"no exercise in config/exercises names chapter {chapter!r}")
    return "\n".join(f"{i}. **{e.title}.** {e.question} Solution: @{section_id(e)}."
                     for i, e in enumerate(chosen, start=1))


# -- the appendix -----------------------------------------------------------------------------------

def _tolerance(verdict: Verdict, exercise: Exercise, values: Mapping[str, float | None]
               ) -> tuple[float, str | None]:
    """The tolerance as a number and as words ("2 × the standard error (0.46)")."""
    if verdict.tolerance is None:
        return 0.0, None
    if isinstance(verdict.tolerance, str):
        quantity = exercise.quantity(verdict.tolerance)
        value = values[quantity.id]
        if value is None:
            raise ValueError(f"{exercise.path}: tolerance {quantity.id} is not in the build")
        words = f"the {verdicts.in_text(quantity.label)} ({_text(quantity, value)})"
        if verdict.times != 1.0:
            words = f"{verdict.times:g} × {words}"
        return verdict.times * value, words
    first = exercise.quantity(verdict.quantities[0])
    return float(verdict.tolerance), first.fmt.format(float(verdict.tolerance))


def verdict_sentence(verdict: Verdict, exercise: Exercise, main: Mapping[str, float | None],
                     ours: Mapping[str, float | None]) -> str:
    """One sentence about the numbers (main build ``main``, exercise build ``ours``)."""
    quantities = [exercise.quantity(q) for q in verdict.quantities]
    tolerance, words = _tolerance(verdict, exercise, ours)
    first = quantities[0]
    if verdict.kind == "change":
        before, after = main[first.id], ours[first.id]
        if before is None or after is None:
            raise ValueError(f"{exercise.path}: {first.id} is missing from a build")
        word = verdicts.direction(before, after, tolerance)
        return verdicts.change_sentence(first.label, _text(first, before), _text(first, after),
                                        word)
    values = [ours[q.id] for q in quantities]
    if any(v is None for v in values):
        raise ValueError(f"{exercise.path}: {verdict.quantities} missing from the exercise build")
    if verdict.kind == "sign":
        word = verdicts.sign_word(values[0], tolerance)
        return verdicts.sign_sentence(first.label, _text(first, values[0]), word, words)
    second = quantities[1]
    if verdict.kind == "interval":
        word = verdicts.interval_word(values[0], values[1])
        return verdicts.interval_sentence(str(verdict.label), _text(first, values[0]),
                                          _text(second, values[1]), word)
    if verdict.kind == "agree":
        agree = verdicts.agrees(values[0], values[1], tolerance)
        return verdicts.agree_sentence(first.label, _text(first, values[0]), second.label,
                                       _text(second, values[1]), agree, words or "zero")
    share = verdicts.share_text(values[0], values[1])
    return verdicts.share_sentence(first.label, _text(first, values[0]), second.label,
                                   _text(second, values[1]), share)


def solution_markdown(exercise: Exercise) -> str:
    """One exercise's solution: question, the numbers beside the main build's, the verdicts."""
    parts = [f"### {exercise.title} {{#{section_id(exercise)}}}", "",
             f"**Question** (@sec-{exercise.chapter}). {exercise.question}", ""]
    if not is_built(exercise.name):
        return "\n".join([*parts, NOT_BUILT, ""])
    folder = exercise_folder(exercise.name)
    main = {q.id: quantity_value(q, book.results_dir()) for q in exercise.answer}
    ours = {q.id: quantity_value(q, folder) for q in exercise.answer}
    rows = pd.DataFrame({
        "Quantity": [q.label for q in exercise.answer],
        "Main analysis": [_text(q, main[q.id]) for q in exercise.answer],
        "This exercise": [_text(q, ours[q.id]) for q in exercise.answer],
    })
    table = rows.to_markdown(index=False, disable_numparse=True, colalign=("left", "right",
                                                                           "right"))
    sentences = [verdict_sentence(v, exercise, main, ours) for v in exercise.verdicts]
    return "\n".join([*parts, table, "", *([" ".join(sentences), ""] if sentences else [])])


def chapter_titles(root: Path) -> dict[str, str]:
    """Chapter id (``interference``) to title, in book order."""
    from analysis import book_checks

    titles = {}
    for chapter in book_checks.chapter_files(root):
        match = _CHAPTER_ID.search(chapter.read_text(encoding="utf-8"))
        if match:
            titles[match["id"]] = match["title"]
    return titles


def solutions_markdown() -> str:
    """Every solution, grouped under the chapter that asks it, in book order."""
    by_chapter: dict[str, list[Exercise]] = {}
    for exercise in exercises().values():
        by_chapter.setdefault(exercise.chapter, []).append(exercise)
    titles = chapter_titles(book.project_root())
    unknown = sorted(set(by_chapter) - set(titles))
    if unknown:
        raise KeyError(f"exercises name chapters {unknown} that the book does not have "
                       f"(chapters: {', '.join(titles)})")
    parts: list[str] = []
    for chapter, title in titles.items():
        if chapter in by_chapter:
            parts += [f"## {title}", ""]
            parts += [solution_markdown(e) for e in by_chapter[chapter]]
    return "\n".join(parts)

