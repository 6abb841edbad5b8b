"""Spillover-definition sensitivity: how much does the answer depend on who counts as exposed?

Five nested or overlapping definitions of a "competitor" (all pre-treatment, so each comparison of
promoted and control slates is randomized):

* ``all_non_focal`` - every non-focal item;
* ``same_cluster`` - non-focal items in the focal movie's cluster;
* ``displaced`` - non-focal items above the focal movie;
* ``same_cluster_displaced`` - both of the above;
* ``near_position_displaced`` - displaced items at most ``window`` positions above the focal movie.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimators.difference_in_means import difference_in_means
from analysis.slates.slate_outcomes import POTENTIAL_LIFT, VIEWS

DEFINITION_LABELS: dict[str, str] = {
    "all_non_focal": "All non-focal items",
    "same_cluster": "Same-cluster competitors",
    "displaced": "Displaced items",
    "same_cluster_displaced": "Same-cluster displaced substitutes",
    "near_position_displaced": "Near-position displaced items",
}


def spillover_masks(exposure: pd.DataFrame, window: int) -> dict[str, np.ndarray]:
    """Boolean row masks for every definition in :data:`DEFINITION_LABELS`."""
    if window < 1:
        raise ValueError(f"near_position_window must be at least 1, got {window}")
    non_focal = exposure["is_focal_item"].to_numpy() == 0
    same = exposure["same_cluster_as_focal"].to_numpy() == 1
    above = exposure["above_focal"].to_numpy() == 1
    gap = exposure["focal_seed_position"].to_numpy() - exposure["slate_position_seed"].to_numpy()
    return {
        "all_non_focal": non_focal,
        "same_cluster": same,
        "displaced": above,
        "same_cluster_displaced": same & above,
        "near_position_displaced": above & (gap <= window),
    }


def spillover_sensitivity(exposure: pd.DataFrame, window: int, alpha: float = 0.05) -> pd.DataFrame:
    """Support counts and clustered estimates for every definition x outcome view."""
    rows = []
    for name, mask in spillover_masks(exposure, window).items():
        part = exposure.loc[mask]
        treated = part["promotion_applied"].to_numpy()
        support = {
            "definition": name, "label": DEFINITION_LABELS[name], "rows": int(mask.sum()),
            "slates": int(part["slate_id"].nunique()), "treated_rows": int(treated.sum()),
            "control_rows": int((1 - treated).sum()),
            "truth": float(part[POTENTIAL_LIFT].mean()),
        }
        for view, column in VIEWS.items():
            res = difference_in_means(part[column], treated, part["slate_id"], alpha=alpha)
            rows.append({**support, "view": view, "estimate": res.estimate,
                         "cluster_se": res.std_error, "ci_lower": res.ci_lower,
                         "ci_upper": res.ci_upper, "p_value": res.p_value,
                         "mean_treated": res.mean_treated, "mean_control": res.mean_control})
    out = pd.DataFrame(rows)
    out["window"] = window
    return out
