# MovieLens (config movielens.release, default ml-100k): a local copy (config movielens_dir, else
# $MOVIELENS_DIR), or download + verify; then load and describe. A local copy is checked here,
# before any rule runs, and its files' SHA-256 are a param of rule movielens: another folder or
# changed bytes rebuild everything.
import os

from analysis.movielens.releases import configured_release
from analysis.movielens.source import fingerprint, local_copy

MOVIELENS_RELEASE = configured_release(config["movielens"])
MOVIELENS_FILES = list(MOVIELENS_RELEASE.files)
MOVIELENS_LOCAL = local_copy(config["movielens_dir"], os.environ, MOVIELENS_RELEASE)
if MOVIELENS_LOCAL:
    config["movielens_dir"] = str(MOVIELENS_LOCAL[0])
MOVIELENS_DIR = config["movielens_dir"] or f"{RAW}/{MOVIELENS_RELEASE.name}"
MOVIELENS_SOURCE = (fingerprint(MOVIELENS_DIR, MOVIELENS_RELEASE) if MOVIELENS_LOCAL
                    else "download")
# The release is passed (and recorded in the manifest) when it is not the default ml-100k, so
# default builds stay byte-identical to those made before releases were selectable.
MOVIELENS_STEP_PARAMS = {"movielens_dir": config["movielens_dir"]}
if MOVIELENS_RELEASE.name != "ml-100k":
    MOVIELENS_STEP_PARAMS["release"] = MOVIELENS_RELEASE.name


if not config["movielens_dir"]:

    rule movielens_download:
        output:
            [f"{RAW}/{MOVIELENS_RELEASE.name}/{name}" for name in MOVIELENS_FILES],
            archive=f"{RAW}/{MOVIELENS_RELEASE.archive_name}",
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
        step="movielens",
        json=shlex.quote(json.dumps(MOVIELENS_STEP_PARAMS, sort_keys=True)),
        source=MOVIELENS_SOURCE,
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
