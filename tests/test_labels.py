"""Reader language: the label map, and how tables reach a page."""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis import book
from analysis.report import labels


def test_explicit_labels_fallback_and_untouched_text():
    assert labels.label("horvitz_thompson") == "Horvitz–Thompson"
    assert labels.label("hajek") == "Hájek"
    assert labels.label("sci_fi") == "Sci-fi"
    assert labels.label("A:peer_saturation") == "Own treatment × peer saturation"
    assert labels.label("n_units_positive") == "Number of units positive"
    assert labels.label("mean_ci_width") == "Mean CI width"
    assert labels.label("Total effect") == "Total effect"  # reader text stays as written
    assert labels.label(np.True_) == "yes" and labels.label(False) == "no"


def test_lists_and_settings_read_as_words():
    assert labels.label_list("action, adventure, sci_fi") == "action, adventure, sci-fi"
    assert (labels.label_assignments("attention_penalty=0, cluster_penalty=0")
            == "attention penalty 0, same-cluster penalty 0")


def test_relabel_frame_words_booleans_rename_and_keep():
    df = pd.DataFrame({"mapping": ["four_way", "full_neighborhood"], "complete": [True, False],
                       "id": ["network_summary", "slate_effects"], "std_error": [0.1, 0.2]})
    out = labels.relabel_frame(df, rename={"std_error": "Standard error"}, keep=["id"])
    assert list(out.columns) == ["Mapping", "Complete", "Id", "Standard error"]
    assert out["Mapping"].tolist() == ["Four-way condition", "Full neighbourhood"]
    assert out["Complete"].tolist() == ["yes", "no"]
    assert out["Id"].tolist() == ["network_summary", "slate_effects"]


def test_numbers_for_readers():
    assert book.fmt_number(-0.0004, 3) == "0.000"  # no negative zero
    assert book.fmt_number(-1234.5, 1) == "−1,234.5"  # true minus, thousands separator
    frame = book._format_frame(pd.DataFrame({"n": [1234567], "x": [-0.25]}), 2)
    assert frame.iloc[0].tolist() == ["1,234,567", "−0.25"]


def test_a_share_in_the_text_reads_as_its_table_cell():
    # 1,647 of 2,000 intervals: the table cell reads 0.824, so the text must read 82.4% (the float
    # formatted as a percentage gives 82.3%, the defect this guards against)
    assert book.fmt_number(1647 / 2000, 3) == "0.824"
    assert f"{1647 / 2000:.1%}" == "82.3%"
    assert book.fmt_share_as_percent(1647 / 2000) == "82.4%"
    assert book.fmt_share_as_percent(1759 / 2000) == "87.9%"  # 0.8795 prints 0.879 in the table
    assert book.fmt_share_as_percent(0.95, table_digits=2) == "95%"
    assert book.fmt_share_as_percent(-0.0123) == "−1.2%"


def test_a_pipe_inside_a_cell_does_not_break_the_row():
    escaped = book._escape_cells(pd.DataFrame({"definition": ["E[Y | policy ψ₁]"]}))
    markdown = escaped.to_markdown(index=False)
    assert markdown.splitlines()[-1].count("|") - markdown.splitlines()[-1].count("\\|") == 2


def test_genre_clusters_read_in_one_case_in_a_table_column_and_capitalised_in_figures():
    """Table 6.2 once listed "family", "documentary", "Action/adventure", "Thriller/crime"."""
    from analysis.slates.genre_clusters import CLUSTER_GENRES, FALLBACK_CLUSTER

    names = [labels.label(c) for c, _ in CLUSTER_GENRES] + [labels.label(FALLBACK_CLUSTER)]
    assert all(n[:1].islower() for n in names), names
    assert "action/adventure" in names and "_" not in "".join(names)
    assert labels.heading("action_adventure") == "Action/adventure"


def test_the_focal_component_is_not_called_promoted_in_control_slates():
    # the focal movie of a control slate is not promoted (Table 8.1 pairs the label with "control")
    assert labels.label("focal") == "Focal movie"
    assert labels.label("competitors") == "Competitors"


def test_a_catalog_title_that_is_a_question_keeps_its_question_mark_alone():
    assert book.sentence_end("Where is the RMSE-optimal cluster size?") == (
        "Where is the RMSE-optimal cluster size?")
    assert book.sentence_end("Exposure groups") == "Exposure groups."


def test_tiny_numbers_read_as_powers_of_ten():
    assert labels.scientific(3.94e-16) == "3.9 × 10⁻¹⁶"
    assert labels.scientific(-2.5e-17, digits=2) == "−2.50 × 10⁻¹⁷"
    assert labels.scientific(123_000.0) == "1.2 × 10⁵"
    assert labels.scientific(0.0) == "0" and labels.scientific(-0.0) == "0"
