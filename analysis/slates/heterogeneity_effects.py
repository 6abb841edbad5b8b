"""Exploratory heterogeneity: direct and spillover effects by focal cluster and focal position.

Both subgroup variables are fixed before the promotion coin is flipped, so every subgroup
contrast is still randomized. Subgroups with fewer than ``min_clusters_per_arm`` slates in an arm
are reported as unsupported rather than estimated.
"""

from __future__ import annotations

import pandas as pd

from analysis.estimators.heterogeneity import subgroup_differences
from analysis.slates.contrasts import contrast_by_name, contrast_rows
from analysis.slates.slate_outcomes import VIEWS

#: (dimension, subgroup column, contrasts) triples reported.
HETEROGENEITY_SPECS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("focal_cluster", "focal_spillover_cluster", ("direct_focal", "same_cluster_spillover", "total_slate")),
    ("focal_position", "focal_seed_position", ("direct_focal", "displaced_items", "total_slate")),
)


def heterogeneity_effects(exposure: pd.DataFrame, slates: pd.DataFrame, view: str,
                          min_clusters_per_arm: int, alpha: float = 0.05) -> pd.DataFrame:
    """Subgroup estimates (clustered by slate) with support counts and a ``supported`` flag."""
    if view not in VIEWS:
        raise ValueError(f"unknown outcome view {view!r}; expected one of {list(VIEWS)}")
    frames = []
    for dimension, column, contrasts in HETEROGENEITY_SPECS:
        for name in contrasts:
            if contrast_by_name(name).unit == "slate":
                data, outcome = slates, f"{view}_total"
            else:
                data, outcome = exposure.loc[contrast_rows(exposure, name)], VIEWS[view]
            table = subgroup_differences(data, outcome, "promotion_applied", column, "slate_id",
                                         min_clusters_per_arm, alpha)
            table.insert(0, "contrast", name)
            table.insert(0, "dimension", dimension)
            table["subgroup"] = table["subgroup"].astype(str)
            frames.append(table)
    out = pd.concat(frames, ignore_index=True)
    out.insert(2, "view", view)
    return out
