"""Horvitz–Thompson / Hájek against brute-force enumeration, and randomization inference."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.design_based.horvitz_thompson import (
    _covariance_totals,
    _variance_total,
    exposure_contrast,
    positive_units,
)
from analysis.design_based.randomization_inference import (
    assignment_support,
    conditional_cluster_sampler,
    conditional_rerandomizations,
    difference_in_means_statistic,
    fisher_p_value,
    no_effect_test,
    no_spillover_test,
    select_focal_units,
    spillover_slope_statistic,
)
from analysis.designs.assignment import bernoulli_assignment
from analysis.exposure import neighbor
from analysis.exposure.probabilities import (
    enumerate_bernoulli,
    enumerate_cluster,
    exposure_probabilities,
)
from analysis.worlds.network import (
    NetworkOutcomeModel,
    SBMSpec,
    build_network_world,
    graph_from_edges,
    observed_outcomes,
)

SMALL_EDGES = np.array([[0, 1], [1, 2], [2, 3], [3, 4], [4, 0], [5, 6], [6, 7], [2, 6]])


def small_graph():
    return graph_from_edges(9, SMALL_EDGES)  # node 8 is isolated


def potential_outcomes(n: int, n_cond: int, seed: int = 0) -> np.ndarray:
    """Heterogeneous potential outcomes y_i(d) that depend on the exposure condition only."""
    rng = np.random.default_rng(seed)
    return rng.normal(5, 1, size=(n, 1)) + rng.normal(0, 1.5, size=(n, n_cond))


def brute_force(y, codes, pi, joint, k, m, units, hajek):
    """Estimator and Aronow-Samii variance with explicit loops over units and pairs."""
    idx = np.flatnonzero(units)
    n = idx.size
    ik = {i: float(codes[i] == k) for i in idx}
    il = {i: float(codes[i] == m) for i in idx}
    if hajek:
        if not any(ik.values()) or not any(il.values()):
            return np.nan, np.nan
        wk = sum(ik[i] / pi[i, k] for i in idx)
        wl = sum(il[i] / pi[i, m] for i in idx)
        mk = sum(ik[i] * y[i] / pi[i, k] for i in idx) / wk
        ml = sum(il[i] * y[i] / pi[i, m] for i in idx) / wl
        rk = {i: y[i] - mk for i in idx}
        rl = {i: y[i] - ml for i in idx}
    else:
        mk = sum(ik[i] * y[i] / pi[i, k] for i in idx) / n
        ml = sum(il[i] * y[i] / pi[i, m] for i in idx) / n
        rk = rl = {i: y[i] for i in idx}

    def var_total(ind, r, c, jm):
        total = 0.0
        for i in idx:
            total += ind[i] * (1 - pi[i, c]) * (r[i] / pi[i, c]) ** 2
            for j in idx:
                if j == i:
                    continue
                if jm[i, j] > 0:
                    total += (ind[i] * ind[j] * (jm[i, j] - pi[i, c] * pi[j, c]) / jm[i, j]
                              * r[i] * r[j] / (pi[i, c] * pi[j, c]))
                else:
                    total += (ind[i] * r[i] ** 2 / (2 * pi[i, c])
                              + ind[j] * r[j] ** 2 / (2 * pi[j, c]))
        return total

    cov = 0.0
    jkl = joint[(k, m)]
    for i in idx:
        for j in idx:
            if jkl[i, j] > 0 and i != j:
                cov += (ik[i] * il[j] / jkl[i, j] * (jkl[i, j] - pi[i, k] * pi[j, m])
                        * rk[i] * rl[j] / (pi[i, k] * pi[j, m]))
            else:
                cov -= ik[i] * rk[i] ** 2 / (2 * pi[i, k]) + il[j] * rl[j] ** 2 / (2 * pi[j, m])
    var = (var_total(ik, rk, k, joint[(k, k)]) + var_total(il, rl, m, joint[(m, m)])
           - 2 * cov) / n**2
    return mk - ml, var


def enumerated_setup(design, mapping, labels, k, m, seed=0):
    graph = small_graph()
    codes = mapping(graph.adjacency, design.assignments)
    probs = exposure_probabilities(codes, design.weights, labels,
                                   joint_pairs=[(k, k), (m, m), (k, m)], exact=True)
    po = potential_outcomes(graph.n_nodes, len(labels), seed)
    y = np.take_along_axis(po.T, codes.astype(np.int64), axis=0)  # (R, n) observed outcomes
    return graph, codes, probs, po, y


DESIGNS = {
    "bernoulli_four_way": (lambda: enumerate_bernoulli(9, 0.4), neighbor.four_way_condition,
                           neighbor.FOUR_WAY_LABELS, 2, 0),
    "cluster_full": (lambda: enumerate_cluster([0, 0, 1, 1, 1, 2, 2, 3, 4], 0.4),
                     neighbor.full_neighborhood_condition, neighbor.FULL_NEIGHBORHOOD_LABELS,
                     1, 0),
}


@pytest.mark.parametrize("name", sorted(DESIGNS))
@pytest.mark.parametrize("estimator", ["horvitz_thompson", "hajek"])
def test_vectorised_estimators_equal_brute_force(name: str, estimator: str) -> None:
    make, mapping, labels, k, m = DESIGNS[name]
    design = make()
    _, codes, probs, _, y = enumerated_setup(design, mapping, labels, k, m)
    units = positive_units(probs, k, m)
    res = exposure_contrast(y, codes, probs, k, m, estimator=estimator)
    joint = {key: probs.joint_matrix(*key) for key in [(k, k), (m, m), (k, m)]}
    for r in range(0, design.assignments.shape[0], 7):
        est, var = brute_force(y[r], codes[r], probs.marginal, joint, k, m, units,
                               hajek=estimator == "hajek")
        if np.isnan(est):
            assert np.isnan(res.estimate[r])
            continue
        assert res.estimate[r] == pytest.approx(est, abs=1e-10)
        assert res.variance[r] == pytest.approx(var, abs=1e-10)


@pytest.mark.parametrize("name", sorted(DESIGNS))
def test_horvitz_thompson_is_unbiased_and_variance_conservative(name: str) -> None:
    make, mapping, labels, k, m = DESIGNS[name]
    design = make()
    _, codes, probs, po, y = enumerated_setup(design, mapping, labels, k, m, seed=3)
    units = positive_units(probs, k, m)
    if name == "cluster_full":
        assert not units.all(), "this design should leave some units without positivity"
    truth = np.mean(po[units, k] - po[units, m])
    res = exposure_contrast(y, codes, probs, k, m)
    w = design.weights
    mean = w @ res.estimate
    assert mean == pytest.approx(truth, abs=1e-10)
    true_var = w @ (res.estimate - mean) ** 2
    assert w @ res.variance >= true_var - 1e-10


def test_variance_of_a_total_is_unbiased_when_all_pairs_can_co_occur() -> None:
    """Condition 0 (control, untreated neighbourhood) co-occurs for every pair under Bernoulli."""
    design = enumerate_bernoulli(9, 0.4)
    _, codes, probs, po, y = enumerated_setup(design, neighbor.four_way_condition,
                                              neighbor.FOUR_WAY_LABELS, 0, 0)
    pi = probs.marginal[:, 0]
    joint = probs.joint_matrix(0, 0)
    assert (joint > 0).all()
    ind = (codes == 0).astype(float)
    u = ind * y / pi
    totals = u.sum(axis=1)
    w = design.weights
    true_var = w @ (totals - w @ totals) ** 2
    assert w @ _variance_total(u, u * y, pi, joint) == pytest.approx(true_var, abs=1e-10)
    # and E[T] is the population total of y_i(0)
    assert w @ totals == pytest.approx(po[:, 0].sum(), abs=1e-10)
    cov = _covariance_totals(u, u, u * y, u * y, pi, pi, np.zeros_like(joint))
    assert cov.shape == totals.shape


def test_exposure_contrast_input_errors() -> None:
    design = enumerate_bernoulli(9, 0.4)
    _, codes, probs, _, y = enumerated_setup(design, neighbor.four_way_condition,
                                             neighbor.FOUR_WAY_LABELS, 2, 0)
    with pytest.raises(ValueError, match="estimator"):
        exposure_contrast(y, codes, probs, 2, 0, estimator="ols")
    with pytest.raises(ValueError, match="different"):
        exposure_contrast(y, codes, probs, 2, 2)
    with pytest.raises(ValueError, match="condition code"):
        exposure_contrast(y, codes, probs, 7, 0)
    with pytest.raises(ValueError, match="shape"):
        exposure_contrast(y[:, :4], codes, probs, 2, 0)
    with pytest.raises(KeyError, match="joint"):
        exposure_contrast(y, codes, probs, 3, 1)


# --- randomization inference ------------------------------------------------------------------

SEED_SPEC = SBMSpec((55, 50, 60, 45), ((0.16, 0.015, 0.010, 0.010), (0.015, 0.15, 0.012, 0.010),
                                       (0.010, 0.012, 0.13, 0.018), (0.010, 0.010, 0.018, 0.17)))


def test_fisher_p_value_counts_the_observed_draw() -> None:
    assert fisher_p_value(2.0, np.array([1.0, 2.0, 3.0, -4.0])) == pytest.approx(4 / 5)
    assert fisher_p_value(10.0, np.zeros(99)) == pytest.approx(0.01)
    assert fisher_p_value(1.0, np.array([np.nan, 2.0])) == pytest.approx(1.0)


def test_statistics_match_plain_computations() -> None:
    rng = np.random.default_rng(0)
    y = rng.normal(size=30)
    z = (rng.random((4, 30)) < 0.5).astype(np.int8)
    dim = difference_in_means_statistic(y, z)
    for r in range(4):
        assert dim[r] == pytest.approx(y[z[r] == 1].mean() - y[z[r] == 0].mean())
    own = rng.random(30) < 0.5
    share = rng.random((3, 30))
    slope = spillover_slope_statistic(y, own, share)
    for r in range(3):  # the share coefficient of y ~ 1 + own + share
        x = np.column_stack([np.ones(30), own, share[r]])
        assert slope[r] == pytest.approx(np.linalg.lstsq(x, y, rcond=None)[0][2], abs=1e-10)


def test_conditional_rerandomizations_hold_focal_clusters_fixed() -> None:
    rng = np.random.default_rng(1)
    clusters = np.repeat(np.arange(10), 3)
    z_obs = np.repeat(np.array([1, 0, 1, 0, 1, 0, 1, 0, 1, 0]), 3)
    fixed = np.zeros(30, dtype=bool)
    fixed[[0, 4]] = True  # clusters 0 and 1
    draws = conditional_rerandomizations(z_obs, fixed, clusters, 0.5, True, 200, rng)
    assert (draws[:, :6] == z_obs[:6]).all()
    assert (draws.sum(axis=1) == z_obs.sum()).all()  # complete design keeps the count
    assert (draws[:, ::3] == draws[:, 1::3]).all()  # still constant within clusters
    assert 0.3 < draws[:, 6:].mean() < 0.7
    with pytest.raises(ValueError, match="constant within clusters"):
        conditional_rerandomizations(np.arange(30) % 2, fixed, clusters, 0.5, True, 2, rng)


def _one_test(world, rng, n_draws, p=0.5, frac=0.5):
    n = world.graph.n_nodes
    z = bernoulli_assignment(n, p, rng)
    y = observed_outcomes(world, z)
    focal = select_focal_units(n, frac, rng)
    draws = conditional_rerandomizations(z, focal, np.arange(n), p, False, n_draws, rng)
    return no_spillover_test(world.graph.adjacency, y, z, focal, draws).p_value


def test_no_spillover_test_is_valid_under_the_null_and_powerful_under_the_seed_world() -> None:
    null_world = build_network_world(SEED_SPEC, NetworkOutcomeModel(spillover=0.0), 14, 4611)
    rng = np.random.default_rng(2024)
    p_null = np.array([_one_test(null_world, rng, 99) for _ in range(300)])
    rejection = (p_null <= 0.05).mean()
    assert 0.015 <= rejection <= 0.09  # nominal 5%, 300 replications
    alt_world = build_network_world(SEED_SPEC, NetworkOutcomeModel(spillover=2.4), 14, 4611)
    p_alt = np.array([_one_test(alt_world, rng, 99) for _ in range(60)])
    assert (p_alt <= 0.05).mean() > 0.5


def test_no_effect_test_rejects_a_direct_effect() -> None:
    world = build_network_world(SEED_SPEC, NetworkOutcomeModel(spillover=0.0), 14, 4611)
    rng = np.random.default_rng(5)
    z = bernoulli_assignment(world.graph.n_nodes, 0.5, rng)
    draws = bernoulli_assignment(world.graph.n_nodes, 0.5, rng, n_draws=999)
    result = no_effect_test(observed_outcomes(world, z), z, draws)
    assert result.p_value <= 0.01
    assert result.n_rerandomizations == 999
    flat = no_effect_test(world.baseline, z, draws)  # baseline: no effect at all
    assert flat.p_value > 0.01
    with pytest.raises(ValueError, match="focal"):
        focal = np.zeros(world.graph.n_nodes, dtype=bool)
        focal[0] = True
        bad = draws.copy()
        bad[:, 0] = 1 - z[0]
        no_spillover_test(world.graph.adjacency, world.baseline, z, focal, bad)


def test_cluster_level_tests_equal_unit_level_tests_on_a_cluster_design() -> None:
    """Cluster draws (totals, per-cluster neighbour counts) give the unit-level statistics."""
    world = build_network_world(SEED_SPEC, NetworkOutcomeModel(), 14, 4611)
    n = world.graph.n_nodes
    rng = np.random.default_rng(8)
    labels = rng.integers(0, 30, n) * 7  # arbitrary cluster labels, not 0..G-1
    codes = np.unique(labels, return_inverse=True)[1]
    cluster_z = (rng.random(codes.max() + 1) < 0.5).astype(np.int8)
    z = cluster_z[codes]
    y = observed_outcomes(world, z)
    draws = (rng.random((300, cluster_z.size)) < 0.5).astype(np.int8)
    clustered = no_effect_test(y, z, draws, clusters=labels)
    unit = difference_in_means_statistic(y, draws[:, codes])
    assert clustered.observed == pytest.approx(
        y[z == 1].mean() - y[z == 0].mean(), abs=1e-12)
    assert clustered.null_mean == pytest.approx(unit.mean(), abs=1e-12)
    assert clustered.p_value == pytest.approx(fisher_p_value(clustered.observed, unit))
    focal = select_focal_units(n, 0.4, rng, labels)
    sample = conditional_cluster_sampler(z, focal, labels, 0.5, True)
    cluster_draws = sample(200, np.random.default_rng(4))
    unit_draws = conditional_rerandomizations(z, focal, labels, 0.5, True, 200,
                                              np.random.default_rng(4))
    np.testing.assert_array_equal(cluster_draws[:, codes], unit_draws)  # same stream
    by_cluster = no_spillover_test(world.graph.adjacency, y, z, focal, cluster_draws, labels)
    by_unit = no_spillover_test(world.graph.adjacency, y, z, focal, unit_draws)
    assert by_cluster.observed == pytest.approx(by_unit.observed, rel=1e-12)
    assert by_cluster.p_value == by_unit.p_value
    assert by_cluster.null_sd == pytest.approx(by_unit.null_sd, rel=1e-10)
    with pytest.raises(ValueError, match="one column per cluster"):
        no_effect_test(y, z, unit_draws, clusters=labels)


def test_focal_units_under_cluster_designs_leave_clusters_free() -> None:
    rng = np.random.default_rng(3)
    clusters = np.repeat(np.arange(4), 5)
    focal = select_focal_units(20, 0.9, rng, clusters)
    fixed_clusters = np.unique(clusters[focal])
    assert fixed_clusters.size == 3  # never all four
    assert focal.sum() == 15  # whole clusters
    assert select_focal_units(100, 0.3, rng).sum() == 30


def test_assignment_support_bounds_the_exact_p_value() -> None:
    clusters = np.repeat(np.arange(4), [3, 5, 2, 4])
    z = np.isin(clusters, [0, 2]).astype(np.int8)  # 2 of 4 clusters treated
    full = assignment_support(z, clusters, 0.5, complete=True)
    assert full["n_assignments"] == 6
    assert full["p_observed"] == pytest.approx(1 / 6)
    assert full["p_complement"] == pytest.approx(1 / 6)  # complement also has 2 of 4 treated
    # enumerate all six assignments: |difference in means| takes each value twice, so the exact
    # two-sided p-value of the observed assignment is at least 2/6
    y = np.random.default_rng(0).normal(size=clusters.size)
    from itertools import combinations
    draws = np.array([np.isin(clusters, c).astype(np.int8) for c in combinations(range(4), 2)])
    stats = np.abs(difference_in_means_statistic(y, draws))
    observed = abs(float(difference_in_means_statistic(y, z)[0]))
    assert np.mean(stats >= observed - 1e-12) >= full["p_observed"] + full["p_complement"] - 1e-12
    fixed = clusters == 0
    cond = assignment_support(z, clusters, 0.5, complete=True, fixed_units=fixed)
    assert cond["n_assignments"] == 3 and cond["p_complement"] == 0.0
    bern = assignment_support(z, clusters, 0.25, complete=False)
    assert bern["n_assignments"] == 16
    assert bern["p_observed"] == pytest.approx(0.25 ** 2 * 0.75 ** 2)


def test_assignment_support_stays_finite_in_meaning_at_scale() -> None:
    """A 10^6-unit design has more assignments than a float holds: inf, not an OverflowError."""
    from analysis.design_based.randomization_inference import assignment_support

    z = np.r_[np.ones(500_000, dtype=int), np.zeros(500_000, dtype=int)]
    for complete in (True, False):
        support = assignment_support(z, np.arange(z.size), 0.5, complete)
        assert support["n_assignments"] == float("inf")
        assert support["p_observed"] == 0.0
    small = assignment_support(np.array([1, 1, 0, 0]), np.arange(4), 0.5, complete=False)
    assert small["n_assignments"] == 16.0 and small["p_observed"] == 0.0625
