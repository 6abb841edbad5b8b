"""Figures shared by the worlds: estimates against the truth, and Monte Carlo coverage."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.style import PALETTE, new_figure

__all__ = ["coverage_figure", "estimates_vs_truth_figure"]


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{what} needs columns {missing}; has {list(df.columns)}")


def estimates_vs_truth_figure(df: pd.DataFrame, label: str, title: str,
                              xlabel: str = "Effect") -> Figure:
    """Horizontal interval plot: one row per estimate (``label`` column), its CI, and the true
    value of its target as a diamond."""
    _require(df, [label, "estimate", "ci_lower", "ci_upper", "truth"], "estimates_vs_truth_figure")
    n = len(df)
    fig, ax = new_figure(8.5, 0.45 * n + 1.3)
    y = np.arange(n)[::-1]
    ax.errorbar(df["estimate"], y, xerr=[df["estimate"] - df["ci_lower"],
                                         df["ci_upper"] - df["estimate"]],
                fmt="o", color=PALETTE["treated"], ecolor="#90cdf4", elinewidth=3, capsize=3,
                label="Estimate and 95% CI")
    ax.scatter(df["truth"], y, marker="D", s=36, color=PALETTE["truth"], zorder=3,
               label="True value of the target")
    ax.set_yticks(y, df[label].tolist())
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    return fig


def coverage_figure(mc: pd.DataFrame, label: str, title: str, level: float = 0.95) -> Figure:
    """Coverage of every estimator's interval (rows) by SE type (colours), with +/- 2 Monte Carlo
    standard errors and the nominal level."""
    _require(mc, [label, "se_type", "coverage", "coverage_mc_se"], "coverage_figure")
    rows = list(dict.fromkeys(mc[label]))
    types = list(dict.fromkeys(mc["se_type"]))
    colours = [PALETTE["spillover"], PALETTE["treated"], PALETTE["accent"], PALETTE["neutral"]]
    fig, ax = new_figure(8.5, 0.42 * len(rows) + 1.4)
    base = np.arange(len(rows))[::-1].astype(float)
    offsets = np.linspace(-0.18, 0.18, len(types)) if len(types) > 1 else [0.0]
    for k, se_type in enumerate(types):
        part = mc[mc["se_type"] == se_type].set_index(label).reindex(rows)
        ok = part["coverage"].notna().to_numpy()
        ax.errorbar(part["coverage"].to_numpy()[ok], base[ok] + offsets[k],
                    xerr=2 * part["coverage_mc_se"].to_numpy()[ok], fmt="o",
                    color=colours[k % len(colours)], capsize=2, label=f"{se_type} SE")
    ax.axvline(level, color=PALETTE["truth"], linestyle="--", linewidth=1,
               label=f"nominal {level:.0%}")
    ax.set_yticks(base, rows)
    ax.set_xlim(-0.02, 1.02)
    ax.set_xlabel(f"Coverage of the {level:.0%} interval (bars: ±2 Monte Carlo SE)")
    ax.set_title(title)
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    return fig
