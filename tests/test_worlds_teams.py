"""The teams world: analytic estimands, peer saturation, estimates on the default seed, and the
Monte Carlo coverage of naive versus team-clustered intervals."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from analysis.worlds import teams, teams_estimates
from analysis.worlds.teams_montecarlo import teams_montecarlo

CONFIG = yaml.safe_load((Path(__file__).parents[1] / "config" / "config.yaml").read_text())
TEAMS_CFG = CONFIG["teams"]
DEFAULT = teams.TeamsParams.from_config(TEAMS_CFG)


def test_default_config_is_the_seed_world():
    assert (DEFAULT.n_groups, DEFAULT.group_size) == (140, 24)
    assert (DEFAULT.direct_effect, DEFAULT.spillover_effect) == (1.5, 2.2)
    assert DEFAULT.saturations == (0.2, 0.5, 0.8)


def test_analytic_estimands_equal_the_acceptance_values():
    lo, hi = TEAMS_CFG["psi_low"], TEAMS_CFG["psi_high"]
    assert teams.direct_effect(lo, DEFAULT) == pytest.approx(1.5, abs=1e-12)
    assert teams.direct_effect(hi, DEFAULT) == pytest.approx(1.5, abs=1e-12)
    assert teams.indirect_effect(0, hi, lo, DEFAULT) == pytest.approx(1.32, abs=1e-12)
    assert teams.total_effect(hi, lo, DEFAULT) == pytest.approx(2.82, abs=1e-12)
    assert teams.overall_effect(hi, lo, DEFAULT) == pytest.approx(2.22, abs=1e-12)
    assert teams.total_effect(1.0, 0.0, DEFAULT) == pytest.approx(3.7, abs=1e-12)
    table = teams.estimand_table(DEFAULT, lo, hi).set_index("estimand_id")["value"]
    assert table["overall"] == pytest.approx(2.22) and table["total"] == pytest.approx(2.82)


def test_only_the_contrast_on_the_untreated_is_called_indirect_effect():
    """The glossary keeps Hudgens and Halloran's "indirect effect" for IE(0; ...) alone."""
    names = teams.estimand_table(DEFAULT, 0.2, 0.8).set_index("estimand_id")["estimand"]
    indirect = names[names.str.startswith("Indirect effect")]
    assert list(indirect.index) == ["indirect_untreated"] and "IE(0;" in indirect.iloc[0]
    assert names["indirect_treated"].startswith("Spillover on the treated IE(1;")
    assert set(teams.DESIGN_WORDS) == set(teams.DESIGNS)


def test_estimands_with_interaction_follow_the_formulas():
    p = DEFAULT.with_interaction(-1.5)
    assert teams.direct_effect(0.2, p) == pytest.approx(1.2)
    assert teams.direct_effect(0.8, p) == pytest.approx(0.3)
    assert teams.indirect_effect(1, 0.8, 0.2, p) == pytest.approx((2.2 - 1.5) * 0.6)
    # OE = (tau + gamma) d_psi + delta (psi1^2 - psi0^2)
    assert teams.overall_effect(0.8, 0.2, p) == pytest.approx(3.7 * 0.6 - 1.5 * 0.6)


def test_overall_effect_matches_simulated_policy_means():
    """OE from the formula equals a brute-force simulation of Bernoulli(psi) policies."""
    p = teams.TeamsParams(n_groups=3000, group_size=10, noise_sd=0.0, team_shock_sd=0.0,
                          skill_sd=0.0)
    rng = np.random.default_rng(11)
    groups = teams.team_labels(p)
    means = {}
    for psi in (0.2, 0.8):
        a = (rng.random(groups.size) < psi).astype(int)
        means[psi] = teams.simulate_outcomes(a, p, rng).outcome.mean()
    assert means[0.8] - means[0.2] == pytest.approx(2.22, abs=0.02)


def test_peer_saturation_matches_a_plain_loop():
    rng = np.random.default_rng(5)
    groups = np.repeat(np.arange(7), [2, 3, 5, 8, 1, 4, 6])
    t = (rng.random((3, groups.size)) < 0.5).astype(int)
    fast = teams.peer_saturation(t, groups)
    for r in range(3):
        for i in range(groups.size):
            peers = [j for j in range(groups.size) if groups[j] == groups[i] and j != i]
            expected = np.mean(t[r, peers]) if peers else 0.0
            assert fast[r, i] == pytest.approx(expected)


def test_clustered_intervals_cover_the_truth_on_the_default_seed():
    streams = np.random.SeedSequence(TEAMS_CFG["seed"]).spawn(4)
    frames = {d: teams.simulate(d, DEFAULT, np.random.default_rng(s)).to_frame()
              for d, s in zip(teams.DESIGNS, streams, strict=False)}
    est = teams_estimates.design_estimates(frames, DEFAULT, 0.2, 0.8)
    clustered = est[est["se_type"] == "clustered"]
    assert len(clustered) == 13
    covered = (clustered["ci_lower"] <= clustered["truth"]) & (
        clustered["truth"] <= clustered["ci_upper"])
    assert covered.all(), clustered.loc[~covered, ["design", "target", "estimate"]]
    # individual randomization: treated and control have the same peer saturation on average,
    # so the difference in means targets DE(0.5) = 1.5, far below the 3.7 rollout effect
    dim = clustered[(clustered["design"] == "individual")
                    & (clustered["estimator"] == "Difference in means")]
    assert abs(dim["estimate"].iloc[0] - 3.7) > 1.5


def test_interaction_world_direct_effect_by_saturation_covers_truth():
    p = DEFAULT.with_interaction(TEAMS_CFG["interaction_scenario"])
    streams = np.random.SeedSequence(TEAMS_CFG["seed"]).spawn(4)
    frame = teams.simulate("saturation", p, np.random.default_rng(streams[3])).to_frame()
    table = teams_estimates.direct_effect_by_saturation(frame, p)
    assert set(table["saturation"]) == {0.2, 0.5, 0.8}
    assert ((table["ci_lower"] <= table["truth"]) & (table["truth"] <= table["ci_upper"])).all()


def test_montecarlo_clustered_coverage_nominal_and_naive_below():
    mc = teams_montecarlo(DEFAULT, n_reps=1000, seed=TEAMS_CFG["montecarlo"]["seed"],
                          psi_low=0.2, psi_high=0.8)
    clustered = mc[mc["se_type"] == "clustered"]
    assert clustered["coverage"].between(0.92, 0.98).all(), clustered[["target", "coverage"]]
    assert (clustered["bias"].abs() < 3 * clustered["empirical_sd"] / np.sqrt(1000) + 0.01).all()
    naive = mc[mc["se_type"] == "naive"].set_index(["design", "target"])["coverage"]
    # clustering matters for cluster-level contrasts: naive intervals visibly under-cover
    assert naive[("cluster", "TE(1, 0) full rollout")] < 0.8
    assert naive[("saturation", "OE(0.8, 0.2)")] < 0.8
    assert naive[("saturation", "Spillover per unit of peer saturation")] < 0.8


def test_bad_parameters_are_rejected():
    with pytest.raises(ValueError, match="teams.group_size"):
        teams.TeamsParams(group_size=1)
    with pytest.raises(ValueError, match="design must be one of"):
        teams.assign("geo", DEFAULT, np.random.default_rng(0))
    with pytest.raises(ValueError, match="psi must be a saturation"):
        teams.direct_effect(1.2, DEFAULT)


def test_worlds_partial_schema_accepts_defaults_and_names_bad_keys():
    import jsonschema

    schema = yaml.safe_load((Path(__file__).parents[1] / "config" / "schema"
                             / "worlds_partial.schema.yaml").read_text())
    sections = {k: CONFIG[k] for k in ("teams", "teams_power", "search_marketplace",
                                       "bipartite_marketplace", "guides", "switchback")}
    jsonschema.Draft202012Validator(schema).validate(sections)
    bad = {**sections, "teams": {**TEAMS_CFG, "n_groups": 1}}
    with pytest.raises(jsonschema.ValidationError, match="1 is less than the minimum of 6"):
        jsonschema.Draft202012Validator(schema).validate(bad)
    typo = {**sections, "teams": {**TEAMS_CFG, "spilover_effect": 2.0}}
    with pytest.raises(jsonschema.ValidationError, match="spilover_effect"):
        jsonschema.Draft202012Validator(schema).validate(typo)
