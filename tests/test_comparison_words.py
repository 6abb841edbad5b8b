"""Words chosen from computed values for the chapters' prose, on both sides of each threshold."""

from __future__ import annotations

import math

import pytest

from analysis.report import comparison_words as words
from analysis.seed_claims import DIRECTIONS, bias_direction, error_phrase, towards_zero_claim


@pytest.mark.parametrize(("std_error", "reference", "word"), [
    (0.737, 1.407, "tighter than"),      # the CI teams world: 1.9 times tighter
    (0.70, 1.407, "far tighter than"),   # ratio 2.01
    (1.0, 2.0, "far tighter than"),      # exactly half as wide
    (1.0, 1.11, "tighter than"),
    (1.0, 1.1, "about as tight as"),
    (1.0, 1.0, "about as tight as"),
    (1.0, 0.91, "about as tight as"),
    (1.0, 0.9, "wider than"),
    (1.407, 0.737, "wider than"),
    (1.0, 0.51, "wider than"),
    (1.0, 0.5, "far wider than"),
    (0.918, 0.174, "far wider than"),  # two-stage against pooled, direct effect at 80%
])
def test_precision_comparison(std_error, reference, word):
    assert words.precision_comparison(std_error, reference) == word


def test_precision_comparison_rejects_non_positive_errors():
    with pytest.raises(ValueError, match="reference_std_error"):
        words.precision_comparison(1.0, 0.0)
    with pytest.raises(ValueError, match="std_error"):
        words.precision_comparison(math.nan, 1.0)


def test_agreement_word():
    tolerance = 2 * (2 * 0.95 * 0.05 / 200) ** 0.5  # two MC SEs of a difference of coverages
    assert words.agreement_word(0.960, 0.955, tolerance) == "agree"  # CI teams world
    assert words.agreement_word(0.960, 0.960 - tolerance, tolerance) == "agree"
    assert words.agreement_word(0.960, 0.63, tolerance) == "differ"
    with pytest.raises(ValueError, match="tolerance"):
        words.agreement_word(0.9, 0.9, -0.1)


def test_agreement_phrase():
    # largest distance of a bootstrap-to-clustered SE ratio from 1 (CI slate bootstrap: 0.04)
    assert words.agreement_phrase(0.04, 0.0, 0.1, "10%") == "agree to within 10%"
    assert words.agreement_phrase(0.1, 0.0, 0.1, "10%") == "agree to within 10%"
    assert words.agreement_phrase(0.13, 0.0, 0.1, "10%") == "differ by more than 10%"


@pytest.mark.parametrize(("change", "verb"), [
    (0.178, "gains"), (-0.317, "loses"), (0.0, "neither gains nor loses"), (-1e-9, "loses"),
])
def test_change_verb(change, verb):
    assert words.change_verb(change) == verb


@pytest.mark.parametrize(("p_value", "text"), [
    (0.2836, "does not reject the null at the 5% level"),  # CI: individual no-spillover test
    (0.05, "does not reject the null at the 5% level"),
    (0.0499, "rejects the null at the 5% level"),
    (0.004975, "rejects the null at the 5% level"),
])
def test_test_outcome(p_value, text):
    assert words.test_outcome(p_value) == text


def test_test_outcome_other_level_and_bad_input():
    assert words.test_outcome(0.07, alpha=0.1) == "rejects the null at the 10% level"
    with pytest.raises(ValueError, match="p_value"):
        words.test_outcome(math.nan)
    with pytest.raises(ValueError, match="alpha"):
        words.test_outcome(0.1, alpha=1.5)


@pytest.mark.parametrize(("lower", "upper", "value", "word"), [
    (1.23, 1.90, 1.50, "covers"),     # CI teams world: the direct effect
    (1.23, 1.90, 3.70, "lies below"),  # ... and the rollout effect
    (1.23, 1.90, 1.23, "covers"),     # an end point counts as covered
    (1.23, 1.90, 1.0, "lies above"),
])
def test_interval_against(lower, upper, value, word):
    assert words.interval_against(lower, upper, value) == word


def test_interval_against_needs_an_ordered_interval():
    with pytest.raises(ValueError, match="lower <= upper"):
        words.interval_against(2.0, 1.0, 1.5)


@pytest.mark.parametrize(("coverage", "text"), [
    (0.0, "never cover the truth"),
    (0.004, "almost never cover the truth"),
    (0.63, "cover the truth only 63% of the time"),
    (0.899, "cover the truth only 90% of the time"),
    (0.9, "cover the truth 90% of the time"),
    (0.945, "cover the truth 94% of the time"),
    (0.996, "almost always cover the truth"),
    (1.0, "always cover the truth"),
])
def test_coverage_phrase(coverage, text):
    assert words.coverage_phrase(coverage) == text


def test_coverage_phrase_rejects_a_non_share():
    with pytest.raises(ValueError, match="coverage"):
        words.coverage_phrase(1.2)


@pytest.mark.parametrize(("coverages", "n_reps", "clause"), [
    ([0.9395, 0.9405, 0.9435, 0.946, 0.944], 2000, "close to nominal for every method"),
    ([0.96, 0.96, 0.96, 0.96, 0.97], 100, "close to nominal for every method"),  # 2 SE = 4.4 pp
    ([0.957, 0.946], 1000, "close to nominal for both methods"),
    ([0.93, 0.946], 1000, "below nominal for one of 2 methods"),  # 2 SE = 1.4 pp, practical 1.5 pp
    ([0.936, 0.946], 1000, "close to nominal for both methods"),
    ([0.90, 0.91], 1000, "below nominal for both methods"),
    ([0.90, 0.99, 0.95], 1000, "away from nominal for 2 of 3 methods"),
    ([0.99, 0.95, 0.95], 1000, "above nominal for one of 3 methods"),
])
def test_nominal_coverage_clause(coverages, n_reps, clause):
    assert words.nominal_coverage_clause(coverages, 0.95, n_reps) == clause


def test_nominal_coverage_clause_rejects_bad_input():
    with pytest.raises(ValueError, match="at least one"):
        words.nominal_coverage_clause([], 0.95, 100)
    with pytest.raises(ValueError, match="shares"):
        words.nominal_coverage_clause([1.5], 0.95, 100)


@pytest.mark.parametrize(("net", "text"), [
    (-0.319, "the focal movie's gain is more than paid for by its neighbours' losses"),
    (0.05, "the focal movie's gain outweighs its neighbours' losses"),
    (0.0, "the focal movie's gain and its neighbours' losses cancel"),
])
def test_net_lift_phrase(net, text):
    assert words.net_lift_phrase(net) == text


@pytest.mark.parametrize(("estimate", "truth", "claim", "phrase"), [
    (0.973, 3.40, "holds", "the naive answer is too small"),           # CI network world
    (2.27, 0.168, "fails", "the naive answer is too large"),           # CI search marketplace
    (0.178, -0.317, "fails", "the naive answer has the wrong sign"),   # CI slate promotion
    (3.41, 3.40, "fails", "the naive answer is about right"),
])
def test_towards_zero_claim_and_error_phrase(estimate, truth, claim, phrase):
    key = bias_direction(estimate, truth)
    assert towards_zero_claim(key) == claim
    assert error_phrase(key) == phrase


def test_claim_words_reject_unknown_directions():
    assert set(DIRECTIONS) == {"towards_zero", "away_from_zero", "opposite_sign", "none"}
    with pytest.raises(ValueError, match="unknown direction"):
        towards_zero_claim("sideways")
    with pytest.raises(ValueError, match="unknown direction"):
        error_phrase("sideways")
