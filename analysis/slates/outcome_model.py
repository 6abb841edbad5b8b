"""The simulated click model and its known potential outcomes.

MovieLens has ratings, not randomized exposure logs, so post-promotion engagement is simulated
from an explicit logistic model. For a row in world ``w`` (``w = 1``: its slate is promoted,
``w = 0``: the same slate left in seed order)

    logit P(click) = intercept
                     + relevance      * relevance          # (rating - 3) / 2
                     + user_tendency  * user_tendency      # user's mean rating - global mean
                     + popularity     * popularity_z       # standardised log(1 + #ratings)
                     + liked_rate     * liked_rate_z       # standardised share of ratings >= 4
                     + visibility     * visibility(position in world w)
                     + w * ( direct_boost      * is_focal_item
                           - attention_penalty * (1 - is_focal_item)
                           - cluster_penalty   * same_cluster_as_focal
                           + market_expansion )

The last line is the interference: promotion gives the focal movie a boost beyond its better
position, costs every other movie in the slate some attention and costs same-cluster substitutes
more. ``market_expansion`` (default 0) lets promotion *create* attention for the whole slate; a
large enough value turns the total effect positive.

Both potential probabilities are kept for every row, so the simulation's truth is known:
``lift_if_promoted = p_promoted - p_unpromoted`` (defined in both arms) and
``known_lift = promotion_applied * lift_if_promoted`` (the realised lift: zero in control slates).
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit

from analysis.slates.exposure_mapping import visibility

REQUIRED_COLUMNS: tuple[str, ...] = (
    "relevance", "user_tendency", "popularity_z", "liked_rate_z", "slate_position_seed",
    "position_if_promoted", "is_focal_item", "same_cluster_as_focal", "promotion_applied",
)


@dataclass(frozen=True)
class OutcomeModel:
    """Coefficients of the click model (config ``slates.outcome``); penalties are subtracted."""

    intercept: float
    relevance: float
    user_tendency: float
    popularity: float
    liked_rate: float
    visibility: float
    direct_boost: float
    attention_penalty: float
    cluster_penalty: float
    market_expansion: float = 0.0

    @classmethod
    def from_config(cls, params: dict[str, Any]) -> OutcomeModel:
        """Build from a config mapping; unknown or missing keys are errors."""
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(params) - names)
        if unknown:
            raise ValueError(f"slates.outcome: unknown keys {unknown}; expected {sorted(names)}")
        return cls(**{k: float(v) for k, v in params.items()})

    def with_overrides(self, **overrides: float) -> OutcomeModel:
        """A copy with some coefficients replaced (robustness settings)."""
        return replace(self, **{k: float(v) for k, v in overrides.items()})


COEFFICIENT_TERMS: dict[str, str] = {
    "intercept": "baseline log-odds",
    "relevance": "(rating - 3) / 2",
    "user_tendency": "user's mean rating minus the global mean",
    "popularity": "standardised log(1 + number of ratings)",
    "liked_rate": "standardised share of 4-5 star ratings",
    "visibility": "1 / log2(1 + position)",
    "direct_boost": "promoted focal movie (added)",
    "attention_penalty": "every other movie of a promoted slate (subtracted)",
    "cluster_penalty": "same-cluster substitutes, on top of the attention penalty (subtracted)",
    "market_expansion": "every movie of a promoted slate (added)",
}


def outcome_model_table(model: OutcomeModel) -> pd.DataFrame:
    """The coefficients as a tidy table: ``parameter``, ``value``, ``term``."""
    return pd.DataFrame([{"parameter": f.name, "value": float(getattr(model, f.name)),
                          "term": COEFFICIENT_TERMS[f.name]} for f in fields(model)])


def _check(exposure: pd.DataFrame) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in exposure.columns]
    if missing:
        raise ValueError(f"exposure: missing columns {missing} needed by the outcome model")


def potential_probabilities(exposure: pd.DataFrame, model: OutcomeModel) -> pd.DataFrame:
    """Click probabilities in both worlds: columns ``p_unpromoted`` and ``p_promoted``."""
    _check(exposure)
    base = (
        model.intercept
        + model.relevance * exposure["relevance"].to_numpy(dtype=float)
        + model.user_tendency * exposure["user_tendency"].to_numpy(dtype=float)
        + model.popularity * exposure["popularity_z"].to_numpy(dtype=float)
        + model.liked_rate * exposure["liked_rate_z"].to_numpy(dtype=float)
    )
    focal = exposure["is_focal_item"].to_numpy(dtype=float)
    same_cluster = exposure["same_cluster_as_focal"].to_numpy(dtype=float)
    shock = (model.direct_boost * focal - model.attention_penalty * (1.0 - focal)
             - model.cluster_penalty * same_cluster + model.market_expansion)
    eta0 = base + model.visibility * visibility(exposure["slate_position_seed"].to_numpy())
    eta1 = base + model.visibility * visibility(exposure["position_if_promoted"].to_numpy()) + shock
    return pd.DataFrame({"p_unpromoted": expit(eta0), "p_promoted": expit(eta1)}, index=exposure.index)


def simulate_clicks(exposure: pd.DataFrame, model: OutcomeModel, rng: np.random.Generator) -> pd.DataFrame:
    """Add potential probabilities, the observed-world probability, known lifts and clicks.

    New columns: ``p_unpromoted``, ``p_promoted``, ``click_probability`` (the probability in the
    world that was realised), ``lift_if_promoted``, ``known_lift`` and ``clicked`` (0/1, one
    Bernoulli draw per row from ``rng``).
    """
    probs = potential_probabilities(exposure, model)
    promoted = exposure["promotion_applied"].to_numpy().astype(bool)
    p0, p1 = probs["p_unpromoted"].to_numpy(), probs["p_promoted"].to_numpy()
    p_obs = np.where(promoted, p1, p0)
    out = exposure.copy()
    out["p_unpromoted"] = p0
    out["p_promoted"] = p1
    out["click_probability"] = p_obs
    out["lift_if_promoted"] = p1 - p0
    out["known_lift"] = np.where(promoted, p1 - p0, 0.0)
    out["clicked"] = (rng.random(len(out)) < p_obs).astype("int8")
    return out
