"""The words of a solution, chosen from its numbers (never typed next to a number by hand).

Each function takes numbers and returns the word or the sentence that fits them; the solutions
appendix (:mod:`analysis.exercises.solutions`) strings them together. Numbers are formatted by
the caller and passed in as text, so a sentence shows exactly what the table beside it shows.
"""

from __future__ import annotations

import math
import re

from analysis.report.comparison_words import interval_against
from analysis.report.labels import in_text


def agrees(a: float, b: float, tolerance: float) -> bool:
    """Whether ``a`` and ``b`` differ by at most ``tolerance`` (>= 0)."""
    if tolerance < 0 or math.isnan(tolerance):
        raise ValueError(f"tolerance must be a non-negative number, got {tolerance!r}")
    return abs(a - b) <= tolerance


def direction(before: float, after: float, tolerance: float = 0.0) -> str:
    """``rises``, ``falls`` or ``stays about the same`` (a change within ``tolerance``)."""
    if agrees(before, after, tolerance):
        return "stays about the same"
    return "rises" if after > before else "falls"


def sign_word(x: float, tolerance: float = 0.0) -> str:
    """``positive``, ``negative`` or ``indistinguishable from zero`` (``|x| <= tolerance``)."""
    if agrees(x, 0.0, tolerance):
        return "indistinguishable from zero" if tolerance > 0 else "zero"
    return "positive" if x > 0 else "negative"


#: :func:`~analysis.report.comparison_words.interval_against` zero, in a verdict's words.
_AGAINST_ZERO = {"covers": "contains zero", "lies below": "lies entirely below zero",
                 "lies above": "lies entirely above zero"}


def interval_word(lower: float, upper: float) -> str:
    """Where the interval [``lower``, ``upper``] lies against zero: ``contains zero``,
    ``lies entirely below zero`` or ``lies entirely above zero`` (bounds must be finite and
    ordered)."""
    return _AGAINST_ZERO[interval_against(lower, upper, 0.0)]


def share_text(part: float, whole: float) -> str:
    """``part`` as a percentage of ``whole`` (``whole`` must not be zero)."""
    if whole == 0:
        raise ValueError("the share of a zero total is undefined")
    return f"{100 * part / whole:.0f}%"


def _the(label: str) -> str:
    """A quantity's label as the subject or object of a sentence: "the slate-clustered SE"."""
    return f"the {in_text(label)}"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def agree_sentence(label_a: str, a: str, label_b: str, b: str, agree: bool,
                   tolerance_text: str) -> str:
    """E.g. "The first (1.49) and the second (1.52) agree: they differ by less than ..."."""
    verdict = "agree" if agree else "do not agree"
    link = "no more" if agree else "more"
    return (f"{_capital(_the(label_a))} ({a}) and {_the(label_b)} ({b}) {verdict}: they differ "
            f"by {link} than {tolerance_text}.")


def change_sentence(label: str, main: str, exercise: str, word: str) -> str:
    """E.g. "The true full-rollout effect falls from 3.70 in the main analysis to 1.50 in this
    exercise."."""
    if word == "stays about the same":
        return (f"{_capital(_the(label))} {word}: {main} in the main analysis, {exercise} in "
                "this exercise.")
    return f"{_capital(_the(label))} {word} from {main} in the main analysis to {exercise} in this exercise."


def sign_sentence(label: str, value: str, word: str, tolerance_text: str | None) -> str:
    """E.g. "In this exercise, the spillover estimate (0.04) is indistinguishable from zero
    (within 2 × its standard error (0.05))."."""
    if tolerance_text and re.fullmatch(r"[0-9.,]+", tolerance_text):  # "within ±2.00"
        tolerance_text = f"±{tolerance_text}"
    within = f" (within {tolerance_text})" if tolerance_text and word.startswith("indist") else ""
    return f"In this exercise, {_the(label)} ({value}) is {word}{within}."


def interval_sentence(label: str, lower: str, upper: str, word: str) -> str:
    """E.g. "In this exercise, the 95% interval of the observed total (−0.155 to 0.118) contains
    zero."."""
    return f"In this exercise, {_the(label)} ({lower} to {upper}) {word}."


def share_sentence(label_part: str, part: str, label_whole: str, whole: str, share: str) -> str:
    """E.g. "In this exercise, the estimate (1.49) is 40% of the full-rollout effect (3.70)."."""
    return f"In this exercise, {_the(label_part)} ({part}) is {share} of {_the(label_whole)} ({whole})."
