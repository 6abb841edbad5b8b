"""An exercise file (``config/exercises/<name>.yaml``): load it and check every key.

An exercise file looks like::

    title: No spillover, two designs           # the solution's heading
    chapter: interference                      # the chapter that asks it (its #sec- label)
    question: >                                # Markdown, shown in the chapter and the appendix
      Set the spillover effect of the teams world to zero ...
    rules: [worlds_teams]                      # rules whose artifacts the exercise builds
    config:                                    # override of the main configuration
      teams: {spillover_effect: 0.0}
    answer:                                    # the numbers that answer it, main build beside it
      - {id: individual, label: ..., artifact: teams_design_estimates, column: estimate,
         where: {design: individual, ...}, fmt: "{:.2f}"}
    verdicts:                                  # sentences whose words come from the numbers
      - {kind: agree, quantities: [individual, cluster], tolerance: 0.3}

Keys under ``config`` must be keys of the main configuration (``config/schema``); an unknown key
raises :class:`ExerciseError` naming the file, the dotted key and the keys that are allowed there,
so that a typo never silently builds the main configuration again.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import yaml_files
from analysis.config_rules import ConfigError, check_config, check_yaml_file

#: Keys of an exercise file, required ones first.
REQUIRED_KEYS = ("title", "chapter", "question", "rules", "config", "answer")
OPTIONAL_KEYS = ("verdicts",)
QUANTITY_KEYS = {"id", "label", "artifact", "column", "where", "fmt", "scale"}
QUANTITY_REQUIRED = ("id", "label", "artifact", "column")
VERDICT_KINDS = {
    # kind: keys it needs besides `kind` (and the optional `tolerance`)
    "agree": ("quantities",),      # two quantities of the exercise build agree within tolerance
    "change": ("quantity",),       # one quantity, main build -> exercise build
    "sign": ("quantity",),         # one quantity of the exercise build: positive, negative, ~0
    "share": ("quantities",),      # the first quantity as a share of the second (exercise build)
    "interval": ("quantities",),   # an interval (lower, upper) of the exercise build against zero
}
#: Verdict kinds whose sentence also needs a ``label``: what the interval is called in words.
LABELLED_KINDS = ("interval",)
#: Configuration keys an exercise may not set: where its build writes is decided for it.
PATH_KEYS = ("data_dir", "results_dir", "log_dir", "book_dir", "movielens_tables_dir", "targets")


class ExerciseError(ValueError):
    """An exercise file is malformed or names a key the configuration does not have."""


@dataclass(frozen=True)
class Quantity:
    """One number of an answer: a cell of an artifact table, and how to print it."""

    id: str
    label: str
    artifact: str
    column: str
    where: Mapping[str, Any]
    fmt: str = "{:,.3f}"
    scale: float = 1.0


@dataclass(frozen=True)
class Verdict:
    """A sentence about the numbers, e.g. two estimates agree or a quantity changes sign."""

    kind: str
    quantities: tuple[str, ...]
    tolerance: float | str | None = None  # a number, or the id of a quantity
    times: float = 1.0                    # multiplier of a quantity tolerance
    label: str | None = None              # the interval's name (kind ``interval`` only)


@dataclass(frozen=True)
class Exercise:
    name: str
    path: Path
    title: str
    chapter: str
    question: str
    rules: tuple[str, ...]
    overrides: Mapping[str, Any]
    answer: tuple[Quantity, ...]
    verdicts: tuple[Verdict, ...]

    def quantity(self, quantity_id: str) -> Quantity:
        for quantity in self.answer:
            if quantity.id == quantity_id:
                return quantity
        raise KeyError(quantity_id)


# -- the main configuration's schema ----------------------------------------------------------

def load_schema(schema_path: str | Path) -> dict[str, Any]:
    """The top-level schema with every ``allOf`` file's properties merged into one tree."""
    schema_path = Path(schema_path)
    top = yaml_files.read(schema_path)
    properties: dict[str, Any] = dict(top.get("properties", {}))
    for part in top.get("allOf", []):
        ref = part.get("$ref")
        if ref and not ref.startswith("#"):
            sub = yaml_files.read(schema_path.parent / ref)
            properties.update(sub.get("properties", {}))
    return {"type": "object", "properties": properties}


def unknown_keys(overrides: Mapping[str, Any], schema: Mapping[str, Any],
                 prefix: str = "") -> list[tuple[str, list[str]]]:
    """Every dotted key of ``overrides`` the schema does not define, with the keys it allows."""
    known = schema.get("properties")
    if known is None:  # a free-form mapping (or a leaf): nothing more to check
        return []
    problems: list[tuple[str, list[str]]] = []
    for key, value in overrides.items():
        dotted = f"{prefix}{key}"
        if key not in known:
            problems.append((dotted, sorted(known)))
        elif isinstance(value, Mapping):
            problems.extend(unknown_keys(value, known[key], prefix=f"{dotted}."))
    return problems


def merge_config(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    """``base`` with ``overrides`` merged in: mappings merge key by key, anything else replaces."""
    merged = copy.deepcopy(dict(base))
    for key, value in overrides.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_config(merged[key], value)
        else:
            merged[key] = copy.deepcopy(value)
    return merged


# -- reading one file ---------------------------------------------------------------------------

def _quantity(raw: Any, path: Path, position: int) -> Quantity:
    where = f"{path}: answer item {position + 1}"
    if not isinstance(raw, Mapping):
        raise ExerciseError(f"{where} must be a mapping with keys {sorted(QUANTITY_KEYS)}")
    extra = sorted(set(raw) - QUANTITY_KEYS)
    if extra:
        raise ExerciseError(f"{where}: unknown key(s) {extra}; allowed: {sorted(QUANTITY_KEYS)}")
    missing = [k for k in QUANTITY_REQUIRED if k not in raw]
    if missing:
        raise ExerciseError(f"{where}: missing key(s) {missing}")
    if not isinstance(raw.get("where", {}), Mapping):
        raise ExerciseError(f"{where}: 'where' must map column names to values")
    return Quantity(id=str(raw["id"]), label=str(raw["label"]), artifact=str(raw["artifact"]),
                    column=str(raw["column"]), where=dict(raw.get("where", {})),
                    fmt=str(raw.get("fmt", "{:,.3f}")), scale=float(raw.get("scale", 1.0)))


def _verdict(raw: Any, path: Path, ids: set[str], position: int) -> Verdict:
    where = f"{path}: verdict {position + 1}"
    if not isinstance(raw, Mapping) or raw.get("kind") not in VERDICT_KINDS:
        raise ExerciseError(f"{where} needs a 'kind', one of {sorted(VERDICT_KINDS)}")
    kind = raw["kind"]
    (needed,) = VERDICT_KINDS[kind]
    required = [needed, *(["label"] if kind in LABELLED_KINDS else [])]
    allowed = {"kind", "tolerance", "times", *required}
    extra = sorted(set(raw) - allowed)
    missing = [key for key in required if key not in raw]
    if extra or missing:
        raise ExerciseError(f"{where} ({kind}) takes keys {sorted(allowed)}; "
                            f"{'unknown: ' + str(extra) if extra else 'missing: ' + str(missing)}")
    named = raw[needed]
    quantities = (str(named),) if needed == "quantity" else tuple(map(str, named))
    if needed == "quantities" and len(quantities) != 2:
        raise ExerciseError(f"{where} ({kind}) compares exactly two quantities, got {quantities}")
    tolerance = raw.get("tolerance")
    referenced = [*quantities, *([tolerance] if isinstance(tolerance, str) else [])]
    unknown = [q for q in referenced if q not in ids]
    if unknown:
        raise ExerciseError(f"{where} names quantities {unknown} that the answer does not "
                            f"define (answer ids: {sorted(ids)})")
    return Verdict(kind=kind, quantities=quantities,
                   tolerance=tolerance if isinstance(tolerance, str | None) else float(tolerance),
                   times=float(raw.get("times", 1.0)),
                   label=str(raw["label"]) if "label" in raw else None)


def load_exercise(path: str | Path, schema: Mapping[str, Any],
                  rule_names: Sequence[str] | None = None) -> Exercise:
    """Read and check one exercise file against the configuration schema (and the rule names)."""
    path = Path(path)
    try:
        raw = check_yaml_file(path)
    except ConfigError as exc:
        raise ExerciseError(str(exc)) from None
    if not isinstance(raw, Mapping):
        raise ExerciseError(f"{path}: an exercise file is a mapping with keys {REQUIRED_KEYS}")
    extra = sorted(set(raw) - set(REQUIRED_KEYS) - set(OPTIONAL_KEYS))
    if extra:
        raise ExerciseError(f"{path}: unknown top-level key(s) {extra}; an exercise file has "
                            f"{list(REQUIRED_KEYS + OPTIONAL_KEYS)}")
    missing = [k for k in REQUIRED_KEYS if k not in raw]
    if missing:
        raise ExerciseError(f"{path}: missing key(s) {missing}")
    overrides = raw["config"]
    if not isinstance(overrides, Mapping) or not overrides:
        raise ExerciseError(f"{path}: 'config' must be a non-empty mapping of configuration keys "
                            "to override")
    problems = unknown_keys(overrides, schema)
    if problems:
        lines = [f"  - {key}: not a configuration key; allowed here: {', '.join(allowed)}"
                 for key, allowed in problems]
        raise ExerciseError(f"{path}: unknown configuration key(s) under 'config':\n"
                            + "\n".join(lines))
    fixed = [k for k in PATH_KEYS if k in overrides]
    if fixed:
        raise ExerciseError(f"{path}: 'config' may not set {fixed}: an exercise build always "
                            "writes into its own folders")
    rules = raw["rules"]
    if not isinstance(rules, list) or not rules:
        raise ExerciseError(f"{path}: 'rules' must be a non-empty list of rule names")
    if rule_names is not None:
        unknown = [r for r in rules if r not in rule_names]
        if unknown:
            raise ExerciseError(f"{path}: unknown rule(s) {unknown} in 'rules'; rules with "
                                f"artifacts: {', '.join(sorted(rule_names))}")
    answer = raw["answer"]
    if not isinstance(answer, list) or not answer:
        raise ExerciseError(f"{path}: 'answer' must be a non-empty list of quantities")
    quantities = tuple(_quantity(item, path, i) for i, item in enumerate(answer))
    ids = [q.id for q in quantities]
    if len(set(ids)) != len(ids):
        raise ExerciseError(f"{path}: answer ids must be unique, got {ids}")
    verdicts = tuple(_verdict(item, path, set(ids), i)
                     for i, item in enumerate(raw.get("verdicts") or []))
    return Exercise(name=path.stem, path=path, title=str(raw["title"]),
                    chapter=str(raw["chapter"]), question=str(raw["question"]).strip(),
                    rules=tuple(map(str, rules)), overrides=dict(overrides), answer=quantities,
                    verdicts=verdicts)


def check_merged(exercise: Exercise, base: Mapping[str, Any],
                 schema_path: str | Path) -> dict[str, Any]:
    """The exercise's full configuration, validated like the main one (schema, then cross-field)."""
    import jsonschema
    from referencing import Registry, Resource

    merged = merge_config(base, exercise.overrides)
    folder = Path(schema_path).parent
    resources = [(p.name, Resource.from_contents(yaml_files.read(p)))
                 for p in folder.glob("*.schema.yaml")]
    top = yaml_files.read(schema_path)
    validator = jsonschema.Draft202012Validator(top, registry=Registry().with_resources(resources))
    errors = sorted(validator.iter_errors(merged), key=lambda e: list(e.absolute_path))
    # a section failing its schema also reads as "unevaluated" at the top: keep the real error
    errors = [e for e in errors if e.validator != "unevaluatedProperties"] or errors
    if errors:
        lines = [f"  - {'.'.join(map(str, e.absolute_path)) or '(top level)'}: {e.message}"
                 for e in errors]
        raise ExerciseError(f"{exercise.path}: the configuration it builds is not valid:\n"
                            + "\n".join(lines))
    try:
        check_config(merged)
    except ConfigError as exc:
        raise ExerciseError(f"{exercise.path}: {exc}") from None
    return merged


def load_exercises(folder: str | Path, schema_path: str | Path,
                   rule_names: Sequence[str] | None = None) -> dict[str, Exercise]:
    """Every exercise in ``folder`` by name (the file stem), in name order."""
    schema = load_schema(schema_path)
    return {p.stem: load_exercise(p, schema, rule_names)
            for p in sorted(Path(folder).glob("*.yaml"))}
