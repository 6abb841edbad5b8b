"""Regression-adjusted contrasts: same estimands, pre-treatment covariates for precision."""

from __future__ import annotations

import pandas as pd

from analysis.estimators.regression_adjustment import regression_adjusted_difference
from analysis.slates.contrasts import CONTRASTS, contrast_rows
from analysis.slates.slate_outcomes import VIEWS

#: Pre-treatment covariates per unit of analysis.
ITEM_COVARIATES: tuple[str, ...] = (
    "relevance", "visibility_seed", "focal_seed_position", "popularity_z", "liked_rate_z",
    "user_tendency",
)
SLATE_COVARIATES: tuple[str, ...] = (
    "slate_mean_relevance", "focal_relevance", "focal_seed_position", "n_same_cluster",
)


def adjusted_effects(exposure: pd.DataFrame, slates: pd.DataFrame, views: tuple[str, ...],
                     alpha: float = 0.05) -> pd.DataFrame:
    """Lin-adjusted estimate, clustered SE and variance reduction for every contrast x view."""
    rows = []
    for contrast in CONTRASTS:
        for view in views:
            if view not in VIEWS:
                raise ValueError(f"unknown outcome view {view!r}; expected one of {list(VIEWS)}")
            if contrast.unit == "slate":
                res = regression_adjusted_difference(
                    slates, f"{view}_total", "promotion_applied", SLATE_COVARIATES, cluster=None,
                    alpha=alpha)
            else:
                data = exposure.loc[contrast_rows(exposure, contrast.name)]
                res = regression_adjusted_difference(
                    data, VIEWS[view], "promotion_applied", ITEM_COVARIATES, cluster="slate_id",
                    alpha=alpha)
            rows.append({"contrast": contrast.name, "contrast_label": contrast.label, "view": view,
                         **res.as_dict()})
    return pd.DataFrame(rows)
