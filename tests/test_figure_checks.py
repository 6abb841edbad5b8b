"""Book figures: the ArtifactWriter refuses figures with identifiers, in-plot titles, too much
width or too small type; every figure of the CI build went through those checks."""

from __future__ import annotations

import re
from pathlib import Path

import graphviz
import numpy as np
import pytest
from PIL import Image

from analysis.report.artifacts import ArtifactWriter
from analysis.report.figure_checks import (
    MAX_WIDTH_IN,
    MIN_PRINTED_PT,
    TEXT_WIDTH_IN,
    figure_problems,
    saved_width,
    snake_case_words,
)
from analysis.report.labels import heading, label_text
from analysis.report.style import PNG_DPI, legend_below, new_figure
from tests.conftest import ROOT

STEPS = ROOT / "analysis" / "steps"


def _write(tmp_path: Path, fig, artifact_id: str = "planted") -> ArtifactWriter:
    writer = ArtifactWriter(tmp_path, rule="demo")
    writer.figure(artifact_id, fig, title="Planted", caption="A planted figure.", alt="Lines.")
    return writer


def _bars(labels: list[str]):
    fig, ax = new_figure(6, 3)
    ax.bar(np.arange(len(labels)), np.arange(1, len(labels) + 1))
    ax.set_xticks(np.arange(len(labels)), labels)
    return fig, ax


def test_identifier_in_a_tick_label_is_refused_and_nothing_is_written(tmp_path: Path):
    fig, _ = _bars(["Comedy", "action_adventure"])
    with pytest.raises(ValueError, match=r"'planted'.*'action_adventure'"):
        _write(tmp_path, fig)
    assert not (tmp_path / "figures").exists() or not any((tmp_path / "figures").iterdir())


@pytest.mark.parametrize("place", ["legend", "xlabel", "annotation", "legend title"])
def test_identifier_anywhere_in_the_visible_text_is_refused(tmp_path: Path, place: str):
    fig, ax = _bars(["Comedy", "Drama"])
    ax.plot([0, 1], [1, 2], label="observed_clicks" if place == "legend" else "Observed clicks")
    if place == "xlabel":
        ax.set_xlabel("Share by horvitz_thompson weight")
    if place == "annotation":
        ax.annotate("sci_fi", (0, 1))
    ax.legend(title="known_lift" if place == "legend title" else "Outcome view")
    with pytest.raises(ValueError, match="contains the identifier"):
        _write(tmp_path, fig)


def test_reader_words_math_and_hidden_axes_pass(tmp_path: Path):
    fig, axes = new_figure(7, 3, ncols=3)
    axes[0].bar([0, 1], [1, 2])
    axes[0].set_xticks([0, 1], [label_text("action_adventure"), heading("sci_fi")])
    axes[0].set_xlabel(r"Weight $w_i$ (Hájek)")
    axes[1].set_title("A short panel title")
    axes[2].set_title("hidden_panel")
    axes[2].set_visible(False)
    writer = _write(tmp_path, fig)
    assert Path(writer.artifacts[0].path).exists()


def test_figure_title_and_single_panel_title_are_refused(tmp_path: Path):
    fig, ax = _bars(["Comedy", "Drama"])
    ax.set_title("Ratings lean positive")
    with pytest.raises(ValueError, match="plot title 'Ratings lean positive' on a single-panel"):
        _write(tmp_path, fig)
    fig, axes = new_figure(6, 3, ncols=2)
    fig.suptitle("Two panels")
    with pytest.raises(ValueError, match="figure title 'Two panels'"):
        _write(tmp_path, fig)


def test_wide_figures_and_small_type_are_refused(tmp_path: Path):
    fig, _ = new_figure(10, 3)
    with pytest.raises(ValueError, match=r"figure is 10\.\d+ in wide; at most 8 in"):
        _write(tmp_path, fig)
    fig, ax = _bars(["Comedy", "Drama"])
    ax.text(0, 1, "tiny note", fontsize=6)
    with pytest.raises(ValueError, match="'tiny note' prints at 6.0 pt"):
        _write(tmp_path, fig)


def test_printed_size_accounts_for_scaling_to_the_text_width():
    fig, ax = new_figure(7.5, 3)
    ax.set_xlabel("Label", fontsize=9.5)
    fig.canvas.draw()
    problems = figure_problems(fig)
    width = saved_width(fig)  # the figure plus 0.1 in padding each side
    assert 7.3 < width <= 7.7
    printed = 9.5 * TEXT_WIDTH_IN / width
    assert printed < MIN_PRINTED_PT
    assert any(f"'Label' prints at {printed:.1f} pt" in p for p in problems)
    assert not any("'0.0' prints" in p for p in problems)  # 10.5 pt ticks print at 8.6 pt


def test_legend_below_keeps_the_legend_off_the_axes(tmp_path: Path):
    fig, ax = new_figure(6, 3)
    ax.plot([0, 1], [0, 1], label="Rising")
    ax.plot([0, 1], [1, 0], label="Known total")
    legend = legend_below(fig, ax, last=("Rising",))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    assert legend.get_window_extent(renderer).y1 < ax.get_window_extent(renderer).y0
    assert [t.get_text() for t in legend.get_texts()] == ["Known total", "Rising"]


def test_diagram_with_an_identifier_is_refused(tmp_path: Path):
    writer = ArtifactWriter(tmp_path, rule="demo")
    dot = graphviz.Digraph()
    dot.node("a", "<Treatment A<SUB>i</SUB>>")
    dot.node("b", "observed_clicks")
    dot.edge("a", "b")
    with pytest.raises(ValueError, match="'observed_clicks'"):
        writer.diagram("planted_diagram", dot, title="t", caption="c", alt="a")
    dot = graphviz.Digraph()
    dot.node("a", "<Treatment A<SUB>i</SUB>>")
    record = writer.diagram("clean_diagram", dot, title="t", caption="c", alt="a")
    assert Image.open(record.path).info["dpi"] == pytest.approx((PNG_DPI, PNG_DPI), abs=0.1)


def test_snake_case_words_and_label_text():
    assert snake_case_words("Total (known_lift) vs $x_i$ and Y_i") == ["known_lift"]
    assert snake_case_words("Same-cluster spillover, 95% CI") == []
    assert label_text("Regression (A + peer_saturation)") == "Regression (A + peer saturation)"
    assert label_text("hajek_full and horvitz_thompson") == \
        "Hájek, full neighbourhood and Horvitz–Thompson"
    assert label_text("Hajek (design exposure probabilities)") == \
        "Hájek (design exposure probabilities)"
    assert heading("comedy") == "Comedy" and heading("sci_fi") == "Sci-fi"


@pytest.mark.pipeline
def test_every_figure_of_the_build_passed_the_checks(ci_results: Path):
    """The CI build runs every figure function through ArtifactWriter.figure/diagram, which
    refuse a figure that breaks the rules; here: every figure the steps write is in the build,
    as a PNG no wider than the limit with its resolution recorded."""
    from analysis.report.manifest import Manifest

    written = set()
    for step in STEPS.glob("*.py"):
        written |= set(re.findall(r"w\.(?:figure|diagram)\(\s*\"([a-z0-9_]+)\"", step.read_text()))
    assert len(written) >= 35
    records = Manifest.load(ci_results / "manifest.json", root=ROOT).records
    figures = {k for k, r in records.items() if r["kind"] == "figure"}
    assert written == figures
    for artifact_id in sorted(figures):
        image = Image.open(ROOT / records[artifact_id]["path"])
        dpi = image.info["dpi"][0]
        assert dpi == pytest.approx(PNG_DPI, abs=0.1), artifact_id
        assert image.size[0] / dpi <= MAX_WIDTH_IN + 0.01, artifact_id
