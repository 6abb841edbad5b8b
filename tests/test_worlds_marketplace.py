"""Search and bipartite marketplaces: known truths, reference implementations, coverage."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from analysis.worlds import bipartite_estimates as be
from analysis.worlds import bipartite_marketplace as bm
from analysis.worlds import search_estimates as se
from analysis.worlds import search_marketplace as sm

CONFIG = yaml.safe_load((Path(__file__).parents[1] / "config" / "config.yaml").read_text())
SEARCH_CFG = CONFIG["search_marketplace"]
BIP_CFG = CONFIG["bipartite_marketplace"]


# -- search marketplace ----------------------------------------------------------------------

def test_search_defaults_and_platform_lift():
    p = sm.SearchParams.from_config(SEARCH_CFG)
    assert (p.n_searches, p.items_per_search) == (6000, 8)
    assert (p.ranking_boost, p.quality_coef, p.market_expansion) == (0.65, 0.55, 0.04)
    assert sm.platform_lift(p) == pytest.approx(0.04 * 3.5 * 1.2)


def test_search_sample_lift_is_exact_and_shares_conserve_demand():
    p = sm.SearchParams(n_searches=500, noise_sd=0.0, market_expansion=0.1)
    s = sm.simulate(p, np.random.default_rng(0))
    totals = s.purchases.sum(axis=1)
    expected = s.base_demand * (1 + 0.1 * s.treatment.mean(axis=1))
    np.testing.assert_allclose(totals, expected, rtol=1e-12)
    lift = s.total_all_treated - s.total_none_treated
    np.testing.assert_allclose(lift, 0.1 * s.base_demand)


def test_item_contrast_overstates_platform_lift_on_default_seed():
    p = sm.SearchParams.from_config(SEARCH_CFG)
    truth, truth_se = sm.item_contrast_truth(p, np.random.default_rng(1), 100_000)
    assert truth_se < 0.002
    sample = sm.simulate(p, np.random.default_rng(SEARCH_CFG["seed"]))
    table = se.search_estimates(sample, p, truth).set_index(["quantity", "se_type"])
    item = table.loc[("item_contrast", "clustered by search")]
    assert item["ci_lower"] <= truth <= item["ci_upper"]
    slope = table.loc[("search_level_slope", "heteroskedasticity-robust")]
    assert slope["ci_lower"] <= sm.platform_lift(p) <= slope["ci_upper"]
    extrapolated = table.loc[("naive_platform_extrapolation", "clustered by search")]
    assert extrapolated["estimate"] > 10 * sm.platform_lift(p)


def test_expansion_sweep_real_share_grows_and_crossover_lies_beyond_sweep():
    p = sm.SearchParams(n_searches=1500)
    sweep = se.expansion_sweep(p, [0.0, 0.05, 0.1, 0.25], seed=3)
    assert sweep["real_share_of_extrapolation"].is_monotonic_increasing
    assert sweep["real_share_of_extrapolation"].iloc[0] == 0.0
    assert sweep["real_share_of_extrapolation"].iloc[-1] < 0.6
    assert se.crossover_expansion(sweep) > 0.25


def test_search_montecarlo_coverage():
    p = sm.SearchParams(n_searches=400)
    truth, _ = sm.item_contrast_truth(p, np.random.default_rng(4), 100_000)
    mc = se.search_montecarlo(p, 1000, seed=5, item_truth=truth).set_index("estimator")
    assert 0.92 <= mc.loc["Item-level difference in means"].query(
        "se_type == 'clustered by search'")["coverage"].iloc[0] <= 0.98
    assert 0.92 <= mc.loc["Search totals on boosted share (OLS slope)", "coverage"] <= 0.98
    assert mc.loc["Items per search × item-level difference", "coverage"] < 0.05


# -- bipartite marketplace -------------------------------------------------------------------

def _small(**kw) -> bm.BipartiteParams:
    return bm.BipartiteParams(**{"n_sellers": 300, "n_buyers": 3000, **kw})


def reference_exposure(edges: pd.DataFrame, assignment: pd.Series) -> pd.DataFrame:
    """Plain pandas version (merge + groupby + row-wise labels)."""
    merged = edges.merge(assignment.rename("treatment"), left_on="seller_id", right_index=True)
    stats = merged.groupby("buyer_id").agg(n_sellers=("treatment", "count"),
                                           n_treated=("treatment", "sum")).reset_index()
    stats["share"] = stats["n_treated"] / stats["n_sellers"]
    stats["exposure"] = [("all" if s == 1 else "none" if s == 0 else "mixed")
                         for s in stats["share"]]
    return stats


def test_graph_has_requested_degrees_and_no_duplicates():
    p = _small()
    g = bm.build_graph(p, np.random.default_rng(0))
    degree = np.asarray(g.sum(axis=1)).ravel()
    assert degree.min() >= 1 and degree.max() <= 5
    assert g.max() == 1  # no duplicated buyer-seller links


def test_buyer_exposure_matches_pandas_reference():
    p = _small()
    rng = np.random.default_rng(1)
    g = bm.build_graph(p, rng)
    t = (rng.random(p.n_sellers) < 0.5).astype(int)
    fast = bm.buyer_exposure(g, t).to_frame()
    coo = g.tocoo()
    edges = pd.DataFrame({"buyer_id": coo.row, "seller_id": coo.col})
    ref = reference_exposure(edges, pd.Series(t, index=np.arange(p.n_sellers)))
    ref = ref.sort_values("buyer_id").reset_index(drop=True)
    np.testing.assert_array_equal(fast["n_sellers"], ref["n_sellers"])
    np.testing.assert_array_equal(fast["n_treated"], ref["n_treated"])
    np.testing.assert_allclose(fast["share_treated"], ref["share"])
    assert fast["exposure"].astype(str).tolist() == ref["exposure"].tolist()


def test_exposure_probabilities_match_rerandomization_frequencies():
    p = _small()
    rng = np.random.default_rng(2)
    g = bm.build_graph(p, rng)
    draws = (rng.random((4000, p.n_sellers)) < 0.3).astype(np.int8)
    exposure = bm.buyer_exposure(g, draws)
    freq = np.stack([(exposure.condition == k).mean(axis=0) for k in range(3)], axis=-1)
    probs = bm.exposure_probabilities(exposure.degree, 0.3)
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert np.abs(freq - probs).max() < 5 * np.sqrt(0.25 / 4000)


def test_overlap_variance_equals_brute_force_pair_sum():
    p = _small(n_sellers=40, n_buyers=200)
    rng = np.random.default_rng(3)
    g = bm.build_graph(p, rng)
    psi = rng.normal(size=(2, 200))
    shared = (g @ g.T).toarray()  # number of sellers each buyer pair shares
    np.fill_diagonal(shared, 1.0)  # each buyer's own term once
    brute = np.einsum("ri,ij,rj->r", psi, shared, psi)
    np.testing.assert_allclose(be.overlap_variance(g, psi), brute, rtol=1e-10)


def test_hajek_recovers_truths_and_naive_contrast_is_confounded():
    p = bm.BipartiteParams.from_config(BIP_CFG)
    rngs = [np.random.default_rng(s) for s in np.random.SeedSequence(BIP_CFG["seed"]).spawn(3)]
    g = bm.build_graph(p, rngs[0])
    t = (rngs[1].random(p.n_sellers) < p.treat_p).astype(int)
    exposure = bm.buyer_exposure(g, t)
    y = bm.simulate_outcomes(g, exposure, p, rngs[2])
    est = be.bipartite_estimates(g, exposure, y, p).set_index(["estimand", "estimator",
                                                               "se_type"])
    for estimand, truth in (("direct", 0.8), ("indirect", 0.3), ("total", 0.8)):
        row = est.loc[(estimand, "Hájek (design exposure probabilities)", "seller-overlap")]
        assert row["ci_lower"] <= truth <= row["ci_upper"]
    naive_indirect = est.loc[("indirect", "Difference in exposure-group means", "seller-overlap")]
    assert naive_indirect["ci_lower"] > 0.3 + 0.3  # degree confounding pushes it far up


def test_bipartite_montecarlo_seller_overlap_coverage_nominal_naive_below():
    # The default Monte Carlo world (2,000 sellers, 20,000 buyers). With only a few hundred
    # sellers the Hájek weights (up to 2**5) make the sandwich 5-10% too small: not tested here.
    mc_cfg = BIP_CFG["montecarlo"]
    p = _small(n_sellers=mc_cfg["n_sellers"], n_buyers=mc_cfg["n_buyers"])
    mc = be.bipartite_montecarlo(p, 1000, seed=mc_cfg["seed"]).set_index(["estimator", "target", "se_type"])
    hajek = "Hájek (design exposure probabilities)"
    for target, naive_ceiling in (("direct", 0.8), ("indirect", 0.9)):
        assert 0.92 <= mc.loc[(hajek, target, "seller-overlap"), "coverage"] <= 0.98
        assert mc.loc[(hajek, target, "naive"), "coverage"] < naive_ceiling
    assert abs(mc.loc[(hajek, "indirect", "seller-overlap"), "bias"]) < 0.02


def test_bipartite_errors():
    with pytest.raises(ValueError, match="min_sellers_per_buyer"):
        bm.BipartiteParams(min_sellers_per_buyer=4, max_sellers_per_buyer=2)
    g = bm.build_graph(_small(), np.random.default_rng(0))
    with pytest.raises(ValueError, match="seller_treatment has"):
        bm.buyer_exposure(g, np.zeros(5, dtype=int))


# -- design guide, checklist and diagrams ------------------------------------------------------

def test_guides_are_complete_tidy_tables():
    from analysis import guides

    design = guides.design_guide()
    assert design.notna().all().all() and design["design"].is_unique
    assert {"Cluster randomization", "Randomized saturation design"} <= set(design["design"])
    checklist = guides.diagnostic_checklist()
    assert checklist["step"].tolist() == list(range(1, len(checklist) + 1))
    glossary = guides.estimand_glossary()
    assert glossary["notation"].tolist()[:2] == ["DE(ψ)", "IE(0; ψ₁, ψ₀)"]


def test_diagrams_have_the_expected_edges_and_render():
    from analysis import diagrams

    dag = diagrams.interference_dag(3)
    source = dag.source
    assert source.count("label=direct") == 3 and source.count("label=spillover") == 6
    partial = diagrams.partial_interference_diagram((3, 4))
    # within-group pairs: 3 + 6, plus one dotted "no spillover" link
    assert partial.source.count("dir=both") == 9
    assert partial.source.count("no spillover assumed") == 1
    svg = diagrams.bipartite_diagram().pipe(format="svg")
    assert svg.startswith(b"<?xml") and b"exposure: mixed" in svg
    with pytest.raises(ValueError, match="n_units must be >= 2"):
        diagrams.interference_dag(1)


def test_checklist_examples_carry_no_build_specific_counts():
    # The checklist is the same in every build, so it must not quote one build's team counts.
    from analysis import guides

    examples = guides.diagnostic_checklist()["example"]
    assert not examples.str.contains(r"\d", regex=True).any()
