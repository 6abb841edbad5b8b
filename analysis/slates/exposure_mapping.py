"""Exposure mapping: from the slate-level assignment to every item row's exposure.

Promotion moves the focal movie to position 1 and shifts every movie that was above it down by
one place; movies below the focal movie keep their positions. The mapping records, per row:

* pre-treatment membership (known in both arms): ``is_focal_item``, ``same_cluster_as_focal``
  (a non-focal movie in the focal movie's spillover cluster), ``above_focal`` (a non-focal movie
  that *would* be pushed down if the slate were promoted), ``position_if_promoted``;
* realised exposure: ``direct_treatment``, ``same_slate_spillover``, ``same_cluster_spillover``,
  ``displaced_by_promotion``, ``final_position`` and the visibility before/after;
* ``exposure_group``, one of :data:`EXPOSURE_GROUPS`.

Visibility is a position-discount curve, ``1 / log2(1 + position)`` (position 1 -> 1.0,
position 12 -> 0.27), the same discount as in DCG.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

EXPOSURE_GROUPS: tuple[str, ...] = (
    "direct_promoted", "focal_control", "same_cluster_spillover", "other_slate_spillover",
    "unchanged_non_focal",
)


def visibility(position: np.ndarray | pd.Series) -> np.ndarray:
    """Position-discount visibility ``1 / log2(1 + position)`` for positions >= 1."""
    pos = np.asarray(position, dtype=float)
    if np.any(pos < 1):
        raise ValueError("visibility: positions must be >= 1")
    return 1.0 / np.log2(1.0 + pos)


def map_exposures(seed_slates: pd.DataFrame, assignment: pd.DataFrame) -> pd.DataFrame:
    """Join the slate assignment to every row and derive the exposure variables.

    Parameters
    ----------
    seed_slates:
        One row per slate item with ``slate_id``, ``movie_id``, ``slate_position_seed`` and
        ``spillover_cluster``.
    assignment:
        One row per slate with ``slate_id``, ``focal_seed_position`` and ``promotion_applied``.
    """
    for name, df, cols in (
        ("seed_slates", seed_slates, ("slate_id", "movie_id", "slate_position_seed", "spillover_cluster")),
        ("assignment", assignment, ("slate_id", "focal_seed_position", "promotion_applied")),
    ):
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise ValueError(f"{name}: missing columns {missing}")
    if assignment["slate_id"].duplicated().any():
        raise ValueError("assignment: slate_id must be unique (one row per slate)")
    out = seed_slates.merge(assignment, on="slate_id", how="left", validate="many_to_one")
    if out["promotion_applied"].isna().any():
        raise ValueError("assignment: some slates in seed_slates have no assignment row")

    seed_pos = out["slate_position_seed"].to_numpy().astype(np.int64)
    focal_pos = out["focal_seed_position"].to_numpy().astype(np.int64)
    promoted = out["promotion_applied"].to_numpy().astype(bool)
    focal = seed_pos == focal_pos
    if np.bincount(out["slate_id"].to_numpy(), weights=focal).max() != 1 or focal.sum() != len(assignment):
        raise ValueError("assignment: every slate needs exactly one item at focal_seed_position")

    # the focal movie's cluster, broadcast to all rows of its slate
    focal_rows = out.loc[focal, ["slate_id", "spillover_cluster", "movie_id"]].rename(
        columns={"spillover_cluster": "focal_spillover_cluster", "movie_id": "focal_movie_id"})
    out = out.merge(focal_rows, on="slate_id", how="left", validate="many_to_one")

    same_cluster = ~focal & (out["spillover_cluster"].to_numpy() == out["focal_spillover_cluster"].to_numpy())
    above = ~focal & (seed_pos < focal_pos)
    pos_if_promoted = np.where(focal, 1, np.where(above, seed_pos + 1, seed_pos))
    final_pos = np.where(promoted, pos_if_promoted, seed_pos)

    out["is_focal_item"] = focal.astype("int8")
    out["same_cluster_as_focal"] = same_cluster.astype("int8")
    out["above_focal"] = above.astype("int8")
    out["position_if_promoted"] = pos_if_promoted.astype("int16")
    out["direct_treatment"] = (focal & promoted).astype("int8")
    out["same_slate_spillover"] = (~focal & promoted).astype("int8")
    out["same_cluster_spillover"] = (same_cluster & promoted).astype("int8")
    out["displaced_by_promotion"] = (above & promoted).astype("int8")
    out["final_position"] = final_pos.astype("int16")
    out["position_change"] = (final_pos - seed_pos).astype("int16")
    out["visibility_seed"] = visibility(seed_pos)
    out["visibility_final"] = visibility(final_pos)
    out["visibility_gain"] = out["visibility_final"] - out["visibility_seed"]
    group = np.select(
        [focal & promoted, focal, same_cluster & promoted, promoted],
        ["direct_promoted", "focal_control", "same_cluster_spillover", "other_slate_spillover"],
        default="unchanged_non_focal",
    )
    out["exposure_group"] = pd.Series(group, dtype="str").to_numpy()
    return out
