"""Figures for the search and bipartite marketplaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.style import PALETTE, new_figure
from analysis.worlds import bipartite_marketplace as bm
from analysis.worlds import search_marketplace as sm

__all__ = ["bipartite_exposure_figure", "expansion_sweep_figure", "search_market_figure"]


def search_market_figure(items: pd.DataFrame, searches: pd.DataFrame, params: sm.SearchParams,
                         rng: np.random.Generator, max_points: int = 1500) -> Figure:
    """Left: item purchases by boost (boxplots). Right: search totals against the boosted share,
    with the fitted line and the true expected total ``E[D] (1 + expansion * share)``."""
    fig, (left, right) = new_figure(11, 4.2, ncols=2)
    groups = [items.loc[items["A"] == a, "purchases"].to_numpy() for a in (0, 1)]
    left.boxplot(groups, positions=[0, 1], widths=0.5, patch_artist=True, showfliers=False,
                 boxprops={"facecolor": "#bee3f8", "edgecolor": PALETTE["neutral"]},
                 medianprops={"color": PALETTE["spillover"]})
    left.set_xticks([0, 1], ["not boosted", "boosted"])
    left.set_ylabel("Item purchases")
    left.set_title("Boosted items look better item by item")

    shown = searches.iloc[np.sort(rng.choice(len(searches), size=min(max_points, len(searches)),
                                             replace=False))]
    jitter = rng.uniform(-0.02, 0.02, size=len(shown))
    right.scatter(shown["treated_share"] + jitter, shown["total_purchases"], s=6, alpha=0.3,
                  color=PALETTE["neutral"], label="searches (sample)")
    slope, intercept = np.polyfit(searches["treated_share"], searches["total_purchases"], 1)
    grid = np.linspace(0, 1, 20)
    right.plot(grid, intercept + slope * grid, color=PALETTE["spillover"], label="OLS fit")
    mean_demand = params.demand_shape * params.demand_scale
    right.plot(grid, mean_demand * (1 + params.market_expansion * grid), "--",
               color=PALETTE["truth"], label="true expected total")
    right.set_xlabel("Share of items boosted in the search")
    right.set_ylabel("Total search purchases")
    right.set_title("Total demand per search barely moves")
    right.legend(fontsize=8)
    fig.tight_layout()
    return fig


def expansion_sweep_figure(sweep: pd.DataFrame) -> Figure:
    """True platform lift, the naive extrapolation of item-level results and the search-level
    slope (95% CI) as market expansion grows."""
    fig, ax = new_figure(8, 4.4)
    x = sweep["market_expansion"] * 100
    ax.plot(x, sweep["extrapolated_lift"], "o-", color=PALETTE["spillover"],
            label="items per search x item-level difference")
    ax.fill_between(x, sweep["search_slope_ci_lower"], sweep["search_slope_ci_upper"],
                    color="#bee3f8", alpha=0.7, label="search-level slope, 95% CI")
    ax.plot(x, sweep["search_slope"], "o", color=PALETTE["treated"], label="search-level slope")
    ax.plot(x, sweep["platform_lift"], "D--", color=PALETTE["truth"], label="true platform lift")
    ax.set_xlabel("Market expansion from boosting every item (%)")
    ax.set_ylabel("Purchases per search")
    ax.set_title("Item-level results overstate platform lift at every expansion in the sweep")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig


def bipartite_exposure_figure(exposure: bm.BuyerExposure, counts: pd.DataFrame) -> Figure:
    """Left: distribution of buyers' share of treated sellers, by number of sellers. Right:
    buyers per exposure condition and number of sellers, observed (bars) versus expected under
    the design (markers)."""
    fig, (left, right) = new_figure(11, 4.2, ncols=2)
    degrees = np.unique(exposure.degree.astype(int))
    bins = np.linspace(0, 1, 11)
    cmap = ["#bee3f8", "#90cdf4", "#4299e1", "#2b6cb0", "#1a365d", "#0b1f3a"]
    for k, d in enumerate(degrees):
        left.hist(exposure.share_treated[exposure.degree == d], bins=bins, histtype="step",
                  linewidth=1.6, color=cmap[k % len(cmap)], label=f"{d} seller{'s' if d > 1 else ''}")
    left.set_xlabel("Share of the buyer's sellers that are treated")
    left.set_ylabel("Buyers")
    left.set_title("Buyer exposure is a share, not a switch")
    left.legend(fontsize=8)

    width = 0.27
    colours = {"none": PALETTE["control"], "mixed": PALETTE["accent"], "all": PALETTE["treated"]}
    for k, cond in enumerate(bm.CONDITIONS):
        part = counts[counts["exposure"] == cond].sort_values("n_sellers")
        x = part["n_sellers"].to_numpy() + (k - 1) * width
        right.bar(x, part["n_buyers"], width=width, color=colours[cond], label=cond)
        right.plot(x, part["expected_buyers"], "k_", markersize=10)
    right.set_xlabel("Number of sellers the buyer uses")
    right.set_ylabel("Buyers")
    right.set_title("All/none exposure gets rare as buyers use more sellers")
    right.legend(title="exposure (ticks: expected)", fontsize=8)
    fig.tight_layout()
    return fig
