"""Typed view of the ``slates`` config section (validated by config/schema/slates.schema.yaml)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from analysis.slates.outcome_model import OutcomeModel
from analysis.slates.promotion_design import PromotionDesign
from analysis.slates.seed_slates import SeedSlateSpec


@dataclass(frozen=True)
class SlateParams:
    """Everything the slate steps read from config."""

    seed: int
    seed_slates: SeedSlateSpec
    design: PromotionDesign
    outcome: OutcomeModel
    alpha: float
    bootstrap_replicates: int
    min_clusters_per_arm: int
    position_buckets: list[list[int]]
    near_position_window: int
    robustness_seeds: list[int]
    robustness_settings: list[dict[str, Any]]
    randomizations: int


def slate_params(params: dict[str, Any]) -> SlateParams:
    """Build :class:`SlateParams` from a step's ``ctx.params`` (which holds ``{"slates": {...}}``)."""
    if "slates" not in params:
        raise ValueError(f"step params need a 'slates' section; got keys {sorted(params)}")
    cfg = params["slates"]
    try:
        design, rob = cfg["design"], cfg["robustness"]
        return SlateParams(
            seed=int(cfg["seed"]),
            seed_slates=SeedSlateSpec(n_slates=int(cfg["n_slates"]), slate_size=int(cfg["slate_size"]),
                                      prior_strength=float(cfg["ranker_prior_strength"]),
                                      liked_threshold=int(cfg["liked_threshold"])),
            design=PromotionDesign(promotion_probability=float(design["promotion_probability"]),
                                   focal_min_position=int(design["focal_min_position"]),
                                   focal_max_position=int(design["focal_max_position"])),
            outcome=OutcomeModel.from_config(dict(cfg["outcome"])),
            alpha=float(cfg["alpha"]),
            bootstrap_replicates=int(cfg["bootstrap_replicates"]),
            min_clusters_per_arm=int(cfg["min_clusters_per_arm"]),
            position_buckets=[list(map(int, b)) for b in cfg["position_buckets"]],
            near_position_window=int(cfg["near_position_window"]),
            robustness_seeds=[int(s) for s in rob["seeds"]],
            robustness_settings=[dict(s) for s in rob["settings"]],
            randomizations=int(rob["randomizations"]),
        )
    except KeyError as exc:
        raise ValueError(f"slates config: missing key {exc.args[0]!r}") from exc
