"""Words that compare computed values in the chapters' prose (never typed next to a number).

Each function takes numbers and returns the words that fit them, so that a sentence stays right
when a seed or a setting changes the numbers. Numbers themselves are formatted by the caller.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = [
    "agreement_phrase",
    "agreement_word",
    "change_verb",
    "coverage_phrase",
    "interval_against",
    "nominal_coverage_clause",
    "net_lift_phrase",
    "precision_comparison",
    "test_outcome",
]


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


def agreement_word(a: float, b: float, tolerance: float) -> str:
    """"agree" when ``a`` and ``b`` differ by at most ``tolerance``, else "differ"."""
    for name, value in (("a", a), ("b", b), ("tolerance", tolerance)):
        _finite(name, value)
    if tolerance < 0:
        raise ValueError(f"tolerance must be non-negative, got {tolerance}")
    return "agree" if abs(a - b) <= tolerance else "differ"


def agreement_phrase(a: float, b: float, tolerance: float, tolerance_text: str) -> str:
    """"agree to within <tolerance_text>" or "differ by more than <tolerance_text>"."""
    if agreement_word(a, b, tolerance) == "agree":
        return f"agree to within {tolerance_text}"
    return f"differ by more than {tolerance_text}"


def change_verb(change: float) -> str:
    """"gains", "loses" or "neither gains nor loses" for a signed change."""
    _finite("change", change)
    if change > 0:
        return "gains"
    if change < 0:
        return "loses"
    return "neither gains nor loses"


def precision_comparison(std_error: float, reference_std_error: float) -> str:
    """How an interval of standard error ``std_error`` compares with one of
    ``reference_std_error``: "far tighter than" (at most half as wide), "tighter than",
    "about as tight as" (within 10% either way), "wider than" or "far wider than" (at least
    twice as wide)."""
    for name, value in (("std_error", std_error), ("reference_std_error", reference_std_error)):
        _finite(name, value)
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    ratio = reference_std_error / std_error
    if ratio >= 2:
        return "far tighter than"
    if ratio > 1.1:
        return "tighter than"
    if ratio >= 1 / 1.1:
        return "about as tight as"
    if ratio > 0.5:
        return "wider than"
    return "far wider than"


def test_outcome(p_value: float, alpha: float = 0.05) -> str:
    """What a test with ``p_value`` does at level ``alpha``: "rejects the null at the 5% level"
    or "does not reject the null at the 5% level"."""
    _finite("p_value", p_value)
    if not 0 <= p_value <= 1:
        raise ValueError(f"p_value must be in [0, 1], got {p_value}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    verb = "rejects" if p_value < alpha else "does not reject"
    return f"{verb} the null at the {alpha:.0%} level"


def interval_against(lower: float, upper: float, value: float) -> str:
    """Where the interval [``lower``, ``upper``] lies against ``value``: "covers", "lies below"
    or "lies above" (to be followed by the value)."""
    for name, x in (("lower", lower), ("upper", upper), ("value", value)):
        _finite(name, x)
    if lower > upper:
        raise ValueError(f"an interval needs lower <= upper, got ({lower}, {upper})")
    if upper < value:
        return "lies below"
    if lower > value:
        return "lies above"
    return "covers"


def coverage_phrase(coverage: float) -> str:
    """How often intervals covered the truth: "never cover the truth", "always cover the
    truth", "almost never/always ..." (when N% would round to 0% or 100%), or "cover the truth
    [only] N% of the time" ("only" below 90%)."""
    _finite("coverage", coverage)
    if not 0 <= coverage <= 1:
        raise ValueError(f"coverage must be a share in [0, 1], got {coverage}")
    if coverage == 0:
        return "never cover the truth"
    if coverage == 1:
        return "always cover the truth"
    share = f"{coverage:.0%}"
    if share == "0%":
        return "almost never cover the truth"
    if share == "100%":
        return "almost always cover the truth"
    only = "only " if coverage < 0.9 else ""
    return f"cover the truth {only}{share} of the time"


def net_lift_phrase(net_lift: float) -> str:
    """What a promoted slate's net lift says about the focal movie's gain and the other movies'
    losses (a negative net lift means the losses are larger)."""
    _finite("net_lift", net_lift)
    if net_lift < 0:
        return "the focal movie's gain is more than paid for by its neighbours' losses"
    if net_lift > 0:
        return "the focal movie's gain outweighs its neighbours' losses"
    return "the focal movie's gain and its neighbours' losses cancel"


def nominal_coverage_clause(coverages: Sequence[float], nominal: float, n_reps: int,
                            noun: str = "method", n_se: float = 2.0,
                            practical: float = 0.015) -> str:
    """Whether Monte Carlo coverages are close to the nominal level, e.g. "close to nominal for
    every method" or "below nominal for one of 5 methods".

    A coverage is close when it is within ``n_se`` Monte Carlo standard errors of ``nominal``
    (``sqrt(nominal (1 - nominal) / n_reps)``) or within ``practical`` (1.5 percentage points),
    whichever is wider. Two coverages are "both"; more are "every".
    """
    values = [float(c) for c in coverages]
    if not values:
        raise ValueError("nominal_coverage_clause needs at least one coverage")
    for c in values:
        if not 0 <= c <= 1:
            raise ValueError(f"coverages must be shares in [0, 1], got {c}")
    if not 0 < nominal < 1 or n_reps < 1:
        raise ValueError(f"need 0 < nominal < 1 and n_reps >= 1, got {nominal} and {n_reps}")
    tolerance = max(n_se * math.sqrt(nominal * (1 - nominal) / n_reps), practical)
    below = sum(c < nominal - tolerance for c in values)
    above = sum(c > nominal + tolerance for c in values)
    every = f"both {noun}s" if len(values) == 2 else f"every {noun}"
    if below == above == 0:
        return f"close to nominal for {every}"
    off = below + above
    count = "one" if off == 1 else f"{off}"
    who = every if off == len(values) else f"{count} of {len(values)} {noun}s"
    side = "below" if above == 0 else "above" if below == 0 else "away from"
    return f"{side} nominal for {who}"
