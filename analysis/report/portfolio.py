"""Words of the portfolio report that depend on its numbers: the assumption its recommendation
rests on, what the observed total shows, where the known loss comes from, and how to cite the
report on its own."""

from __future__ import annotations

from analysis.report.citation import Edition
from analysis.report.comparison_words import interval_against


def attention_assumption(default_total: float, no_attention_total: float) -> str:
    """The sentence the recommendation must carry: whether the click model's attention penalties
    decide the sign of the known slate total (totals in clicks per promoted slate)."""
    change = (f"the known slate total is {default_total:+.3f} clicks per promoted slate with the "
              f"click model's attention penalties and {no_attention_total:+.3f} without them")
    if (default_total < 0) != (no_attention_total < 0):
        return (f"This recommendation rests on an assumption: {change}, so the penalties — an "
                "assumption of the simulation, not a measurement — decide the sign of the known "
                "total. Before launch, a real experiment must measure the slate total.")
    if default_total == no_attention_total:
        return (f"This recommendation does not rest on the click model's attention penalties: "
                f"{change}.")
    return (f"This recommendation rests on the click model's attention penalties for the size of "
            f"the known total, not for its sign: {change}.")


def observed_total_reading(ci_lower: float, ci_upper: float) -> str:
    """What the observed slate total's 95% interval says on its own about a net loss or gain."""
    position = interval_against(ci_lower, ci_upper, 0.0)
    if position != "covers":
        return ("its 95% interval excludes zero, so the observed data on their own show "
                + ("a net loss" if position == "lies below" else "a net gain"))
    return ("its 95% interval includes zero, so the observed data on their own cannot tell a "
            "net loss from a net gain")


def attention_loss_source(default_total: float, no_attention_total: float) -> str:
    """How much of the true slate total the click model's attention penalties account for
    (totals in clicks per promoted slate, with and without the penalties)."""
    change = ("with the attention penalties switched off the true total moves from "
              f"{default_total:+.3f} to {no_attention_total:+.3f} clicks per promoted slate")
    if default_total < 0 <= no_attention_total:
        return ("the known net loss comes from the click model's attention penalties, not from "
                "the pushed-aside movies being better matches: " + change)
    if no_attention_total > default_total:
        return "the click model's attention penalties account for part of the true total: " + change
    return "the click model's attention penalties do not lower the true total: " + change


def report_citation(book_title: str, edition: Edition | str, chapter_number: str, chapter_title: str,
                    url: str) -> str:
    """How to cite the portfolio report on its own (Markdown)."""
    stop = "" if chapter_title.endswith((".", "?", "!")) else "."
    return (f"*{chapter_title}*{stop} Chapter {chapter_number} of *{book_title}*, {edition}. "
            f"<{url}>.")
