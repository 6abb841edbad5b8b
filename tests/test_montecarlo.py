"""Monte Carlo summaries and the batched estimators (checked against one-shot estimators and
statsmodels)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm

from analysis.estimators import batched
from analysis.estimators.difference_in_means import difference_in_means
from analysis.montecarlo import ReplicationSet, summarise_replications, summary_table


def test_summarise_replications_known_values():
    est = np.array([1.0, 2.0, 3.0, 4.0])
    se = np.array([1.0, 1.0, 0.1, 0.1])
    out = summarise_replications(est, se, truth=2.0, level=0.95)
    assert out["bias"] == pytest.approx(0.5)
    assert out["rmse"] == pytest.approx(np.sqrt((1 + 0 + 1 + 4) / 4))
    assert out["empirical_sd"] == pytest.approx(np.std(est, ddof=1))
    # |1-2| = 1 <= 1.96, |0| <= 1.96, |1| > 0.196, |2| > 0.196
    assert out["coverage"] == pytest.approx(0.5)
    assert out["coverage_mc_se"] == pytest.approx(0.25)
    assert out["mean_ci_width"] == pytest.approx(2 * 1.959964 * 0.55, rel=1e-6)


def test_summary_table_labels_and_errors():
    rng = np.random.default_rng(0)
    sets = [ReplicationSet({"estimator": name}, 0.0, rng.normal(0, 1, 4000), np.ones(4000))
            for name in ("a", "b")]
    table = summary_table(sets)
    assert table["estimator"].tolist() == ["a", "b"]
    # correctly sized SEs -> coverage within 4 MC SEs of 0.95
    assert (abs(table["coverage"] - 0.95) < 4 * table["coverage_mc_se"]).all()
    with pytest.raises(ValueError, match="differ in length"):
        summarise_replications([1.0, 2.0], [1.0], 0.0)
    with pytest.raises(ValueError, match="at least two"):
        summarise_replications([1.0], [1.0], 0.0)


def test_batched_difference_in_means_matches_one_shot():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(5, 60))
    t = (rng.random((5, 60)) < 0.4).astype(int)
    clusters = np.repeat(np.arange(12), 5)
    naive = batched.difference_in_means(y, t)
    clustered = batched.difference_in_means(y, t, clusters=clusters)
    for r in range(5):
        one_naive = difference_in_means(y[r], t[r])
        one_cl = difference_in_means(y[r], t[r], clusters=clusters)
        assert naive.estimate[r] == pytest.approx(one_naive.estimate, abs=1e-12)
        assert naive.std_error[r] == pytest.approx(one_naive.std_error, rel=1e-10)
        assert clustered.std_error[r] == pytest.approx(one_cl.std_error, rel=1e-10)


def test_batched_difference_in_means_include_mask_equals_subset():
    rng = np.random.default_rng(2)
    y = rng.normal(size=(3, 80))
    t = (rng.random((3, 80)) < 0.5).astype(int)
    include = (rng.random((3, 80)) < 0.7).astype(int)
    clusters = np.repeat(np.arange(20), 4)
    fit = batched.difference_in_means(y, t, clusters=clusters, include=include)
    for r in range(3):
        keep = include[r] == 1
        ref = difference_in_means(y[r, keep], t[r, keep], clusters=clusters[keep])
        assert fit.estimate[r] == pytest.approx(ref.estimate, abs=1e-12)
        assert fit.std_error[r] == pytest.approx(ref.std_error, rel=1e-10)


def test_batched_ols_matches_statsmodels():
    rng = np.random.default_rng(3)
    n, reps = 90, 4
    x = np.stack([np.ones((reps, n)), rng.normal(size=(reps, n)),
                  (rng.random((reps, n)) < 0.5).astype(float)], axis=-1)
    y = x @ np.array([1.0, 0.5, -2.0]) + rng.normal(size=(reps, n))
    clusters = np.repeat(np.arange(15), 6)
    classical = batched.ols(y, x)
    robust = batched.ols(y, x, clusters=clusters)
    for r in range(reps):
        fit = sm.OLS(y[r], x[r]).fit()
        fit_cl = sm.OLS(y[r], x[r]).fit(cov_type="cluster", cov_kwds={"groups": clusters})
        np.testing.assert_allclose(classical.estimate[r], fit.params, rtol=1e-10)
        np.testing.assert_allclose(classical.std_error[r], fit.bse, rtol=1e-10)
        np.testing.assert_allclose(robust.std_error[r], fit_cl.bse, rtol=1e-10)


def test_batched_errors_are_clear():
    with pytest.raises(ValueError, match="treated must be 0/1"):
        batched.difference_in_means(np.zeros((1, 4)), np.array([0, 2, 1, 0]))
    with pytest.raises(ValueError, match="design must have shape"):
        batched.ols(np.zeros((2, 5)), np.zeros((2, 4, 2)))
    with pytest.raises(ValueError, match="at least two treated"):
        batched.difference_in_means(np.zeros((1, 4)), pd.Series([1, 0, 0, 0]).to_numpy())
