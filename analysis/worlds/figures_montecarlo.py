"""Figures shared by the worlds: estimates against the truth, and Monte Carlo coverage.

Both draw one row per estimate; with a ``panel`` column the rows are split into stacked panels
(one per value, titled with it, in order of appearance) that share the horizontal axis.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from analysis.report.labels import label_text
from analysis.report.style import FULL_WIDTH, PALETTE, SERIES, legend_below, new_figure

__all__ = ["coverage_figure", "estimates_vs_truth_figure"]

#: Height per row of a row-per-estimate figure (two-line tick labels fit).
ROW_HEIGHT = 0.5


def _require(df: pd.DataFrame, columns: list[str], what: str) -> None:
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise KeyError(f"{what} needs columns {missing}; has {list(df.columns)}")


def _panels(df: pd.DataFrame, label: str, panel: str | None,
            extra_height: float) -> tuple[Figure, list[tuple[Axes, pd.DataFrame, list[str]]]]:
    """Stacked panels (one per ``panel`` value), each with its rows (unique ``label`` values)."""
    groups = ([(None, df)] if panel is None
              else [(name, df[df[panel] == name]) for name in dict.fromkeys(df[panel])])
    rows = [list(dict.fromkeys(part[label])) for _, part in groups]
    fig, axes = new_figure(FULL_WIDTH, ROW_HEIGHT * sum(map(len, rows)) + extra_height
                           + 0.35 * (len(groups) - 1), nrows=len(groups), sharex=True,
                           gridspec_kw={"height_ratios": [len(r) + 0.4 for r in rows]})
    axes = list(np.atleast_1d(axes))
    for ax, (name, _), names in zip(axes, groups, rows, strict=True):
        ax.set_yticks(np.arange(len(names)), names)
        ax.set_ylim(len(names) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        if name is not None and len(groups) > 1:
            ax.set_title(str(name), loc="left")
    return fig, [(ax, part, names) for ax, (_, part), names in zip(axes, groups, rows, strict=True)]


def estimates_vs_truth_figure(df: pd.DataFrame, label: str, panel: str | None = None,
                              xlabel: str = "Effect") -> Figure:
    """Horizontal interval plot: one row per estimate (``label`` column), its CI, and the true
    value of its target as a diamond."""
    _require(df, [label, "estimate", "ci_lower", "ci_upper", "truth"], "estimates_vs_truth_figure")
    fig, panels = _panels(df, label, panel, extra_height=1.3)
    for ax, part, names in panels:
        y = np.array([names.index(v) for v in part[label]])
        ax.errorbar(part["estimate"], y, xerr=[part["estimate"] - part["ci_lower"],
                                               part["ci_upper"] - part["estimate"]],
                    fmt="o", color=PALETTE["treated"], ecolor="#90cdf4", elinewidth=3,
                    capsize=3, label="Estimate and 95% CI")
        ax.scatter(part["truth"], y, marker="D", s=48, facecolors="none",
                   edgecolors=PALETTE["truth"], linewidths=1.8, zorder=3,
                   label="True value of the target")
    panels[-1][0].set_xlabel(xlabel)
    legend_below(fig, panels[0][0], ncol=2, last=("True value of the target",))
    return fig


def coverage_figure(mc: pd.DataFrame, label: str, panel: str | None = None,
                    level: float = 0.95) -> Figure:
    """Coverage of every estimator's interval (rows) by SE type (colours), with +/- 2 Monte Carlo
    standard errors and the nominal level."""
    _require(mc, [label, "se_type", "coverage", "coverage_mc_se"], "coverage_figure")
    types = list(dict.fromkeys(mc["se_type"]))
    offsets = np.linspace(-0.18, 0.18, len(types)) if len(types) > 1 else np.zeros(1)
    colours = [PALETTE["spillover"], PALETTE["treated"], *SERIES[1:]]
    fig, panels = _panels(mc, label, panel, extra_height=1.5)
    for ax, part, names in panels:
        for k, se_type in enumerate(types):
            rows = part[part["se_type"] == se_type]
            if rows.empty:
                continue
            y = np.array([names.index(v) for v in rows[label]], dtype=float) + offsets[k]
            ok = rows["coverage"].notna().to_numpy()
            ax.errorbar(rows["coverage"].to_numpy()[ok], y[ok],
                        xerr=2 * rows["coverage_mc_se"].to_numpy()[ok], fmt="o",
                        color=colours[k % len(colours)], capsize=2,
                        label=f"SE: {label_text(se_type)}")
        ax.axvline(level, color=PALETTE["truth"], linestyle="--", linewidth=1,
                   label=f"Nominal {level:.0%}")
        ax.set_xlim(-0.02, 1.02)
    panels[-1][0].set_xlabel(f"Coverage of the {level:.0%} interval\n"
                             "(bars: ±2 Monte Carlo standard errors)")
    legend_below(fig, [ax for ax, _, _ in panels], ncol=3 if len(types) < 3 else 2,
                 last=(f"Nominal {level:.0%}",))
    return fig
