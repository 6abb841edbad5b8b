"""The book's one figure style, and deterministic figure export."""

from __future__ import annotations

import io
from typing import Any

import matplotlib

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
}

_RC: dict[str, Any] = {
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
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


def new_figure(width: float = 8.0, height: float = 4.5, nrows: int = 1, ncols: int = 1,
               **kwargs: Any) -> tuple[Figure, Any]:
    """A styled ``(figure, axes)`` pair; figures are built with the object API, never pyplot state."""
    apply_style()
    fig, axes = plt.subplots(nrows, ncols, figsize=(width, height), **kwargs)
    return fig, axes


def figure_bytes(fig: Figure, fmt: str) -> bytes:
    """Render ``fig`` to PNG or SVG bytes with no timestamps or software stamps."""
    if fmt not in {"png", "svg"}:
        raise ValueError(f"figure format must be 'png' or 'svg', got {fmt!r}")
    apply_style()
    metadata: dict[str, Any] = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    buffer = io.BytesIO()
    fig.savefig(buffer, format=fmt, metadata=metadata, bbox_inches="tight")
    return buffer.getvalue()
