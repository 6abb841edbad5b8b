"""Small-cluster covariances (CR0-CR3) and the wild cluster bootstrap against references."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import linalg

from analysis.estimators.cluster_robust import cluster_robust_ols
from analysis.estimators.difference_in_means import difference_in_means
from analysis.estimators.regression_adjustment import regression_adjusted_difference
from analysis.estimators.wild_bootstrap import bootstrap_weights, wild_cluster_bootstrap


@pytest.fixture(scope="module")
def grunfeld() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Grunfeld investment panel shipped with statsmodels: 11 firms x 20 years."""
    d = sm.datasets.grunfeld.load_pandas().data
    x = sm.add_constant(d[["value", "capital"]].to_numpy())
    return d["invest"].to_numpy(), x, pd.factorize(d["firm"])[0]


@pytest.fixture(scope="module")
def unbalanced() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    n_clusters = 9
    sizes = rng.integers(2, 9, n_clusters)
    g = np.repeat(np.arange(n_clusters), sizes)
    t = np.repeat(np.arange(n_clusters) % 2, sizes).astype(float)
    z = rng.normal(size=g.size)
    y = 1 + 0.5 * t + 0.3 * z + rng.normal(size=n_clusters)[g] + rng.normal(size=g.size)
    return y, np.column_stack([np.ones_like(z), t, z]), g


@pytest.mark.parametrize(("cov_type", "kwds"), [("CR0", {"use_correction": False}), ("CR1", {})])
def test_cr0_cr1_match_statsmodels_on_grunfeld(grunfeld, cov_type, kwds):
    y, x, g = grunfeld
    ref = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": g, **kwds})
    ours = cluster_robust_ols(y, x, g, cov_type)
    np.testing.assert_allclose(ours.params, ref.params, rtol=1e-10)
    np.testing.assert_allclose(ours.cov, ref.cov_params(), rtol=1e-8)
    assert (ours.df == 10).all()


def _direct_jackknife(y, x, g):
    b = np.linalg.lstsq(x, y, rcond=None)[0]
    labels = np.unique(g)
    drops = np.array([np.linalg.lstsq(x[g != h], y[g != h], rcond=None)[0] for h in labels])
    return (labels.size - 1) / labels.size * (drops - b).T @ (drops - b)


def test_cr3_is_the_jackknife_centred_on_the_full_estimate(grunfeld, unbalanced):
    for y, x, g in (grunfeld, unbalanced):
        np.testing.assert_allclose(cluster_robust_ols(y, x, g, "CR3").cov,
                                   _direct_jackknife(y, x, g), rtol=1e-8)


def _direct_cr2(y, x, g, omega=None):
    """Bell-McCaffrey CR2 and its Satterthwaite df from full N x N matrices (no tricks)."""
    n = y.size
    bread = np.linalg.inv(x.T @ x)
    hat = x @ bread @ x.T
    m = np.eye(n) - hat
    e = m @ y
    meat = np.zeros((x.shape[1], x.shape[1]))
    adjust = np.zeros((n, n))
    for h in np.unique(g):
        idx = np.flatnonzero(g == h)
        a = linalg.inv(linalg.sqrtm(m[np.ix_(idx, idx)])).real
        adjust[np.ix_(idx, idx)] = a
        s = x[idx].T @ a @ e[idx]
        meat += np.outer(s, s)
    cov = bread @ meat @ bread
    dfs = []
    for k in range(x.shape[1]):
        w = np.zeros((n, np.unique(g).size))
        for j, h in enumerate(np.unique(g)):
            idx = np.flatnonzero(g == h)
            w[idx, j] = adjust[np.ix_(idx, idx)] @ (x[idx] @ bread[:, k])
        p = w.T @ m @ (np.eye(n) if omega is None else omega) @ m @ w
        dfs.append(np.trace(p) ** 2 / np.trace(p @ p))
    return cov, np.array(dfs)


def test_cr2_and_bell_mccaffrey_df_match_a_direct_matrix_implementation(grunfeld, unbalanced):
    for y, x, g in (grunfeld, unbalanced):
        cov, dfs = _direct_cr2(y, x, g)
        fit = cluster_robust_ols(y, x, g, "CR2")
        np.testing.assert_allclose(fit.cov, cov, rtol=1e-8)
        np.testing.assert_allclose(fit.df, dfs, rtol=1e-8)
        assert (fit.df < g.max()).all()  # fewer than G - 1: the point of the correction


def test_cr2_of_a_cluster_randomized_difference_is_welch_on_cluster_means():
    """Equal clusters, cluster-level treatment: CR2 variance = s1^2/G1 + s0^2/G0 of cluster means."""
    rng = np.random.default_rng(3)
    n_clusters, size = 10, 4
    g = np.repeat(np.arange(n_clusters), size)
    t = (g < 4).astype(float)  # 4 treated clusters, 6 control
    y = rng.normal(size=g.size) + rng.normal(size=n_clusters)[g] + t
    means = np.bincount(g, weights=y) / size
    arm = np.arange(n_clusters) < 4
    welch = means[arm].var(ddof=1) / arm.sum() + means[~arm].var(ddof=1) / (~arm).sum()
    fit = cluster_robust_ols(y, np.column_stack([np.ones_like(y), t]), g, "CR2")
    assert fit.cov[1, 1] == pytest.approx(welch, rel=1e-10)
    assert difference_in_means(y, t, g, cov_type="CR2").std_error == pytest.approx(
        np.sqrt(welch), rel=1e-10)


def test_imbens_kolesar_df_reduces_to_bell_mccaffrey_without_cluster_correlation():
    rng = np.random.default_rng(11)
    g = np.repeat(np.arange(8), 5)
    t = (g % 2).astype(float)
    y = rng.normal(size=g.size)
    x = np.column_stack([np.ones_like(y), t])
    bm = cluster_robust_ols(y, x, g, "CR2").df
    # negative estimated between-cluster variance is clipped at 0 -> identical to BM
    y_anti = y - np.bincount(g, weights=y)[g] / 5 + rng.normal(size=8)[g] * 0
    ik = cluster_robust_ols(y_anti, x, g, "CR2", df_method="imbens-kolesar").df
    np.testing.assert_allclose(ik, bm, rtol=1e-10)
    y_corr = y + 3 * rng.normal(size=8)[g]
    ik_corr = cluster_robust_ols(y_corr, x, g, "CR2", df_method="imbens-kolesar").df
    assert ik_corr[1] <= bm[1] + 1e-9


def test_imbens_kolesar_df_matches_a_direct_random_effects_computation(unbalanced):
    y, x, g = unbalanced
    n, k = x.shape
    e = y - x @ np.linalg.lstsq(x, y, rcond=None)[0]
    sigma2 = e @ e / (n - k)
    same = g[:, None] == g[None, :]
    off = same & ~np.eye(n, dtype=bool)
    between = np.clip(np.sum(np.outer(e, e)[off]) / off.sum(), 0, sigma2)
    omega = (sigma2 - between) * np.eye(n) + between * same
    _, dfs = _direct_cr2(y, x, g, omega)
    fit = cluster_robust_ols(y, x, g, "CR2", df_method="imbens-kolesar")
    assert between > 0
    np.testing.assert_allclose(fit.df, dfs, rtol=1e-8)


def test_difference_in_means_cov_types_agree_with_the_general_ols(unbalanced):
    y, x, g = unbalanced
    for cov_type in ("CR0", "CR1", "CR2", "CR3"):
        fit = cluster_robust_ols(y, x[:, :2], g, cov_type)
        dim = difference_in_means(y, x[:, 1], g, cov_type=cov_type)
        assert dim.std_error == pytest.approx(fit.std_errors[1], rel=1e-10)
        assert dim.estimate == pytest.approx(fit.params[1], rel=1e-12)
    assert difference_in_means(y, x[:, 1], g, cov_type="CR2").se_type == "CR2"


def test_regression_adjustment_cov_type_uses_the_named_covariance(unbalanced):
    y, x, g = unbalanced
    df = pd.DataFrame({"y": y, "t": x[:, 1], "z": x[:, 2], "g": g})
    res = regression_adjusted_difference(df, "y", "t", ["z"], cluster="g", cov_type="CR3")
    zc = df["z"] - df["z"].mean()
    design = np.column_stack([np.ones_like(y), df["t"], zc, df["t"] * zc])
    assert res.std_error == pytest.approx(np.sqrt(_direct_jackknife(y, design, g)[1, 1]),
                                          rel=1e-8)


def test_summary_is_a_tidy_table(grunfeld):
    y, x, g = grunfeld
    table = cluster_robust_ols(y, x, g, "CR2", names=("intercept", "value", "capital")).summary()
    assert list(table.columns) == ["term", "estimate", "std_error", "df", "ci_lower",
                                   "ci_upper", "p_value", "method", "cov_type"]
    assert (table["ci_lower"] < table["estimate"]).all()
    assert set(table["cov_type"]) == {"CR2"}


def test_bad_cov_type_and_single_cluster_are_refused(grunfeld):
    y, x, g = grunfeld
    with pytest.raises(ValueError, match="cov_type must be one of"):
        cluster_robust_ols(y, x, g, "HC1")
    with pytest.raises(ValueError, match="clusters: .* at least 2 clusters, got 1"):
        cluster_robust_ols(y, x, np.zeros_like(g), "CR1")
    with pytest.raises(ValueError, match="rank deficient"):
        cluster_robust_ols(y, np.column_stack([x, x[:, 1]]), g)


# --- wild cluster bootstrap --------------------------------------------------------------------


def _direct_wild_p(y, x, g, null, v):
    """Refit statsmodels OLS for every sign vector: the textbook WCR bootstrap."""
    keep = [0, 2]
    yr = y - null * x[:, 1]
    fitted = x[:, keep] @ np.linalg.lstsq(x[:, keep], yr, rcond=None)[0] + null * x[:, 1]
    resid = y - fitted
    ref = sm.OLS(y, x).fit(cov_type="cluster", cov_kwds={"groups": g})
    t_obs = (ref.params[1] - null) / ref.bse[1]
    t_star = []
    for row in v:  # reference implementation: one refit per draw
        fit = sm.OLS(fitted + row[g] * resid, x).fit(cov_type="cluster", cov_kwds={"groups": g})
        t_star.append((fit.params[1] - null) / fit.bse[1])
    return t_obs, np.mean(np.abs(t_star) >= abs(t_obs) * (1 - 1e-10))


def test_wild_bootstrap_matches_refitting_every_sign_vector(unbalanced):
    y, x, g = unbalanced
    res = wild_cluster_bootstrap(y, x, g, coef=1, null=0.2)
    v, enumerated = bootstrap_weights(9, "rademacher", 1, np.random.default_rng(0))
    assert enumerated and res.enumerated and res.n_draws == 2**9 == v.shape[0]
    t_obs, p = _direct_wild_p(y, x, g, 0.2, v)
    assert res.t_stat == pytest.approx(t_obs, rel=1e-10)
    assert res.p_value == pytest.approx(p, abs=1e-12)


def test_wild_bootstrap_webb_draws_match_refitting(unbalanced):
    y, x, g = unbalanced
    rng_a, rng_b = np.random.default_rng(5), np.random.default_rng(5)
    res = wild_cluster_bootstrap(y, x, g, weights="webb", n_draws=199, rng=rng_a, interval=False)
    v, enumerated = bootstrap_weights(9, "webb", 199, rng_b)
    assert not enumerated
    assert set(np.round(np.abs(v).ravel(), 6)) <= {round(np.sqrt(0.5), 6), 1.0,
                                                   round(np.sqrt(1.5), 6)}
    assert res.p_value == pytest.approx(_direct_wild_p(y, x, g, 0.0, v)[1], abs=1e-12)


def test_wild_bootstrap_interval_inverts_the_test(unbalanced):
    y, x, g = unbalanced
    res = wild_cluster_bootstrap(y, x, g)
    assert res.ci_lower < res.estimate < res.ci_upper
    inside = wild_cluster_bootstrap(y, x, g, null=res.ci_lower + 1e-4, interval=False)
    outside = wild_cluster_bootstrap(y, x, g, null=res.ci_lower - 1e-4, interval=False)
    assert inside.p_value > 0.05 >= outside.p_value


def test_wild_bootstrap_with_four_clusters_cannot_reject_at_5_percent():
    """2^4 = 16 sign vectors: the smallest attainable p is 2/16, so the interval is unbounded."""
    rng = np.random.default_rng(2)
    g = np.repeat(np.arange(4), 5)
    t = (g % 2).astype(float)
    y = 10 * t + rng.normal(size=g.size)
    res = wild_cluster_bootstrap(y, np.column_stack([np.ones_like(y), t]), g)
    assert res.p_value == pytest.approx(2 / 16)
    assert np.isinf(res.ci_lower) and np.isinf(res.ci_upper)


def test_wild_bootstrap_needs_rng_for_random_weights(unbalanced):
    y, x, g = unbalanced
    with pytest.raises(ValueError, match="rng"):
        wild_cluster_bootstrap(y, x, g, weights="webb")
    with pytest.raises(ValueError, match="weights must be one of"):
        wild_cluster_bootstrap(y, x, g, weights="mammen", rng=np.random.default_rng(0))


# --- the coverage study ------------------------------------------------------------------------


def test_replication_coverage_is_all_or_nothing_at_the_extremes():
    from analysis.estimators.small_cluster_coverage import (
        METHODS,
        SmallClusterWorld,
        replication_coverage,
        simulate_cluster_experiment,
    )

    world = SmallClusterWorld(1.0, 0.5, 1.0, 1.0, 2, 6)
    y, t, g = simulate_cluster_experiment(world, 5, np.random.default_rng(0))
    assert np.bincount((np.bincount(g, weights=t) > 0).astype(int)).tolist() == [5, 5]
    estimate = difference_in_means(y, t).estimate
    rng = np.random.default_rng(1)
    assert replication_coverage(y, t, g, estimate, 0.95, 99, rng).tolist() == [True] * len(METHODS)
    assert not replication_coverage(y, t, g, estimate + 100, 0.95, 99, rng).any()


def test_coverage_study_is_deterministic_and_settings_are_independent():
    from analysis.estimators.small_cluster_coverage import SmallClusterWorld, coverage_study

    world = SmallClusterWorld(1.0, 0.5, 1.0, 1.0, 2, 6)
    both = coverage_study(world, [6, 4], 30, 0.95, 49, seed=3)
    again = coverage_study(world, [6, 4], 30, 0.95, 49, seed=3)
    pd.testing.assert_frame_equal(both, again)
    first = coverage_study(world, [6], 30, 0.95, 49, seed=3)
    pd.testing.assert_frame_equal(first, both[both["clusters_per_arm"] == 6])
    row = both.iloc[0]
    assert row["mc_se"] == pytest.approx(np.sqrt(row["coverage"] * (1 - row["coverage"]) / 30))
    with pytest.raises(ValueError, match="cluster_size_min"):
        SmallClusterWorld(1.0, 0.5, 1.0, 1.0, 5, 2)


def test_result_objects_share_one_summary_layout(unbalanced):
    y, x, g = unbalanced
    columns = ["estimate", "std_error", "df", "ci_lower", "ci_upper", "p_value", "method",
               "cov_type"]
    dim = difference_in_means(y, x[:, 1], g, cov_type="CR2").summary()
    assert list(dim.columns) == columns and dim["cov_type"].item() == "CR2"
    assert dim["df"].item() == pytest.approx(cluster_robust_ols(y, x[:, :2], g, "CR2").df[1])
    df = pd.DataFrame({"y": y, "t": x[:, 1], "z": x[:, 2], "g": g})
    adj = regression_adjusted_difference(df, "y", "t", ["z"], cluster="g", cov_type="CR3")
    assert list(adj.summary().columns) == columns
    assert adj.summary()["df"].item() == g.max()  # G - 1
    assert "df" not in adj.as_dict()  # published tables keep their columns
    wild = wild_cluster_bootstrap(y, x, g).summary()
    assert list(wild.columns) == columns


def test_coverage_verdict_picks_the_words_from_the_numbers():
    from analysis.estimators.small_cluster_coverage import coverage_verdict

    study = pd.DataFrame({"clusters_per_arm": [4, 4, 4, 50], "method": ["a", "b", "c", "a"],
                          "coverage": [0.80, 0.97, 0.94, 0.50], "nominal": 0.95})
    assert coverage_verdict(study) == {"fewest": 4, "worst_method": "a", "worst_coverage": 0.80,
                                       "closest_method": "c", "closest_coverage": 0.94}
