"""Vectorised cluster bootstrap: exact agreement with a resampling loop, SE vs CR1."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.estimators.bootstrap import (
    bootstrap_count_weights,
    cluster_bootstrap,
    summarise_draws,
    weighted_difference_in_means,
)
from analysis.estimators.difference_in_means import difference_in_means


@pytest.fixture(scope="module")
def clustered():
    rng = np.random.default_rng(99)
    g, size = 300, 8
    groups = np.repeat(np.arange(g), size)
    treated = (rng.random(g) < 0.5)[groups].astype(int)
    y = 0.4 * treated + rng.normal(0, 1, g)[groups] + rng.normal(0, 1, groups.size)
    return y, treated, groups


def test_count_weights_are_resamples_of_full_size():
    w = bootstrap_count_weights(50, 400, np.random.default_rng(1))
    assert w.shape == (400, 50)
    assert (w.sum(axis=1) == 50).all()
    # each cluster is drawn once per replicate on average
    assert w.mean() == pytest.approx(1.0)
    assert w.var() == pytest.approx(1 - 1 / 50, rel=0.05)


def test_weighted_estimate_matches_explicit_resampling(clustered):
    y, treated, groups = clustered
    rng = np.random.default_rng(5)
    g = groups.max() + 1
    draws = rng.integers(0, g, size=(3, g))
    weights = np.stack([np.bincount(d, minlength=g) for d in draws])
    fast = weighted_difference_in_means(y, treated, groups, weights)
    for b, d in enumerate(draws):  # explicit resample of whole clusters (test only)
        rows = np.concatenate([np.flatnonzero(groups == c) for c in d])
        yy, tt = y[rows], treated[rows]
        assert fast[b] == pytest.approx(yy[tt == 1].mean() - yy[tt == 0].mean(), abs=1e-12)
    ones = np.ones((1, g))
    assert weighted_difference_in_means(y, treated, groups, ones)[0] == pytest.approx(
        y[treated == 1].mean() - y[treated == 0].mean(), abs=1e-12)


def test_bootstrap_se_close_to_clustered_se(clustered):
    y, treated, groups = clustered
    res = cluster_bootstrap(y, treated, groups, 2000, np.random.default_rng(3))
    analytic = difference_in_means(y, treated, groups)
    assert res.std_error == pytest.approx(analytic.std_error, rel=0.10)
    assert res.ci_lower < analytic.estimate < res.ci_upper
    assert res.estimate == pytest.approx(analytic.estimate, abs=1e-12)
    assert res.n_invalid == 0
    again = cluster_bootstrap(y, treated, groups, 2000, np.random.default_rng(3))
    np.testing.assert_array_equal(res.draws, again.draws)


def test_empty_arm_replicates_are_reported_not_hidden():
    y = np.array([1.0, 2.0, 3.0, 4.0])
    treated = np.array([1, 0, 0, 0])
    weights = np.array([[0, 2, 1, 1], [1, 1, 1, 1]])
    draws = weighted_difference_in_means(y, treated, np.arange(4), weights)
    assert np.isnan(draws[0]) and draws[1] == pytest.approx(1 - 3)
    res = summarise_draws(0.0, np.array([np.nan, 1.0, 2.0, 3.0]))
    assert res.n_invalid == 1 and res.std_error == pytest.approx(1.0)


def test_bad_inputs_raise():
    with pytest.raises(ValueError, match="n_clusters"):
        bootstrap_count_weights(1, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="codes"):
        weighted_difference_in_means(np.ones(3), np.array([1, 0, 1]), np.array([0, 1, 5]), np.ones((2, 3)))
    with pytest.raises(ValueError, match="0/1"):
        cluster_bootstrap(np.ones(4), np.array([2, 0, 1, 0]), np.arange(4), 10, np.random.default_rng(0))
