"""Figures for the network world. Each function takes tidy tables and returns a Figure."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, MaxNLocator, NullFormatter, StrMethodFormatter

from analysis.report.labels import heading, label_text
from analysis.report.style import FULL_WIDTH, PALETTE, PANEL_WIDTH, legend_below, new_figure
from analysis.worlds.network import NetworkGraph

__all__ = [
    "cluster_size_figure",
    "exposure_counts_figure",
    "exposure_effects_figure",
    "exposure_probability_figure",
    "monte_carlo_figure",
    "network_drawing",
    "share_by_design_figure",
]

DESIGN_COLORS = {"Individual randomization": PALETTE["control"],
                 "Graph-cluster randomization": PALETTE["treated"]}


def network_drawing(graph: NetworkGraph, z: np.ndarray, layout_seed: int, max_nodes: int,
                    rng: np.random.Generator) -> Figure:
    """Spring-layout drawing, treated nodes in blue, node area growing with degree.

    Graphs larger than ``max_nodes`` are drawn through the subgraph induced by a random sample of
    ``max_nodes`` nodes (the step's caption says so).
    """
    n = graph.n_nodes
    nodes = (np.arange(n) if n <= max_nodes
             else np.sort(rng.choice(n, size=max_nodes, replace=False)))
    keep = np.zeros(n, dtype=bool)
    keep[nodes] = True
    sub_edges = graph.edges[keep[graph.edges[:, 0]] & keep[graph.edges[:, 1]]]
    g = nx.Graph()
    g.add_nodes_from(nodes.tolist())
    g.add_edges_from(sub_edges.tolist())
    pos = nx.spring_layout(g, seed=layout_seed)
    fig, ax = new_figure(PANEL_WIDTH, 5.6)
    nx.draw_networkx_edges(g, pos, alpha=0.18, width=0.7, ax=ax, edge_color=PALETTE["neutral"])
    colors = np.where(np.asarray(z)[nodes] == 1, PALETTE["treated"], PALETTE["faint"])
    sizes = 25 + 6 * graph.degree[nodes]
    nx.draw_networkx_nodes(g, pos, nodelist=nodes.tolist(), node_color=colors.tolist(),
                           node_size=sizes, linewidths=0.4, edgecolors="#4a5568", ax=ax)
    ax.axis("off")
    marker = {"marker": "o", "linestyle": "none", "markersize": 8, "markeredgecolor": "#4a5568",
              "markeredgewidth": 0.4}
    fig.legend([Line2D([], [], markerfacecolor=PALETTE["treated"], **marker),
                Line2D([], [], markerfacecolor=PALETTE["faint"], **marker)],
               ["Treated", "Not treated"], loc="outside lower center", ncol=2)
    return fig


#: Scatter plots of units show at most this many points (a seeded random sample beyond).
MAX_SCATTER_POINTS = 20_000


def exposure_effects_figure(units: pd.DataFrame, regressions: pd.DataFrame, direct: float,
                            spillover: float, max_points: int = MAX_SCATTER_POINTS,
                            seed: int = 0) -> Figure:
    """Outcome against treated-neighbour share (top), and model coefficients against the truth
    (below).

    With more than ``max_points`` units the scatter shows a random ``max_points`` of them
    (drawn with ``seed``; stated in the panel title).
    """
    fig, axes = new_figure(FULL_WIDTH, 7.0, nrows=2, gridspec_kw={"height_ratios": [1.3, 1]})
    ax = axes[0]
    shown = units if len(units) <= max_points else units.sample(
        n=max_points, random_state=np.random.default_rng(seed)).sort_index()
    for arm, color, label in ((0, PALETTE["control"], "Control"),
                              (1, PALETTE["treated"], "Treated")):
        part = shown[shown["treated"] == arm]
        ax.scatter(part["neighbor_share"], part["outcome"], s=8 + 2 * part["degree"],
                   color=color, alpha=0.7, label=label, edgecolors="white", linewidths=0.3)
    ax.set_xlabel("Share of neighbours treated")
    ax.set_ylabel("Outcome")
    if len(shown) < len(units):
        ax.set_title(f"A random {max_points:,} of {len(units):,} nodes")
    ax.legend(title="Own assignment", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax = axes[1]
    terms = {"treated": ("Own treatment", PALETTE["treated"]),
             "neighbor_share": ("Neighbour share", PALETTE["spillover"])}
    plot = regressions[regressions["term"].isin(list(terms))].reset_index(drop=True)
    models = list(dict.fromkeys(plot["model"]))
    offsets = {"treated": -0.12, "neighbor_share": 0.12}
    for term, (label, color) in terms.items():
        part = plot[plot["term"] == term]
        ypos = np.array([models.index(m) for m in part["model"]]) + offsets[term]
        ax.errorbar(part["estimate"], ypos,
                    xerr=[part["estimate"] - part["ci_lower"], part["ci_upper"] - part["estimate"]],
                    fmt="o", color=color, label=label, capsize=3)
    ax.axvline(direct, color=PALETTE["truth"], linestyle="--", linewidth=1,
               label=f"True direct effect ({direct:g})")
    ax.axvline(spillover, color=PALETTE["truth"], linestyle=":", linewidth=1.4,
               label=f"True spillover ({spillover:g})")
    ax.set_yticks(range(len(models)), [m.replace(": ", ":\n") for m in models])
    ax.set_ylim(len(models) - 0.5, -0.5)
    ax.grid(axis="y", visible=False)
    ax.set_xlabel("Coefficient with 95% interval")
    ax.legend(title="Coefficient", loc="upper left", bbox_to_anchor=(1.0, 1.0))
    return fig


def exposure_counts_figure(counts: pd.DataFrame,
                           xlabel: str = "Treated-neighbour share band") -> Figure:
    """Units per treatment arm and neighbour-exposure condition (band or mapping)."""
    fig, ax = new_figure(PANEL_WIDTH, 3.6)
    bands = list(dict.fromkeys(counts["exposure"]))
    x = np.arange(len(bands))
    for arm, color, shift in ((0, PALETTE["control"], -0.2), (1, PALETTE["treated"], 0.2)):
        part = counts[counts["treated"] == arm].set_index("exposure").reindex(bands)
        bars = ax.bar(x + shift, part["n"], width=0.4, color=color,
                      label="Treated" if arm else "Control")
        ax.bar_label(bars, fontsize=10.5, padding=2)
    ax.set_xticks(x, [heading(b) for b in bands])
    ax.margins(y=0.12)
    ax.grid(axis="x", visible=False)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("Number of units")
    legend_below(fig, ax, ncol=2, title="Own assignment")
    return fig


def share_by_design_figure(comparison: pd.DataFrame) -> Figure:
    """Step histograms of treated-neighbour share under each design (density scale)."""
    fig, ax = new_figure(PANEL_WIDTH, 3.6)
    bins = np.linspace(0, 1, 16)
    for design, part in comparison.groupby("design", sort=False):
        ax.hist(part["neighbor_share"], bins=bins, density=True, histtype="step", linewidth=2,
                color=DESIGN_COLORS.get(str(design), PALETTE["neutral"]), label=heading(design))
    ax.set_xlabel("Share of neighbours treated")
    ax.set_ylabel("Density")
    legend_below(fig, ax, ncol=2)
    return fig


def exposure_probability_figure(probabilities: pd.DataFrame, condition: str) -> Figure:
    """Each unit's probability of ``condition`` against its degree, by design (log scale); units
    never in ``condition`` in the Monte Carlo draws are crosses at half of one draw's share."""
    fig, ax = new_figure(PANEL_WIDTH, 4.2)
    part = probabilities[probabilities["label"] == condition]
    floor = None
    for design, frame in part.groupby("design", sort=False):
        positive = frame[frame["probability"] > 0]
        zero = frame[frame["probability"] == 0]
        color = DESIGN_COLORS.get(str(design), PALETTE["neutral"])
        ax.scatter(positive["degree"], positive["probability"], s=12, alpha=0.7, color=color,
                   label=f"{heading(design)} ({len(zero)} units never observed)")
        if len(zero):
            floor = floor or 0.5 / float(frame["n_draws"].iloc[0])
            ax.scatter(zero["degree"], np.full(len(zero), floor), s=12, marker="x",
                       color=color, alpha=0.7)
    if floor:
        ax.scatter([], [], s=12, marker="x", color=PALETTE["neutral"],
                   label="Never observed in the Monte Carlo draws")
    ax.set_yscale("log")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_xlabel("Degree")
    ax.set_ylabel(f"Probability of {condition}")
    legend_below(fig, ax, ncol=1)
    return fig


def monte_carlo_figure(summary: pd.DataFrame) -> Figure:
    """Bias (with RMSE whiskers) and interval coverage per estimator and design."""
    fig, axes = new_figure(FULL_WIDTH, 4.8, ncols=2, sharey=True,
                           gridspec_kw={"width_ratios": [1.4, 1]})
    data = summary.dropna(subset=["bias"]).reset_index(drop=True)
    order = ["dim_naive", "dim_clustered", "share_regression", "ht_full", "hajek_full",
             "ht_direct", "hajek_direct"]
    data = data.assign(_order=data["estimator"].map({k: i for i, k in enumerate(order)})
                       ).sort_values("_order", kind="stable")
    labels = list(dict.fromkeys(data["estimator_label"]))
    designs = list(dict.fromkeys(data["design"]))
    colors = [PALETTE["control"], PALETTE["treated"], PALETTE["accent"], PALETTE["spillover"]]
    height = 0.8 / max(1, len(designs))
    for d_idx, design in enumerate(designs):
        part = data[data["design"] == design]
        ypos = np.array([labels.index(lab) for lab in part["estimator_label"]]) + (
            d_idx - (len(designs) - 1) / 2) * height
        color = colors[d_idx % len(colors)]
        axes[0].errorbar(part["bias"], ypos, xerr=part["rmse"], fmt="o", color=color,
                         capsize=2, label=heading(design))
        axes[1].barh(ypos, part["coverage"], height=height * 0.9, color=color)
    axes[0].axvline(0, color=PALETTE["truth"], linewidth=1)
    axes[0].set_xscale("symlog", linthresh=1.0)
    axes[0].xaxis.set_major_formatter(FuncFormatter(lambda x, _: f"{x:g}".replace("-", "−")))
    axes[0].set_xlabel("Bias (whiskers: ±RMSE;\nlog scale beyond ±1)")
    axes[0].set_yticks(range(len(labels)), [label_text(lab) for lab in labels])
    axes[0].set_ylim(len(labels) - 0.5, -0.5)
    axes[0].set_title("Bias and RMSE")
    axes[1].axvline(0.95, color=PALETTE["truth"], linestyle="--", linewidth=1)
    axes[1].set_xlim(0, 1.02)
    axes[1].set_xlabel("Coverage of nominal\n95% intervals")
    axes[1].set_title("Interval coverage")
    for ax in axes:
        ax.grid(axis="y", visible=False)
    legend_below(fig, axes[0], ncol=2, title="Design")
    return fig


def cluster_size_figure(tradeoff: pd.DataFrame) -> Figure:
    """RMSE (left) and |bias| and SD (right) against mean cluster size, one colour per estimator
    (log-log); the shaded band is the 5-20 node range often claimed to be optimal."""
    fig, axes = new_figure(FULL_WIDTH, 4.4, ncols=2)
    colors = {"dim_clustered": PALETTE["control"], "dim_naive": PALETTE["control"],
              "share_regression": PALETTE["accent"], "ht_full": PALETTE["spillover"],
              "hajek_full": PALETTE["treated"]}
    data = tradeoff.dropna(subset=["rmse"])
    for key, part in data.groupby("estimator", sort=False):
        part = part.sort_values("mean_cluster_size")
        color = colors.get(str(key), PALETTE["neutral"])
        name = label_text(str(part["estimator_label"].iloc[0]))
        axes[0].plot(part["mean_cluster_size"], part["rmse"], "o-", color=color, label=name)
        axes[1].plot(part["mean_cluster_size"], part["bias"].abs(), "o--", color=color)
        axes[1].plot(part["mean_cluster_size"], part["empirical_sd"], "s:", color=color,
                     alpha=0.7)
    sizes = data["mean_cluster_size"]
    for ax in axes:
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks([t for t in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
                       if sizes.min() / 1.5 <= t <= sizes.max() * 1.5])
        ax.xaxis.set_major_formatter(StrMethodFormatter("{x:g}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("Mean cluster size (nodes)")
        ax.axvspan(5, 20, color=PALETTE["accent"], alpha=0.12, linewidth=0,
                   label="Claimed optimum, 5–20 nodes")
    axes[0].set_ylabel("RMSE of the total effect")
    axes[0].set_title("RMSE")
    axes[1].set_ylabel("|Bias| (dashed), SD (dotted)")
    axes[1].set_title("Bias and spread")
    legend_below(fig, axes, ncol=2)
    return fig
