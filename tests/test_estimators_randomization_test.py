"""Randomization inference under a Bernoulli design."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.design_based.randomization_inference import bernoulli_randomization_test
from analysis.estimators.heterogeneity import subgroup_differences


def test_statistic_is_difference_in_means_and_strong_effect_is_rejected():
    rng = np.random.default_rng(1)
    t = (rng.random(400) < 0.5).astype(int)
    y = 1.0 * t + rng.normal(size=400)
    res = bernoulli_randomization_test(y, t, 0.5, 1000, np.random.default_rng(2))
    assert res.statistic == pytest.approx(y[t == 1].mean() - y[t == 0].mean())
    assert res.p_value == pytest.approx(1 / 1001)
    # the null distribution is centred at zero with the permutation spread
    assert abs(np.nanmean(res.null_draws)) < 0.02
    assert np.nanstd(res.null_draws) == pytest.approx(2 * y.std() / np.sqrt(400), rel=0.1)


def test_p_values_are_roughly_uniform_under_the_sharp_null():
    rng = np.random.default_rng(3)
    y = rng.normal(size=60)
    t = (rng.random((200, 60)) < 0.5).astype(int)
    ps = np.array([bernoulli_randomization_test(y, ti, 0.5, 200, np.random.default_rng(i)).p_value
                   for i, ti in enumerate(t) if 0 < ti.sum() < 60])
    assert 0.02 < np.mean(ps <= 0.1) < 0.2
    assert 0.4 < ps.mean() < 0.6


def test_randomization_test_validates_inputs():
    with pytest.raises(ValueError, match="probability"):
        bernoulli_randomization_test(np.ones(4), np.array([1, 0, 1, 0]), 1.5, 10, np.random.default_rng(0))
    with pytest.raises(ValueError, match="both arms"):
        bernoulli_randomization_test(np.ones(4), np.ones(4), 0.5, 10, np.random.default_rng(0))


def test_subgroups_below_support_are_flagged_not_estimated():
    rng = np.random.default_rng(4)
    n = 600
    cluster = np.arange(n)
    group = np.where(np.arange(n) < 20, "tiny", "big")
    t = (rng.random(n) < 0.5).astype(int)
    y = 2.0 * t + rng.normal(size=n)
    import pandas as pd

    df = pd.DataFrame({"y": y, "t": t, "g": group, "c": cluster})
    out = subgroup_differences(df, "y", "t", "g", "c", min_clusters_per_arm=15).set_index("subgroup")
    assert not out.loc["tiny", "supported"] and np.isnan(out.loc["tiny", "estimate"])
    assert out.loc["big", "supported"]
    assert out.loc["big", "ci_lower"] < 2.0 < out.loc["big", "ci_upper"]
    assert out.loc["big", "n_treated"] + out.loc["big", "n_control"] == 580
