"""Estimates for the search marketplace: item-level contrasts versus search-level totals.

* Item level: treated-minus-control difference in item purchases, with a naive (Welch) SE and an
  SE clustered by search (items in one search share demand and compete for it).
* Naive extrapolation: ``items_per_search`` times the item-level difference, the platform lift a
  team would claim if every item's gain were new demand.
* Search level: OLS of total search purchases on the share of boosted items; the slope is the
  all-boosted-versus-none lift per search (exactly, because total demand is linear in the share).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import stats

from analysis.estimators import batched
from analysis.montecarlo import ReplicationSet, summary_table
from analysis.worlds import search_marketplace as sm

__all__ = ["crossover_expansion", "expansion_sweep", "search_summary", "search_estimates", "search_montecarlo"]


def _flat(sample: sm.SearchSample) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Item outcomes and treatment as ``(R, S*I)`` plus search ids ``(S*I,)``."""
    n_s, n_i = sample.purchases.shape[-2:]
    y = sample.purchases.reshape(-1, n_s * n_i)
    a = sample.treatment.reshape(-1, n_s * n_i)
    return y, a, np.repeat(np.arange(n_s), n_i)


def _fits(sample: sm.SearchSample) -> dict[str, batched.BatchedEstimates]:
    y, a, search = _flat(sample)
    n_i = sample.purchases.shape[-1]
    naive = batched.difference_in_means(y, a)
    clustered = batched.difference_in_means(y, a, clusters=search)
    totals = sample.purchases.sum(axis=-1).reshape(-1, sample.purchases.shape[-2])
    share = sample.treatment.mean(axis=-1).reshape(totals.shape)
    design = np.stack([np.ones_like(share), share], axis=-1)
    slope = batched.ols(totals, design, clusters=np.arange(totals.shape[1]))
    return {
        "item_naive": naive,
        "item_clustered": clustered,
        "extrapolated": batched.BatchedEstimates(n_i * clustered.estimate,
                                                 n_i * clustered.std_error),
        "search_slope": batched.BatchedEstimates(slope.estimate[:, 1], slope.std_error[:, 1]),
    }


_ROWS = [
    # key, quantity, estimator, se_type, target
    ("item_naive", "item_contrast", "Item-level difference in means", "naive",
     "Item-level contrast (reallocation + expansion)"),
    ("item_clustered", "item_contrast", "Item-level difference in means", "clustered by search",
     "Item-level contrast (reallocation + expansion)"),
    ("extrapolated", "naive_platform_extrapolation", "Items per search × item-level difference",
     "clustered by search", "Platform lift per search (all boosted vs none)"),
    ("search_slope", "search_level_slope", "Search totals on boosted share (OLS slope)",
     "heteroskedasticity-robust", "Platform lift per search (all boosted vs none)"),
]


def search_estimates(sample: sm.SearchSample, params: sm.SearchParams, item_truth: float,
                     level: float = 0.95) -> pd.DataFrame:
    """Tidy table of the four estimates of one experiment, each next to its true target."""
    if sample.purchases.ndim != 2:
        raise ValueError("search_estimates needs a single replication")
    fits = _fits(sample)
    z = stats.norm.ppf(0.5 + level / 2)
    lift = sm.platform_lift(params)
    rows = []
    for key, quantity, estimator, se_type, target in _ROWS:
        est, se = float(fits[key].estimate[0]), float(fits[key].std_error[0])
        truth = item_truth if quantity == "item_contrast" else lift
        rows.append({"quantity": quantity, "estimator": estimator, "se_type": se_type,
                     "target": target, "truth": truth, "estimate": est, "std_error": se,
                     "ci_lower": est - z * se, "ci_upper": est + z * se})
    sample_lift = float(np.mean(sample.total_all_treated - sample.total_none_treated))
    rows.append({"quantity": "sample_platform_lift", "estimator": "Known potential totals",
                 "se_type": "none", "target": "Platform lift per search (all boosted vs none)",
                 "truth": lift, "estimate": sample_lift, "std_error": 0.0,
                 "ci_lower": sample_lift, "ci_upper": sample_lift})
    return pd.DataFrame(rows)


def expansion_sweep(params: sm.SearchParams, expansions: Sequence[float], seed: int,
                    level: float = 0.95) -> pd.DataFrame:
    """Re-run the experiment at each market-expansion value with common random numbers.

    For each value: true platform lift, the item-level difference, its naive extrapolation, the
    search-level slope, and the share of the extrapolated lift that is real new demand.
    """
    if not expansions:
        raise ValueError("search_marketplace.expansion_sweep must list at least one value")
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for expansion in expansions:  # a handful of scenario values; each run is vectorised
        p = params.with_expansion(expansion)
        sample = sm.simulate(p, np.random.default_rng(seed))
        fits = _fits(sample)
        lift = sm.platform_lift(p)
        item = fits["item_clustered"]
        extrap = fits["extrapolated"]
        slope = fits["search_slope"]
        rows.append({
            "market_expansion": float(expansion),
            "platform_lift": lift,
            "item_difference": float(item.estimate[0]),
            "item_difference_se": float(item.std_error[0]),
            "extrapolated_lift": float(extrap.estimate[0]),
            "search_slope": float(slope.estimate[0]),
            "search_slope_ci_lower": float(slope.estimate[0] - z * slope.std_error[0]),
            "search_slope_ci_upper": float(slope.estimate[0] + z * slope.std_error[0]),
            "real_share_of_extrapolation": lift / float(extrap.estimate[0]),
        })
    return pd.DataFrame(rows)


def search_montecarlo(params: sm.SearchParams, n_reps: int, seed: int, item_truth: float,
                      level: float = 0.95) -> pd.DataFrame:
    """Bias/RMSE/coverage of the four estimators over ``n_reps`` vectorised replications."""
    if int(n_reps) != n_reps or n_reps < 2:
        raise ValueError(f"n_reps must be an integer >= 2, got {n_reps!r}")
    sample = sm.simulate(params, np.random.default_rng(seed), n_draws=int(n_reps))
    fits = _fits(sample)
    lift = sm.platform_lift(params)
    sets = []
    for key, quantity, estimator, se_type, target in _ROWS:
        truth = item_truth if quantity == "item_contrast" else lift
        sets.append(ReplicationSet(
            {"world": "search", "estimator": estimator, "target": target, "se_type": se_type},
            truth, fits[key].estimate, fits[key].std_error))
    return summary_table(sets, level=level)


def crossover_expansion(sweep: pd.DataFrame) -> float:
    """Market expansion at which the extrapolated item-level lift would equal the true platform
    lift, from straight-line fits of both against expansion over the sweep (an extrapolation when
    it lies beyond the sweep)."""
    x = sweep["market_expansion"].to_numpy()
    if np.unique(x).size < 2:
        return float("nan")
    b_ext, a_ext = np.polyfit(x, sweep["extrapolated_lift"], 1)
    b_true, a_true = np.polyfit(x, sweep["platform_lift"], 1)
    if np.isclose(b_true, b_ext):
        return float("nan")
    return float((a_ext - a_true) / (b_true - b_ext))


def search_summary(sample: sm.SearchSample, params: sm.SearchParams, item_truth: float,
                   item_truth_se: float) -> pd.DataFrame:
    """One-row overview: mean totals, boosted share, demand, and the two true targets."""
    searches = sample.search_frame()
    return pd.DataFrame([{
        "n_searches": params.n_searches, "items_per_search": params.items_per_search,
        "mean_total_purchases": float(searches["total_purchases"].mean()),
        "mean_treated_share": float(searches["treated_share"].mean()),
        "mean_base_demand": float(searches["base_demand"].mean()),
        "platform_lift": sm.platform_lift(params),
        "item_contrast_truth": item_truth, "item_contrast_truth_mc_se": item_truth_se,
        "market_expansion": params.market_expansion,
    }])
