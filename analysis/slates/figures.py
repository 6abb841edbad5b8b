"""Figures of the slate experiment: each takes a tidy table and returns a matplotlib Figure.

No figure computes an estimate; they draw columns of the artifact tables. Styling comes from
:mod:`analysis.report.style`, reader words from :mod:`analysis.report.labels`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from analysis.report.labels import heading, label
from analysis.report.style import FULL_WIDTH, PALETTE, PANEL_WIDTH, legend_below, new_figure
from analysis.slates.contrasts import CONTRASTS
from analysis.slates.exposure_mapping import EXPOSURE_GROUPS

#: The outcome views in the order figures show them, with their colours.
VIEW_COLORS: dict[str, str] = {
    "observed_clicks": PALETTE["treated"],
    "expected_probability": PALETTE["accent"],
    "known_lift": PALETTE["truth"],
}
CONTRAST_LABELS: dict[str, str] = {c.name: c.label for c in CONTRASTS}


def _zero_line(ax, vertical: bool = True) -> None:
    (ax.axvline if vertical else ax.axhline)(0, color=PALETTE["neutral"], linewidth=1)


def _sign_colors(values: np.ndarray) -> list[str]:
    return [PALETTE["treated"] if v >= 0 else PALETTE["spillover"] for v in values]


def focal_position_figure(slates: pd.DataFrame) -> Figure:
    """Number of slates per focal seed position, promoted vs control."""
    counts = (slates.groupby(["focal_seed_position", "assignment_arm"]).size()
              .unstack(fill_value=0).reindex(columns=["promoted", "control"], fill_value=0))
    fig, ax = new_figure(PANEL_WIDTH, 3.4)
    x = np.arange(len(counts))
    ax.bar(x - 0.2, counts["promoted"], width=0.4, color=PALETTE["treated"], label="Promoted")
    ax.bar(x + 0.2, counts["control"], width=0.4, color=PALETTE["control"], label="Control")
    ax.set_xticks(x, [str(p) for p in counts.index])
    ax.set_xlabel("Focal movie's seed position (before promotion)")
    ax.set_ylabel("Slates")
    ax.grid(axis="x", visible=False)
    legend_below(fig, ax, ncol=2)
    return fig


def position_change_figure(exposure: pd.DataFrame) -> Figure:
    """Box plots of final minus seed position by exposure group (one row per group)."""
    data = [exposure.loc[exposure["exposure_group"] == g, "position_change"].to_numpy()
            for g in EXPOSURE_GROUPS]
    fig, ax = new_figure(FULL_WIDTH, 3.8)
    y = np.arange(1, len(data) + 1)
    ax.boxplot(data, positions=y, orientation="horizontal", showfliers=False, widths=0.55,
               medianprops={"color": PALETTE["spillover"], "linewidth": 2})
    means = [d.mean() if d.size else np.nan for d in data]
    ax.scatter(means, y, color=PALETTE["treated"], zorder=3, label="Mean")
    ax.set_yticks(y, [heading(g) for g in EXPOSURE_GROUPS])
    ax.invert_yaxis()
    _zero_line(ax)
    ax.set_xlabel("Final minus seed position (negative: moved up)")
    legend_below(fig, ax, ncol=2)
    return fig


def cluster_spillover_figure(support: pd.DataFrame) -> Figure:
    """Same-cluster spillover rows and promoted slates per focal spillover cluster."""
    data = support.sort_values("same_cluster_spillover_rows")
    fig, ax = new_figure(PANEL_WIDTH, 3.6)
    y = np.arange(len(data))
    ax.barh(y, data["same_cluster_spillover_rows"], color=PALETTE["spillover"],
            label="Same-cluster competitors exposed (rows)")
    ax.scatter(data["promoted_slates"], y, color=PALETTE["treated"], zorder=3,
               label="Promoted slates")
    ax.set_yticks(y, [heading(c) for c in data["focal_spillover_cluster"]])
    ax.set_xlabel("Rows (bars) or slates (points)")
    ax.grid(axis="y", visible=False)
    legend_below(fig, ax, ncol=1)
    return fig


def outcomes_by_group_figure(shares: pd.DataFrame) -> Figure:
    """Click rate and mean known lift per exposure group (a sanity check, not an estimate)."""
    data = shares.set_index("exposure_group").reindex(list(EXPOSURE_GROUPS))
    fig, (left, right) = new_figure(FULL_WIDTH, 3.4, ncols=2, sharey=True)
    y = np.arange(len(data))
    left.barh(y, data["click_rate"], color=PALETTE["neutral"])
    left.set_yticks(y, [heading(g) for g in data.index])
    left.invert_yaxis()
    left.set_xlabel("Observed click rate")
    right.barh(y, data["mean_known_lift"], color=_sign_colors(data["mean_known_lift"].to_numpy()))
    _zero_line(right)
    right.set_xlabel("Mean known probability lift")
    right.xaxis.set_major_locator(MaxNLocator(4))
    for ax in (left, right):
        ax.grid(axis="y", visible=False)
    return fig


def known_lift_figure(slates: pd.DataFrame) -> Figure:
    """Histogram of the slate-level known lift in promoted slates (control slates are all zero)."""
    promoted = slates.loc[slates["promotion_applied"] == 1, "known_lift_total"].to_numpy()
    n_control = int((slates["promotion_applied"] == 0).sum())
    fig, ax = new_figure(PANEL_WIDTH, 3.6)
    ax.hist(promoted, bins=40, color=PALETTE["treated"], alpha=0.85, label="Promoted slates")
    ax.axvline(0, color=PALETTE["control"], linewidth=3,
               label=f"Control slates ({n_control:,}, all exactly 0)")
    ax.axvline(promoted.mean(), color=PALETTE["spillover"], linestyle="--",
               label=f"Promoted mean ({promoted.mean():+.3f})".replace("-", "−"))
    ax.set_xlabel("Known net lift: sum of item probability changes in the slate")
    ax.set_ylabel("Slates")
    legend_below(fig, ax, ncol=2)
    return fig


def _interval_panel(ax, data: pd.DataFrame, label_col: str, color: str) -> None:
    y = np.arange(len(data))
    ax.errorbar(data["estimate"], y,
                xerr=[data["estimate"] - data["ci_lower"], data["ci_upper"] - data["estimate"]],
                fmt="o", color=color, ecolor=color, elinewidth=2.5, capsize=4)
    ax.set_yticks(y, data[label_col])
    ax.set_ylim(len(data) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    _zero_line(ax)


def _stacked_item_slate(height: float, n_items: int) -> tuple[Figure, np.ndarray]:
    """Two stacked panels: item-level contrasts above, the slate total below."""
    return new_figure(FULL_WIDTH, height, nrows=2,
                      gridspec_kw={"height_ratios": [max(n_items, 1), 1.6]})


def effects_ci_figure(effects: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Estimates with 95% slate-clustered intervals: item-row contrasts and the slate total."""
    data = effects[effects["view"] == view]
    items, slate = data[data["unit"] == "item"], data[data["unit"] == "slate"]
    fig, (top, bottom) = _stacked_item_slate(4.2, len(items))
    _interval_panel(top, items, "contrast_label", PALETTE["treated"])
    top.set_xlabel("Effect on click probability per movie")
    _interval_panel(bottom, slate, "contrast_label", PALETTE["spillover"])
    bottom.set_xlabel("Effect on clicks per slate")
    return fig


def estimate_vs_truth_figure(effects: pd.DataFrame) -> Figure:
    """Each contrast under the three outcome views, with the known estimand as a diamond."""
    n_items = effects.loc[effects["unit"] == "item", "contrast"].nunique()
    fig, axes = _stacked_item_slate(5.2, n_items)
    for ax, unit in zip(axes, ("item", "slate"), strict=True):
        data = effects[effects["unit"] == unit]
        contrasts = list(dict.fromkeys(data["contrast"]))
        for k, view in enumerate(VIEW_COLORS):
            part = data[data["view"] == view].set_index("contrast").reindex(contrasts)
            y = np.arange(len(contrasts)) + (k - 1) * 0.22
            ax.errorbar(part["estimate"], y, xerr=[part["estimate"] - part["ci_lower"],
                                                   part["ci_upper"] - part["estimate"]],
                        fmt="o", color=VIEW_COLORS[view], capsize=3, label=label(view))
        truth = data.drop_duplicates("contrast").set_index("contrast").reindex(contrasts)["truth"]
        ax.scatter(truth, np.arange(len(contrasts)), marker="D", color="black", zorder=4,
                   label="Known estimand")
        ax.set_yticks(np.arange(len(contrasts)), [CONTRAST_LABELS[c] for c in contrasts])
        ax.set_ylim(len(contrasts) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        _zero_line(ax)
    axes[0].set_xlabel("Effect per movie")
    axes[1].set_xlabel("Effect per slate")
    legend_below(fig, axes[0], ncol=2, last=("Known estimand",))
    return fig


def se_comparison_figure(effects: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Naive (Welch) versus slate-clustered standard errors, with their ratio."""
    data = effects[effects["view"] == view]
    return _paired_se_bars(
        data, ("naive_se", "Naive (rows independent)"), ("cluster_se", "Clustered by slate"),
        [f" ×{ratio:.2f}" for ratio in data["se_ratio"]],
        "Standard error (log scale); label: clustered ÷ naive", height=3.8)


def bootstrap_figure(draws: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """One histogram of slate-bootstrap estimates per contrast, with the percentile interval."""
    contrasts = list(dict.fromkeys(summary["contrast"]))
    ncols = 2
    nrows = max(1, -(-len(contrasts) // ncols))
    fig, axes = new_figure(FULL_WIDTH, 2.1 * nrows + 0.6, nrows=nrows, ncols=ncols)
    # room between rows: a panel's title would otherwise sit on the tick labels above it
    fig.get_layout_engine().set(hspace=0.08)
    flat = np.atleast_1d(axes).ravel()
    for ax, name in zip(flat, contrasts, strict=False):
        values = draws.loc[draws["contrast"] == name, "estimate"].to_numpy()
        row = summary[summary["contrast"] == name].iloc[0]
        ax.hist(values[np.isfinite(values)], bins=35, color=PALETTE["treated"], alpha=0.85,
                label="Bootstrap estimates")
        ax.axvline(0, color=PALETTE["neutral"], linewidth=1)
        ax.axvline(row["ci_lower"], color=PALETTE["spillover"], linestyle="--", linewidth=1.2,
                   label="95% percentile interval")
        ax.axvline(row["ci_upper"], color=PALETTE["spillover"], linestyle="--", linewidth=1.2)
        ax.set_title(CONTRAST_LABELS[name])
        ax.xaxis.set_major_locator(MaxNLocator(5))
    for ax in flat[len(contrasts):]:
        ax.axis("off")
    fig.supxlabel("Bootstrap estimate of the effect", fontsize=11)
    fig.supylabel("Replicates", fontsize=11)
    if len(contrasts) < flat.size:  # the legend in the empty panel
        flat[-1].legend(*flat[0].get_legend_handles_labels(), loc="center")
    else:
        legend_below(fig, flat[0], ncol=2)
    return fig


def decomposition_figure(decomposition: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Direct, indirect and total effects per 1,000 promoted slates with 95% intervals."""
    data = decomposition[decomposition["view"] == view]
    fig, ax = new_figure(FULL_WIDTH, 3.2)
    y = np.arange(len(data))
    est = data["estimate_per_1000"].to_numpy()
    ax.barh(y, est, color=_sign_colors(est))
    ax.errorbar(est, y, xerr=[est - data["ci_lower_per_1000"], data["ci_upper_per_1000"] - est],
                fmt="none", ecolor="black", capsize=4)
    ax.set_yticks(y, data["label"])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    _zero_line(ax)
    ax.set_xlabel(f"Change in {label(view).lower()} per 1,000 promoted slates")
    return fig


def decomposition_compare_figure(decomposition: pd.DataFrame) -> Figure:
    """Observed-click decomposition next to the known-lift decomposition (per 1,000 slates)."""
    views = ["observed_clicks", "known_lift"]
    labels = list(dict.fromkeys(decomposition["label"]))
    fig, ax = new_figure(FULL_WIDTH, 3.6)
    y = np.arange(len(labels))
    for k, view in enumerate(views):
        part = decomposition[decomposition["view"] == view].set_index("label").reindex(labels)
        est = part["estimate_per_1000"].to_numpy()
        ax.barh(y + (k - 0.5) * 0.38, est, height=0.38, color=VIEW_COLORS[view],
                label=label(view))
        ax.errorbar(est, y + (k - 0.5) * 0.38,
                    xerr=[est - part["ci_lower_per_1000"], part["ci_upper_per_1000"] - est],
                    fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    _zero_line(ax)
    ax.set_xlabel("Effect per 1,000 promoted slates")
    legend_below(fig, ax, ncol=2)
    return fig


def sensitivity_figure(sensitivity: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Spillover estimate under each definition with clustered 95% CI and the known estimand."""
    data = sensitivity[sensitivity["view"] == view]
    fig, ax = new_figure(FULL_WIDTH, 4.2)
    y = np.arange(len(data))
    ax.errorbar(data["estimate"], y, xerr=[data["estimate"] - data["ci_lower"],
                                           data["ci_upper"] - data["estimate"]],
                fmt="o", color=PALETTE["spillover"], elinewidth=2.5, capsize=4,
                label="Estimate, 95% CI")
    ax.scatter(data["truth"], y, marker="D", color="black", zorder=4, label="Known estimand")
    ax.set_yticks(y, [f"{lab}\n({rows:,} rows, {sl:,} slates)" for lab, rows, sl in
                      zip(data["label"], data["rows"], data["slates"], strict=True)])
    ax.invert_yaxis()
    ax.grid(axis="y", visible=False)
    _zero_line(ax)
    ax.set_xlabel("Effect of promotion on a competitor's click probability")
    legend_below(fig, ax, ncol=2, last=("Known estimand",))
    return fig


def risk_position_figure(risk: pd.DataFrame) -> Figure:
    """Known net lift per promoted slate and observed total effect, by focal-position bucket."""
    fig, ax = new_figure(PANEL_WIDTH, 3.6)
    x = np.arange(len(risk))
    ax.bar(x - 0.2, risk["known_total_lift"], width=0.4, color=PALETTE["truth"],
           label="Known net lift (promoted slates)")
    est = risk["observed_total_effect"].to_numpy()
    ax.errorbar(x + 0.2, est, yerr=[est - risk["ci_lower"], risk["ci_upper"] - est], fmt="o",
                color=PALETTE["treated"], capsize=4, label="Observed total effect, 95% CI")
    ax.set_xticks(x, [str(s).replace("-", "–") for s in risk["segment"]])
    ax.grid(axis="x", visible=False)
    _zero_line(ax, vertical=False)
    ax.set_xlabel("Focal movie's seed position")
    ax.set_ylabel("Clicks per slate")
    legend_below(fig, ax, ncol=1)
    return fig


def cluster_heterogeneity_figure(heterogeneity: pd.DataFrame) -> Figure:
    """Direct and same-cluster spillover effects by focal cluster (supported clusters only)."""
    data = heterogeneity[(heterogeneity["dimension"] == "focal_cluster") & heterogeneity["supported"]]
    panels = [("direct_focal", PALETTE["treated"]), ("same_cluster_spillover", PALETTE["spillover"])]
    fig, axes = new_figure(FULL_WIDTH, 3.6, ncols=2, sharey=True)
    clusters = sorted(set(data["subgroup"]))
    for ax, (name, color) in zip(axes, panels, strict=True):
        part = data[data["contrast"] == name].set_index("subgroup").reindex(clusters)
        y = np.arange(len(clusters))
        ax.errorbar(part["estimate"], y, xerr=[part["estimate"] - part["ci_lower"],
                                               part["ci_upper"] - part["estimate"]],
                    fmt="o", color=color, elinewidth=2.5, capsize=4)
        ax.set_yticks(y, [heading(c) for c in clusters])
        ax.grid(axis="y", visible=False)
        ax.xaxis.set_major_locator(MaxNLocator(5))
        _zero_line(ax)
        ax.set_title(CONTRAST_LABELS[name])
        ax.set_xlabel("Effect on click probability")
    axes[0].invert_yaxis()
    return fig


def adjustment_figure(adjusted: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Unadjusted versus regression-adjusted clustered standard errors."""
    data = adjusted[adjusted["view"] == view]
    return _paired_se_bars(
        data, ("unadjusted_std_error", "Unadjusted"), ("std_error", "Regression-adjusted"),
        [f" −{100 * vr:.0f}% variance" for vr in data["variance_reduction"]],
        "Clustered standard error (log scale)", height=3.8)


def _paired_se_bars(data: pd.DataFrame, baseline: tuple[str, str], improved: tuple[str, str],
                    notes: list[str], xlabel: str, height: float) -> Figure:
    """Two standard errors per contrast as paired horizontal bars (log scale), the second one
    annotated; ``baseline``/``improved`` are ``(column, legend label)`` pairs."""
    fig, ax = new_figure(FULL_WIDTH, height)
    y = np.arange(len(data))
    ax.barh(y - 0.2, data[baseline[0]], height=0.4, color=PALETTE["control"], label=baseline[1])
    ax.barh(y + 0.2, data[improved[0]], height=0.4, color=PALETTE["treated"], label=improved[1])
    for yi, (se, note) in enumerate(zip(data[improved[0]], notes, strict=True)):
        ax.text(se, yi + 0.2, note, va="center", fontsize=10.5)
    ax.set_yticks(y, data["contrast_label"])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.margins(x=0.4)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel(xlabel)
    legend_below(fig, ax, ncol=2)
    return fig


def robustness_figure(seeds: pd.DataFrame, settings: pd.DataFrame) -> Figure:
    """Observed total effect across simulation seeds (top) and click-model settings (below)."""
    fig, axes = new_figure(FULL_WIDTH, 1.0 + 0.42 * (len(seeds) + len(settings)), nrows=2,
                           sharex=True,
                           gridspec_kw={"height_ratios": [len(seeds) + 0.6, len(settings) + 0.6]})
    panels = ((axes[0], seeds, [f"Seed {s}" for s in seeds["seed"]]),
              (axes[1], settings, [heading(s) for s in settings["setting"]]))
    for ax, data, ticks in panels:
        y = np.arange(len(data))
        est = data["observed_total"].to_numpy()
        ax.errorbar(est, y, xerr=[est - data["observed_total_ci_lower"],
                                  data["observed_total_ci_upper"] - est],
                    fmt="o", color=PALETTE["treated"], capsize=3,
                    label="Observed total effect, 95% CI")
        ax.scatter(data["truth_total"], y, marker="D", color="black", zorder=4,
                   label="Known total effect")
        ax.set_yticks(y, ticks)
        ax.set_ylim(len(data) - 0.5, -0.5)
        ax.grid(axis="y", visible=False)
        _zero_line(ax)
    axes[1].set_xlabel("Total effect on clicks per slate")
    legend_below(fig, axes[1], ncol=2, last=("Known total effect",))
    return fig


def randomization_figure(draws: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """Null distribution of each slate-level statistic under re-randomization, and the observed
    value (its p-value in the panel title)."""
    fig, axes = new_figure(FULL_WIDTH, 3.2, ncols=len(summary))
    for ax, (_, row) in zip(np.atleast_1d(axes), summary.iterrows(), strict=False):
        values = draws.loc[draws["outcome"] == row["outcome"], "statistic"].to_numpy()
        ax.hist(values[np.isfinite(values)], bins=35, color=PALETTE["control"],
                label="Re-randomized differences")
        ax.axvline(row["statistic"], color=PALETTE["spillover"], linewidth=2,
                   label="Observed difference")
        ax.set_title(f"{heading(row['outcome'])}\np = {row['p_value']:.3f}")
        ax.xaxis.set_major_locator(MaxNLocator(4))
    axes = np.atleast_1d(axes)
    axes[len(axes) // 2].set_xlabel("Difference in clicks per slate")
    legend_below(fig, axes, ncol=2)
    return fig
