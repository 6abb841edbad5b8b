"""Figures for the MovieLens data chapter: tidy table in, matplotlib Figure out."""

from __future__ import annotations

import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import StrMethodFormatter

from analysis.report.labels import heading
from analysis.report.style import FULL_WIDTH, PALETTE, new_figure


def rating_and_popularity_figure(distribution: pd.DataFrame, popularity: pd.DataFrame) -> Figure:
    """Left: share of ratings by star; right: cumulative share of ratings by item rank."""
    fig, (left, right) = new_figure(FULL_WIDTH, 3.4, ncols=2)
    step = float(distribution["rating"].diff().min()) if len(distribution) > 1 else 1.0
    left.bar(distribution["rating"], distribution["share"], color=PALETTE["treated"],
             width=0.7 * step)
    left.set_xlabel("Rating (stars)")
    left.set_ylabel("Share of ratings")
    right.plot(popularity["rank"], popularity["cumulative_share"], color=PALETTE["spillover"])
    right.set_xlabel("Movie rank by number of ratings")
    right.set_ylabel("Cumulative share of ratings")
    right.set_ylim(0, 1.02)
    return fig


def genre_figure(genres: pd.DataFrame) -> Figure:
    """Ratings volume by genre with the share of ratings that are 4 or 5 stars."""
    data = genres.sort_values("n_ratings")
    fig, ax = new_figure(FULL_WIDTH, 5.6)
    ax.barh([heading(g) for g in data["genre"]], data["n_ratings"], color=PALETTE["neutral"])
    ax.set_xlabel("Number of ratings (a movie counts once per genre it carries)")
    for y, (n, liked) in enumerate(zip(data["n_ratings"], data["share_liked"], strict=True)):
        if n > 0:
            ax.text(n, y, f" {liked:.0%} liked", va="center", fontsize=10.5,
                    color=PALETTE["neutral"])
    ax.xaxis.set_major_formatter(StrMethodFormatter("{x:,.0f}"))
    ax.margins(x=0.2)
    ax.grid(axis="y", visible=False)
    return fig
