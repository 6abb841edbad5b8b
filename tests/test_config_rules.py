"""Cross-field config rules and YAML syntax errors: caught before any rule runs, keys named."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from analysis.config_rules import ConfigError, check_config, check_yaml_file, config_problems
from tests.conftest import CI_CONFIG, ROOT, snakemake_command

DEFAULTS = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))


def with_changes(**changes: Any) -> dict[str, Any]:
    """The default config with dotted keys replaced, e.g. ``{"slates.slate_size": 4}``."""
    config = copy.deepcopy(DEFAULTS)
    for dotted, value in changes.items():
        *parents, last = dotted.split(".")
        node = config
        for key in parents:
            node = node[key]
        node[last] = value
    return config


def only_problem(**changes: Any) -> str:
    problems = config_problems(with_changes(**{k.replace("__", "."): v
                                               for k, v in changes.items()}))
    assert len(problems) == 1, problems
    return problems[0]


def test_shipped_configs_are_consistent():
    assert config_problems(DEFAULTS) == []
    from snakemake.utils import update_config

    ci = copy.deepcopy(DEFAULTS)
    update_config(ci, yaml.safe_load(CI_CONFIG.read_text()))  # how Snakemake merges them
    assert ci["slates"]["n_slates"] == 600
    assert config_problems(ci) == []


@pytest.mark.parametrize(("changes", "expected"), [
    ({"slates__design__focal_min_position": 9, "slates__design__focal_max_position": 8,
      "slates__position_buckets": [[5, 12]]},
     "slates.design.focal_min_position (9) must be at most slates.design.focal_max_position (8)"),
    ({"slates__design__focal_max_position": 13, "slates__position_buckets": [[5, 13]]},
     "slates.design.focal_max_position (13) must lie inside the slate: at most slates.slate_size (12)"),
    ({"slates__slate_size": 738, "slates__design__focal_max_position": 12},
     "slates.slate_size (738) cannot be filled: no MovieLens 100K user has rated more than 737"),
    ({"slates__position_buckets": [[5, 6], [9, 12]]},
     "slates.position_buckets must cover every focal position 5..12 (slates.design); not covered: [7, 8]"),
    ({"slates__position_buckets": [[5, 12], [8, 7]]},
     "slates.position_buckets: each [low, high] needs low <= high; got [[8, 7]]"),
    ({"slates__robustness__settings": [{"name": "a", "overrides": {}}, {"name": "a", "overrides": {}}]},
     "slates.robustness.settings: names must be unique; repeated: ['a']"),
    ({"teams__saturations": [0.0, 0.2, 0.8]},
     "teams.saturations [0.0] leave the treated or the untreated workers of their teams empty"),
    ({"teams__psi_high": 0.7},
     "teams.psi_high (0.7) must be one of teams.saturations [0.2, 0.5, 0.8]"),
    ({"teams__psi_low": 0.8, "teams__psi_high": 0.2},
     "teams.psi_low (0.8) must be below teams.psi_high (0.2)"),
    ({"teams__saturations": [0.2, 0.2, 0.8]}, "teams.saturations must be distinct"),
    ({"teams__cluster_p": 0.001},
     "teams.cluster_p (0.001) x teams.n_groups (140) treats 0 teams: both arms of the cluster design"),
    ({"bipartite_marketplace__min_sellers_per_buyer": 6},
     "bipartite_marketplace.min_sellers_per_buyer (6) must be at most "
     "bipartite_marketplace.max_sellers_per_buyer (5)"),
    ({"bipartite_marketplace__montecarlo__n_sellers": 4},
     "bipartite_marketplace.max_sellers_per_buyer (5) exceeds bipartite_marketplace.montecarlo.n_sellers (4)"),
    ({"network__n_nodes": 3},
     "network.n_nodes (3) must be at least the number of blocks in network.block_sizes (4)"),
    ({"network__block_probs": [[0.1, 0.2], [0.2, 0.1]]},
     "network.block_probs must be a 4 x 4 matrix"),
    ({"network__block_probs": [[0.1, 0.2, 0, 0], [0.3, 0.1, 0, 0], [0, 0, 0.1, 0], [0, 0, 0, 0.1]]},
     "network.block_probs must be symmetric"),
    ({"network__monte_carlo__cluster_sizes": [1, 500, None]},
     "network.monte_carlo.cluster_sizes [500] exceed the 210 nodes of network.block_sizes"),
    ({"network__cluster_size_study__mean_degree_within": 60.0},
     "network.cluster_size_study.mean_degree_within (60.0) exceeds community_size - 1 (49)"),
    ({"network__cluster_size_study__cluster_sizes": [1, 5000]},
     "network.cluster_size_study.cluster_sizes [5000] exceed the 2000 nodes"),
    ({"teams_power__team_sizes": [6, 12]},
     "teams_power.team_sizes [6, 12] must include teams.group_size (24)"),
    ({"teams_power__team_sizes": [24, 25]},
     "teams_power.team_sizes [25] do not divide the 3360 workers"),
    ({"switchback__washouts": [0, 12]},
     "switchback.washouts [12] must be below switchback.block_length (12)"),
], ids=lambda v: next(iter(v)).replace("__", ".") if isinstance(v, dict) else None)
def test_each_rule_names_its_keys(changes: dict[str, Any], expected: str):
    assert expected in only_problem(**changes)


def test_check_config_lists_every_problem():
    bad = with_changes(**{"teams.psi_low": 0.9, "network.n_nodes": 2})
    with pytest.raises(ConfigError, match=r"3 problem\(s\):\n  - teams\.psi_low \(0\.9\)"):
        check_config(bad)


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("slates:\n  seed: 1\n  n_slates: [1, 2\n  slate_size: 4\n")
    with pytest.raises(ConfigError, match=r"bad\.yaml, line 4, column \d+: YAML syntax error"):
        check_yaml_file(bad)
    result = subprocess.run([sys.executable, "-m", "analysis.config_rules", str(CI_CONFIG), str(bad)],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 1
    assert result.stderr.strip().startswith(f"{bad}, line 4, column")
    assert result.stderr.count("\n") == 1  # one line, for the one bad file


def test_not_utf8_config_is_named(tmp_path: Path):
    bad = tmp_path / "latin.yaml"
    bad.write_bytes("guides: {diagram_font: Caf\u00e9}\n".encode("latin-1"))
    with pytest.raises(ConfigError, match=r"latin\.yaml: not UTF-8 text"):
        check_yaml_file(bad)


def test_pipeline_stops_before_any_rule(tmp_path: Path):
    override = tmp_path / "bad.yaml"
    out = tmp_path / "out"
    override.write_text(yaml.safe_dump({
        "results_dir": str(out / "results"), "data_dir": str(out / "data"),
        "log_dir": str(out / "logs"),
        "slates": {"design": {"focal_min_position": 5, "focal_max_position": 14}}}))
    result = subprocess.run(snakemake_command("--configfile", str(CI_CONFIG), str(override)),
                            cwd=ROOT, capture_output=True, text=True)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "slates.design.focal_max_position (14) must lie inside the slate" in output
    assert not out.exists()  # no rule ran


def test_syntax_error_in_the_default_config_names_line(tmp_path: Path):
    from tests.test_fresh_clone import clone_working_tree

    clone = clone_working_tree(tmp_path / "book")
    config = clone / "config" / "config.yaml"
    lines = config.read_text().splitlines()
    lines[5] = "results_dir: [results"
    config.write_text("\n".join(lines) + "\n")
    result = subprocess.run(snakemake_command("-n"), cwd=clone, capture_output=True, text=True)
    assert result.returncode != 0
    assert ("config/config.yaml, line 7, column 8: YAML syntax error: expected ',' or ']', but got "
            "':' (while parsing a flow sequence started at line 6, column 14)"
            in result.stdout + result.stderr)
