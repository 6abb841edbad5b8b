"""The SBM network world: sampler distribution, scaling, outcomes, estimands and the MC study."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from analysis.designs.graph_cluster import partition_graph
from analysis.worlds.network import (
    NetworkOutcomeModel,
    SBMSpec,
    _upper_triangle_pairs,
    build_network_world,
    graph_from_edges,
    network_estimands,
    observed_outcomes,
    sample_sbm,
)
from analysis.worlds.network_study import (
    design_probabilities,
    exposure_label_counts,
    exposure_regressions,
    make_design,
    simulate_design,
    summarise_study,
    unit_table,
)

SEED_SPEC = SBMSpec((55, 50, 60, 45), ((0.16, 0.015, 0.010, 0.010), (0.015, 0.15, 0.012, 0.010),
                                       (0.010, 0.012, 0.13, 0.018), (0.010, 0.010, 0.018, 0.17)))


@pytest.mark.parametrize("k", [2, 3, 10, 1000, 1_000_003])
def test_upper_triangle_index_is_a_bijection(k: int) -> None:
    total = k * (k - 1) // 2
    index = (np.arange(total) if total < 200_000
             else np.random.default_rng(0).choice(total, 200_000, replace=False))
    i, j = _upper_triangle_pairs(index, k)
    assert ((0 <= i) & (i < j) & (j < k)).all()
    np.testing.assert_array_equal(i * (2 * k - i - 1) // 2 + (j - i - 1), index)


def test_sbm_block_densities_match_the_specification() -> None:
    """Pooled over 40 graphs, each block pair's edge density is within 4 SE of p_rs."""
    spec = SBMSpec((12, 8, 15), ((0.5, 0.1, 0.05), (0.1, 0.3, 0.0), (0.05, 0.0, 0.2)))
    sizes = np.array(spec.block_sizes)
    probs = np.array(spec.block_probs)
    counts = np.zeros((3, 3))
    n_graphs = 40
    for seed in range(n_graphs):
        graph = sample_sbm(spec, np.random.default_rng(seed))
        b0, b1 = graph.block[graph.edges[:, 0]], graph.block[graph.edges[:, 1]]
        np.add.at(counts, (np.minimum(b0, b1), np.maximum(b0, b1)), 1)
        assert (graph.edges[:, 0] < graph.edges[:, 1]).all()
        assert np.unique(graph.edges, axis=0).shape[0] == graph.n_edges
        assert (graph.adjacency != graph.adjacency.T).nnz == 0
    for r in range(3):
        for s in range(r, 3):
            pairs = sizes[r] * (sizes[r] - 1) / 2 if r == s else sizes[r] * sizes[s]
            p_hat = counts[r, s] / (pairs * n_graphs)
            se = np.sqrt(probs[r, s] * (1 - probs[r, s]) / (pairs * n_graphs))
            assert abs(p_hat - probs[r, s]) <= 4 * se + 1e-12, (r, s)


def test_scaling_keeps_mean_degree_and_reaches_large_graphs() -> None:
    scaled = SEED_SPEC.scaled(200_000)
    assert scaled.n_nodes == 200_000
    assert scaled.expected_mean_degree() == pytest.approx(SEED_SPEC.expected_mean_degree(),
                                                          rel=0.02)  # (n_r - 1) vs n_r
    graph = sample_sbm(scaled, np.random.default_rng(0))
    assert graph.degree.mean() == pytest.approx(scaled.expected_mean_degree(), rel=0.01)
    with pytest.raises(ValueError, match="n_nodes"):
        SEED_SPEC.scaled(3)


def test_spec_validation_names_the_problem() -> None:
    with pytest.raises(ValueError, match="symmetric"):
        SBMSpec((2, 2), ((0.1, 0.2), (0.3, 0.1)))
    with pytest.raises(ValueError, match="2x2"):
        SBMSpec((2, 2), ((0.1,),))
    with pytest.raises(ValueError, match="duplicates"):
        graph_from_edges(3, np.array([[0, 1], [1, 0]]))


def test_outcomes_follow_the_model_and_estimands_are_exact() -> None:
    world = build_network_world(SEED_SPEC, NetworkOutcomeModel(), 14, 4611)
    z = (np.random.default_rng(0).random(world.graph.n_nodes) < 0.35).astype(np.int8)
    y = observed_outcomes(world, z)
    adj = world.graph.adjacency.tocsr()
    for i in range(0, world.graph.n_nodes, 17):
        nbrs = adj.indices[adj.indptr[i]:adj.indptr[i + 1]]
        share = z[nbrs].mean() if nbrs.size else 0.0
        assert y[i] == pytest.approx(world.baseline[i] + 1.0 * z[i] + 2.4 * share)
    truths = network_estimands(world).set_index("estimand")["value"]
    assert truths["direct_no_exposure"] == 1.0
    assert truths["spillover_full"] == 2.4
    assert (world.graph.degree > 0).all()
    assert truths["total_effect"] == pytest.approx(3.4)
    # definitions reach a page as they are: reader notation, no TeX-style subscripts
    assert not network_estimands(world)["definition"].str.contains("_").any()
    everyone = observed_outcomes(world, np.ones(world.graph.n_nodes))
    nobody = observed_outcomes(world, np.zeros(world.graph.n_nodes))
    assert np.mean(everyone - nobody) == pytest.approx(truths["total_effect"], abs=1e-12)


def test_seed_regressions_match_statsmodels_and_counts_add_up() -> None:
    world = build_network_world(SEED_SPEC, NetworkOutcomeModel(), 14, 4611)
    z = (np.random.default_rng(4610).random(world.graph.n_nodes) < 0.35).astype(np.int8)
    units = unit_table(world, z, high_degree=12)
    table = exposure_regressions(units)
    fit = smf.ols("outcome ~ treated + neighbor_share + degree + C(community)", units).fit()
    row = table[(table["model"] == "Exposure: treated-neighbour share")
                & (table["term"] == "neighbor_share")].iloc[0]
    assert row["estimate"] == pytest.approx(fit.params["neighbor_share"], abs=1e-10)
    assert row["std_error"] == pytest.approx(fit.bse["neighbor_share"], abs=1e-10)
    # the direct effect is recovered within its interval by the share model
    direct = table[(table["model"] == "Exposure: treated-neighbour share")
                   & (table["term"] == "treated")].iloc[0]
    assert direct["ci_lower"] <= 1.0 <= direct["ci_upper"]
    counts = exposure_label_counts(units)
    assert counts["n"].sum() == world.graph.n_nodes
    assert list(counts["exposure"].unique()) == ["none", "low", "medium", "high", "all"]


def test_monte_carlo_study_shows_interference_bias_and_design_based_recovery() -> None:
    """Naive DiM is biased towards the direct effect; HT under graph-cluster design is not."""
    world = build_network_world(SEED_SPEC, NetworkOutcomeModel(), 14, 4611)
    communities = partition_graph(world.graph, "leiden", seed=1)
    rng = np.random.default_rng(7)
    individual = make_design(world, communities, "individual", 1, 0.5, True)
    probs = design_probabilities(world, individual, 500, rng)
    reps = simulate_design(world, individual, probs, 300, rng)
    summary = summarise_study(reps).set_index("estimator")
    assert summary.loc["dim_naive", "bias"] < -2.0  # ~ the whole spillover (2.4) is missed
    assert abs(summary.loc["share_regression", "bias"]) < 0.15
    assert 0.85 <= summary.loc["share_regression", "coverage"] <= 0.99
    clustered = make_design(world, communities, "graph_cluster", 20, 0.5, True)
    probs_c = design_probabilities(world, clustered, 3000, rng)
    reps_c = simulate_design(world, clustered, probs_c, 400, rng)
    summary_c = summarise_study(reps_c).set_index("estimator")
    # graph-cluster randomization shrinks the interference bias of the difference in means
    assert summary_c.loc["dim_clustered", "bias"] > summary.loc["dim_naive", "bias"] + 0.5
    assert abs(summary_c.loc["hajek_full", "bias"]) < 0.3
    assert isinstance(reps_c, pd.DataFrame) and set(reps_c["design"]) == {"graph_cluster"}


def test_probability_draws_keep_configured_count_on_book_sized_graphs() -> None:
    """Large graphs get fewer Monte Carlo draws (budgeted node-draws), small ones all of them."""
    from analysis.steps.worlds_network_design import probability_draws

    assert probability_draws(10_000, 210) == 10_000
    assert probability_draws(10_000, 20_000) == 10_000
    assert probability_draws(10_000, 100_000) == 2_000
    assert probability_draws(10_000, 1_000_000) == 200
    assert probability_draws(50, 1_000_000) == 50


def test_at_least_k_exposure_counts_match_the_treated_neighbour_counts() -> None:
    """The config-selectable "at least k treated neighbours" mapping counts units exactly."""
    from analysis.worlds.network_study import exposure_condition_counts

    world = build_network_world(SEED_SPEC, NetworkOutcomeModel(), 14, 4611)
    z = np.random.default_rng(3).binomial(1, 0.35, world.graph.n_nodes)
    units = unit_table(world, z, high_degree=14, at_least_k=3)
    counts = exposure_condition_counts(units, "at_least_k", 3)
    assert counts["exposure"].unique().tolist() == ["fewer than 3 treated neighbours",
                                                    "at least 3 treated neighbours"]
    expected = (pd.DataFrame({"treated": z, "many": units["treated_neighbors"] >= 3})
                .groupby(["treated", "many"]).size())
    got = counts.set_index(["treated", "exposure"])["n"]
    for (arm, many), n in expected.items():
        name = "at least 3" if many else "fewer than 3"
        assert got[(arm, f"{name} treated neighbours")] == n
    assert counts["n"].sum() == world.graph.n_nodes
    assert exposure_condition_counts(units, "share_bands", 3).equals(exposure_label_counts(units))
    with pytest.raises(ValueError, match="exposure mapping must be one of"):
        exposure_condition_counts(units, "two_hop", 3)
