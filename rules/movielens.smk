# MovieLens 100K: download + verify (only when movielens_dir is null), then load and describe.

MOVIELENS_FILES = ["u.data", "u.item", "u.user", "u.genre", "u.info"]
MOVIELENS_DIR = config["movielens_dir"] or f"{RAW}/ml-100k"


if not config["movielens_dir"]:

    rule movielens_download:
        output:
            [f"{RAW}/ml-100k/{name}" for name in MOVIELENS_FILES],
            archive=f"{RAW}/ml-100k.zip",
        input:
            data=[],
            code=step_code("movielens_download", "movielens"),
        params:
            **step_params("movielens_download", "movielens"),
        threads: rule_threads("movielens_download")
        resources:
            **rule_resources("movielens_download"),
        conda:
            CONDA_ENV
        log:
            f"{LOGS}/movielens_download.log",
        benchmark:
            f"{LOGS}/benchmarks/movielens_download.tsv"
        shell:
            ANALYSIS_STEP


rule movielens:
    input:
        data=[f"{MOVIELENS_DIR}/{name}" for name in MOVIELENS_FILES],
        code=step_code("movielens", "movielens"),
    output:
        [f"{PROCESSED}/{name}.parquet" for name in ("ratings", "items", "users")],
        table_outputs(
            "movielens_summary",
            "movielens_sources",
            "movielens_rating_distribution",
            "movielens_genres",
        ),
        figure_outputs("movielens_overview", "movielens_genre_volume"),
        fragment("movielens"),
    params:
        **step_params("movielens", "movielens_dir"),
    threads: rule_threads("movielens")
    resources:
        **rule_resources("movielens"),
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/movielens.log",
    benchmark:
        f"{LOGS}/benchmarks/movielens.tsv"
    shell:
        ANALYSIS_STEP
