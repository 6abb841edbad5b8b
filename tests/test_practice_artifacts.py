"""The practitioner studies as built by the CI pipeline: the numbers the book quotes hold."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis.seed_claims import DIRECTIONS
from analysis.worlds.network_give_up import GIVE_UP_REASONS, give_up_verdict

pytestmark = pytest.mark.pipeline


def _table(ci_results, name: str) -> pd.DataFrame:
    return pd.read_parquet(ci_results / "tables" / f"{name}.parquet")


def test_ego_designs_recover_the_total_effect_where_individual_ones_fail(ci_results):
    rows = _table(ci_results, "network_ego_holdout").set_index("design")
    for design in ("ego_cluster", "ego_holdout"):
        row = rows.loc[design]
        assert row["egos_full_or_none"]
        assert abs(row["bias"]) < 4 * row["empirical_sd"] / np.sqrt(row["n_reps"])
    for design in ("individual", "individual_holdout"):
        assert rows.loc[design, "bias_share_of_truth"] < -0.5
        assert rows.loc[design, "coverage"] == 0.0


def test_give_up_rule_and_verdicts(ci_results):
    rule = _table(ci_results, "network_give_up_rule").iloc[0]
    assert rule["threshold"] == pytest.approx(rule["max_relative_bias"] / rule["slope"])
    assert rule["world_verdict_text"] == give_up_verdict(
        rule["world_cut_edge_share"], rule["world_clusters_per_arm"], rule["threshold"],
        rule["min_clusters_per_arm"])
    grid = _table(ci_results, "network_give_up")
    too_many = grid["cut_edge_share"] > rule["threshold"]
    too_few = grid["clusters_per_arm"] < rule["min_clusters_per_arm"]
    names_cut = grid["verdict"].str.contains(GIVE_UP_REASONS["too_many_cut_edges"])
    names_few = grid["verdict"].str.contains(GIVE_UP_REASONS["too_few_clusters"])
    assert (names_cut == too_many).all() and (names_few == too_few).all()


def test_switchback_bias_matches_its_analytic_value(ci_results):
    table = _table(ci_results, "switchback_washout")
    mc_se = table["empirical_sd"] / np.sqrt(table["n_reps"])
    assert ((table["bias"] - table["analytic_bias"]).abs() < 4 * mc_se).all()


def test_team_randomization_needs_a_larger_effect(ci_results):
    table = _table(ci_results, "teams_power")
    assert (table["mde_cluster"] > table["mde_individual"]).all()
    assert table["design_effect"].is_monotonic_increasing


def test_seed_claim_directions(ci_results):
    claims = _table(ci_results, "seed_claims").set_index("world")
    assert claims.loc["Network world", "direction"] == DIRECTIONS["towards_zero"]
    assert claims.loc["Search marketplace", "direction"] == DIRECTIONS["away_from_zero"]
    assert claims.loc["Search marketplace", "ratio"] > 5
    assert claims.loc["Slate promotion", "direction"] == DIRECTIONS["opposite_sign"]
