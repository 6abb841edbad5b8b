"""Exercises: file validation, verdict words, and builds whose numbers move as the truth says."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
import yaml

from analysis.exercises import verdicts
from analysis.exercises.spec import (
    ExerciseError,
    check_merged,
    load_exercise,
    load_exercises,
    load_schema,
    merge_config,
    unknown_keys,
)
from tests.conftest import CI_CONFIG, ROOT

EXERCISES = ROOT / "config" / "exercises"
SCHEMA = ROOT / "config" / "schema" / "config.schema.yaml"
#: Chapters of Parts I and II, by their #sec- label: each asks at least two exercises.
CHAPTERS = ("interference", "networks", "marketplaces", "estimators", "slate-design",
            "slate-estimation", "slate-decomposition", "portfolio-report")
VALID = {
    "title": "T", "chapter": "interference", "question": "Q?", "rules": ["worlds_teams"],
    "config": {"teams": {"spillover_effect": 0.0}},
    "answer": [{"id": "a", "label": "A", "artifact": "teams_estimands", "column": "value"},
               {"id": "b", "label": "B", "artifact": "teams_estimands", "column": "value"}],
    "verdicts": [{"kind": "agree", "quantities": ["a", "b"], "tolerance": "b", "times": 2}],
}


def base_config(*files: Path) -> dict:
    merged: dict = {}
    for path in (ROOT / "config" / "config.yaml", *files):
        merged = merge_config(merged, yaml.safe_load(path.read_text(encoding="utf-8")))
    return merged


def write(tmp_path: Path, content: dict, name: str = "my-exercise") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")
    return path


# -- the files in config/exercises ------------------------------------------------------------------

def test_every_exercise_loads_and_builds_a_valid_config_on_both_bases():
    exercises = load_exercises(EXERCISES, SCHEMA)
    assert len(exercises) >= 16
    for base in (base_config(), base_config(CI_CONFIG)):
        for exercise in exercises.values():
            merged = check_merged(exercise, base, SCHEMA)
            assert merged != base, exercise.name  # the override changes something


def test_every_chapter_of_parts_one_and_two_asks_at_least_two_exercises():
    chapters = [e.chapter for e in load_exercises(EXERCISES, SCHEMA).values()]
    assert {c: chapters.count(c) for c in CHAPTERS} == {
        c: max(2, chapters.count(c)) for c in CHAPTERS}
    assert set(chapters) <= set(CHAPTERS)


def test_ci_builds_a_known_subset_of_the_exercises():
    chosen = yaml.safe_load(CI_CONFIG.read_text())["exercises"]
    assert chosen and set(chosen) <= {p.stem for p in EXERCISES.glob("*.yaml")}


# -- validation -------------------------------------------------------------------------------------

def test_unknown_config_key_names_the_file_and_the_dotted_key(tmp_path: Path):
    path = write(tmp_path, {**VALID, "config": {"teams": {"spilover_effect": 0.0}}})
    with pytest.raises(ExerciseError) as info:
        load_exercise(path, load_schema(SCHEMA))
    message = str(info.value)
    assert str(path) in message
    assert "teams.spilover_effect: not a configuration key" in message
    assert "spillover_effect" in message  # the keys allowed there are listed


def test_unknown_nested_and_top_level_config_keys_are_all_listed(tmp_path: Path):
    path = write(tmp_path, {**VALID, "config": {"netwrk": {"a": 1},
                                                "network": {"outcome": {"spilover": 0}}}})
    with pytest.raises(ExerciseError) as info:
        load_exercise(path, load_schema(SCHEMA))
    assert "  - netwrk: not a configuration key" in str(info.value)
    assert "  - network.outcome.spilover: not a configuration key" in str(info.value)


def test_unknown_keys_walks_only_mappings():
    schema = {"properties": {"a": {"properties": {"b": {}}}, "c": {"type": "array"}}}
    assert unknown_keys({"a": {"b": 1, "x": 2}, "c": [1], "d": 0}, schema) == [
        ("a.x", ["b"]), ("d", ["a", "c"])]


def test_a_wrong_type_names_the_file_and_the_key(tmp_path: Path):
    path = write(tmp_path, {**VALID, "config": {"teams": {"spillover_effect": "big"}}})
    exercise = load_exercise(path, load_schema(SCHEMA))
    with pytest.raises(ExerciseError, match=r"my-exercise\.yaml: the configuration it builds is "
                                            r"not valid:\n  - teams\.spillover_effect: 'big'"):
        check_merged(exercise, base_config(), SCHEMA)


def test_a_cross_field_problem_names_the_file(tmp_path: Path):
    path = write(tmp_path, {**VALID, "config": {"teams": {"psi_low": 0.5, "psi_high": 0.2}}})
    exercise = load_exercise(path, load_schema(SCHEMA))
    with pytest.raises(ExerciseError, match=r"(?s)my-exercise\.yaml: .*teams\.psi_low \(0\.5\) must "
                                            r"be below teams\.psi_high"):
        check_merged(exercise, base_config(), SCHEMA)


@pytest.mark.parametrize(("change", "expected"), [
    ({"config": {"results_dir": "elsewhere"}}, r"may not set \['results_dir'\]"),
    ({"rules": ["worlds_teamz"]}, r"unknown rule\(s\) \['worlds_teamz'\]"),
    ({"verdicts": [{"kind": "agree", "quantities": ["a", "z"]}]}, r"names quantities \['z'\]"),
    ({"verdicts": [{"kind": "guess", "quantity": "a"}]}, r"needs a 'kind'"),
    ({"answer": [{"id": "a", "label": "A", "artifact": "x"}]}, r"missing key\(s\) \['column'\]"),
    ({"hint": "x"}, r"unknown top-level key\(s\) \['hint'\]"),
    ({"config": {}}, r"'config' must be a non-empty mapping"),
])
def test_malformed_exercise_files_are_named_errors(tmp_path: Path, change: dict, expected: str):
    path = write(tmp_path, {**VALID, **change})
    with pytest.raises(ExerciseError, match=expected) as info:
        load_exercise(path, load_schema(SCHEMA), rule_names=["worlds_teams", "worlds_search"])
    assert str(info.value).startswith(str(path))


def test_merge_config_replaces_lists_and_merges_mappings():
    base = {"a": {"b": 1, "c": [1, 2]}, "d": 0}
    merged = merge_config(base, {"a": {"c": [3]}})
    assert merged == {"a": {"b": 1, "c": [3]}, "d": 0}
    assert base == {"a": {"b": 1, "c": [1, 2]}, "d": 0}  # not modified


# -- verdict words ----------------------------------------------------------------------------------

def test_verdict_words_follow_the_numbers():
    assert verdicts.agrees(1.0, 1.25, 0.3) and not verdicts.agrees(1.0, 1.35, 0.3)
    assert verdicts.agrees(2.0, 2.0, 0.0)
    assert verdicts.direction(3.7, 1.5) == "falls"
    assert verdicts.direction(0.17, 1.05) == "rises"
    assert verdicts.direction(1.0, 1.05, tolerance=0.1) == "stays about the same"
    assert verdicts.sign_word(0.26) == "positive"
    assert verdicts.sign_word(-0.3) == "negative"
    assert verdicts.sign_word(0.0) == "zero"
    assert verdicts.sign_word(0.04, tolerance=0.1) == "indistinguishable from zero"
    assert verdicts.share_text(1.05, 2.6) == "40%"
    with pytest.raises(ValueError, match="non-negative"):
        verdicts.agrees(1.0, 1.0, -0.1)
    with pytest.raises(ValueError, match="zero total"):
        verdicts.share_text(1.0, 0.0)


def test_verdict_sentences_read_as_prose():
    assert verdicts.agree_sentence("Individual estimate", "1.58", "Cluster estimate", "1.72",
                                   True, "2 × the standard error (0.46)") == (
        "The individual estimate (1.58) and the cluster estimate (1.72) agree: they differ by no "
        "more than 2 × the standard error (0.46).")
    assert verdicts.change_sentence("True full-rollout effect", "3.70", "1.50", "falls") == (
        "The true full-rollout effect falls from 3.70 in the main analysis to 1.50 in this "
        "exercise.")
    assert verdicts.sign_sentence("Hájek spillover estimate", "0.04",
                                  "indistinguishable from zero", "2 × its SE (0.09)") == (
        "In this exercise, the Hájek spillover estimate (0.04) is indistinguishable from zero "
        "(within 2 × its SE (0.09)).")
    # a bare number as the tolerance reads as a band around zero (the promotion-rate gap, in SEs)
    assert verdicts.sign_sentence("Gap in binomial standard errors", "−0.58",
                                  "indistinguishable from zero", "2.00") == (
        "In this exercise, the gap in binomial standard errors (−0.58) is indistinguishable from "
        "zero (within ±2.00).")


# -- builds (the CI configuration builds a subset end to end) ---------------------------------------

def exercise_table(results: Path, name: str, artifact: str) -> pd.DataFrame:
    from analysis import book

    return pd.read_parquet(book.manifest(results / "exercises" / name).file(artifact, "parquet"))


def main_table(results: Path, artifact: str) -> pd.DataFrame:
    from analysis import book

    return pd.read_parquet(book.manifest(results).file(artifact, "parquet"))


def test_exercise_builds_hold_only_their_rules_and_reuse_the_main_movielens_tables(ci_results):
    exercises = load_exercises(EXERCISES, SCHEMA)
    for name in yaml.safe_load(CI_CONFIG.read_text())["exercises"]:
        folder = ci_results / "exercises" / name
        record = json.loads((folder / "exercise.json").read_text())
        manifest = json.loads((folder / "manifest.json").read_text())["artifacts"]
        assert {a["rule"] for a in manifest} == set(exercises[name].rules) == set(record["rules"])
        config = yaml.safe_load((folder / "config.yaml").read_text())
        assert config["results_dir"] == str(Path(yaml.safe_load(CI_CONFIG.read_text())[
            "results_dir"]) / "exercises" / name)
    slate = json.loads((ci_results / "exercises" / "slates-market-expansion" / "manifest.json")
                       .read_text())["artifacts"][0]
    assert slate["rule"] == "slates_decomposition"
    data = Path(yaml.safe_load(CI_CONFIG.read_text())["data_dir"])
    exercise_data = ROOT / data / "exercises" / "slates-market-expansion" / "processed"
    assert (exercise_data / "slate_outcomes.parquet").exists()
    assert not (exercise_data / "ratings.parquet").exists()  # MovieLens was not processed again


def test_no_spillover_makes_individual_and_cluster_estimates_agree(ci_results):
    where = {"estimator": "Difference in means", "se_type": "clustered"}

    def estimates(table: pd.DataFrame) -> dict[str, pd.Series]:
        rows = table[(table["estimator"] == where["estimator"])
                     & (table["se_type"] == where["se_type"])]
        return {row.design: row for row in rows.itertuples()}

    ours = estimates(exercise_table(ci_results, "teams-no-spillover", "teams_design_estimates"))
    main = estimates(main_table(ci_results, "teams_design_estimates"))
    gap = abs(ours["individual"].estimate - ours["cluster"].estimate)
    assert gap <= 2 * ours["cluster"].std_error
    # in the main world the spillover separates the designs by far more than that
    assert abs(main["individual"].estimate - main["cluster"].estimate) > 3 * gap
    # without spillover the full-rollout truth is the direct effect
    assert ours["cluster"].truth == pytest.approx(base_config(CI_CONFIG)["teams"]["direct_effect"])


def test_market_expansion_scales_the_platform_lift_and_turns_the_slate_total_positive(ci_results):
    ours = exercise_table(ci_results, "search-market-expansion", "search_summary").iloc[0]
    main = main_table(ci_results, "search_summary").iloc[0]
    assert ours["market_expansion"] == 0.25
    # the platform lift is expansion x base demand: the same base demand in both builds
    assert ours["platform_lift"] / 0.25 == pytest.approx(main["platform_lift"] /
                                                         main["market_expansion"], rel=1e-9)
    known = exercise_table(ci_results, "slates-market-expansion", "slate_decomposition")
    total = known[(known["view"] == "known_lift") & (known["component"] == "total")].iloc[0]
    main_known = main_table(ci_results, "slate_decomposition")
    main_total = main_known[(main_known["view"] == "known_lift")
                            & (main_known["component"] == "total")].iloc[0]
    assert total["truth"] > 0 > main_total["truth"]


def test_solutions_show_built_exercises_and_say_which_are_missing(ci_results, monkeypatch):
    from analysis.exercises import solutions

    monkeypatch.setenv("BOOK_RESULTS_DIR", str(ci_results))
    text = solutions.solutions_markdown()
    built = yaml.safe_load(CI_CONFIG.read_text())["exercises"]
    for exercise in load_exercises(EXERCISES, SCHEMA).values():
        section = text.split(f"{{#{solutions.section_id(exercise)}}}")[1].split("\n### ")[0]
        # the exercises ci.yaml selects are built; others only if an earlier build left them
        if exercise.name in built or solutions.is_built(exercise.name):
            assert "| Quantity" in section and solutions.NOT_BUILT not in section
            assert section.count("\n|") == len(exercise.answer) + 2  # header, rule, one per row
        else:
            assert solutions.NOT_BUILT in section
    for chapter in CHAPTERS:
        listed = solutions.exercise_list_markdown(chapter)
        assert listed.count("Solution: @sec-solution-") >= 2


def test_solutions_and_exercise_lists_re_execute_when_an_exercise_build_changes(tmp_path: Path):
    from analysis.book_freeze import chapter_keys

    record = tmp_path / "exercises" / "teams-no-spillover" / "exercise.json"
    record.parent.mkdir(parents=True)
    record.write_text('{"manifest_sha256": "a"}')
    before = chapter_keys(ROOT, tmp_path)
    record.write_text('{"manifest_sha256": "b"}')
    after = chapter_keys(ROOT, tmp_path)
    changed = sorted(k for k in before if before[k] != after[k])
    assert "chapters/solutions.qmd" in changed
    assert "chapters/02-interference.qmd" in changed
    assert "chapters/01-data.qmd" not in changed


def test_an_answer_label_names_one_cell_in_every_exercise():
    """Two solutions that print the same label print the same quantity (same table, column and
    rows): "Known net total per promoted slate" once read the estimand and once the known-lift
    estimate, so the main analysis showed −0.318 in one solution and −0.319 in the next."""
    seen: dict[str, tuple[str, str, str, str]] = {}
    for exercise in load_exercises(EXERCISES, SCHEMA).values():
        for q in exercise.answer:
            cell = (q.artifact, q.column, json.dumps(dict(q.where), sort_keys=True), str(q.scale))
            assert seen.setdefault(q.label, cell) == cell, (exercise.name, q.label)


def test_interval_verdicts_say_where_zero_lies():
    assert verdicts.interval_word(-0.155, 0.118) == "contains zero"
    assert verdicts.interval_word(-0.386, -0.116) == "lies entirely below zero"
    assert verdicts.interval_word(0.216, 0.492) == "lies entirely above zero"
    assert verdicts.interval_word(0.0, 0.3) == "contains zero"
    with pytest.raises(ValueError, match="lower <= upper"):
        verdicts.interval_word(0.2, -0.1)
    assert verdicts.interval_sentence("95% interval of the observed net total", "−0.155", "0.118",
                                      "contains zero") == (
        "In this exercise, the 95% interval of the observed net total (−0.155 to 0.118) contains "
        "zero.")


def test_an_interval_verdict_needs_two_quantities_and_a_label(tmp_path: Path):
    schema = load_schema(SCHEMA)
    interval = {"kind": "interval", "quantities": ["a", "b"]}
    with pytest.raises(ExerciseError, match=r"missing: \['label'\]"):
        load_exercise(write(tmp_path, {**VALID, "verdicts": [interval]}), schema)
    labelled = {**interval, "label": "95% interval of the estimate"}
    exercise = load_exercise(write(tmp_path, {**VALID, "verdicts": [labelled]}), schema)
    assert exercise.verdicts[0].label == "95% interval of the estimate"
    with pytest.raises(ExerciseError, match=r"unknown: \['label'\]"):
        load_exercise(write(tmp_path, {**VALID, "verdicts": [
            {"kind": "sign", "quantity": "a", "label": "x"}]}), schema)


def test_the_mild_expansion_answer_says_whether_the_interval_excludes_zero():
    """The question asks whether the observed total's interval excludes zero: the answer must
    judge the interval (both ends), not the sign of its lower end alone."""
    exercise = load_exercises(EXERCISES, SCHEMA)["slates-mild-expansion"]
    kinds = {v.kind: v.quantities for v in exercise.verdicts}
    assert kinds.get("interval") == ("lower", "upper")
    assert ("lower",) not in [v.quantities for v in exercise.verdicts if v.kind == "sign"]
