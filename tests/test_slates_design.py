"""Promotion design, exposure mapping and the click model: invariants and known truths."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.slates.diagnostics import balance_table, invalid_position_slates, readiness_table
from analysis.slates.exposure_mapping import EXPOSURE_GROUPS, map_exposures, visibility
from analysis.slates.outcome_model import OutcomeModel, potential_probabilities
from analysis.slates.promotion_design import PromotionDesign, assign_promotions
from analysis.slates.slate_outcomes import COMPONENTS, VIEWS, slate_outcome_table
from tests.slate_fixtures import default_params, experiment, seed_slates

pytestmark = pytest.mark.movielens


def test_readiness_invariants():
    exposure, slates = experiment(600, 7)
    ready = readiness_table(exposure, slates, 0.5).set_index("check")["value"]
    assert (exposure.groupby("slate_id").size() == 12).all()
    assert (exposure.groupby("slate_id")["is_focal_item"].sum() == 1).all()
    final = exposure.groupby("slate_id")["final_position"].apply(lambda s: sorted(s.tolist()))
    assert all(f == list(range(1, 13)) for f in final)
    assert ready["invalid_final_position_slates"] == 0
    assert ready["slates_without_one_focal"] == 0
    assert abs(ready["promotion_rate_z"]) < 3
    assert ready["direct_treatment_rows"] == slates["promotion_applied"].sum()
    assert ready["same_slate_spillover_rows"] == 11 * slates["promotion_applied"].sum()
    assert ready["mean_control_slate_known_lift"] == 0


def test_invalid_positions_are_detected():
    exposure, _ = experiment(600, 7)
    broken = exposure.copy()
    first = broken.index[0]
    broken.loc[first, "final_position"] = broken.loc[broken.index[1], "final_position"]
    assert invalid_position_slates(broken).tolist() == [broken.loc[first, "slate_id"]]


def test_promotion_moves_focal_to_top_and_shifts_items_above():
    exposure, _ = experiment(600, 7)
    promoted = exposure[exposure["promotion_applied"] == 1]
    control = exposure[exposure["promotion_applied"] == 0]
    assert (promoted.loc[promoted["is_focal_item"] == 1, "final_position"] == 1).all()
    above = promoted[promoted["above_focal"] == 1]
    assert (above["final_position"] == above["slate_position_seed"] + 1).all()
    below = promoted[(promoted["is_focal_item"] == 0) & (promoted["above_focal"] == 0)]
    assert (below["final_position"] == below["slate_position_seed"]).all()
    assert (control["final_position"] == control["slate_position_seed"]).all()
    assert (exposure["displaced_by_promotion"] == (exposure["above_focal"] * exposure["promotion_applied"])).all()
    assert (exposure["direct_treatment"] == exposure["is_focal_item"] * exposure["promotion_applied"]).all()
    assert (exposure.loc[exposure["same_cluster_spillover"] == 1, "spillover_cluster"]
            == exposure.loc[exposure["same_cluster_spillover"] == 1, "focal_spillover_cluster"]).all()
    assert set(exposure["exposure_group"]) <= set(EXPOSURE_GROUPS)
    counts = exposure["exposure_group"].value_counts()
    assert counts["direct_promoted"] + counts["focal_control"] == 600


def test_focal_positions_stay_in_window_and_coin_is_fair():
    design = PromotionDesign(0.5, 5, 12)
    assignment = assign_promotions(np.arange(4000), 12, design, np.random.default_rng(1))
    assert assignment["focal_seed_position"].between(5, 12).all()
    assert set(assignment["focal_seed_position"]) == set(range(5, 13))
    se = np.sqrt(0.25 / 4000)
    assert abs(assignment["promotion_applied"].mean() - 0.5) < 3 * se
    with pytest.raises(ValueError, match="promotion_probability"):
        PromotionDesign(1.0, 5, 12)
    with pytest.raises(ValueError, match="slate_size"):
        assign_promotions(np.arange(5), 8, design, np.random.default_rng(1))


def test_mapping_rejects_bad_inputs():
    slates = seed_slates(600, 11)
    with pytest.raises(ValueError, match="missing columns"):
        map_exposures(slates.drop(columns="spillover_cluster"),
                      pd.DataFrame({"slate_id": [0], "focal_seed_position": [5], "promotion_applied": [1]}))
    with pytest.raises(ValueError, match="no assignment"):
        map_exposures(slates, pd.DataFrame({"slate_id": [0], "focal_seed_position": [5],
                                            "promotion_applied": [1]}))


def test_known_lift_is_promoted_minus_unpromoted_world():
    exposure, _ = experiment(600, 7)
    promoted = exposure["promotion_applied"].to_numpy() == 1
    assert np.allclose(exposure["known_lift"][~promoted], 0)
    assert np.allclose(exposure["known_lift"][promoted],
                       (exposure["p_promoted"] - exposure["p_unpromoted"])[promoted])
    assert np.allclose(exposure["click_probability"],
                       np.where(promoted, exposure["p_promoted"], exposure["p_unpromoted"]))
    # a world without any promotion effect and without visibility has no lift at all
    flat = default_params().outcome.with_overrides(visibility=0, direct_boost=0, attention_penalty=0,
                                                   cluster_penalty=0)
    probs = potential_probabilities(exposure, flat)
    assert np.allclose(probs["p_promoted"], probs["p_unpromoted"])
    assert visibility(np.array([1, 3]))[0] == 1.0
    assert visibility(np.array([3]))[0] == pytest.approx(0.5)


def test_components_partition_every_slate():
    exposure, slates = experiment(600, 7)
    for view in (*VIEWS, "potential_lift"):
        parts = sum(slates[f"{view}_{c}"] for c in COMPONENTS)
        assert np.allclose(parts, slates[f"{view}_total"], atol=1e-12)
    assert slates["observed_clicks_total"].sum() == exposure["clicked"].sum()


def test_default_config_lands_in_the_seed_regime():
    """Known-lift decomposition per promoted slate: focal ~ +0.18, competitors ~ -0.50, total ~ -0.32."""
    _, slates = experiment(3000, default_params().seed)
    promoted = slates[slates["promotion_applied"] == 1]
    focal = promoted["known_lift_focal"].mean()
    competitors = (promoted["known_lift_same_cluster_competitor"] + promoted["known_lift_other_competitor"]).mean()
    total = promoted["known_lift_total"].mean()
    assert focal == pytest.approx(0.18, abs=0.02)
    assert competitors == pytest.approx(-0.50, abs=0.03)
    assert total == pytest.approx(-0.32, abs=0.03)
    # the same-cluster penalty makes a substitute lose more than another competitor
    per_item_same = promoted["known_lift_same_cluster_competitor"].sum() / promoted["n_same_cluster"].sum()
    n_other = (promoted["n_items"] - 1 - promoted["n_same_cluster"]).sum()
    assert per_item_same < promoted["known_lift_other_competitor"].sum() / n_other


def test_market_expansion_switch_turns_the_total_positive():
    p = default_params()
    exposure, _ = experiment(600, 7)
    grown = p.outcome.with_overrides(market_expansion=0.25)
    probs = potential_probabilities(exposure, grown)
    lift = (probs["p_promoted"] - probs["p_unpromoted"]).to_numpy()
    assert lift.sum() / 600 > 0.1
    base = potential_probabilities(exposure, p.outcome)
    assert (base["p_promoted"] - base["p_unpromoted"]).sum() / 600 < -0.2


def test_outcome_model_rejects_unknown_keys():
    with pytest.raises(ValueError, match="unknown keys"):
        OutcomeModel.from_config({"intercept": 0.0, "typo": 1.0})


def test_focal_items_are_balanced_across_arms():
    exposure, slates = experiment(3000, default_params().seed)
    balance = balance_table(exposure, slates)
    assert (balance["standardized_difference"].abs() < 0.1).all()
    assert balance["n_promoted"].iloc[0] + balance["n_control"].iloc[0] == 3000


def test_simulation_is_deterministic():
    p = default_params()
    from analysis.slates.experiment import simulate_experiment

    a = slate_outcome_table(simulate_experiment(seed_slates(600, 11), p.design, p.outcome, 5))
    b = slate_outcome_table(simulate_experiment(seed_slates(600, 11), p.design, p.outcome, 5))
    pd.testing.assert_frame_equal(a, b)
