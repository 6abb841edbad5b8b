# The MovieLens slate-promotion experiment (issue 3): seed slates -> randomised promotion and
# exposure mapping -> estimators -> decomposition -> robustness. Science lives in analysis/slates.

SLATE_CODE = ("slates", "estimators")


rule slates_seed:
    input:
        data=[f"{MOVIELENS_TABLES}/{name}.parquet" for name in ("ratings", "items", "users")],
        code=step_code("slates_seed", *SLATE_CODE),
    output:
        f"{PROCESSED}/slate_seed.parquet",
        table_outputs("slate_cluster_map", "slate_seed_summary"),
        fragment("slates_seed"),
    params:
        **step_params("slates_seed", "slates"),
    threads: rule_threads("slates_seed")
    resources:
        **rule_resources("slates_seed"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/slates_seed.log",
    benchmark:
        f"{LOGS}/benchmarks/slates_seed.tsv"
    shell:
        ANALYSIS_STEP


rule slates_design:
    input:
        data=[f"{PROCESSED}/slate_seed.parquet"],
        code=step_code("slates_design", *SLATE_CODE),
    output:
        f"{PROCESSED}/slate_exposure.parquet",
        f"{PROCESSED}/slate_outcomes.parquet",
        table_outputs(
            "slate_exposure",
            "slate_outcomes",
            "slate_outcome_model",
            "slate_readiness",
            "slate_balance",
            "slate_exposure_shares",
            "slate_cluster_support",
        ),
        figure_outputs(
            "slate_focal_position",
            "slate_position_change",
            "slate_cluster_spillover",
            "slate_outcomes_by_group",
            "slate_known_lift",
        ),
        fragment("slates_design"),
    params:
        **step_params("slates_design", "slates"),
    threads: rule_threads("slates_design")
    resources:
        **rule_resources("slates_design"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/slates_design.log",
    benchmark:
        f"{LOGS}/benchmarks/slates_design.tsv"
    shell:
        ANALYSIS_STEP


rule slates_estimation:
    input:
        data=[f"{PROCESSED}/slate_exposure.parquet", f"{PROCESSED}/slate_outcomes.parquet"],
        code=step_code("slates_estimation", *SLATE_CODE),
    output:
        table_outputs(
            "slate_effects",
            "slate_validation",
            "slate_bootstrap",
            "slate_bootstrap_draws",
            "slate_adjusted_effects",
            "slate_heterogeneity",
        ),
        figure_outputs(
            "slate_effects_ci",
            "slate_estimate_vs_truth",
            "slate_se_comparison",
            "slate_bootstrap_distributions",
            "slate_adjustment",
            "slate_cluster_heterogeneity",
        ),
        fragment("slates_estimation"),
    params:
        **step_params("slates_estimation", "slates"),
    threads: rule_threads("slates_estimation")
    resources:
        **rule_resources("slates_estimation"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/slates_estimation.log",
    benchmark:
        f"{LOGS}/benchmarks/slates_estimation.tsv"
    shell:
        ANALYSIS_STEP


rule slates_decomposition:
    input:
        data=[f"{PROCESSED}/slate_exposure.parquet", f"{PROCESSED}/slate_outcomes.parquet"],
        code=step_code("slates_decomposition", *SLATE_CODE),
    output:
        table_outputs(
            "slate_decomposition",
            "slate_additivity",
            "slate_component_support",
            "slate_spillover_sensitivity",
            "slate_product_summary",
            "slate_risk_position",
            "slate_risk_cluster",
            "slate_recommendations",
        ),
        figure_outputs(
            "slate_decomposition_bars",
            "slate_decomposition_observed_vs_known",
            "slate_spillover_sensitivity_ci",
            "slate_risk_by_position",
        ),
        fragment("slates_decomposition"),
    params:
        **step_params("slates_decomposition", "slates"),
    threads: rule_threads("slates_decomposition")
    resources:
        **rule_resources("slates_decomposition"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/slates_decomposition.log",
    benchmark:
        f"{LOGS}/benchmarks/slates_decomposition.tsv"
    shell:
        ANALYSIS_STEP


rule slates_robustness:
    input:
        data=[f"{PROCESSED}/slate_seed.parquet", f"{PROCESSED}/slate_outcomes.parquet"],
        code=step_code("slates_robustness", *SLATE_CODE),
    output:
        table_outputs(
            "slate_robustness_seeds",
            "slate_robustness_settings",
            "slate_randomization_inference",
        ),
        figure_outputs("slate_robustness", "slate_randomization_null"),
        fragment("slates_robustness"),
    params:
        **step_params("slates_robustness", "slates"),
    threads: rule_threads("slates_robustness")
    resources:
        **rule_resources("slates_robustness"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/slates_robustness.log",
    benchmark:
        f"{LOGS}/benchmarks/slates_robustness.tsv"
    shell:
        ANALYSIS_STEP
