"""The buyer/seller (bipartite) marketplace: sellers are randomized, buyers are measured.

Graph. Buyer ``b`` links to ``d_b`` distinct sellers, ``d_b`` uniform on
``min_sellers_per_buyer..max_sellers_per_buyer``; sellers are picked with log-normal popularity
weights, so a few sellers serve many buyers. The graph is a sparse ``buyers x sellers`` 0/1 CSR
matrix ``B``.

Design. Each seller is treated independently with probability ``treat_p`` (Bernoulli), so a
buyer's number of treated sellers is ``B @ T`` and its exposure probabilities are known exactly:
``P(all) = p**d``, ``P(none) = (1-p)**d``, ``P(mixed) = 1 - P(all) - P(none)``.

Outcome. With exposure condition ``E_b`` in {none, mixed, all},

    Y_b = intercept + degree_effect * (d_b - 1) + effect_all * [E_b = all]
          + effect_mixed * [E_b = mixed] + mean_{s in b} u_s + e_b,

seller shocks ``u_s ~ N(0, seller_shock_sd)`` (shared by a seller's buyers, which is why buyers
are dependent through sellers) and ``e_b ~ N(0, buyer_noise_sd)``. Estimands (known):
direct = E[Y(all) - Y(none)] = effect_all, indirect = E[Y(mixed) - Y(none)] = effect_mixed, and
total = the full-rollout effect (every seller treated versus none), which equals effect_all
because under this exposure mapping a buyer whose sellers are all treated is in the rollout world.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike

__all__ = [
    "CONDITIONS",
    "BipartiteParams",
    "BuyerExposure",
    "buyer_exposure",
    "build_graph",
    "exposure_probabilities",
    "simulate_outcomes",
]

#: Exposure conditions, coded 0, 1, 2 in this order.
CONDITIONS = ("none", "mixed", "all")


@dataclass(frozen=True)
class BipartiteParams:
    """Parameters of the bipartite marketplace."""

    n_sellers: int = 10_000
    n_buyers: int = 100_000
    min_sellers_per_buyer: int = 1
    max_sellers_per_buyer: int = 5
    popularity_sigma: float = 1.0
    treat_p: float = 0.5
    intercept: float = 10.0
    degree_effect: float = 0.4
    effect_all: float = 0.8
    effect_mixed: float = 0.3
    seller_shock_sd: float = 0.8
    buyer_noise_sd: float = 1.0

    def __post_init__(self) -> None:
        for name in ("n_sellers", "n_buyers", "min_sellers_per_buyer", "max_sellers_per_buyer"):
            value = getattr(self, name)
            if int(value) != value or value < 1:
                raise ValueError(f"bipartite_marketplace.{name} must be a positive integer, "
                                 f"got {value!r}")
        if self.min_sellers_per_buyer > self.max_sellers_per_buyer:
            raise ValueError("bipartite_marketplace.min_sellers_per_buyer must not exceed "
                             "max_sellers_per_buyer")
        if self.max_sellers_per_buyer > self.n_sellers:
            raise ValueError("bipartite_marketplace.max_sellers_per_buyer exceeds n_sellers")
        if not 0 < self.treat_p < 1:
            raise ValueError("bipartite_marketplace.treat_p must be in (0, 1)")
        for name in ("popularity_sigma", "seller_shock_sd", "buyer_noise_sd"):
            if getattr(self, name) < 0:
                raise ValueError(f"bipartite_marketplace.{name} must be >= 0")

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> BipartiteParams:
        """Build from the ``bipartite_marketplace:`` config section (other keys ignored)."""
        known = {f.name for f in fields(cls)}
        return cls(**{k: v for k, v in section.items() if k in known})


def build_graph(params: BipartiteParams, rng: np.random.Generator) -> sp.csr_matrix:
    """Random ``n_buyers x n_sellers`` 0/1 CSR incidence matrix (no duplicate links).

    Each buyer draws a few more popularity-weighted candidate sellers than it needs, each with a
    random priority; duplicates are dropped and the ``d_b`` highest-priority distinct candidates
    kept. Buyers still short (rare: popular sellers drawn repeatedly) re-draw in another
    vectorised round.
    """
    n_b, n_s = int(params.n_buyers), int(params.n_sellers)
    target = rng.integers(params.min_sellers_per_buyer, params.max_sellers_per_buyer + 1,
                          size=n_b)
    popularity = rng.lognormal(0.0, params.popularity_sigma, size=n_s)
    cdf = np.cumsum(popularity / popularity.sum())
    cdf[-1] = 1.0
    buyers = np.empty(0, dtype=np.int64)
    sellers = np.empty(0, dtype=np.int64)
    need = target.astype(np.int64)
    for _ in range(100):  # rounds of candidate draws, not a loop over units
        rows = np.repeat(np.arange(n_b), np.where(need > 0, need + 2, 0))
        if rows.size == 0:
            break
        picks = np.minimum(np.searchsorted(cdf, rng.random(rows.size), side="right"), n_s - 1)
        priority = rng.random(rows.size)
        # existing links get priority -1 so they are always kept
        all_b = np.concatenate([buyers, rows])
        all_s = np.concatenate([sellers, picks])
        all_p = np.concatenate([np.full(buyers.size, -1.0), priority])
        # keep the highest-priority (lowest value) copy of every (buyer, seller) pair ...
        by_priority = np.argsort(all_p, kind="stable")
        _, first = np.unique((all_b * n_s + all_s)[by_priority], return_index=True)
        chosen = by_priority[first]
        all_b, all_s, all_p = all_b[chosen], all_s[chosen], all_p[chosen]
        # ... then rank each buyer's distinct sellers by priority (priority + 1 lies in [0, 2))
        order = np.argsort(all_b * 4.0 + (all_p + 1.0), kind="stable")
        all_b, all_s = all_b[order], all_s[order]
        starts = np.searchsorted(all_b, np.arange(n_b))
        rank = np.arange(all_b.size) - starts[all_b]
        keep = rank < target[all_b]
        buyers, sellers = all_b[keep], all_s[keep]
        need = target - np.bincount(buyers, minlength=n_b)
    else:  # pragma: no cover - only with absurd popularity concentration
        raise RuntimeError("could not draw distinct sellers; lower popularity_sigma")
    data = np.ones(buyers.size, dtype=np.float64)
    return sp.csr_matrix((data, (buyers, sellers)), shape=(n_b, n_s))


@dataclass(frozen=True)
class BuyerExposure:
    """Per-buyer exposure: arrays ``(n_buyers,)`` or ``(R, n_buyers)`` for ``R`` assignments."""

    degree: np.ndarray
    n_treated: np.ndarray
    share_treated: np.ndarray
    condition: np.ndarray  # 0 = none, 1 = mixed, 2 = all

    def to_frame(self) -> pd.DataFrame:
        if self.condition.ndim != 1:
            raise ValueError("to_frame needs a single assignment")
        return pd.DataFrame({
            "buyer_id": np.arange(self.degree.size),
            "n_sellers": self.degree.astype(np.int64),
            "n_treated": self.n_treated.astype(np.int64),
            "share_treated": self.share_treated,
            "exposure": pd.Categorical.from_codes(self.condition, categories=list(CONDITIONS)),
        })


def buyer_exposure(graph: sp.csr_matrix, seller_treatment: ArrayLike) -> BuyerExposure:
    """Share of treated sellers and all/none/mixed condition for every buyer (sparse product).

    ``seller_treatment`` is ``(n_sellers,)`` or ``(R, n_sellers)``.
    """
    t = np.asarray(seller_treatment)
    if t.shape[-1] != graph.shape[1]:
        raise ValueError(f"seller_treatment has {t.shape[-1]} sellers, graph has {graph.shape[1]}")
    if not np.isin(t, (0, 1)).all():
        raise ValueError("seller_treatment must be 0/1")
    # a CSR input is used as is: scipy caches its canonical-format check on the object, which
    # a fresh wrapper would repeat (a pass over every link) on every call
    csr = graph if getattr(graph, "format", None) == "csr" else sp.csr_matrix(graph)
    if csr.has_canonical_format and (csr.data == 1).all():  # 0/1 incidence: links per row
        degree = np.diff(csr.indptr).astype(csr.dtype)
    else:
        degree = np.asarray(graph.sum(axis=1)).ravel()
    if (degree == 0).any():
        raise ValueError("every buyer needs at least one seller")
    counts = np.asarray(graph @ np.atleast_2d(t).astype(np.float64).T).T  # (R, n_buyers)
    counts = counts.reshape(t.shape[:-1] + (graph.shape[0],))
    share = counts / degree
    # none 0 / mixed 1 / all 2 in int8 arithmetic: "all" implies "some" (every degree >= 1)
    condition = (counts > 0).view(np.int8) + (counts == degree).view(np.int8)
    return BuyerExposure(degree=degree, n_treated=counts, share_treated=share,
                         condition=condition)


def exposure_probabilities(degree: ArrayLike, p: float) -> np.ndarray:
    """``(n_buyers, 3)`` probabilities of none / mixed / all under Bernoulli(p) sellers."""
    d = np.asarray(degree, dtype=float)
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p}")
    p_all = p**d
    p_none = (1 - p) ** d
    return np.stack([p_none, 1 - p_all - p_none, p_all], axis=-1)


def simulate_outcomes(graph: sp.csr_matrix, exposure: BuyerExposure, params: BipartiteParams,
                      rng: np.random.Generator) -> np.ndarray:
    """Buyer outcomes for each assignment in ``exposure`` (shape of ``exposure.condition``)."""
    cond = exposure.condition
    lead = cond.shape[:-1]
    n_s = graph.shape[1]
    shocks = rng.normal(0.0, params.seller_shock_sd, size=lead + (n_s,))
    mean_shock = np.asarray(graph @ np.atleast_2d(shocks).T).T.reshape(cond.shape)
    mean_shock = mean_shock / exposure.degree
    noise = rng.normal(0.0, params.buyer_noise_sd, size=cond.shape)
    return (params.intercept + params.degree_effect * (exposure.degree - 1)
            + params.effect_all * (cond == 2) + params.effect_mixed * (cond == 1)
            + mean_shock + noise)
