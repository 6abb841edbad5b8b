"""The data behind each figure: which table artifacts a reader downloads to redraw it.

Every figure is drawn by its rule from data frames that the same rule also writes as tables. This
map names, for each figure, the table(s) it is drawn from. Where the plotted data are not kept as
a table of their own (the network drawing's layout, the search scatter's sample, the
randomization null draws), the map names the *nearest* table: the one of the same rule that holds
the quantities the figure summarises. Diagrams are drawn from no data and map to no table.

``tests/test_citation.py`` checks that every figure in the manifest is listed here and that every
named table exists and comes from the same rule, so a new figure cannot ship without its data.
"""

from __future__ import annotations

#: Figure id -> the table ids it is drawn from (empty for diagrams: no data behind them).
FIGURE_DATA: dict[str, tuple[str, ...]] = {
    "bipartite_estimates_plot": ("bipartite_estimates",),
    "bipartite_exposure": ("bipartite_exposure_counts",),
    "bipartite_montecarlo_coverage": ("bipartite_montecarlo",),
    "diagram_bipartite": (),
    "diagram_interference_dag": (),
    "diagram_partial_interference": (),
    "movielens_genre_volume": ("movielens_genres",),
    "movielens_overview": ("movielens_rating_distribution",),
    "network_cluster_size_rmse": ("network_cluster_size_tradeoff",),
    "network_drawing": ("network_units",),
    "network_exposure_counts_bars": ("network_exposure_counts",),
    "network_exposure_effects": ("network_units", "network_regressions"),
    "network_exposure_probability": ("network_exposure_probabilities",),
    "network_give_up_plot": ("network_give_up", "network_give_up_rule"),
    "network_mc_summary_plot": ("network_mc_summary",),
    "network_share_by_design_hist": ("network_share_by_design",),
    "search_expansion_sweep_plot": ("search_expansion_sweep",),
    "search_market": ("search_summary",),
    "search_montecarlo_coverage": ("search_montecarlo",),
    "slate_adjustment": ("slate_adjusted_effects",),
    "slate_bootstrap_distributions": ("slate_bootstrap_draws", "slate_bootstrap"),
    "slate_cluster_heterogeneity": ("slate_heterogeneity",),
    "slate_cluster_spillover": ("slate_cluster_support",),
    "slate_decomposition_bars": ("slate_decomposition",),
    "slate_decomposition_observed_vs_known": ("slate_decomposition",),
    "slate_effects_ci": ("slate_effects",),
    "slate_estimate_vs_truth": ("slate_effects",),
    "slate_focal_position": ("slate_outcomes",),
    "slate_known_lift": ("slate_outcomes",),
    "slate_outcomes_by_group": ("slate_exposure_shares",),
    "slate_position_change": ("slate_exposure",),
    "slate_randomization_null": ("slate_randomization_inference",),
    "slate_risk_by_position": ("slate_risk_position",),
    "slate_robustness": ("slate_robustness_seeds", "slate_robustness_settings"),
    "slate_se_comparison": ("slate_effects",),
    "slate_spillover_sensitivity_ci": ("slate_spillover_sensitivity",),
    "small_cluster_coverage_plot": ("small_cluster_coverage",),
    "switchback_washout_plot": ("switchback_washout",),
    "teams_design_estimates_plot": ("teams_design_estimates",),
    "teams_direct_by_saturation_plot": ("teams_direct_by_saturation",),
    "teams_montecarlo_coverage": ("teams_montecarlo",),
    "teams_saturation": ("teams_saturation_summary",),
    "two_stage_teams_plot": ("two_stage_teams_estimates",),
}


def data_tables(record: dict) -> tuple[str, ...]:
    """The table ids holding the data behind an artifact: itself for a table, the map's entry
    for a figure. An unlisted figure is an error naming this module, not a silent gap."""
    if record["kind"] == "table":
        return (record["id"],)
    try:
        return FIGURE_DATA[record["id"]]
    except KeyError:
        raise KeyError(f"figure {record['id']!r} (rule {record['rule']!r}) has no entry in "
                       "analysis/report/figure_data.py FIGURE_DATA: name the table(s) it is "
                       "drawn from, or () for a diagram") from None
