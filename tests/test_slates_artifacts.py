"""The slate artifacts the book and other parts rely on: ids, kinds and columns (CI build)."""

from __future__ import annotations

import pandas as pd
import pytest

from analysis.report.manifest import Manifest

TABLE_COLUMNS = {
    "slate_exposure": [
        "slate_id", "user_id", "movie_id", "slate_position_seed", "final_position", "is_focal_item",
        "promotion_applied", "direct_treatment", "same_slate_spillover", "same_cluster_spillover",
        "displaced_by_promotion", "spillover_cluster", "focal_spillover_cluster",
        "focal_seed_position", "exposure_group", "clicked", "click_probability", "known_lift"],
    "slate_outcomes": ["slate_id", "promotion_applied", "known_lift_total", "observed_clicks_total"],
    "slate_readiness": ["check", "value", "notes"],
    "slate_balance": ["covariate", "mean_promoted", "mean_control", "standardized_difference"],
    "slate_effects": ["contrast", "view", "estimate", "naive_se", "cluster_se", "ci_lower",
                      "ci_upper", "p_value", "mean_treated", "mean_control", "n_treated",
                      "n_control", "truth"],
    "slate_bootstrap": ["contrast", "estimate", "bootstrap_se", "ci_lower", "ci_upper"],
    "slate_decomposition": ["view", "component", "effect_family", "estimate_per_slate",
                            "estimate_per_1000", "truth"],
    "slate_additivity": ["view", "direct", "indirect", "total", "difference"],
    "slate_spillover_sensitivity": ["definition", "rows", "slates", "view", "estimate", "ci_lower"],
    "slate_product_summary": ["view", "focal_gain", "competitor_change", "total_change", "offset_ratio"],
    "slate_recommendations": ["decision_area", "recommendation", "evidence"],
}
FIGURES = [
    "slate_focal_position", "slate_position_change", "slate_cluster_spillover",
    "slate_outcomes_by_group", "slate_known_lift", "slate_effects_ci", "slate_estimate_vs_truth",
    "slate_se_comparison", "slate_bootstrap_distributions", "slate_decomposition_bars",
    "slate_decomposition_observed_vs_known", "slate_spillover_sensitivity_ci",
    "slate_risk_by_position", "slate_cluster_heterogeneity", "slate_robustness",
]


@pytest.fixture(scope="module")
def manifest(ci_results, project_root):
    return Manifest.load(ci_results / "manifest.json", root=project_root)


@pytest.mark.parametrize("artifact_id", sorted(TABLE_COLUMNS))
def test_table_has_contract_columns(manifest, artifact_id):
    record = manifest.get(artifact_id, kind="table")
    assert record["caption"] and record["alt"]
    df = pd.read_parquet(manifest.file(artifact_id, "parquet"))
    missing = [c for c in TABLE_COLUMNS[artifact_id] if c not in df.columns]
    assert not missing
    assert len(df) > 0


@pytest.mark.parametrize("artifact_id", FIGURES)
def test_figure_has_png_svg_caption_and_alt(manifest, artifact_id):
    record = manifest.get(artifact_id, kind="figure")
    assert record["caption"] and record["alt"]
    assert manifest.file(artifact_id, "png").stat().st_size > 1000
    assert manifest.file(artifact_id, "svg").stat().st_size > 1000


def test_ci_build_is_consistent(manifest):
    ready = pd.read_parquet(manifest.file("slate_readiness", "parquet")).set_index("check")["value"]
    assert ready["invalid_final_position_slates"] == 0
    assert abs(ready["promotion_rate_z"]) < 3
    additivity = pd.read_parquet(manifest.file("slate_additivity", "parquet"))
    assert (additivity["difference"].abs() < 1e-10).all()
