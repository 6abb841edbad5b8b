# Merge every rule's manifest fragment into results/manifest.json (include this file last). With
# config `targets` (exercise builds), only the named rules' fragments, so the default target builds
# just those rules.
MANIFEST_RULES = {Path(path).stem: path for path in MANIFEST_FRAGMENTS}
TARGETS = config.get("targets") or sorted(MANIFEST_RULES)
if set(TARGETS) - set(MANIFEST_RULES):
    raise ValueError(
        f"config targets: unknown rule(s) {sorted(set(TARGETS) - set(MANIFEST_RULES))}; rules "
        f"with artifacts: {', '.join(sorted(MANIFEST_RULES))}"
    )


rule manifest:
    input:
        data=[MANIFEST_RULES[name] for name in TARGETS],
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
