"""Figures for the teams world."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.style import FULL_WIDTH, PALETTE, PANEL_WIDTH, legend_below, new_figure
from analysis.worlds import teams

__all__ = ["direct_by_saturation_figure", "saturation_figure"]


def saturation_figure(frame: pd.DataFrame, params: teams.TeamsParams) -> Figure:
    """Left: realized peer saturation by assigned team saturation (boxplots). Right: mean outcome
    of treated and untreated workers by assigned saturation, with the analytic ``E[Y(a, ψ)]``."""
    for column in ("assigned_saturation", "peer_saturation", "A", "Y"):
        if column not in frame.columns:
            raise KeyError(f"saturation_figure needs column {column!r}")
    levels = sorted(frame["assigned_saturation"].unique())
    fig, (left, right) = new_figure(FULL_WIDTH, 4.0, ncols=2)
    data = [frame.loc[frame["assigned_saturation"] == s, "peer_saturation"].to_numpy()
            for s in levels]
    left.boxplot(data, positions=range(len(levels)), widths=0.5, patch_artist=True,
                 boxprops={"facecolor": PALETTE["light"], "edgecolor": PALETTE["neutral"]},
                 medianprops={"color": PALETTE["spillover"]})
    left.set_xticks(range(len(levels)), [f"{s:.0%}" for s in levels])
    left.set_xlabel("Assigned team saturation")
    left.set_ylabel("Realized peer saturation")
    left.grid(axis="x", visible=False)

    grid = np.linspace(min(levels), max(levels), 50)
    means = frame.groupby(["assigned_saturation", "A"])["Y"].mean().unstack("A")
    for a, colour, name in ((1, PALETTE["treated"], "treated"), (0, PALETTE["control"],
                                                                  "untreated")):
        right.plot(means.index, means[a], "o", color=colour, label=f"Observed mean, {name}")
        right.plot(grid, [teams.potential_outcome_mean(a, s, params) for s in grid], "-",
                   color=colour, alpha=0.8, label=f"Model E[Y({a}, ψ)], {name}")
    right.set_xlabel("Assigned team saturation ψ")
    right.set_ylabel("Outcome")
    legend_below(fig, right, ncol=2)
    return fig


def direct_by_saturation_figure(table: pd.DataFrame) -> Figure:
    """Estimated DE(ψ) (two methods, 95% CIs) against the analytic line, interaction world."""
    for column in ("saturation", "method", "estimate", "ci_lower", "ci_upper", "truth"):
        if column not in table.columns:
            raise KeyError(f"direct_by_saturation_figure needs column {column!r}")
    fig, ax = new_figure(PANEL_WIDTH, 3.8)
    methods = list(dict.fromkeys(table["method"]))
    colours = [PALETTE["treated"], PALETTE["accent"]]
    for k, method in enumerate(methods):
        part = table[table["method"] == method]
        x = part["saturation"].to_numpy() + (k - 0.5) * 0.025
        ax.errorbar(x, part["estimate"], yerr=[part["estimate"] - part["ci_lower"],
                                               part["ci_upper"] - part["estimate"]],
                    fmt="o", capsize=3, color=colours[k % 2], label=method)
    truth = table.drop_duplicates("saturation").sort_values("saturation")
    ax.plot(truth["saturation"], truth["truth"], "-", color=PALETTE["truth"],
            label="Analytic DE(ψ)")
    ax.axhline(0, color=PALETTE["neutral"], linewidth=0.8)
    ax.set_xlabel("Assigned team saturation ψ")
    ax.set_ylabel("Direct effect DE(ψ)")
    legend_below(fig, ax, ncol=3)
    return fig
