# Partial interference and marketplaces (issue 4): the teams world under three designs, the
# search marketplace with its market-expansion sweep, the bipartite buyer/seller marketplace, and
# the design guide, checklist and Graphviz diagrams. Science lives in analysis/worlds,
# analysis/designs, analysis/montecarlo.py, analysis/guides.py and analysis/diagrams.py.

PARTIAL_CODE = ("worlds", "designs", "estimators", "montecarlo")


rule worlds_teams:
    input:
        data=[],
        code=step_code("worlds_teams", *PARTIAL_CODE),
    output:
        table_outputs(
            "teams_parameters",
            "teams_estimands",
            "teams_design_summary",
            "teams_saturation_summary",
            "teams_design_estimates",
            "teams_direct_by_saturation",
            "teams_montecarlo",
        ),
        figure_outputs(
            "teams_design_estimates_plot",
            "teams_saturation",
            "teams_direct_by_saturation_plot",
            "teams_montecarlo_coverage",
        ),
        fragment("worlds_teams"),
    params:
        **step_params("worlds_teams", "teams"),
    threads: rule_threads("worlds_teams")
    resources:
        **rule_resources("worlds_teams"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_teams.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_teams.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_search:
    input:
        data=[],
        code=step_code("worlds_search", *PARTIAL_CODE),
    output:
        table_outputs(
            "search_parameters",
            "search_estimates",
            "search_summary",
            "search_expansion_sweep",
            "search_montecarlo",
        ),
        figure_outputs("search_market", "search_expansion_sweep_plot", "search_montecarlo_coverage"),
        fragment("worlds_search"),
    params:
        **step_params("worlds_search", "search_marketplace"),
    threads: rule_threads("worlds_search")
    resources:
        **rule_resources("worlds_search"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_search.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_search.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_bipartite:
    input:
        data=[],
        code=step_code("worlds_bipartite", *PARTIAL_CODE),
    output:
        table_outputs(
            "bipartite_parameters",
            "bipartite_exposure_counts",
            "bipartite_graph_summary",
            "bipartite_estimates",
            "bipartite_montecarlo",
        ),
        figure_outputs("bipartite_exposure", "bipartite_estimates_plot", "bipartite_montecarlo_coverage"),
        fragment("worlds_bipartite"),
    params:
        **step_params("worlds_bipartite", "bipartite_marketplace"),
    threads: rule_threads("worlds_bipartite")
    resources:
        **rule_resources("worlds_bipartite"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_bipartite.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_bipartite.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_guides:
    input:
        data=[],
        code=step_code("worlds_guides", "guides", "diagrams"),
    output:
        table_outputs("guide_interference_examples", "guide_estimands", "guide_design",
                      "guide_checklist"),
        figure_outputs("diagram_interference_dag", "diagram_partial_interference",
                       "diagram_bipartite"),
        fragment("worlds_guides"),
    params:
        **step_params("worlds_guides", "guides"),
    threads: rule_threads("worlds_guides")
    resources:
        **rule_resources("worlds_guides"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_guides.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_guides.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_teams_power:
    input:
        data=[],
        code=step_code("worlds_teams_power", *PARTIAL_CODE),
    output:
        table_outputs("teams_power"),
        fragment("worlds_teams_power"),
    params:
        **step_params("worlds_teams_power", "teams", "teams_power"),
    threads: rule_threads("worlds_teams_power")
    resources:
        **rule_resources("worlds_teams_power"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_teams_power.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_teams_power.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_switchback:
    input:
        data=[],
        code=step_code("worlds_switchback", *PARTIAL_CODE),
    output:
        table_outputs("switchback_washout"),
        figure_outputs("switchback_washout_plot"),
        fragment("worlds_switchback"),
    params:
        **step_params("worlds_switchback", "switchback"),
    threads: rule_threads("worlds_switchback")
    resources:
        **rule_resources("worlds_switchback"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_switchback.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_switchback.tsv"
    shell:
        ANALYSIS_STEP


rule worlds_seed_claims:
    input:
        data=[f"{RESULTS}/tables/{t}.parquet" for t in ("network_mc_summary", "search_estimates",
              "bipartite_estimates", "slate_product_summary")],
        code=step_code("worlds_seed_claims", "seed_claims"),
    output:
        table_outputs("seed_claims"),
        fragment("worlds_seed_claims"),
    params:
        **step_params("worlds_seed_claims"),
    threads: rule_threads("worlds_seed_claims")
    resources:
        **rule_resources("worlds_seed_claims"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/worlds_seed_claims.log",
    benchmark:
        f"{LOGS}/benchmarks/worlds_seed_claims.tsv"
    shell:
        ANALYSIS_STEP
