"""Figures for the search and bipartite marketplaces."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.labels import heading
from analysis.report.style import (
    FULL_WIDTH,
    PALETTE,
    PANEL_WIDTH,
    SEQUENTIAL,
    legend_below,
    new_figure,
)
from analysis.worlds import bipartite_marketplace as bm
from analysis.worlds import search_marketplace as sm

__all__ = ["bipartite_exposure_figure", "expansion_sweep_figure", "search_market_figure"]


def search_market_figure(items: pd.DataFrame, searches: pd.DataFrame, params: sm.SearchParams,
                         rng: np.random.Generator, max_points: int = 1500) -> Figure:
    """Left: item purchases by boost (boxplots). Right: search totals against the boosted share,
    with the fitted line and the true expected total ``E[D] (1 + expansion * share)``."""
    fig, (left, right) = new_figure(FULL_WIDTH, 3.8, ncols=2,
                                    gridspec_kw={"width_ratios": [1, 1.6]})
    groups = [items.loc[items["A"] == a, "purchases"].to_numpy() for a in (0, 1)]
    left.boxplot(groups, positions=[0, 1], widths=0.5, patch_artist=True, showfliers=False,
                 boxprops={"facecolor": PALETTE["light"], "edgecolor": PALETTE["neutral"]},
                 medianprops={"color": PALETTE["spillover"]})
    left.set_xticks([0, 1], ["Not boosted", "Boosted"])
    left.set_ylabel("Item purchases")
    left.set_title("Items")
    left.grid(axis="x", visible=False)

    shown = searches.iloc[np.sort(rng.choice(len(searches), size=min(max_points, len(searches)),
                                             replace=False))]
    jitter = rng.uniform(-0.02, 0.02, size=len(shown))
    right.scatter(shown["treated_share"] + jitter, shown["total_purchases"], s=6, alpha=0.3,
                  color=PALETTE["neutral"], label="Searches (sample)")
    slope, intercept = np.polyfit(searches["treated_share"], searches["total_purchases"], 1)
    grid = np.linspace(0, 1, 20)
    right.plot(grid, intercept + slope * grid, color=PALETTE["spillover"], label="OLS fit")
    mean_demand = params.demand_shape * params.demand_scale
    right.plot(grid, mean_demand * (1 + params.market_expansion * grid), "--",
               color=PALETTE["truth"], label="True expected total")
    right.set_xlabel("Share of items boosted in the search")
    right.set_ylabel("Total search purchases")
    right.set_title("Searches")
    legend_below(fig, right, ncol=3, markerscale=2)
    return fig


def expansion_sweep_figure(sweep: pd.DataFrame) -> Figure:
    """True platform lift, the naive extrapolation of item-level results and the search-level
    slope (95% CI) as market expansion grows."""
    fig, ax = new_figure(PANEL_WIDTH, 4.2)
    x = sweep["market_expansion"] * 100
    ax.plot(x, sweep["extrapolated_lift"], "o-", color=PALETTE["spillover"],
            label="Items per search × item-level difference")
    ax.fill_between(x, sweep["search_slope_ci_lower"], sweep["search_slope_ci_upper"],
                    color=PALETTE["light"], alpha=0.7, label="Search-level slope, 95% CI")
    ax.plot(x, sweep["search_slope"], "o", color=PALETTE["treated"], label="Search-level slope")
    ax.plot(x, sweep["platform_lift"], "D--", color=PALETTE["truth"], label="True platform lift")
    ax.set_xlabel("Market expansion from boosting every item (%)")
    ax.set_ylabel("Purchases per search")
    legend_below(fig, ax, ncol=2)
    return fig


def bipartite_exposure_figure(exposure: bm.BuyerExposure, counts: pd.DataFrame) -> Figure:
    """Left: distribution of buyers' share of treated sellers, by number of sellers. Right:
    buyers per exposure condition and number of sellers, observed (bars) versus expected under
    the design (black ticks)."""
    fig, (left, right) = new_figure(FULL_WIDTH, 4.4, ncols=2)
    degrees = np.unique(exposure.degree.astype(int))
    bins = np.linspace(0, 1, 11)
    for k, d in enumerate(degrees):
        left.hist(exposure.share_treated[exposure.degree == d], bins=bins, histtype="step",
                  linewidth=1.6, color=SEQUENTIAL[k % len(SEQUENTIAL)], label=str(d))
    left.set_xlabel("Share of the buyer's\nsellers that are treated")
    left.set_ylabel("Buyers")
    left.legend(title="Sellers per buyer", loc="upper center", ncol=len(degrees), columnspacing=0.8,
                handlelength=1.2, bbox_to_anchor=(0.5, -0.25))

    width = 0.27
    colours = {"none": PALETTE["control"], "mixed": PALETTE["accent"], "all": PALETTE["treated"]}
    for k, cond in enumerate(bm.CONDITIONS):
        part = counts[counts["exposure"] == cond].sort_values("n_sellers")
        x = part["n_sellers"].to_numpy() + (k - 1) * width
        right.bar(x, part["n_buyers"], width=width, color=colours[cond], label=heading(cond))
        right.plot(x, part["expected_buyers"], "k_", markersize=10)
    right.plot([], [], "k_", markersize=10, label="Expected")
    right.set_xlabel("Number of sellers\nthe buyer uses")
    right.set_ylabel("Buyers")
    right.grid(axis="x", visible=False)
    handles, names = right.get_legend_handles_labels()  # the bars first, "Expected" last
    order = sorted(range(len(names)), key=lambda i: names[i] == "Expected")
    right.legend([handles[i] for i in order], [names[i] for i in order], title="Exposure",
                 loc="upper center", ncol=4, columnspacing=0.8,
                 handlelength=1.2, bbox_to_anchor=(0.5, -0.25))
    return fig
