"""Slate contrasts: statsmodels agreement, recovery of the known truth, bootstrap, decomposition."""

from __future__ import annotations

import numpy as np
import pytest
import statsmodels.api as sm

from analysis.slates.bootstrap_effects import bootstrap_effects
from analysis.slates.contrasts import CONTRAST_NAMES, contrast_data, estimate_effects
from analysis.slates.decomposition import additivity_checks, component_effects
from analysis.slates.experiment import stream
from analysis.slates.heterogeneity_effects import heterogeneity_effects
from analysis.slates.product_summary import (
    position_buckets,
    product_summary,
    recommendations,
    risk_table,
)
from analysis.slates.sensitivity import spillover_sensitivity
from analysis.slates.slate_outcomes import VIEWS
from tests.slate_fixtures import default_params, experiment

pytestmark = pytest.mark.movielens

N_SLATES, SEED = 600, 20260428


@pytest.fixture(scope="module")
def effects():
    exposure, slates = experiment(N_SLATES, SEED)
    return estimate_effects(exposure, slates)


@pytest.mark.parametrize("name", CONTRAST_NAMES)
def test_clustered_se_matches_statsmodels(name):
    exposure, slates = experiment(N_SLATES, SEED)
    ours = estimate_effects(exposure, slates)
    for view in VIEWS:
        data = contrast_data(exposure, slates, name, view)
        fit = sm.OLS(data.y, sm.add_constant(data.treated.astype(float))).fit(
            cov_type="cluster", cov_kwds={"groups": data.slate_id})
        row = ours[(ours["contrast"] == name) & (ours["view"] == view)].iloc[0]
        assert row["estimate"] == pytest.approx(fit.params[1], abs=1e-10)
        assert row["cluster_se"] == pytest.approx(fit.bse[1], abs=1e-8)
        assert row["p_value"] == pytest.approx(fit.pvalues[1], abs=1e-8)


def test_expected_and_known_views_recover_the_truth(effects):
    validation = effects[effects["view"].isin(["expected_probability", "known_lift"])]
    assert validation["covers_truth"].all(), validation[["contrast", "view", "estimate", "truth"]]
    signs = effects[effects["view"] == "known_lift"].set_index("contrast")["estimate"]
    assert signs["direct_focal"] > 0
    assert (signs.drop("direct_focal") < 0).all()


def test_clustering_matters_for_item_spillovers(effects):
    obs = effects[(effects["view"] == "expected_probability") & (effects["unit"] == "item")]
    spill = obs[obs["contrast"] != "direct_focal"]
    assert (spill["se_ratio"] > 1.2).all()
    focal = obs[obs["contrast"] == "direct_focal"].iloc[0]
    # one focal row per slate: clustered and Welch SEs differ only by the small-sample factors
    assert focal["se_ratio"] == pytest.approx(1.0, abs=0.01)


def test_bootstrap_se_within_ten_percent_of_clustered_se():
    exposure, slates = experiment(N_SLATES, SEED)
    summary, draws = bootstrap_effects(exposure, slates, ("observed_clicks",), 2000,
                                       stream(SEED, "bootstrap"))
    assert ((summary["se_ratio"] - 1).abs() < 0.10).all(), summary[["contrast", "se_ratio"]]
    assert len(draws) == 2000 * len(CONTRAST_NAMES)
    assert (summary["n_invalid"] == 0).all()


@pytest.mark.parametrize("view", list(VIEWS))
def test_decomposition_adds_up_for_every_view(view):
    _, slates = experiment(N_SLATES, SEED)
    checks = additivity_checks(component_effects(slates)).set_index("view")
    assert abs(checks.loc[view, "difference"]) < 1e-10
    assert checks.loc[view, "passes"]


def test_decomposition_recovers_known_components():
    _, slates = experiment(N_SLATES, SEED)
    eff = component_effects(slates)
    for view in ("expected_probability", "known_lift"):
        part = eff[eff["view"] == view]
        assert part["covers_truth"].all(), part[["component", "estimate_per_slate", "truth"]]
    known = eff[eff["view"] == "known_lift"].set_index("component")
    # on the known-lift view the estimate is the realised mean lift of promoted slates
    promoted = slates["promotion_applied"] == 1
    assert known.loc["total", "estimate_per_slate"] == pytest.approx(
        slates.loc[promoted, "known_lift_total"].mean(), abs=1e-12)
    assert known.loc["total", "estimate_per_1000"] == pytest.approx(1000 * known.loc["total", "estimate_per_slate"])


def test_product_summary_and_generated_recommendations():
    exposure, slates = experiment(N_SLATES, SEED)
    eff = component_effects(slates)
    summary = product_summary(eff).set_index("view")
    known = summary.loc["known_lift"]
    assert known["focal_gain"] + known["competitor_change"] == pytest.approx(known["total_change"])
    assert known["offset_ratio"] == pytest.approx(known["competitor_change"] / abs(known["focal_gain"]))
    assert known["offset_ratio"] < -1
    slates = slates.assign(focal_position_bucket=position_buckets(
        slates["focal_seed_position"].to_numpy(), default_params().position_buckets))
    risk = risk_table(slates, "focal_position_bucket")
    assert risk["promoted_slates"].sum() == slates["promotion_applied"].sum()
    recs = recommendations(product_summary(eff), risk, spillover_sensitivity(exposure, 3))
    text = " ".join(recs["evidence"])
    assert f"{1000 * summary.loc['observed_clicks', 'focal_gain']:+,.1f}" in text
    with pytest.raises(ValueError, match="do not cover"):
        position_buckets(np.array([4, 5]), [[5, 12]])
    # bands read as a reader writes a range: an en dash, a single position alone
    assert position_buckets(np.array([5, 6, 7]), [[5, 6], [7, 7]]).tolist() == ["5–6", "5–6", "7"]


def test_sensitivity_support_is_nested():
    exposure, _ = experiment(N_SLATES, SEED)
    sens = spillover_sensitivity(exposure, 3)
    rows = sens.drop_duplicates("definition").set_index("definition")["rows"]
    assert rows["all_non_focal"] == 11 * N_SLATES
    assert rows["same_cluster_displaced"] <= min(rows["same_cluster"], rows["displaced"])
    assert rows["near_position_displaced"] <= rows["displaced"]
    assert rows["near_position_displaced"] <= 3 * N_SLATES
    known = sens[sens["view"] == "known_lift"]
    assert (known["ci_upper"] < 0).all()
    with pytest.raises(ValueError, match="window"):
        spillover_sensitivity(exposure, 0)


def test_heterogeneity_respects_support_rule():
    exposure, slates = experiment(N_SLATES, SEED)
    het = heterogeneity_effects(exposure, slates, "observed_clicks", min_clusters_per_arm=15)
    unsupported = het[~het["supported"]]
    assert unsupported["estimate"].isna().all()
    assert (het.loc[het["supported"], ["treated_clusters", "control_clusters"]] >= 15).all().all()
    positions = het[(het["dimension"] == "focal_position") & (het["contrast"] == "direct_focal")]
    assert positions["treated_clusters"].sum() == slates["promotion_applied"].sum()
