# Shared definitions (paths, code dependencies, the step command) for every family of rules.
import json
import shlex
import sys
from pathlib import Path


CONDA_ENV = "../envs/analysis.yaml"
DATA = config["data_dir"]
RAW = f"{DATA}/raw"
PROCESSED = f"{DATA}/processed"
# The MovieLens tables the slate rules read: this build's own, or (exercise builds) the main build's.
MOVIELENS_TABLES = config.get("movielens_tables_dir") or PROCESSED
RESULTS = config["results_dir"]
LOGS = config["log_dir"]
PYTHON = shlex.quote(sys.executable)
MANIFEST_FRAGMENTS = []

# Every rule depends on the core modules it runs through, so a change there rebuilds everything.
CORE_CODE = sorted(
    [
        "analysis/__init__.py",
        "analysis/__main__.py",
        "analysis/atomic.py",
        "analysis/cli.py",
        *map(str, Path("analysis/report").glob("*.py")),
    ]
)


def package_code(*modules):
    """The core modules plus the given package modules (a folder or a single .py file)."""
    files = set(CORE_CODE)
    for module in modules:
        folder = Path("analysis") / module
        if folder.is_dir():
            files.update(str(p) for p in folder.rglob("*.py"))
        else:
            files.add(f"analysis/{module}.py")
    return sorted(files)


def step_code(step, *modules):
    """Code a step depends on: its own entry point plus `package_code(*modules)`."""
    return sorted({f"analysis/steps/{step}.py", *package_code(*modules)})


def step_params(step, *keys):
    """Rule params: the step name and the config values it uses as one shell-quoted JSON object.

    Use as ``params: **step_params("slates_design", "slates")``; a change to any of those config
    values re-runs the job (Snakemake params rerun trigger).
    """
    values = json.dumps({k: config[k] for k in keys}, sort_keys=True)
    return {"step": step, "json": shlex.quote(values)}


def _scheduling(rule_name):
    """Config `resources`: the defaults, updated by the rule's own entry (if any)."""
    spec = config["resources"]
    return {**spec["default"], **spec.get("rules", {}).get(rule_name, {})}


def rule_threads(rule_name):
    """Threads a rule declares (config `resources`), so a scheduler can place it."""
    return int(_scheduling(rule_name)["threads"])


def rule_resources(rule_name):
    """`mem_mb` and `runtime` (minutes) a rule declares (config `resources`)."""
    values = _scheduling(rule_name)
    return {"mem_mb": int(values["mem_mb"]), "runtime": int(values["runtime"])}


def table_outputs(*ids):
    return [f"{RESULTS}/tables/{i}.{ext}" for i in ids for ext in ("parquet", "csv")]


def figure_outputs(*ids):
    return [f"{RESULTS}/figures/{i}.{ext}" for i in ids for ext in ("png", "svg")]


def fragment(rule_name):
    path = f"{RESULTS}/manifest/{rule_name}.json"
    MANIFEST_FRAGMENTS.append(path)
    return path


# One shell line for every step. Each rule supplies input.data, params (step_params) and log.
ANALYSIS_STEP = (
    f"{PYTHON} -m analysis {{params.step}} --params {{params.json}} --data-dir {shlex.quote(DATA)} "
    f"--results-dir {shlex.quote(RESULTS)} --inputs {{input.data:q}} --outputs {{output:q}} "
    "--log {log:q}"
)


