# Estimator studies (issue 10): coverage of small-cluster inference. Science lives in
# analysis/estimators (cluster_robust.py, wild_bootstrap.py, small_cluster_coverage.py).


rule estimators_small_clusters:
    input:
        data=[],
        code=step_code("estimators_small_clusters", "estimators", "designs"),
    output:
        table_outputs("small_cluster_coverage", "small_cluster_coverage_wide"),
        figure_outputs("small_cluster_coverage_plot"),
        fragment("estimators_small_clusters"),
    params:
        **step_params("estimators_small_clusters", "small_clusters"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/estimators_small_clusters.log",
    benchmark:
        f"{LOGS}/benchmarks/estimators_small_clusters.tsv"
    shell:
        ANALYSIS_STEP


rule estimators_two_stage:
    input:
        data=[],
        code=step_code("estimators_two_stage", "estimators", "design_based", "designs",
                       "worlds/teams", "worlds/teams_two_stage",
                       "worlds/figures_montecarlo"),
    output:
        table_outputs("two_stage_teams_estimates", "two_stage_teams_montecarlo"),
        figure_outputs("two_stage_teams_plot"),
        fragment("estimators_two_stage"),
    params:
        **step_params("estimators_two_stage", "teams", "two_stage"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/estimators_two_stage.log",
    benchmark:
        f"{LOGS}/benchmarks/estimators_two_stage.tsv"
    shell:
        ANALYSIS_STEP


rule estimators_observational_ipw:
    input:
        data=[],
        code=step_code("estimators_observational_ipw", "estimators", "designs", "worlds/teams",
                       "worlds/teams_observational", "worlds/teams_observational_study"),
    output:
        table_outputs("ipw_teams_estimates", "ipw_teams_montecarlo"),
        fragment("estimators_observational_ipw"),
    params:
        **step_params("estimators_observational_ipw", "observational_teams"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/estimators_observational_ipw.log",
    benchmark:
        f"{LOGS}/benchmarks/estimators_observational_ipw.tsv"
    shell:
        ANALYSIS_STEP
