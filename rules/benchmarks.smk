# The last `make bench` on the reference machine (tracked in benchmarks/last-run.csv) as book
# tables for the reproducibility appendix; a clone that never ran the benchmarks still has them.


rule benchmarks_table:
    input:
        data=["benchmarks/last-run.csv"],
        code=step_code("benchmarks_table"),
    output:
        table_outputs("benchmarks_last_run", "benchmarks_targets", "benchmarks_machine"),
        fragment("benchmarks_table"),
    params:
        **step_params("benchmarks_table", "results_dir"),
    threads: rule_threads("benchmarks_table")
    resources:
        **rule_resources("benchmarks_table"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/benchmarks_table.log",
    benchmark:
        f"{LOGS}/benchmarks/benchmarks_table.tsv"
    shell:
        ANALYSIS_STEP
