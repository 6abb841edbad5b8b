"""Bad input to estimators and exposure mappings: a clear ValueError naming the argument."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from analysis.design_based.horvitz_thompson import exposure_contrast
from analysis.estimators import batched
from analysis.estimators.cluster_robust import cluster_robust_ols
from analysis.estimators.difference_in_means import difference_in_means
from analysis.estimators.regression_adjustment import regression_adjusted_difference
from analysis.estimators.wild_bootstrap import wild_cluster_bootstrap
from analysis.exposure import neighbor
from analysis.exposure.probabilities import enumerate_bernoulli, exposure_probabilities

Y = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0])
T = np.array([1, 0, 1, 0, 1, 0, 1, 0])
G = np.array([0, 0, 1, 1, 2, 2, 3, 3])


@pytest.mark.parametrize(("y", "t", "g", "message"), [
    ([1.0, np.nan, 3.0, 4.0], [1, 0, 1, 0], None, r"y \(outcome\) contains 1 NaN"),
    ([1.0, 2.0, 3.0, 4.0], [1, 1, 1, 1], None, "at least one treated and one control"),
    ([1.0, 2.0, 3.0, 4.0], [2, 0, 1, 0], None, r"treated must be coded 0/1 .* \[np.int64\(2\)\]|"
                                                r"treated must be coded 0/1 .* \[2\]"),
    ([1.0, 2.0, 3.0, 4.0], ["a", "b", "a", "b"], None, "treated must be coded 0/1"),
    ([1.0, 2.0, 3.0], [1, 0, 1, 0], None, "equal length"),
    (Y, T, np.zeros(8), "at least 2 clusters with treated"),
    (Y, T, G[:6], "one label per unit"),
    # one cluster per arm: the CR1 variance would be ~1e-16 and p = 0.0
    (Y, np.array([1, 1, 1, 1, 0, 0, 0, 0]), np.array([0, 0, 0, 0, 1, 1, 1, 1]),
     "got 1 treated and 1 control cluster"),
])
def test_difference_in_means_rejects_bad_input(y, t, g, message):
    with pytest.raises(ValueError, match=message):
        difference_in_means(y, t, g)


def test_one_cluster_per_arm_is_refused_for_every_covariance_type():
    t = np.array([1, 1, 1, 1, 0, 0, 0, 0])
    g = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    for cov_type in ("CR0", "CR1", "CR2", "CR3"):
        with pytest.raises(ValueError, match="clusters: a cluster-robust variance needs"):
            difference_in_means(Y, t, g, cov_type=cov_type)
    with pytest.raises(ValueError, match="in every replication"):
        batched.difference_in_means(Y, t, g)
    df = pd.DataFrame({"y": Y, "t": t, "z": np.arange(8.0) % 3, "g": g})
    with pytest.raises(ValueError, match="got 1 treated and 1 control cluster"):
        regression_adjusted_difference(df, "y", "t", ["z"], cluster="g")


def test_constant_outcome_gives_nan_with_a_warning_or_an_error():
    with pytest.warns(RuntimeWarning, match="zero standard error"):
        res = difference_in_means(np.ones(8), T)
    assert res.estimate == 0.0 and np.isnan(res.p_value)
    df = pd.DataFrame({"y": np.full(8, 3.0), "t": T, "z": np.arange(8.0), "g": G})
    # statsmodels alone reports p = 0.029 here: numerical noise dressed as evidence
    with pytest.raises(ValueError, match="outcome 'y' is constant"):
        regression_adjusted_difference(df, "y", "t", ["z"], cluster="g")


def test_regression_adjustment_rejects_missing_outcomes_and_bad_treatment():
    df = pd.DataFrame({"y": Y, "t": T, "z": np.arange(8.0), "g": G})
    with pytest.raises(ValueError, match="outcome 'y' contains 1 missing"):
        regression_adjusted_difference(df.assign(y=np.r_[np.nan, Y[1:]]), "y", "t", ["z"])
    with pytest.raises(ValueError, match="'t' must be 0/1"):
        regression_adjusted_difference(df.assign(t=T * 2), "y", "t", ["z"])
    with pytest.raises(ValueError, match="cov_type must be one of"):
        regression_adjusted_difference(df, "y", "t", ["z"], cluster="g", cov_type="HC3")


def test_cluster_robust_and_bootstrap_reject_bad_shapes_and_values():
    x = np.column_stack([np.ones(8), T])
    with pytest.raises(ValueError, match="clusters must have one label per row"):
        cluster_robust_ols(Y, x, G[:5])
    with pytest.raises(ValueError, match="NaN"):
        cluster_robust_ols(np.r_[np.nan, Y[1:]], x, G)
    with pytest.raises(ValueError, match="coef must index a column"):
        wild_cluster_bootstrap(Y, x, G, coef=2)
    with pytest.raises(ValueError, match="at least 2 clusters"):
        wild_cluster_bootstrap(Y, x, np.zeros(8))


def _probs():
    adjacency = sp.csr_array(np.array([[0, 1, 0, 0], [1, 0, 1, 0], [0, 1, 0, 1], [0, 0, 1, 0]]))
    design = enumerate_bernoulli(4, 0.5)
    codes = neighbor.four_way_condition(adjacency, design.assignments)
    return exposure_probabilities(codes, design.weights, neighbor.FOUR_WAY_LABELS,
                                  [(3, 3), (0, 0), (3, 0)], exact=True)


def test_exposure_contrast_rejects_unknown_codes_nan_outcomes_and_empty_conditions():
    probs = _probs()
    y = np.array([1.0, 2.0, 3.0, 4.0])
    with pytest.raises(ValueError, match=r"codes must be exposure conditions 0\.\.3 .*found \[7\]"):
        exposure_contrast(y, np.array([3, 0, 7, 0]), probs, 3, 0)
    with pytest.raises(ValueError, match=r"y \(outcome\) contains 1 NaN"):
        exposure_contrast(np.array([1.0, np.nan, 3.0, 4.0]), np.array([3, 0, 3, 0]), probs, 3, 0)
    with pytest.raises(ValueError, match="no unit is observed in the treat condition"):
        exposure_contrast(y, np.array([0, 0, 1, 0]), probs, 3, 0, estimator="hajek")


@pytest.mark.parametrize(("matrix", "message"), [
    ([[1, 1], [1, 0]], "self-loop"),
    ([[0, 2], [2, 0]], "unweighted 0/1 graph"),
    ([[0, 1], [0, 0]], "symmetric"),
])
def test_exposure_mappings_reject_self_loops_weights_and_directed_graphs(matrix, message):
    with pytest.raises(ValueError, match=message):
        neighbor.treated_neighbor_count(sp.csr_array(np.array(matrix)), np.array([1, 0]))


def test_exposure_mappings_reject_assignments_that_are_not_binary():
    adjacency = sp.csr_array(np.array([[0, 1], [1, 0]]))
    with pytest.raises(ValueError, match="assignment z must be 0/1"):
        neighbor.four_way_condition(adjacency, np.array([1, 2]))
    with pytest.raises(ValueError, match="shape"):
        neighbor.four_way_condition(adjacency, np.array([1, 0, 1]))
