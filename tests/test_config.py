"""Config validation: defaults and CI config are valid, bad keys stop the pipeline by name."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import CI_CONFIG, ROOT, snakemake_command

SCHEMA_DIR = ROOT / "config" / "schema"


def dry_run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(snakemake_command("-n", "--configfile", str(CI_CONFIG), *args),
                          cwd=ROOT, capture_output=True, text=True)


def test_ci_config_validates():
    result = dry_run()
    assert result.returncode == 0, result.stderr[-3000:]


def test_unknown_top_level_key_is_named():
    result = dry_run("--config", "slate_count_typo=3")
    assert result.returncode != 0
    assert "'slate_count_typo' was unexpected" in result.stdout + result.stderr


def test_bad_nested_value_is_named(tmp_path: Path):
    defaults = yaml.safe_load((ROOT / "config" / "config.yaml").read_text())
    bad = {"movielens": {**defaults["movielens"], "size_bytes": -3}}
    override = tmp_path / "bad.yaml"
    override.write_text(yaml.safe_dump(bad))
    result = subprocess.run(
        snakemake_command("-n", "--configfile", str(CI_CONFIG), str(override)),
        cwd=ROOT, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "On instance['movielens']['size_bytes']" in output
    assert not (ROOT / "build" / "bad").exists()


def _properties(schema: object, path: str = "") -> list[tuple[str, dict]]:
    found: list[tuple[str, dict]] = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            found.append((f"{path}.{name}".lstrip("."), sub))
            found.extend(_properties(sub, f"{path}.{name}"))
        for key in ("items", "additionalProperties"):
            if isinstance(schema.get(key), dict):
                found.extend(_properties(schema[key], path))
    return found


@pytest.mark.parametrize("schema_file", sorted(SCHEMA_DIR.glob("*.schema.yaml")), ids=lambda p: p.name)
def test_every_config_key_is_documented(schema_file: Path):
    schema = yaml.safe_load(schema_file.read_text())
    undocumented = [name for name, sub in _properties(schema) if not sub.get("description")]
    assert undocumented == [], f"{schema_file.name}: keys without a description: {undocumented}"


def test_jsonschema_loads_without_the_iri_checker_and_no_schema_needs_it():
    """Importing `analysis` keeps jsonschema's 1.7 s IRI-grammar import out of every run."""
    probe = ("import sys, analysis, jsonschema; "
             "print(sys.modules.get('rfc3987_syntax', 'absent'), "
             "'iri' in jsonschema.FormatChecker.checkers)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout.split()
    assert out == ["None", "False"]
    schema_text = " ".join(p.read_text() for p in (ROOT / "config" / "schema").glob("*.yaml"))
    formats = re.findall(r"format[\"']?:\s*[\"']?([\w-]+)", schema_text)
    assert not [f for f in formats if f.startswith("iri")], formats
