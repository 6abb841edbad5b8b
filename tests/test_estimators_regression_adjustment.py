"""Lin regression adjustment against statsmodels formulas and its variance reduction."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from analysis.estimators.difference_in_means import difference_in_means
from analysis.estimators.regression_adjustment import regression_adjusted_difference


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(12)
    g, size = 200, 6
    cluster = np.repeat(np.arange(g), size)
    t = (rng.random(g) < 0.5)[cluster].astype(int)
    x = rng.normal(0, 1, cluster.size)
    y = 0.5 * t + 1.5 * x + 0.3 * t * x + rng.normal(0, 1, g)[cluster] + rng.normal(0, 1, cluster.size)
    return pd.DataFrame({"y": y, "t": t, "x": x, "z": rng.normal(size=cluster.size), "c": cluster})


def test_matches_statsmodels_interacted_regression(data):
    res = regression_adjusted_difference(data, "y", "t", ["x", "z"], cluster="c")
    d = data.assign(xc=data["x"] - data["x"].mean(), zc=data["z"] - data["z"].mean())
    fit = smf.ols("y ~ t + xc + zc + t:xc + t:zc", d).fit(cov_type="cluster", cov_kwds={"groups": d["c"]})
    assert res.estimate == pytest.approx(fit.params["t"], abs=1e-10)
    assert res.std_error == pytest.approx(fit.bse["t"], abs=1e-10)
    assert res.p_value == pytest.approx(fit.pvalues["t"], abs=1e-10)
    assert res.n_clusters == 200


def test_unadjusted_part_matches_clustered_difference_in_means(data):
    res = regression_adjusted_difference(data, "y", "t", ["x"], cluster="c")
    dim = difference_in_means(data["y"], data["t"], data["c"])
    assert res.unadjusted_estimate == pytest.approx(dim.estimate, abs=1e-12)
    assert res.unadjusted_std_error == pytest.approx(dim.std_error, abs=1e-10)


def test_predictive_covariate_reduces_variance_and_noise_does_not(data):
    strong = regression_adjusted_difference(data, "y", "t", ["x"], cluster="c")
    noise = regression_adjusted_difference(data, "y", "t", ["z"], cluster="c")
    # x explains 1.5^2/6 of the ~1.54 variance of a cluster mean: about a quarter
    assert 0.15 < strong.variance_reduction < 0.4
    assert abs(noise.variance_reduction) < 0.05
    # adjustment moves the estimate far less than one unadjusted standard error
    assert abs(strong.estimate - strong.unadjusted_estimate) < strong.unadjusted_std_error


def test_errors_name_the_problem(data):
    with pytest.raises(ValueError, match="missing columns"):
        regression_adjusted_difference(data, "y", "t", ["nope"], cluster="c")
    with pytest.raises(ValueError, match="at least one covariate"):
        regression_adjusted_difference(data, "y", "t", [], cluster="c")
    bad = data.assign(x=np.where(data.index == 0, np.nan, data["x"]))
    with pytest.raises(ValueError, match="missing or infinite"):
        regression_adjusted_difference(bad, "y", "t", ["x"], cluster="c")
