"""Build one exercise: the main configuration plus its override, into the exercise's own folders.

Run by rule ``exercise`` (rules/exercises.smk)::

    python -m analysis.exercises.build --name teams_no_spillover --base-config '<JSON>' \\
        --results-dir results --data-dir data --log-dir logs --cores 1

It writes the exercise's full configuration to ``<results>/exercises/<name>/config.yaml`` and runs
a nested Snakemake on it whose artifacts go to ``<results>/exercises/<name>/`` (tables, figures
and a manifest listing only the exercise's rules), intermediate data to
``<data>/exercises/<name>/`` and logs to ``<logs>/exercises/<name>/``. The MovieLens tables are
read from the main build's ``<data>/processed`` (``movielens_tables_dir``), never rebuilt. The
nested run is incremental: an unchanged exercise rebuilds nothing. Last, it writes
``exercise.json`` beside the manifest: the record that the exercise is complete.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from analysis import atomic
from analysis.exercises.spec import (
    Exercise,
    ExerciseError,
    check_merged,
    load_exercise,
    load_schema,
)

EXERCISES_DIR = Path("config/exercises")
SCHEMA = Path("config/schema/config.schema.yaml")
RECORD = "exercise.json"


@dataclass(frozen=True)
class ExerciseFolders:
    """Where one exercise's build writes (each beside the main build's own folder)."""

    results: Path
    data: Path
    logs: Path

    @classmethod
    def of(cls, name: str, results_dir: str | Path, data_dir: str | Path,
           log_dir: str | Path) -> ExerciseFolders:
        return cls(results=Path(results_dir) / "exercises" / name,
                   data=Path(data_dir) / "exercises" / name,
                   logs=Path(log_dir) / "exercises" / name)


def exercise_config(exercise: Exercise, base: Mapping[str, Any], folders: ExerciseFolders,
                    movielens_tables_dir: str | Path) -> dict[str, Any]:
    """The exercise's full, validated configuration with its own folders and targets."""
    merged = check_merged(exercise, base, SCHEMA)
    merged.update(results_dir=str(folders.results), data_dir=str(folders.data),
                  log_dir=str(folders.logs), movielens_tables_dir=str(movielens_tables_dir),
                  targets=list(exercise.rules))
    merged.pop("book_dir", None)
    return merged


def snakemake_command(config_file: Path, cores: int) -> list[str]:
    """The nested Snakemake run (``--nolock``: the outer run holds the lock; outputs differ)."""
    return [sys.executable, "-m", "snakemake", "--snakefile", "Snakefile", "--configfile",
            str(config_file), "--cores", str(cores), "--nolock"]


def build(name: str, base: Mapping[str, Any], cores: int = 1) -> Path:
    """Build exercise ``name`` and return its record (``exercise.json``)."""
    path = EXERCISES_DIR / f"{name}.yaml"
    exercise = load_exercise(path, load_schema(SCHEMA))
    folders = ExerciseFolders.of(name, base["results_dir"], base["data_dir"], base["log_dir"])
    tables = Path(base.get("movielens_tables_dir") or Path(base["data_dir"]) / "processed")
    config = exercise_config(exercise, base, folders, tables)
    config_file = atomic.write_text(folders.results / "config.yaml",
                                    yaml.safe_dump(config, sort_keys=True))
    done = subprocess.run(snakemake_command(config_file, cores), check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the build of exercise {name} ({path}) failed; its rules' logs are "
                           f"in {folders.logs}")
    manifest = folders.results / "manifest.json"
    record = {"name": name, "title": exercise.title, "rules": list(exercise.rules),
              "config_sha256": atomic.sha256_file(config_file),
              "manifest_sha256": atomic.sha256_file(manifest)}
    return atomic.write_text(folders.results / RECORD,
                             json.dumps(record, indent=2, sort_keys=True) + "\n")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m analysis.exercises.build",
                                     description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--name", required=True, help="exercise (file stem in config/exercises)")
    parser.add_argument("--base-config", required=True,
                        help="the main build's configuration as a JSON object")
    parser.add_argument("--cores", type=int, default=1)
    args = parser.parse_args(argv)
    try:
        build(args.name, json.loads(args.base_config), cores=args.cores)
    except (ExerciseError, RuntimeError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
