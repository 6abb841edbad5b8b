"""Build-time checks that a matplotlib figure reads as a book figure.

:func:`figure_problems` lists what a reader would trip over, and
:meth:`analysis.report.artifacts.ArtifactWriter.figure` refuses a figure with any:

- visible text (titles, axis labels, tick labels, legend entries and titles, annotations) that
  contains a snake_case identifier such as ``observed_clicks`` (math between ``$`` signs is
  exempt): identifiers go through :func:`analysis.report.labels.label` first;
- a figure-level title (``suptitle``), or a title on a figure with a single visible axes: the
  title of a figure is its caption in the manifest ("titles in captions, not in plots");
- a figure wider than :data:`MAX_WIDTH_IN`, or text that prints smaller than
  :data:`MIN_PRINTED_PT` once the figure is scaled to the text width :data:`TEXT_WIDTH_IN`.

The checks read the figure after it has been drawn (tick labels exist only then).
"""

from __future__ import annotations

import html
import re

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.text import Text

#: Width of the book's text column (PDF), in inches; wider figures are scaled down to it.
TEXT_WIDTH_IN = 6.3
#: Widest figure accepted, in inches (as saved, with the tight bounding box).
MAX_WIDTH_IN = 8.0
#: Smallest type accepted, in points, as printed at the text width.
MIN_PRINTED_PT = 8.0

SNAKE_CASE = re.compile(r"(?<![\w\\])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?!\w)")
_MATH = re.compile(r"(?<!\\)\$.*?(?<!\\)\$")


def snake_case_words(text: str) -> list[str]:
    """The snake_case identifiers in ``text`` (outside ``$...$`` math)."""
    return SNAKE_CASE.findall(_MATH.sub(" ", text))


def _tick_labels(ax: Axes, in_view: bool) -> list[Text]:
    labels = []
    for axis in (ax.xaxis, ax.yaxis):
        if in_view:  # the tick labels drawn at the current limits
            labels += axis.get_ticklabels(which="both")
        else:  # every tick object's labels, including stale ones outside the limits
            for tick in [*axis.majorTicks, *axis.minorTicks]:
                labels += [tick.label1, tick.label2]
    return labels


def visible_texts(fig: Figure) -> list[Text]:
    """Every Text artist a reader can see: visible, non-empty, in a visible axes (tick labels
    only where the axis draws them)."""
    all_ticks = {id(t) for ax in fig.axes for t in _tick_labels(ax, in_view=False)}
    shown_ticks = [t for ax in fig.axes if ax.get_visible() and ax.axison
                   for t in _tick_labels(ax, in_view=True)]
    out = []
    for artist in [*(t for t in fig.findobj(Text) if id(t) not in all_ticks), *shown_ticks]:
        if not artist.get_text().strip() or not artist.get_visible():
            continue
        axes = artist.axes
        if axes is not None and not axes.get_visible():
            continue
        out.append(artist)
    return out


def _visible_axes(fig: Figure) -> list[Axes]:
    return [ax for ax in fig.axes if ax.get_visible()]


def _axes_titles(ax: Axes) -> list[str]:
    return [t.get_text() for t in (ax.title, ax._left_title, ax._right_title)
            if t.get_visible() and t.get_text().strip()]


def saved_width(fig: Figure) -> float:
    """Width in inches of the saved image (tight bounding box plus its padding)."""
    bbox = fig.get_tightbbox(fig.canvas.get_renderer())
    return float(bbox.width) + 2 * float(matplotlib.rcParams["savefig.pad_inches"])


def figure_problems(fig: Figure) -> list[str]:
    """What keeps ``fig`` from being a book figure, one sentence per problem (empty: none).

    ``fig`` must have been drawn (``savefig`` or ``canvas.draw``) so that tick labels exist.
    """
    problems = []
    texts = visible_texts(fig)
    for text in texts:
        words = snake_case_words(text.get_text())
        if words:
            problems.append(f"text {text.get_text()!r} contains the identifier(s) "
                            f"{', '.join(repr(w) for w in words)}; use reader words "
                            "(analysis.report.labels.label)")
    suptitle = getattr(fig, "_suptitle", None)
    if suptitle is not None and suptitle.get_visible() and suptitle.get_text().strip():
        problems.append(f"figure title {suptitle.get_text()!r}: titles belong in the caption")
    axes = _visible_axes(fig)
    if len(axes) == 1:
        for title in _axes_titles(axes[0]):
            problems.append(f"plot title {title!r} on a single-panel figure: titles belong in "
                            "the caption")
    width = saved_width(fig)
    if width > MAX_WIDTH_IN + 1e-6:
        problems.append(f"figure is {width:.2f} in wide; at most {MAX_WIDTH_IN:g} in")
    scale = min(1.0, TEXT_WIDTH_IN / width)
    for text in texts:
        printed = text.get_fontsize() * scale
        if printed < MIN_PRINTED_PT - 1e-6:
            problems.append(f"text {text.get_text()!r} prints at {printed:.1f} pt at the text "
                            f"width; at least {MIN_PRINTED_PT:g} pt")
    return problems


_SVG_TEXT = re.compile(r"<text\b[^>]*>(.*?)</text>", re.S)
_SVG_TAG = re.compile(r"<[^>]+>")


def svg_text_problems(svg: bytes) -> list[str]:
    """Snake_case identifiers in the text of an SVG drawn with real text (Graphviz diagrams)."""
    problems = []
    for raw in _SVG_TEXT.findall(svg.decode("utf-8")):
        text = html.unescape(_SVG_TAG.sub("", raw))
        words = snake_case_words(text)
        if words:
            problems.append(f"text {text!r} contains the identifier(s) "
                            f"{', '.join(repr(w) for w in words)}; use reader words")
    return problems
