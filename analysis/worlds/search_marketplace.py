"""The search marketplace: a ranking boost that mostly reallocates attention.

Each search ``s`` shows ``items_per_search`` items. The search has total demand
``D_s ~ Gamma(demand_shape, demand_scale)``; item ``i`` has quality ``q_i ~ N(0, 1)`` and a random
ranking-boost flag ``A_i ~ Bernoulli(treat_p)``. Buyers split demand with multinomial-logit
attention,

    share_i = exp(quality_coef * q_i + ranking_boost * A_i) / sum_j exp(...),

and the boost creates a little new demand: total demand is scaled by
``1 + market_expansion * mean(A)``. Observed item purchases are
``D_s * (1 + market_expansion * mean(A)) * share_i + N(0, noise_sd)``.

The platform's question is the *global* effect of boosting every item versus none. Boosting all
items leaves the logit shares unchanged, so the per-search lift is exactly
``market_expansion * E[D] = market_expansion * demand_shape * demand_scale``; the item-level
treated-minus-control difference instead measures how much attention boosted items win from
their unboosted neighbours.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "SearchParams",
    "SearchSample",
    "item_contrast_truth",
    "platform_lift",
    "simulate",
]


@dataclass(frozen=True)
class SearchParams:
    """Parameters of the search-marketplace data-generating process."""

    n_searches: int = 6000
    items_per_search: int = 8
    demand_shape: float = 3.5
    demand_scale: float = 1.2
    quality_coef: float = 0.55
    ranking_boost: float = 0.65
    market_expansion: float = 0.04
    noise_sd: float = 0.05
    treat_p: float = 0.5

    def __post_init__(self) -> None:
        for name in ("n_searches", "items_per_search"):
            value = getattr(self, name)
            if int(value) != value or value < 2:
                raise ValueError(f"search_marketplace.{name} must be an integer >= 2, got {value!r}")
        for name in ("demand_shape", "demand_scale"):
            if getattr(self, name) <= 0:
                raise ValueError(f"search_marketplace.{name} must be > 0")
        if self.noise_sd < 0:
            raise ValueError("search_marketplace.noise_sd must be >= 0")
        if self.market_expansion < 0:
            raise ValueError("search_marketplace.market_expansion must be >= 0")
        if not 0 < self.treat_p < 1:
            raise ValueError("search_marketplace.treat_p must be in (0, 1)")

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> SearchParams:
        """Build from the ``search_marketplace:`` config section (other keys are ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in section.items() if k in known})

    def with_expansion(self, market_expansion: float) -> SearchParams:
        return replace(self, market_expansion=float(market_expansion))


@dataclass(frozen=True)
class SearchSample:
    """Arrays of shape ``(S, I)`` (or ``(R, S, I)``) plus per-search demand ``(S,)``/``(R, S)``.

    ``total_all_treated`` and ``total_none_treated`` are each search's noise-free potential totals
    under boosting every item / no item, so the sample platform lift is known exactly.
    """

    base_demand: np.ndarray
    quality: np.ndarray
    treatment: np.ndarray
    purchases: np.ndarray
    total_all_treated: np.ndarray
    total_none_treated: np.ndarray

    def item_frame(self) -> pd.DataFrame:
        """One row per (search, item) for a single replication."""
        if self.purchases.ndim != 2:
            raise ValueError("item_frame needs a single replication")
        n_s, n_i = self.purchases.shape
        treated_share = self.treatment.mean(axis=1)
        return pd.DataFrame({
            "search_id": np.repeat(np.arange(n_s), n_i),
            "item": np.tile(np.arange(n_i), n_s),
            "quality": self.quality.ravel(),
            "A": self.treatment.ravel().astype(np.int64),
            "purchases": self.purchases.ravel(),
            "treated_share_in_search": np.repeat(treated_share, n_i),
        })

    def search_frame(self) -> pd.DataFrame:
        """One row per search: observed total, treated share and the two potential totals."""
        if self.purchases.ndim != 2:
            raise ValueError("search_frame needs a single replication")
        return pd.DataFrame({
            "search_id": np.arange(self.purchases.shape[0]),
            "base_demand": self.base_demand,
            "treated_share": self.treatment.mean(axis=1),
            "total_purchases": self.purchases.sum(axis=1),
            "total_all_treated": self.total_all_treated,
            "total_none_treated": self.total_none_treated,
        })


def _shares(utility: np.ndarray) -> np.ndarray:
    """Multinomial-logit shares along the last axis (stabilised)."""
    weights = np.exp(utility - utility.max(axis=-1, keepdims=True))
    return weights / weights.sum(axis=-1, keepdims=True)


def simulate(params: SearchParams, rng: np.random.Generator,
             n_draws: int | None = None) -> SearchSample:
    """Simulate one experiment (``n_draws=None``) or ``n_draws`` independent replications."""
    lead = () if n_draws is None else (int(n_draws),)
    n_s, n_i = int(params.n_searches), int(params.items_per_search)
    base = rng.gamma(params.demand_shape, params.demand_scale, size=lead + (n_s,))
    quality = rng.normal(0.0, 1.0, size=lead + (n_s, n_i))
    treatment = (rng.random(lead + (n_s, n_i)) < params.treat_p).astype(np.int8)
    noise = rng.normal(0.0, params.noise_sd, size=lead + (n_s, n_i))
    utility = params.quality_coef * quality + params.ranking_boost * treatment
    expansion = 1.0 + params.market_expansion * treatment.mean(axis=-1)
    purchases = (base * expansion)[..., None] * _shares(utility) + noise
    return SearchSample(
        base_demand=base, quality=quality, treatment=treatment, purchases=purchases,
        total_all_treated=base * (1.0 + params.market_expansion), total_none_treated=base.copy(),
    )


def platform_lift(params: SearchParams) -> float:
    """Expected per-search purchases when every item is boosted minus when none is."""
    return params.market_expansion * params.demand_shape * params.demand_scale


def item_contrast_truth(params: SearchParams, rng: np.random.Generator,
                        n_searches: int = 400_000) -> tuple[float, float]:
    """Expected item-level treated-minus-control difference under the Bernoulli design.

    It has no closed form (logit shares of random qualities), so it is computed from the
    noise-free expected purchases of ``n_searches`` simulated searches; returns the value and
    its Monte Carlo standard error (per-search contrasts are independent).
    """
    n_i = int(params.items_per_search)
    base = rng.gamma(params.demand_shape, params.demand_scale, size=n_searches)
    quality = rng.normal(0.0, 1.0, size=(n_searches, n_i))
    treatment = (rng.random((n_searches, n_i)) < params.treat_p)
    utility = params.quality_coef * quality + params.ranking_boost * treatment
    expected = (base * (1.0 + params.market_expansion * treatment.mean(axis=1)))[:, None] * \
        _shares(utility)
    # Ratio-of-means contrast: E[sum_i A_i Y_i] / E[sum_i A_i] - E[sum (1-A) Y] / E[sum (1-A)]
    t_sum = (expected * treatment).sum(axis=1)
    c_sum = (expected * ~treatment).sum(axis=1)
    n_t = treatment.sum(axis=1)
    n_c = n_i - n_t
    m_t, m_c = t_sum.sum() / n_t.sum(), c_sum.sum() / n_c.sum()
    influence = (t_sum - m_t * n_t) / n_t.mean() - (c_sum - m_c * n_c) / n_c.mean()
    return float(m_t - m_c), float(influence.std(ddof=1) / np.sqrt(n_searches))
