# Merge every rule's manifest fragment into results/manifest.json (include this file last).


rule manifest:
    input:
        data=MANIFEST_FRAGMENTS,
        code=step_code("manifest"),
    output:
        f"{RESULTS}/manifest.json",
    params:
        **step_params("manifest", "results_dir"),
    threads: rule_threads("manifest")
    resources:
        **rule_resources("manifest"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/manifest.log",
    benchmark:
        f"{LOGS}/benchmarks/manifest.tsv"
    shell:
        ANALYSIS_STEP
