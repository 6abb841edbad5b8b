"""Config rules the JSON Schema cannot express, checked before any rule runs.

The schema (config/schema/*.schema.yaml) checks each key on its own; the rules here relate keys to
each other (a focal window inside the slate, two saturation arms that both exist, ...). The
Snakefile calls :func:`check_config` right after ``validate()``, so a bad combination stops the
pipeline at once with every problem listed and each key named, instead of failing minutes later
inside a step. :func:`check_yaml_file` turns a YAML syntax error into the file, line and column.

``python -m analysis.config_rules FILE...`` checks YAML files' syntax (the Makefile runs it on the
config files it passes to Snakemake, whose own message names neither file nor line).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

import yaml

from analysis import yaml_files
from analysis.movielens.schema import MAX_RATINGS_PER_USER

Config = Mapping[str, Any]


class ConfigError(ValueError):
    """The configuration is inconsistent or not valid YAML."""


def check_yaml_file(path: str | Path) -> Any:
    """The file's YAML document; :class:`ConfigError` naming file, line and column if it is bad."""
    path = Path(path)
    try:
        return yaml_files.read(path)
    except UnicodeDecodeError as exc:
        raise ConfigError(f"{path}: not UTF-8 text (byte {exc.start}): save it as UTF-8") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f", line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        what = exc.problem or exc.context or "invalid YAML"
        if exc.context and exc.context_mark and exc.problem:
            start = exc.context_mark
            what += f" ({exc.context} started at line {start.line + 1}, column {start.column + 1})"
        raise ConfigError(f"{path}{where}: YAML syntax error: {what}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: YAML syntax error: {exc}") from None


# -- slates ------------------------------------------------------------------------------------

def _slates(config: Config) -> list[str]:
    s = config["slates"]
    design = s["design"]
    low, high, size = design["focal_min_position"], design["focal_max_position"], s["slate_size"]
    problems = []
    if low > high:
        problems.append(f"slates.design.focal_min_position ({low}) must be at most "
                        f"slates.design.focal_max_position ({high})")
    if high > size:
        problems.append(f"slates.design.focal_max_position ({high}) must lie inside the slate: "
                        f"at most slates.slate_size ({size})")
    release = config.get("movielens", {}).get("release", "ml-100k")
    if release == "ml-100k" and size > MAX_RATINGS_PER_USER:
        problems.append(f"slates.slate_size ({size}) cannot be filled: no MovieLens 100K user has "
                        f"rated more than {MAX_RATINGS_PER_USER} movies")
    buckets = s["position_buckets"]
    inverted = [b for b in buckets if b[0] > b[1]]
    if inverted:
        problems.append(f"slates.position_buckets: each [low, high] needs low <= high; got {inverted}")
    covered = {p for b in buckets for p in range(b[0], b[1] + 1)}
    uncovered = [p for p in range(low, high + 1) if p not in covered]
    if uncovered and low <= high:
        problems.append(f"slates.position_buckets must cover every focal position {low}..{high} "
                        f"(slates.design); not covered: {uncovered}")
    names = [setting["name"] for setting in s["robustness"]["settings"]]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.append(f"slates.robustness.settings: names must be unique; repeated: {repeated}")
    return problems


# -- teams, marketplaces -------------------------------------------------------------------------

def _teams(config: Config) -> list[str]:
    t = config["teams"]
    saturations, low, high = list(t["saturations"]), t["psi_low"], t["psi_high"]
    problems = []
    if len(set(saturations)) != len(saturations):
        problems.append(f"teams.saturations must be distinct, got {saturations}")
    extreme = [s for s in saturations if not 0 < s < 1]
    if extreme:
        problems.append(f"teams.saturations {extreme} leave the treated or the untreated workers "
                        "of their teams empty; use saturations strictly between 0 and 1")
    missing = [f"teams.{k} ({v})" for k, v in (("psi_low", low), ("psi_high", high))
               if v not in saturations]
    if missing:
        problems.append(f"{' and '.join(missing)} must be one of teams.saturations {saturations}")
    if low >= high:
        problems.append(f"teams.psi_low ({low}) must be below teams.psi_high ({high})")
    treated_teams = round(t["cluster_p"] * t["n_groups"])
    if not 1 <= treated_teams <= t["n_groups"] - 1:
        problems.append(f"teams.cluster_p ({t['cluster_p']}) x teams.n_groups ({t['n_groups']}) "
                        f"treats {treated_teams} teams: both arms of the cluster design need at "
                        "least one team")
    return problems


def _bipartite(config: Config) -> list[str]:
    b = config["bipartite_marketplace"]
    low, high = b["min_sellers_per_buyer"], b["max_sellers_per_buyer"]
    problems = []
    if low > high:
        problems.append(f"bipartite_marketplace.min_sellers_per_buyer ({low}) must be at most "
                        f"bipartite_marketplace.max_sellers_per_buyer ({high})")
    for key, sellers in (("n_sellers", b["n_sellers"]),
                         ("montecarlo.n_sellers", b["montecarlo"]["n_sellers"])):
        if high > sellers:
            problems.append(f"bipartite_marketplace.max_sellers_per_buyer ({high}) exceeds "
                            f"bipartite_marketplace.{key} ({sellers})")
    return problems


# -- network ---------------------------------------------------------------------------------------

def _network(config: Config) -> list[str]:
    n = config["network"]
    sizes, probs = list(n["block_sizes"]), [list(row) for row in n["block_probs"]]
    n_blocks, problems = len(sizes), []
    if len(probs) != n_blocks or any(len(row) != n_blocks for row in probs):
        problems.append(f"network.block_probs must be a {n_blocks} x {n_blocks} matrix (one row "
                        f"and column per entry of network.block_sizes)")
    elif any(probs[i][j] != probs[j][i] for i in range(n_blocks) for j in range(i)):
        problems.append("network.block_probs must be symmetric (an undirected graph)")
    if n["n_nodes"] is not None and n["n_nodes"] < n_blocks:
        problems.append(f"network.n_nodes ({n['n_nodes']}) must be at least the number of blocks "
                        f"in network.block_sizes ({n_blocks})")
    base_nodes = sum(sizes)
    too_big = [c for c in n["monte_carlo"]["cluster_sizes"] if c is not None and c > base_nodes]
    if too_big:
        problems.append(f"network.monte_carlo.cluster_sizes {too_big} exceed the "
                        f"{base_nodes} nodes of network.block_sizes")
    study = n["cluster_size_study"]
    communities, size = study["n_communities"], study["community_size"]
    if study["mean_degree_within"] > size - 1:
        problems.append(f"network.cluster_size_study.mean_degree_within "
                        f"({study['mean_degree_within']}) exceeds community_size - 1 ({size - 1})")
    if study["mean_degree_between"] > size * (communities - 1):
        problems.append(f"network.cluster_size_study.mean_degree_between "
                        f"({study['mean_degree_between']}) exceeds the "
                        f"{size * (communities - 1)} nodes outside a community")
    too_big = [c for c in study["cluster_sizes"] if c > communities * size]
    if too_big:
        problems.append(f"network.cluster_size_study.cluster_sizes {too_big} exceed the "
                        f"{communities * size} nodes of n_communities x community_size")
    return problems


def _practice(config: Config) -> list[str]:
    """Team sizes of the power table, switchback washouts."""
    t, power, sb = config["teams"], config["teams_power"], config["switchback"]
    workers = t["n_groups"] * t["group_size"]
    problems = []
    if t["group_size"] not in power["team_sizes"]:
        problems.append(f"teams_power.team_sizes {power['team_sizes']} must include "
                        f"teams.group_size ({t['group_size']}), the size the book quotes")
    bad = [m for m in power["team_sizes"] if workers % m]
    if bad:
        problems.append(f"teams_power.team_sizes {bad} do not divide the {workers} workers "
                        f"(teams.n_groups x teams.group_size)")
    long = [w for w in sb["washouts"] if w >= sb["block_length"]]
    if long:
        problems.append(f"switchback.washouts {long} must be below switchback.block_length "
                        f"({sb['block_length']})")
    return problems


RULES: tuple[Callable[[Config], list[str]], ...] = (_slates, _teams, _bipartite, _network,
                                                     _practice)


def config_problems(config: Config) -> list[str]:
    """Every cross-field problem of a schema-valid config (empty when consistent)."""
    return [problem for rule in RULES for problem in rule(config)]


def check_config(config: Config) -> None:
    """Raise :class:`ConfigError` listing every cross-field problem, each naming its keys."""
    problems = config_problems(config)
    if problems:
        raise ConfigError(f"the configuration has {len(problems)} problem(s):\n"
                          + "\n".join(f"  - {p}" for p in problems))


def main(argv: Sequence[str] | None = None) -> int:
    failed = 0
    for name in sys.argv[1:] if argv is None else argv:
        try:
            check_yaml_file(name)
        except (ConfigError, OSError) as exc:
            print(exc, file=sys.stderr)
            failed = 1
    return failed


if __name__ == "__main__":
    sys.exit(main())
