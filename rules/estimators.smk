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
