"""Figure of the small-cluster coverage study: coverage against clusters per arm, per method."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.estimators.small_cluster_coverage import METHODS
from analysis.report.style import FULL_WIDTH, PALETTE, legend_below, new_figure

__all__ = ["small_cluster_coverage_figure"]

_COLOURS = ("spillover", "accent", "treated", "truth", "neutral")
_MARKERS = ("o", "s", "^", "v", "D")


def small_cluster_coverage_figure(study: pd.DataFrame) -> Figure:
    """Lines of coverage (±2 Monte Carlo SE) against clusters per arm (log scale)."""
    missing = {"clusters_per_arm", "method", "coverage", "mc_se", "nominal"} - set(study.columns)
    if missing:
        raise KeyError(f"small_cluster_coverage_figure needs columns {sorted(missing)}")
    level = float(study["nominal"].iloc[0])
    fig, ax = new_figure(FULL_WIDTH, 5.2)
    for k, method in enumerate(METHODS):
        part = study[study["method"] == method].sort_values("clusters_per_arm")
        jitter = 1 + 0.025 * (k - 2)
        ax.errorbar(part["clusters_per_arm"].to_numpy() * jitter, part["coverage"],
                    yerr=2 * part["mc_se"], marker=_MARKERS[k], capsize=2, linewidth=1.4,
                    color=PALETTE[_COLOURS[k]], label=method)
    ax.axhline(level, color="#1a202c", linestyle="--", linewidth=1, label=f"Nominal {level:.0%}")
    ticks = np.sort(study["clusters_per_arm"].unique())
    ax.set_xscale("log")
    ax.set_xticks(ticks, [str(int(t)) for t in ticks])
    ax.minorticks_off()
    ax.set_xlabel("Clusters per arm (log scale)")
    ax.set_ylabel(f"Coverage of the {level:.0%} interval")
    legend_below(fig, ax, ncol=2)
    return fig
