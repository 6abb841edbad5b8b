"""Figures of the practitioner studies: the give-up rule for cluster randomization and the
switchback washout trade-off. Each function takes tidy tables and returns a Figure."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import PercentFormatter

from analysis.report.style import PALETTE, PANEL_WIDTH, legend_below, new_figure

__all__ = ["give_up_figure", "switchback_figure"]


def give_up_figure(study: pd.DataFrame, rule: dict[str, float]) -> Figure:
    """Share of the total effect the cluster-randomized contrast misses, against the cut share."""
    fig, ax = new_figure(PANEL_WIDTH, 4.2)
    data = study.sort_values("cut_edge_share")
    ax.plot(data["cut_edge_share"], -data["predicted_bias"] / data["truth"], color=PALETTE["truth"],
            linewidth=1.5, label="Predicted from the outcome model")
    ax.errorbar(data["cut_edge_share"], -data["relative_bias"],
                yerr=2 * data["empirical_sd"] / data["n_reps"] ** 0.5 / data["truth"],
                fmt="o", color=PALETTE["treated"], markersize=5, capsize=2,
                label="Simulated (bars: two Monte Carlo SE)")
    ax.axhline(rule["max_relative_bias"], color=PALETTE["neutral"], linestyle=":",
               linewidth=1, label="Tolerated share missed")
    ax.axvline(rule["threshold"], color=PALETTE["spillover"], linestyle="--", linewidth=1,
               label="Give-up threshold")
    ax.xaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.yaxis.set_major_formatter(PercentFormatter(1.0, decimals=0))
    ax.set_xlabel("Share of edges cut by the partition")
    ax.set_ylabel("Share of the total effect missed")
    legend_below(fig, ax, ncol=2)
    return fig


def switchback_figure(study: pd.DataFrame) -> Figure:
    """Bias (simulated and analytic) and RMSE of the switchback estimate against washout."""
    fig, ax = new_figure(PANEL_WIDTH, 4.2)
    data = study.sort_values("washout")
    ax.plot(data["washout"], data["analytic_bias"].abs(), color=PALETTE["truth"], linewidth=1.5,
            label="Absolute bias, analytic")
    ax.plot(data["washout"], data["bias"].abs(), "o", color=PALETTE["treated"], markersize=5,
            label="Absolute bias, simulated")
    ax.plot(data["washout"], data["rmse"], "s--", color=PALETTE["accent"], markersize=5,
            linewidth=1, label="RMSE, simulated")
    ax.set_xlabel("Washout periods dropped after each switch")
    ax.set_ylabel("Outcome units")
    ax.set_ylim(bottom=0)
    legend_below(fig, ax, ncol=3)
    return fig
