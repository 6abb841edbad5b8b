"""Robustness across seeds and settings, and randomization inference on the slate totals."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.slates.robustness import randomization_inference, seed_robustness, setting_robustness
from tests.slate_fixtures import default_params, experiment, seed_slates

pytestmark = pytest.mark.movielens


def test_settings_show_when_promotion_creates_attention():
    p = default_params()
    settings = [{"name": "default", "overrides": {}},
                {"name": "market_expansion", "overrides": {"market_expansion": 0.25}}]
    out = setting_robustness(seed_slates(600, 11), p.design, p.outcome, settings, seed=3).set_index("setting")
    assert out.loc["default", "truth_total"] < 0
    assert out.loc["market_expansion", "truth_total"] > 0
    assert out.loc["default", "overrides"] == "defaults"
    assert out.loc["market_expansion", "overrides"] == "market_expansion=0.25"


def test_seed_robustness_rows_and_flags():
    p = default_params()
    out = seed_robustness(seed_slates(600, 11), p.design, p.outcome, [1, 2])
    assert out["seed"].tolist() == [1, 2]
    assert (out["truth_total"] < 0).all()
    assert (out["sign_flipped"] == (out["observed_total"] > 0)).all()
    # re-simulating changes the coins but not the seed slates: truths stay close
    assert out["truth_total"].std() < 0.02


def test_randomization_inference_on_slate_totals():
    _, slates = experiment(600, 7)
    summary, draws = randomization_inference(slates, 0.5, 500, seed=9)
    summary = summary.set_index("outcome")
    treated = slates["promotion_applied"] == 1
    total = slates["observed_clicks_total"]
    assert summary.loc["total", "statistic"] == pytest.approx(total[treated].mean() - total[~treated].mean())
    assert summary.loc["focal", "p_value"] < 0.01  # the direct effect is large
    assert 1 / 501 <= summary.loc["total", "p_value"] <= 1
    assert len(draws) == 3 * 500
    assert np.isfinite(draws["statistic"]).all()
