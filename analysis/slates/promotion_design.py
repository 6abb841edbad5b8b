"""The randomized promotion design: pick a focal movie per slate, then flip a slate-level coin.

Stage 1 (focal selection): in every slate one focal movie is drawn uniformly from the seed
positions ``focal_min_position..focal_max_position`` (the lower part of the slate, so that a
promotion is a visible jump).

Stage 2 (assignment): independently for each slate a Bernoulli(``promotion_probability``) coin
decides whether the focal movie is promoted to position 1. The coin is flipped *after* focal
selection, so within every focal position the promoted and control slates are exchangeable.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd


@dataclass(frozen=True)
class PromotionDesign:
    """Design parameters (config ``slates.design``)."""

    promotion_probability: float
    focal_min_position: int
    focal_max_position: int

    def __post_init__(self) -> None:
        if not 0.0 < self.promotion_probability < 1.0:
            raise ValueError(
                f"promotion_probability must be strictly between 0 and 1, got {self.promotion_probability}")
        if not 2 <= self.focal_min_position <= self.focal_max_position:
            raise ValueError(
                "focal positions must satisfy 2 <= focal_min_position <= focal_max_position, got "
                f"{self.focal_min_position}..{self.focal_max_position}")


def assign_promotions(slate_ids: np.ndarray, slate_size: int, design: PromotionDesign,
                      rng: np.random.Generator) -> pd.DataFrame:
    """One row per slate: ``slate_id``, ``focal_seed_position``, ``promotion_applied`` (0/1).

    Parameters
    ----------
    slate_ids:
        The distinct slate ids (any order; the output is sorted by id).
    slate_size:
        Items per slate; ``design.focal_max_position`` must not exceed it.
    design:
        Focal window and coin probability.
    rng:
        Source of randomness (focal draw first, then the coins).
    """
    ids = np.sort(np.asarray(slate_ids))
    if ids.size == 0 or np.unique(ids).size != ids.size:
        raise ValueError("slate_ids must be a non-empty array of distinct ids")
    if design.focal_max_position > slate_size:
        raise ValueError(
            f"focal_max_position={design.focal_max_position} exceeds slate_size={slate_size}")
    focal = rng.integers(design.focal_min_position, design.focal_max_position + 1, size=ids.size)
    promoted = rng.random(ids.size) < design.promotion_probability
    return pd.DataFrame({
        "slate_id": ids.astype("int32"),
        "focal_seed_position": focal.astype("int16"),
        "promotion_applied": promoted.astype("int8"),
    })
