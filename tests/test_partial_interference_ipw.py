"""IPW under partial interference: exactness with known propensities, coverage with fitted ones."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from analysis.estimators.partial_interference_ipw import _group_means, partial_interference_ipw
from analysis.estimators.random_intercept_logit import (
    RandomInterceptLogit,
    fit_random_intercept_logit,
    group_loglik,
    group_loglik_and_score,
)
from analysis.worlds.teams_observational import (
    ObservationalTeams,
    simulate_observational,
    true_effect,
)


def test_group_likelihood_sums_to_one_over_every_treatment_vector():
    x = np.column_stack([np.ones(3), [0.5, -1.0, 2.0]])
    vectors = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    theta = np.array([-0.2, 0.7, np.log(0.9)])
    probs = [np.exp(group_loglik(theta, x, v, np.zeros(3, int), 1))[0] for v in vectors]
    assert sum(probs) == pytest.approx(1.0, abs=1e-12)


def test_group_score_is_the_gradient_of_the_group_loglik():
    rng = np.random.default_rng(7)
    x = np.column_stack([np.ones(40), rng.normal(size=40)])
    treated = (rng.random(40) < 0.4).astype(float)
    codes = np.repeat(np.arange(10), 4)
    theta = np.array([-0.3, 0.8, np.log(0.7)])
    loglik, score = group_loglik_and_score(theta, x, treated, codes, 10)
    np.testing.assert_allclose(loglik, group_loglik(theta, x, treated, codes, 10), rtol=1e-14)
    step = 1e-6
    numeric = np.column_stack([
        (group_loglik(theta + e, x, treated, codes, 10)
         - group_loglik(theta - e, x, treated, codes, 10)) / (2 * step)
        for e in np.eye(3) * step])
    np.testing.assert_allclose(score, numeric, rtol=1e-6, atol=1e-8)


def test_ipw_with_the_true_propensity_is_exactly_unbiased():
    """One group of three, all 8 treatment vectors weighted by the model: E[Y_i(a; alpha)] is the
    average potential outcome under the counterfactual allocation."""
    rng = np.random.default_rng(1)
    x = np.column_stack([np.ones(3), rng.normal(size=3)])
    theta = np.array([0.1, 0.9, np.log(0.8)])
    base, direct, spill = rng.normal(size=3), 1.3, 2.1
    codes = np.zeros(3, int)
    vectors = np.array(list(itertools.product([0.0, 1.0], repeat=3)))
    alpha = 0.35
    expected = np.zeros(3)
    for v in vectors:
        share = (v.sum() - v) / 2
        y = base + direct * v + spill * share + 0.4 * v * share
        fit = RandomInterceptLogit(theta, x, v, codes, 1, 40, True)
        prob = np.exp(group_loglik(theta, x, v, codes, 1))[0]
        expected += prob * _group_means(theta, fit, y, [alpha])[0]
    # truth by definition: average over teammates' Bernoulli(alpha) draws
    truth = np.zeros(3)
    for v in vectors:
        weight = np.prod(np.where(v == 1, alpha, 1 - alpha))
        share = (v.sum() - v) / 2
        truth[2] += weight * (base + direct * v + spill * share + 0.4 * v * share).mean()
    for a in (0.0, 1.0):
        total = 0.0
        for j in range(3):
            for v in vectors:
                if v[j] != a:
                    continue
                others = np.delete(v, j)
                weight = np.prod(np.where(others == 1, alpha, 1 - alpha))
                share_j = others.sum() / 2
                total += weight * (base[j] + direct * a + spill * share_j + 0.4 * a * share_j)
        truth[int(a)] = total / 3
    np.testing.assert_allclose(expected, truth, atol=1e-10)


def test_random_intercept_fit_is_stable_in_the_number_of_nodes():
    data = simulate_observational(ObservationalTeams(n_groups=80), np.random.default_rng(3))
    x = np.column_stack([np.ones(len(data)), data["x"]])
    a = fit_random_intercept_logit(x, data["A"], data["group"], n_nodes=20).theta
    b = fit_random_intercept_logit(x, data["A"], data["group"], n_nodes=60).theta
    np.testing.assert_allclose(a, b, atol=1e-5)


def test_sandwich_intervals_cover_in_the_observational_teams_world():
    world = ObservationalTeams(n_groups=250, group_size=4)
    reps, alphas = 200, [0.3, 0.6]
    covered = []
    for r in range(reps):  # Monte Carlo replications
        data = simulate_observational(world, np.random.default_rng(1000 + r))
        x = np.column_stack([np.ones(len(data)), data["x"]])
        table = partial_interference_ipw(data["Y"], data["A"], x, data["group"], alphas).table
        truth = [true_effect(world, e, a, None if np.isnan(b) else b)
                 for e, a, b in zip(table["effect"], table["alpha"], table["alpha_prime"],
                                    strict=True)]
        covered.append((table["ci_lower"] <= truth) & (np.asarray(truth) <= table["ci_upper"]))
    coverage = pd.concat(covered, axis=1).mean(axis=1)
    assert coverage.between(0.92, 0.98).all(), coverage.tolist()


def test_study_tables_use_reader_labels_and_exact_truths():
    from analysis.worlds.teams_observational_study import effect_label, ipw_estimates

    assert effect_label("indirect", 0.6, 0.3) == "Indirect effect, 60% vs 30%"
    assert effect_label("direct", 0.3, np.nan) == "Direct effect at 30%"
    world = ObservationalTeams(n_groups=60, group_size=4)
    table = ipw_estimates(world, [0.3, 0.6], 0.95, np.random.default_rng(0))
    assert table["label"].tolist() == ["Direct effect at 30%", "Direct effect at 60%",
                                       "Indirect effect, 60% vs 30%",
                                       "Total effect, 60% vs 30%",
                                       "Overall effect, 60% vs 30%"]
    assert table["truth"].tolist() == pytest.approx([1.0, 1.0, 0.6, 1.6, 0.9])
    with pytest.raises(ValueError, match="effect must be one of"):
        true_effect(world, "spillover", 0.3)
