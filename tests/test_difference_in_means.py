"""difference_in_means against statsmodels and analytic values."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm
from scipy import stats

from analysis.estimators.difference_in_means import difference_in_means


@pytest.fixture(scope="module")
def clustered_data():
    rng = np.random.default_rng(20261123)
    n_clusters, size = 80, 9
    groups = np.repeat(np.arange(n_clusters), size)
    treated = (rng.random(n_clusters) < 0.5)[groups].astype(int)
    y = 0.7 * treated + rng.normal(0, 1, n_clusters)[groups] + rng.normal(0, 1, groups.size)
    return y, treated, groups


def test_clustered_se_matches_statsmodels(clustered_data):
    y, treated, groups = clustered_data
    ours = difference_in_means(y, treated, groups)
    fit = sm.OLS(y, sm.add_constant(treated.astype(float))).fit(
        cov_type="cluster", cov_kwds={"groups": groups})
    assert ours.estimate == pytest.approx(fit.params[1], abs=1e-12)
    assert ours.std_error == pytest.approx(fit.bse[1], abs=1e-8)
    assert ours.p_value == pytest.approx(fit.pvalues[1], abs=1e-8)
    assert (ours.ci_lower, ours.ci_upper) == pytest.approx(tuple(fit.conf_int()[1]), abs=1e-8)
    assert ours.n_clusters == 80


def test_naive_se_is_welch(clustered_data):
    y, treated, _ = clustered_data
    ours = difference_in_means(y, treated)
    y1, y0 = y[treated == 1], y[treated == 0]
    welch = stats.ttest_ind(y1, y0, equal_var=False)
    assert ours.estimate / ours.std_error == pytest.approx(welch.statistic, rel=1e-12)
    assert ours.se_type == "naive"


def test_clustering_matters_when_outcomes_share_cluster_shocks(clustered_data):
    y, treated, groups = clustered_data
    assert difference_in_means(y, treated, groups).std_error > 1.5 * difference_in_means(y, treated).std_error


def test_bad_input_is_explained():
    with pytest.raises(ValueError, match="at least one treated and one control"):
        difference_in_means([1.0, 2.0], [1, 1])
    with pytest.raises(ValueError, match="equal length"):
        difference_in_means([1.0, 2.0, 3.0], [1, 0])
    with pytest.raises(ValueError, match="at least 2 clusters with treated"):
        difference_in_means([1.0, 2.0, 3.0, 4.0], [1, 0, 1, 0], [1, 1, 1, 1])
