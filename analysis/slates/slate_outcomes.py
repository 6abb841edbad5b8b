"""Slate-level accounting: every item row belongs to exactly one component of its slate.

Components (pre-treatment, so they are defined in both arms):

* ``focal`` - the focal movie, promoted or not;
* ``same_cluster_competitor`` - non-focal movies in the focal movie's spillover cluster;
* ``other_competitor`` - all remaining non-focal movies.

Summing each outcome view over a component gives one column per (view, component); the three
components add up to the slate total by construction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

COMPONENTS: tuple[str, ...] = ("focal", "same_cluster_competitor", "other_competitor")

#: Outcome views: name -> item-row column.
VIEWS: dict[str, str] = {
    "observed_clicks": "clicked",
    "expected_probability": "click_probability",
    "known_lift": "known_lift",
}

#: Column holding the lift each row *would* get if its slate were promoted (the estimand).
POTENTIAL_LIFT = "lift_if_promoted"


def accounting_component(exposure: pd.DataFrame) -> pd.Series:
    """The component of every row (see module docstring)."""
    for column in ("is_focal_item", "same_cluster_as_focal"):
        if column not in exposure.columns:
            raise ValueError(f"exposure: missing column {column!r}")
    focal = exposure["is_focal_item"].to_numpy() == 1
    same = exposure["same_cluster_as_focal"].to_numpy() == 1
    values = np.where(focal, COMPONENTS[0], np.where(same, COMPONENTS[1], COMPONENTS[2]))
    return pd.Series(values, index=exposure.index, name="component", dtype="str")


def slate_outcome_table(exposure: pd.DataFrame) -> pd.DataFrame:
    """One row per slate: assignment, focal descriptors and component sums for every view.

    Sum columns are named ``<view>_<component>`` and ``<view>_total`` for the views in
    :data:`VIEWS` plus ``potential_lift`` (sums of ``lift_if_promoted``).
    """
    needed = ["slate_id", "user_id", "promotion_applied", "focal_seed_position",
              "focal_spillover_cluster", "is_focal_item", "same_cluster_as_focal", "above_focal",
              "relevance", POTENTIAL_LIFT, *VIEWS.values()]
    missing = [c for c in needed if c not in exposure.columns]
    if missing:
        raise ValueError(f"exposure: missing columns {missing}")
    codes, slate_ids = pd.factorize(exposure["slate_id"], sort=True)
    g = slate_ids.size
    first = np.unique(codes, return_index=True)[1]
    focal = exposure["is_focal_item"].to_numpy() == 1
    focal_row = np.flatnonzero(focal)[np.argsort(codes[focal], kind="stable")]
    if focal_row.size != g:
        raise ValueError("exposure: every slate needs exactly one focal movie")
    out = pd.DataFrame({
        "slate_id": np.asarray(slate_ids).astype("int32"),
        "user_id": exposure["user_id"].to_numpy()[first],
        "promotion_applied": exposure["promotion_applied"].to_numpy()[first].astype("int8"),
        "focal_seed_position": exposure["focal_seed_position"].to_numpy()[first].astype("int16"),
        "focal_spillover_cluster": exposure["focal_spillover_cluster"].to_numpy()[first],
        "focal_movie_id": exposure["movie_id"].to_numpy()[focal_row],
        "focal_relevance": exposure["relevance"].to_numpy()[focal_row],
        "slate_mean_relevance": np.bincount(codes, weights=exposure["relevance"].to_numpy(), minlength=g)
        / np.bincount(codes, minlength=g),
        "n_items": np.bincount(codes, minlength=g).astype("int16"),
        "n_same_cluster": np.bincount(codes, weights=exposure["same_cluster_as_focal"].to_numpy(),
                                      minlength=g).astype("int16"),
        "n_above_focal": np.bincount(codes, weights=exposure["above_focal"].to_numpy(),
                                     minlength=g).astype("int16"),
    })
    out["assignment_arm"] = np.where(out["promotion_applied"] == 1, "promoted", "control")
    component = accounting_component(exposure).to_numpy()
    columns = {**VIEWS, "potential_lift": POTENTIAL_LIFT}
    for view, column in columns.items():
        values = exposure[column].to_numpy(dtype=float)
        for comp in COMPONENTS:
            out[f"{view}_{comp}"] = np.bincount(codes, weights=values * (component == comp), minlength=g)
        out[f"{view}_total"] = np.bincount(codes, weights=values, minlength=g)
    return out
