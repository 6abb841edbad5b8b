"""The book's one figure style, and deterministic figure export."""

from __future__ import annotations

import io
from typing import Any

import matplotlib
import numpy as np

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

#: Colours used across the book: treated / control / spillover / truth / neutral.
PALETTE: dict[str, str] = {
    "treated": "#2b6cb0",
    "control": "#9aa5b1",
    "spillover": "#c53030",
    "truth": "#2f855a",
    "neutral": "#4a5568",
    "accent": "#d69e2e",
    "light": "#bee3f8",
    "faint": "#e2e8f0",
}

#: Colours for a few unordered series (designs, estimators, SE types), in this order.
SERIES: tuple[str, ...] = (PALETTE["treated"], PALETTE["accent"], PALETTE["spillover"],
                           PALETTE["neutral"], PALETTE["truth"], PALETTE["control"])

#: Light-to-dark blues for an ordered series (e.g. number of sellers).
SEQUENTIAL: tuple[str, ...] = ("#90cdf4", "#4299e1", "#2b6cb0", "#1a4e8a", "#0b1f3a")

#: Widths (inches) of the book's figures: full text width, and a narrower single panel.
#: Wider figures are refused (analysis.report.figure_checks.MAX_WIDTH_IN).
FULL_WIDTH = 7.5
PANEL_WIDTH = 6.5

_RC: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,  # = PNG_DPI
    # Figures are at most 8 in wide and printed at the 6.3 in text width: 10.5 pt type prints
    # at 8.3 pt or more (checked for every figure by analysis.report.figure_checks).
    "font.size": 11,
    "axes.titlesize": 11,
    "axes.titleweight": "normal",
    "axes.labelsize": 11,
    "xtick.labelsize": 10.5,
    "ytick.labelsize": 10.5,
    "legend.fontsize": 10.5,
    "legend.title_fontsize": 10.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.axisbelow": True,
    "grid.color": "#e2e8f0",
    "grid.linewidth": 0.8,
    "legend.frameon": False,
    "svg.hashsalt": "interference-book",
    "svg.fonttype": "path",
    "path.simplify": True,
}


def apply_style() -> None:
    """Set the book's matplotlib defaults (idempotent)."""
    plt.rcParams.update(_RC)


def new_figure(width: float = PANEL_WIDTH, height: float = 4.0, nrows: int = 1, ncols: int = 1,
               **kwargs: Any) -> tuple[Figure, Any]:
    """A styled ``(figure, axes)`` pair with constrained layout (nothing clipped, legends placed
    with ``loc="outside ..."`` get room); figures are built with the object API, never pyplot
    state."""
    apply_style()
    kwargs.setdefault("layout", "constrained")
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)
    return fig, axes


def _legend_entries(axes: Any, last: tuple[str, ...] = ()) -> dict[str, Any]:
    """Legend entries of one Axes or a sequence of them, in order (labels in ``last`` at the
    end, e.g. reference lines after the data); a label seen twice is shown once."""
    entries: dict[str, Any] = {}
    for ax in np.atleast_1d(axes).ravel():
        for handle, text in zip(*ax.get_legend_handles_labels(), strict=True):
            entries.setdefault(text, handle)
    return {k: entries[k] for k in sorted(entries, key=lambda k: k in last)}


def legend_below(fig: Figure, axes: Any, ncol: int | None = None, last: tuple[str, ...] = (),
                 **kwargs: Any) -> Any:
    """One legend for the whole figure, centred below the plots so it covers no data.

    ``axes`` is one Axes or a sequence of them (see :func:`_legend_entries`).
    """
    entries = _legend_entries(axes, last)
    ncol = ncol or min(len(entries), 3)
    return fig.legend(list(entries.values()), list(entries), loc="outside lower center",
                      ncol=ncol, **kwargs)


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """Render ``fig`` to PNG or SVG bytes with no timestamps or software stamps."""
    if fmt not in {"png", "svg"}:
        raise ValueError(f"figure format must be 'png' or 'svg', got {fmt!r}")
    apply_style()
    metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, metadata=metadata, bbox_inches="tight")
    return buffer.getvalue()


#: Resolution of the PNG files (matplotlib and Graphviz alike), recorded in the file.
PNG_DPI = 150


def diagram_bytes(graph: Any, fmt: str) -> bytes:
    """Render a ``graphviz`` graph with ``dot`` to PNG (at :data:`PNG_DPI`, recorded in the file
    so the PDF shows the diagram at its size in inches) or SVG bytes."""
    if fmt == "svg":
        return graph.pipe(format="svg", engine="dot")
    if fmt != "png":
        raise ValueError(f"diagram format must be 'png' or 'svg', got {fmt!r}")
    from PIL import Image

    sharp = graph.copy()
    sharp.graph_attr["dpi"] = str(PNG_DPI)
    image = Image.open(io.BytesIO(sharp.pipe(format="png", engine="dot")))
    buffer = io.BytesIO()
    image.save(buffer, format="png", dpi=(PNG_DPI, PNG_DPI))
    return buffer.getvalue()
