# The network (SBM) world: exposure mappings, graph-cluster randomization, design-based
# estimators, randomization tests and Monte Carlo studies (config section `network`).

NETWORK_CODE = ("worlds", "exposure", "designs", "design_based", "estimators", "montecarlo")
# Communities of the network world, computed once for the rules that randomize them.
NETWORK_PARTITION = f"{PROCESSED}/network_partition.parquet"


rule worlds_network_partition:
    input:
        data=[],
        code=step_code("worlds_network_partition", "worlds", "designs", "exposure"),
    output:
        NETWORK_PARTITION,
    params:
        **step_params("worlds_network_partition", "network"),
    threads: rule_threads("worlds_network_partition")
    resources:
        **rule_resources("worlds_network_partition"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_network_partition.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_network_partition.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_network:
    input:
        data=[NETWORK_PARTITION],
        code=step_code("worlds_network", *NETWORK_CODE),
    output:
        table_outputs(
            "network_estimands",
            "network_summary",
            "network_units",
            "network_regressions",
            "network_exposure_counts",
            "network_partition",
            "network_cluster_sizes",
            "network_share_by_design",
        ),
        figure_outputs(
            "network_drawing",
            "network_exposure_effects",
            "network_exposure_counts_bars",
            "network_share_by_design_hist",
        ),
        fragment("worlds_network"),
    params:
        **step_params("worlds_network", "network"),
    threads: rule_threads("worlds_network")
    resources:
        **rule_resources("worlds_network"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_network.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_network.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_network_design:
    input:
        data=[NETWORK_PARTITION],
        code=step_code("worlds_network_design", *NETWORK_CODE),
    output:
        table_outputs(
            "network_positivity",
            "network_exposure_probabilities",
            "network_ht_estimates",
            "network_randomization_tests",
        ),
        figure_outputs("network_exposure_probability"),
        fragment("worlds_network_design"),
    params:
        **step_params("worlds_network_design", "network"),
    threads: rule_threads("worlds_network_design")
    resources:
        **rule_resources("worlds_network_design"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_network_design.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_network_design.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_network_montecarlo:
    input:
        data=[],
        code=step_code("worlds_network_montecarlo", *NETWORK_CODE),
    output:
        table_outputs("network_mc_summary", "network_mc_designs"),
        figure_outputs("network_mc_summary_plot"),
        fragment("worlds_network_montecarlo"),
    params:
        **step_params("worlds_network_montecarlo", "network"),
    threads: rule_threads("worlds_network_montecarlo")
    resources:
        **rule_resources("worlds_network_montecarlo"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_network_montecarlo.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_network_montecarlo.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_network_cluster_size:
    input:
        data=[],
        code=step_code("worlds_network_cluster_size", *NETWORK_CODE),
    output:
        table_outputs(
            "network_cluster_size_tradeoff",
            "network_cluster_size_designs",
            "network_cluster_size_verdict",
        ),
        figure_outputs("network_cluster_size_rmse"),
        fragment("worlds_network_cluster_size"),
    params:
        **step_params("worlds_network_cluster_size", "network"),
    threads: rule_threads("worlds_network_cluster_size")
    resources:
        **rule_resources("worlds_network_cluster_size"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_network_cluster_size.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_network_cluster_size.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_network_practice:
    input:
        data=[],
        code=step_code("worlds_network_practice", *NETWORK_CODE),
    output:
        table_outputs("network_ego_holdout", "network_give_up", "network_give_up_rule"),
        figure_outputs("network_give_up_plot"),
        fragment("worlds_network_practice"),
    params:
        **step_params("worlds_network_practice", "network", "network_ego_clusters",
                      "network_give_up"),
    threads: rule_threads("worlds_network_practice")
    resources:
        **rule_resources("worlds_network_practice"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_network_practice.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_network_practice.tsv"
    shell:
        ANALYSIS_STEP
