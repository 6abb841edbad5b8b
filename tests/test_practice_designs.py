"""Give-up rule for cluster randomization, switchback washout, design effect and power, and the
seed-claim directions: analytic values, agreement with statsmodels and simulation checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf
from statsmodels.stats.anova import anova_lm
from statsmodels.stats.power import NormalIndPower

from analysis.designs.power import (
    design_effect,
    effective_sample_size,
    icc_anova,
    minimum_detectable_effect,
)
from analysis.seed_claims import DIRECTIONS, bias_direction
from analysis.worlds import network_give_up as give_up
from analysis.worlds.network import NetworkOutcomeModel, NetworkWorld, graph_from_edges
from analysis.worlds.switchback import SwitchbackWorld, switchback_bias, switchback_study
from analysis.worlds.teams import TeamsParams
from analysis.worlds.teams_power import analytic_icc, power_table

# -- when to give up on cluster randomization ---------------------------------------------------


def test_node_cut_share_counts_each_nodes_neighbours_outside_its_cluster():
    graph = graph_from_edges(5, np.array([[0, 1], [1, 2], [2, 3], [3, 4]]))
    world = NetworkWorld(graph=graph, model=NetworkOutcomeModel(), baseline=np.zeros(5),
                         community_effect=np.zeros(1))
    clusters = np.array([0, 0, 1, 1, 1])
    assert give_up.node_cut_share(world, clusters).tolist() == [0.0, 0.5, 0.5, 0.0, 0.0]
    # bias = -spillover * G/(G-1) * mean(phi) = -2.4 * 2 * 0.2
    assert give_up.predicted_cluster_bias(world, clusters) == pytest.approx(-0.96)


def test_simulated_bias_matches_the_prediction_and_grows_with_the_cut():
    study = give_up.mixing_study(NetworkOutcomeModel(), 10, 30, 8.0, [0.05, 0.3], [1.0], 300,
                                 graph_seed=7, outcome_seed=8, seed=9)
    mc_se = study["empirical_sd"] / np.sqrt(study["n_reps"])
    assert ((study["bias"] - study["predicted_bias"]).abs() < 4 * mc_se + 0.02).all()
    assert study["cut_edge_share"].is_monotonic_increasing
    assert study["relative_bias"].is_monotonic_decreasing  # more missed as more edges are cut
    rule = give_up.give_up_threshold(study, 0.1)
    assert rule["slope"] == pytest.approx(rule["predicted_slope"], rel=0.15)
    assert rule["threshold"] == pytest.approx(0.1 / rule["slope"])


def test_give_up_threshold_on_an_exact_line():
    table = pd.DataFrame({"cut_edge_share": [0.1, 0.2, 0.4], "relative_bias": [-0.05, -0.1, -0.2],
                          "predicted_bias": [-0.5, -1.0, -2.0], "truth": [10.0, 10.0, 10.0]})
    rule = give_up.give_up_threshold(table, 0.1)
    assert rule["slope"] == pytest.approx(0.5) and rule["predicted_slope"] == pytest.approx(0.5)
    assert rule["threshold"] == pytest.approx(0.2)
    with pytest.raises(ValueError, match="max_relative_bias"):
        give_up.give_up_threshold(table, 1.5)


def test_compare_thresholds_words():
    assert give_up.compare_thresholds(0.137, 0.05) == "looser than"
    assert give_up.compare_thresholds(0.03, 0.05) == "stricter than"
    assert give_up.compare_thresholds(0.052, 0.05) == "the same as"


def test_give_up_reasons_name_every_failing_check():
    assert give_up.give_up_reasons(0.05, 20, 0.12, 10) == ()
    assert give_up.give_up_reasons(0.12, 10, 0.12, 10) == ()  # at both thresholds
    assert give_up.give_up_reasons(0.20, 20, 0.12, 10) == ("too_many_cut_edges",)
    assert give_up.give_up_reasons(0.05, 5, 0.12, 10) == ("too_few_clusters",)
    assert give_up.give_up_reasons(0.20, 2, 0.12, 10) == ("too_many_cut_edges",
                                                          "too_few_clusters")
    assert set(give_up.GIVE_UP_REASONS) == {"too_many_cut_edges", "too_few_clusters"}
    with pytest.raises(ValueError, match="cut_share"):
        give_up.give_up_reasons(1.5, 20, 0.12, 10)


def test_give_up_verdict_words_name_every_reason():
    assert give_up.give_up_verdict(0.05, 20, 0.12, 10) == "Cluster randomization is usable"
    assert give_up.give_up_verdict(0.20, 20, 0.12, 10) == "Give up: too many edges cross clusters"
    assert give_up.give_up_verdict(0.05, 9.5, 0.12, 10) == "Give up: too few clusters per arm"
    assert give_up.give_up_verdict(0.23, 2, 0.124, 10) == (
        "Give up: too many edges cross clusters and too few clusters per arm")
    with pytest.raises(ValueError, match="unknown give-up reasons"):
        give_up.verdict_text(["too_small"])


# -- switchback ---------------------------------------------------------------------------------


def test_switchback_bias_analytic_values():
    world = SwitchbackWorld(n_blocks=5, block_length=4, carryover=0.5)
    # -(5/4) * 0.5^2 * (1 - 0.5^3) / (3 * 0.5)
    assert switchback_bias(world, 1) == pytest.approx(-0.1822916667)
    assert switchback_bias(SwitchbackWorld(carryover=0.0), 0) == 0.0
    with pytest.raises(ValueError, match="washout must be in"):
        switchback_bias(world, 4)
    with pytest.raises(ValueError, match="carryover"):
        SwitchbackWorld(carryover=1.0)


def test_switchback_simulation_matches_the_analytic_bias():
    world = SwitchbackWorld(n_blocks=40, block_length=10, carryover=0.7, noise_sd=0.01)
    table = switchback_study(world, [0, 2, 5], 2000, np.random.default_rng(3))
    mc_se = table["empirical_sd"] / np.sqrt(table["n_reps"])
    assert ((table["bias"] - table["analytic_bias"]).abs() < 4 * mc_se + 1e-4).all()
    assert table["bias"].abs().is_monotonic_decreasing
    assert table["periods_kept_share"].tolist() == pytest.approx([1.0, 0.8, 0.5])


# -- design effect and power --------------------------------------------------------------------


def test_design_effect_and_effective_sample_size():
    assert design_effect(24, 0.1) == pytest.approx(3.3)
    assert design_effect(1, 0.9) == 1.0
    assert effective_sample_size(3360, 24, 0.1) == pytest.approx(3360 / 3.3)
    with pytest.raises(ValueError, match="icc"):
        design_effect(10, 1.5)


@pytest.mark.parametrize("deff", [1.0, 4.5])
def test_minimum_detectable_effect_agrees_with_statsmodels(deff):
    sd, n = 2.0, 1000
    ours = minimum_detectable_effect(sd, n, 0.5, 0.05, 0.8, deff)
    d = NormalIndPower().solve_power(effect_size=None, nobs1=n / 2 / deff, alpha=0.05,
                                     power=0.8, ratio=1.0)
    assert ours == pytest.approx(d * sd, rel=1e-3)
    # the closed form: (1.96 + 0.8416) * sd * sqrt(deff * 4 / n)
    assert ours == pytest.approx(2.8016 * sd * np.sqrt(deff * 4 / n), rel=1e-4)


def test_icc_anova_agrees_with_a_statsmodels_anova_table():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(30), rng.integers(3, 9, size=30))
    y = rng.normal(size=30)[groups] + rng.normal(size=groups.size)
    fit = anova_lm(smf.ols("y ~ C(g)", data=pd.DataFrame({"y": y, "g": groups})).fit())
    msb, msw = fit["mean_sq"].iloc[0], fit["mean_sq"].iloc[1]
    sizes = np.bincount(groups)
    n0 = (groups.size - (sizes**2).sum() / groups.size) / (sizes.size - 1)
    assert icc_anova(y, groups) == pytest.approx((msb - msw) / (msb + (n0 - 1) * msw))


def test_teams_power_table_estimates_the_icc_and_reaches_the_nominal_power():
    params = TeamsParams(n_groups=40, group_size=12)
    table = power_table(params, [4, 12], 600, np.random.default_rng(4), pilot_teams=2000)
    assert analytic_icc(params) == pytest.approx(1.44 / (1.44 + 0.64 + 2.25))
    assert table["icc"].iloc[0] == pytest.approx(analytic_icc(params), abs=0.03)
    assert table["design_effect"].tolist() == pytest.approx(
        [1 + (m - 1) * table["icc"].iloc[0] for m in (4, 12)])
    tolerance = 4 * np.sqrt(0.8 * 0.2 / 600) + 0.03  # Monte Carlo error plus the normal approx.
    for column in ("power_individual", "power_cluster"):
        assert (table[column] - 0.8).abs().max() < tolerance
    with pytest.raises(ValueError, match="does not divide"):
        power_table(params, [7], 10, np.random.default_rng(0), pilot_teams=20)


# -- seed claims --------------------------------------------------------------------------------


@pytest.mark.parametrize(("estimate", "truth", "key"), [
    (0.97, 3.4, "towards_zero"), (2.27, 0.168, "away_from_zero"), (0.18, -0.32, "opposite_sign"),
    (3.41, 3.4, "none"), (-1.0, -3.0, "towards_zero"), (0.0, 0.0, "none"),
])
def test_bias_direction(estimate, truth, key):
    assert bias_direction(estimate, truth) == key
    assert key in DIRECTIONS
