"""Figures of the slate experiment: each takes a tidy table and returns a matplotlib Figure.

No figure computes an estimate; they draw columns of the artifact tables. Styling comes from
:mod:`analysis.report.style`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.report.style import PALETTE, new_figure
from analysis.slates.contrasts import CONTRASTS
from analysis.slates.exposure_mapping import EXPOSURE_GROUPS

VIEW_LABELS: dict[str, str] = {
    "observed_clicks": "Observed clicks",
    "expected_probability": "Expected probability",
    "known_lift": "Known lift",
}
VIEW_COLORS: dict[str, str] = {
    "observed_clicks": PALETTE["treated"],
    "expected_probability": PALETTE["accent"],
    "known_lift": PALETTE["truth"],
}
GROUP_LABELS: dict[str, str] = {
    "direct_promoted": "Promoted focal",
    "focal_control": "Focal, control",
    "same_cluster_spillover": "Same-cluster spillover",
    "other_slate_spillover": "Other spillover",
    "unchanged_non_focal": "Non-focal, control",
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
    fig, ax = new_figure(8, 4)
    x = np.arange(len(counts))
    ax.bar(x - 0.2, counts["promoted"], width=0.4, color=PALETTE["treated"], label="Promoted")
    ax.bar(x + 0.2, counts["control"], width=0.4, color=PALETTE["control"], label="Control")
    ax.set_xticks(x, [str(p) for p in counts.index])
    ax.set_xlabel("Focal movie's seed position (before promotion)")
    ax.set_ylabel("Slates")
    ax.legend()
    return fig


def position_change_figure(exposure: pd.DataFrame) -> Figure:
    """Box plots of final minus seed position by exposure group."""
    data = [exposure.loc[exposure["exposure_group"] == g, "position_change"].to_numpy()
            for g in EXPOSURE_GROUPS]
    fig, ax = new_figure(8.5, 4.2)
    ax.boxplot(data, showfliers=False, widths=0.55,
               medianprops={"color": PALETTE["spillover"], "linewidth": 2})
    means = [d.mean() if d.size else np.nan for d in data]
    ax.scatter(np.arange(1, len(data) + 1), means, color=PALETTE["treated"], zorder=3, label="Mean")
    ax.set_xticks(np.arange(1, len(data) + 1), [GROUP_LABELS[g] for g in EXPOSURE_GROUPS], rotation=15)
    _zero_line(ax, vertical=False)
    ax.set_ylabel("Final minus seed position\n(negative = moved up)")
    ax.legend(loc="lower right")
    return fig


def cluster_spillover_figure(support: pd.DataFrame) -> Figure:
    """Same-cluster spillover rows and promoted slates per focal spillover cluster."""
    data = support.sort_values("same_cluster_spillover_rows")
    fig, ax = new_figure(8, 4)
    y = np.arange(len(data))
    ax.barh(y, data["same_cluster_spillover_rows"], color=PALETTE["spillover"],
            label="Same-cluster competitors exposed")
    ax.scatter(data["promoted_slates"], y, color=PALETTE["treated"], zorder=3, label="Promoted slates")
    ax.set_yticks(y, data["focal_spillover_cluster"])
    ax.set_xlabel("Rows (bars) / slates (points)")
    ax.legend(loc="lower right")
    return fig


def outcomes_by_group_figure(shares: pd.DataFrame) -> Figure:
    """Click rate and mean known lift per exposure group (a sanity check, not an estimate)."""
    data = shares.set_index("exposure_group").reindex(list(EXPOSURE_GROUPS))
    labels = [GROUP_LABELS[g] for g in data.index]
    fig, (left, right) = new_figure(10, 4.2, ncols=2)
    y = np.arange(len(data))
    left.barh(y, data["click_rate"], color=PALETTE["neutral"])
    left.set_yticks(y, labels)
    left.invert_yaxis()
    left.set_xlabel("Observed click rate")
    right.barh(y, data["mean_known_lift"], color=_sign_colors(data["mean_known_lift"].to_numpy()))
    right.set_yticks(y, [])
    right.invert_yaxis()
    _zero_line(right)
    right.set_xlabel("Mean known probability lift")
    return fig


def known_lift_figure(slates: pd.DataFrame) -> Figure:
    """Histogram of the slate-level known lift in promoted slates (control slates are all zero)."""
    promoted = slates.loc[slates["promotion_applied"] == 1, "known_lift_total"].to_numpy()
    n_control = int((slates["promotion_applied"] == 0).sum())
    fig, ax = new_figure(8, 4)
    ax.hist(promoted, bins=40, color=PALETTE["treated"], alpha=0.85, label="Promoted slates")
    ax.axvline(0, color=PALETTE["control"], linewidth=3,
               label=f"Control slates ({n_control}, all exactly 0)")
    ax.axvline(promoted.mean(), color=PALETTE["spillover"], linestyle="--",
               label=f"Promoted mean {promoted.mean():+.3f}")
    ax.set_xlabel("Known net lift: sum of item probability changes in the slate")
    ax.set_ylabel("Slates")
    ax.legend()
    return fig


def _interval_panel(ax, data: pd.DataFrame, label_col: str, color: str) -> None:
    y = np.arange(len(data))
    ax.errorbar(data["estimate"], y,
                xerr=[data["estimate"] - data["ci_lower"], data["ci_upper"] - data["estimate"]],
                fmt="o", color=color, ecolor=color, elinewidth=2.5, capsize=4)
    ax.set_yticks(y, data[label_col])
    ax.invert_yaxis()
    _zero_line(ax)


def effects_ci_figure(effects: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Estimates with 95% slate-clustered intervals: item-row contrasts and the slate total."""
    data = effects[effects["view"] == view]
    items, slate = data[data["unit"] == "item"], data[data["unit"] == "slate"]
    fig, (left, right) = new_figure(10, 3.8, ncols=2, gridspec_kw={"width_ratios": [2, 1]})
    _interval_panel(left, items, "contrast_label", PALETTE["treated"])
    left.set_xlabel("Effect on click probability per item")
    _interval_panel(right, slate, "contrast_label", PALETTE["spillover"])
    right.set_xlabel("Effect on clicks per slate")
    return fig


def estimate_vs_truth_figure(effects: pd.DataFrame) -> Figure:
    """Each contrast under the three outcome views, with the known estimand as a diamond."""
    fig, (left, right) = new_figure(10, 4.2, ncols=2, gridspec_kw={"width_ratios": [2, 1]})
    for ax, unit in ((left, "item"), (right, "slate")):
        data = effects[effects["unit"] == unit]
        contrasts = list(dict.fromkeys(data["contrast"]))
        for k, view in enumerate(VIEW_LABELS):
            part = data[data["view"] == view].set_index("contrast").reindex(contrasts)
            y = np.arange(len(contrasts)) + (k - 1) * 0.22
            ax.errorbar(part["estimate"], y, xerr=[part["estimate"] - part["ci_lower"],
                                                   part["ci_upper"] - part["estimate"]],
                        fmt="o", color=VIEW_COLORS[view], capsize=3, label=VIEW_LABELS[view])
        truth = data.drop_duplicates("contrast").set_index("contrast").reindex(contrasts)["truth"]
        ax.scatter(truth, np.arange(len(contrasts)), marker="D", color="black", zorder=4,
                   label="Known estimand")
        ax.set_yticks(np.arange(len(contrasts)), [CONTRAST_LABELS[c] for c in contrasts])
        ax.invert_yaxis()
        _zero_line(ax)
    left.set_xlabel("Effect per item")
    right.set_xlabel("Effect per slate")
    handles, labels = left.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=4, bbox_to_anchor=(0.5, 0.0))
    return fig


def se_comparison_figure(effects: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Naive (Welch) versus slate-clustered standard errors, with their ratio."""
    data = effects[effects["view"] == view]
    return _paired_se_bars(
        data, ("naive_se", "Naive (rows independent)"), ("cluster_se", "Clustered by slate"),
        [f"  x{ratio:.2f}" for ratio in data["se_ratio"]],
        "Standard error (log scale); label = clustered / naive", height=4)


def bootstrap_figure(draws: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """One histogram of slate-bootstrap estimates per contrast, with the percentile interval."""
    contrasts = list(dict.fromkeys(summary["contrast"]))
    fig, axes = new_figure(11, 6, nrows=2, ncols=3)
    flat = axes.ravel()
    for ax, name in zip(flat, contrasts, strict=False):
        values = draws.loc[draws["contrast"] == name, "estimate"].to_numpy()
        row = summary[summary["contrast"] == name].iloc[0]
        ax.hist(values[np.isfinite(values)], bins=35, color=PALETTE["treated"], alpha=0.85)
        ax.axvline(0, color=PALETTE["neutral"], linewidth=1)
        for bound in (row["ci_lower"], row["ci_upper"]):
            ax.axvline(bound, color=PALETTE["spillover"], linestyle="--", linewidth=1)
        ax.set_title(CONTRAST_LABELS[name], fontsize=9)
        ax.set_xlabel("Bootstrap estimate")
    for ax in flat[len(contrasts):]:
        ax.set_visible(False)
    fig.tight_layout()
    return fig


def decomposition_figure(decomposition: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Direct, indirect and total effects per 1,000 promoted slates with 95% intervals."""
    data = decomposition[decomposition["view"] == view]
    fig, ax = new_figure(8.5, 3.8)
    y = np.arange(len(data))
    est = data["estimate_per_1000"].to_numpy()
    ax.barh(y, est, color=_sign_colors(est))
    ax.errorbar(est, y, xerr=[est - data["ci_lower_per_1000"], data["ci_upper_per_1000"] - est],
                fmt="none", ecolor="black", capsize=4)
    ax.set_yticks(y, data["label"])
    ax.invert_yaxis()
    _zero_line(ax)
    ax.set_xlabel(f"Change in {VIEW_LABELS[view].lower()} per 1,000 promoted slates")
    return fig


def decomposition_compare_figure(decomposition: pd.DataFrame) -> Figure:
    """Observed-click decomposition next to the known-lift decomposition (per 1,000 slates)."""
    views = ["observed_clicks", "known_lift"]
    labels = list(dict.fromkeys(decomposition["label"]))
    fig, ax = new_figure(8.5, 4)
    y = np.arange(len(labels))
    for k, view in enumerate(views):
        part = decomposition[decomposition["view"] == view].set_index("label").reindex(labels)
        est = part["estimate_per_1000"].to_numpy()
        ax.barh(y + (k - 0.5) * 0.38, est, height=0.38, color=VIEW_COLORS[view], label=VIEW_LABELS[view])
        ax.errorbar(est, y + (k - 0.5) * 0.38,
                    xerr=[est - part["ci_lower_per_1000"], part["ci_upper_per_1000"] - est],
                    fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    _zero_line(ax)
    ax.set_xlabel("Effect per 1,000 promoted slates")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig


def sensitivity_figure(sensitivity: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Spillover estimate under each definition with clustered 95% CI and the known estimand."""
    data = sensitivity[sensitivity["view"] == view]
    fig, ax = new_figure(8.5, 4)
    y = np.arange(len(data))
    ax.errorbar(data["estimate"], y, xerr=[data["estimate"] - data["ci_lower"],
                                           data["ci_upper"] - data["estimate"]],
                fmt="o", color=PALETTE["spillover"], elinewidth=2.5, capsize=4, label="Estimate, 95% CI")
    ax.scatter(data["truth"], y, marker="D", color="black", zorder=4, label="Known estimand")
    ax.set_yticks(y, [f"{lab}\n({rows:,} rows, {sl:,} slates)" for lab, rows, sl in
                      zip(data["label"], data["rows"], data["slates"], strict=True)], fontsize=8)
    ax.invert_yaxis()
    _zero_line(ax)
    ax.set_xlabel("Effect of promotion on a competitor's click probability")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig


def risk_position_figure(risk: pd.DataFrame) -> Figure:
    """Known net lift per promoted slate and observed total effect, by focal-position bucket."""
    fig, ax = new_figure(8, 4)
    x = np.arange(len(risk))
    ax.bar(x - 0.2, risk["known_total_lift"], width=0.4, color=PALETTE["truth"],
           label="Known net lift (promoted slates)")
    est = risk["observed_total_effect"].to_numpy()
    ax.errorbar(x + 0.2, est, yerr=[est - risk["ci_lower"], risk["ci_upper"] - est], fmt="o",
                color=PALETTE["treated"], capsize=4, label="Observed total effect, 95% CI")
    ax.set_xticks(x, risk["segment"])
    _zero_line(ax, vertical=False)
    ax.set_xlabel("Focal movie's seed position")
    ax.set_ylabel("Clicks per slate")
    handles, labels = ax.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig


def cluster_heterogeneity_figure(heterogeneity: pd.DataFrame) -> Figure:
    """Direct and same-cluster spillover effects by focal cluster (supported clusters only)."""
    data = heterogeneity[(heterogeneity["dimension"] == "focal_cluster") & heterogeneity["supported"]]
    panels = [("direct_focal", PALETTE["treated"]), ("same_cluster_spillover", PALETTE["spillover"])]
    fig, axes = new_figure(10, 4, ncols=2, sharey=True)
    clusters = sorted(set(data["subgroup"]))
    for ax, (name, color) in zip(axes, panels, strict=True):
        part = data[data["contrast"] == name].set_index("subgroup").reindex(clusters)
        y = np.arange(len(clusters))
        ax.errorbar(part["estimate"], y, xerr=[part["estimate"] - part["ci_lower"],
                                               part["ci_upper"] - part["estimate"]],
                    fmt="o", color=color, elinewidth=2.5, capsize=4)
        ax.set_yticks(y, clusters)
        _zero_line(ax)
        ax.set_title(CONTRAST_LABELS[name], fontsize=10)
        ax.set_xlabel("Effect on click probability")
    axes[0].invert_yaxis()
    return fig


def adjustment_figure(adjusted: pd.DataFrame, view: str = "observed_clicks") -> Figure:
    """Unadjusted versus regression-adjusted clustered standard errors."""
    data = adjusted[adjusted["view"] == view]
    return _paired_se_bars(
        data, ("unadjusted_std_error", "Unadjusted"), ("std_error", "Regression-adjusted"),
        [f"  -{100 * vr:.0f}% variance" for vr in data["variance_reduction"]],
        "Clustered standard error (log scale)", height=3.8)


def _paired_se_bars(data: pd.DataFrame, baseline: tuple[str, str], improved: tuple[str, str],
                    notes: list[str], xlabel: str, height: float) -> Figure:
    """Two standard errors per contrast as paired horizontal bars (log scale), the second one
    annotated; ``baseline``/``improved`` are ``(column, legend label)`` pairs."""
    fig, ax = new_figure(8.5, height)
    y = np.arange(len(data))
    ax.barh(y - 0.2, data[baseline[0]], height=0.4, color=PALETTE["control"], label=baseline[1])
    ax.barh(y + 0.2, data[improved[0]], height=0.4, color=PALETTE["treated"], label=improved[1])
    for yi, (se, note) in enumerate(zip(data[improved[0]], notes, strict=True)):
        ax.text(se, yi + 0.2, note, va="center", fontsize=8)
    ax.set_yticks(y, data["contrast_label"])
    ax.invert_yaxis()
    ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.legend(loc="lower right")
    return fig


def robustness_figure(seeds: pd.DataFrame, settings: pd.DataFrame) -> Figure:
    """Observed total effect across simulation seeds (left) and outcome-model settings (right)."""
    fig, (left, right) = new_figure(12, 4.2, ncols=2,
                                    gridspec_kw={"width_ratios": [1, 1.3], "wspace": 0.55})
    for ax, data, label in ((left, seeds, "seed"), (right, settings, "setting")):
        y = np.arange(len(data))
        est = data["observed_total"].to_numpy()
        ax.errorbar(est, y, xerr=[est - data["observed_total_ci_lower"],
                                  data["observed_total_ci_upper"] - est],
                    fmt="o", color=PALETTE["treated"], capsize=3, label="Observed total, 95% CI")
        ax.scatter(data["truth_total"], y, marker="D", color="black", zorder=4, label="Known total")
        ax.set_yticks(y, data[label].astype(str))
        ax.invert_yaxis()
        _zero_line(ax)
        ax.set_xlabel("Total effect on clicks per slate")
    left.set_ylabel("Simulation seed")
    handles, labels = right.get_legend_handles_labels()
    fig.legend(handles, labels, loc="upper center", ncol=2, bbox_to_anchor=(0.5, 0.0))
    return fig


def randomization_figure(draws: pd.DataFrame, summary: pd.DataFrame) -> Figure:
    """Null distribution of the total-effect statistic under re-randomization, and the observed value."""
    fig, axes = new_figure(11, 3.6, ncols=3)
    for ax, (_, row) in zip(axes, summary.iterrows(), strict=False):
        values = draws.loc[draws["outcome"] == row["outcome"], "statistic"].to_numpy()
        ax.hist(values[np.isfinite(values)], bins=35, color=PALETTE["control"])
        ax.axvline(row["statistic"], color=PALETTE["spillover"], linewidth=2,
                   label=f"Observed, p = {row['p_value']:.4f}")
        ax.set_title(f"Slate {row['outcome']} clicks", fontsize=10)
        ax.set_xlabel("Difference in means under the null")
        ax.legend(fontsize=8, loc="upper left")
    return fig
