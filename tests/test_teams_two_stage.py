"""The teams saturation experiment analysed with the two-stage estimators."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.worlds import teams
from analysis.worlds.teams_two_stage import (
    saturation_frame,
    two_stage_comparison,
    two_stage_montecarlo,
)

PARAMS = teams.TeamsParams(n_groups=60, group_size=10)


def test_saturation_frame_is_the_worlds_teams_experiment():
    frame = saturation_frame(PARAMS, 4607)
    stream = np.random.SeedSequence(4607).spawn(4)[2]
    again = teams.simulate("saturation", PARAMS, np.random.default_rng(stream)).to_frame()
    assert frame.equals(again)


def test_comparison_rows_carry_the_analytic_truths():
    table = two_stage_comparison(saturation_frame(PARAMS, 1), PARAMS, 0.2, 0.8, 0.95)
    assert len(table) == 10
    truth = dict(zip(table["effect"], table["truth"], strict=False))
    assert truth["Overall effect, 80% vs 20%"] == pytest.approx(
        teams.overall_effect(0.8, 0.2, PARAMS))
    assert truth["Indirect effect, 80% vs 20%"] == pytest.approx(
        teams.indirect_effect(0, 0.8, 0.2, PARAMS))
    assert (table["ci_lower"] < table["estimate"]).all()


def test_two_stage_intervals_cover_in_the_teams_world():
    mc = two_stage_montecarlo(PARAMS, 300, 11, 0.2, 0.8, 0.95)
    two_stage = mc[mc["method"].str.startswith("Two-stage")]
    # unbiased estimators: |bias| within 4 Monte Carlo standard errors
    assert (two_stage["bias"].abs() < 4 * two_stage["sd"] / np.sqrt(300)).all()
    assert two_stage["coverage"].between(0.90, 0.99).all()
