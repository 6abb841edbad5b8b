# Exercises (config/exercises/*.yaml): the main configuration plus a small override each, built
# into its own folders ({results_dir}/exercises/<name>/, likewise data_dir and log_dir) by a nested
# Snakemake run of only the rules the exercise declares. Slate exercises read the main build's
# MovieLens tables (config movielens_tables_dir) instead of processing MovieLens again.
# Not in the default target:  snakemake --cores 2 exercises
# (one exercise: snakemake --cores 2 <results_dir>/exercises/<name>/exercise.json)
# Every exercise file is checked here, before any rule runs (unknown keys name file and key).
from analysis.exercises.build import RECORD
from analysis.exercises.spec import load_exercises

EXERCISES = load_exercises("config/exercises", "config/schema/config.schema.yaml",
                           rule_names=sorted(MANIFEST_RULES))
SELECTED_EXERCISES = config.get("exercises")
if SELECTED_EXERCISES is None:
    SELECTED_EXERCISES = list(EXERCISES)
if set(SELECTED_EXERCISES) - set(EXERCISES):
    raise ValueError(
        f"config exercises: unknown exercise(s) {sorted(set(SELECTED_EXERCISES) - set(EXERCISES))}; "
        f"config/exercises has: {', '.join(EXERCISES)}"
    )
EXERCISE_RECORDS = [f"{RESULTS}/exercises/{name}/{RECORD}" for name in SELECTED_EXERCISES]
# The nested run decides what is stale; this rule reruns whenever anything it could use changed.
EXERCISE_CODE = sorted(
    {str(p) for p in Path("analysis").rglob("*.py")}
    | {str(p) for p in Path("rules").glob("*.smk")}
    | {str(p) for p in Path("config/schema").glob("*.yaml")}
    | {"Snakefile"}
)

# The main build's files an exercise reads: the MovieLens tables, for slate exercises.
MOVIELENS_TABLE_FILES = [f"{MOVIELENS_TABLES}/{name}.parquet" for name in ("ratings", "items", "users")]


rule exercise:
    input:
        spec="config/exercises/{name}.yaml",
        data=lambda wc: (MOVIELENS_TABLE_FILES if any(
            rule.startswith("slates_") for rule in EXERCISES[wc.name].rules) else []),
        code=EXERCISE_CODE,
    output:
        f"{RESULTS}/exercises/{{name}}/{RECORD}",
    wildcard_constraints:
        name="|".join(EXERCISES) or "no-exercises",
    params:
        base=shlex.quote(json.dumps(config, sort_keys=True)),
    threads: rule_threads("exercise")
    resources:
        **rule_resources("exercise"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/exercises/{{name}}.log",
    shell:
        f"{PYTHON} -m analysis.exercises.build --name {{wildcards.name}} --cores {{threads}} "
        "--base-config {params.base} > {log} 2>&1"


rule exercises:
    input:
        EXERCISE_RECORDS,
