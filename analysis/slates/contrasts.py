"""The causal contrasts of the slate experiment and their difference-in-means estimates.

Every contrast compares promoted with control slates on a set of rows defined *before*
treatment, so each is a randomized comparison:

* ``direct_focal`` - focal movies (promoted vs not): the direct effect;
* ``same_cluster_spillover`` - non-focal items in the focal movie's cluster;
* ``displaced_items`` - non-focal items above the focal movie (pushed down if promoted);
* ``all_non_focal`` - every non-focal item;
* ``total_slate`` - one row per slate, the sum over its items: the total effect.

Item-row contrasts get slate-clustered (CR1) standard errors because promotion is assigned per
slate; the naive (Welch) standard error is kept to show what ignoring the clustering would claim.
The estimand (``truth``) of each contrast is the mean of ``lift_if_promoted`` over its rows (or
of the slate sum for the total), known because the simulation keeps both potential outcomes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.estimators.difference_in_means import difference_in_means
from analysis.slates.slate_outcomes import POTENTIAL_LIFT, VIEWS


@dataclass(frozen=True)
class Contrast:
    """A named randomized comparison."""

    name: str
    label: str
    unit: str  # "item" or "slate"
    description: str


CONTRASTS: tuple[Contrast, ...] = (
    Contrast("direct_focal", "Direct: focal movie", "item",
             "Focal movies in promoted vs control slates."),
    Contrast("same_cluster_spillover", "Spillover: same-cluster items", "item",
             "Non-focal items in the focal movie's spillover cluster."),
    Contrast("displaced_items", "Spillover: displaced items", "item",
             "Non-focal items above the focal movie (shifted down when promoted)."),
    Contrast("all_non_focal", "Spillover: all non-focal items", "item",
             "Every non-focal item in the slate."),
    Contrast("total_slate", "Total: full slate", "slate",
             "Sum over the slate's twelve items, one row per slate."),
)
CONTRAST_NAMES: tuple[str, ...] = tuple(c.name for c in CONTRASTS)


def contrast_by_name(name: str) -> Contrast:
    """Look up a contrast; unknown names list the valid ones."""
    for contrast in CONTRASTS:
        if contrast.name == name:
            return contrast
    raise ValueError(f"unknown contrast {name!r}; expected one of {list(CONTRAST_NAMES)}")


def contrast_rows(exposure: pd.DataFrame, name: str) -> np.ndarray:
    """Boolean mask of the item rows an item-level contrast uses."""
    focal = exposure["is_focal_item"].to_numpy() == 1
    masks = {
        "direct_focal": focal,
        "same_cluster_spillover": exposure["same_cluster_as_focal"].to_numpy() == 1,
        "displaced_items": exposure["above_focal"].to_numpy() == 1,
        "all_non_focal": ~focal,
    }
    if name not in masks:
        raise ValueError(f"{name!r} is not an item-level contrast; expected one of {sorted(masks)}")
    return masks[name]


@dataclass(frozen=True)
class ContrastData:
    """Arrays one estimator call needs."""

    y: np.ndarray
    treated: np.ndarray
    slate_id: np.ndarray
    truth: float


def contrast_data(exposure: pd.DataFrame, slates: pd.DataFrame, name: str, view: str) -> ContrastData:
    """Outcome, treatment and slate ids of contrast ``name`` under outcome ``view``."""
    if view not in VIEWS:
        raise ValueError(f"unknown outcome view {view!r}; expected one of {list(VIEWS)}")
    if contrast_by_name(name).unit == "slate":
        return ContrastData(
            y=slates[f"{view}_total"].to_numpy(dtype=float),
            treated=slates["promotion_applied"].to_numpy().astype(int),
            slate_id=slates["slate_id"].to_numpy(),
            truth=float(slates["potential_lift_total"].mean()),
        )
    mask = contrast_rows(exposure, name)
    rows = exposure.loc[mask]
    return ContrastData(
        y=rows[VIEWS[view]].to_numpy(dtype=float),
        treated=rows["promotion_applied"].to_numpy().astype(int),
        slate_id=rows["slate_id"].to_numpy(),
        truth=float(rows[POTENTIAL_LIFT].mean()),
    )


def estimate_effects(exposure: pd.DataFrame, slates: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Contrast x view table with naive and slate-clustered inference and the known truth."""
    rows = []
    for contrast in CONTRASTS:  # five contrasts x three views
        for view in VIEWS:
            data = contrast_data(exposure, slates, contrast.name, view)
            naive = difference_in_means(data.y, data.treated, alpha=alpha)
            clustered = difference_in_means(data.y, data.treated, data.slate_id, alpha=alpha)
            rows.append({
                "contrast": contrast.name, "contrast_label": contrast.label, "unit": contrast.unit,
                "view": view, "estimate": clustered.estimate,
                "naive_se": naive.std_error, "cluster_se": clustered.std_error,
                "se_ratio": clustered.std_error / naive.std_error if naive.std_error > 0 else np.nan,
                "ci_lower": clustered.ci_lower, "ci_upper": clustered.ci_upper,
                "naive_ci_lower": naive.ci_lower, "naive_ci_upper": naive.ci_upper,
                "p_value": clustered.p_value, "p_value_naive": naive.p_value,
                "p_value_display": ("" if not np.isfinite(clustered.p_value)
                                    else "<0.0001" if clustered.p_value < 0.0001
                                    else f"{clustered.p_value:.4f}"),
                "mean_treated": clustered.mean_treated, "mean_control": clustered.mean_control,
                "n_treated": clustered.n_treated, "n_control": clustered.n_control,
                "n_clusters": clustered.n_clusters, "truth": data.truth,
                "covers_truth": bool(clustered.ci_lower <= data.truth <= clustered.ci_upper),
            })
    return pd.DataFrame(rows)
