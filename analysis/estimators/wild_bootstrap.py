"""Restricted wild cluster bootstrap (WCR) for one OLS coefficient, vectorised over draws.

Cameron, Gelbach & Miller (2008): impose the null ``b_k = b0``, refit, and rebuild outcomes as
``y* = fitted_r + v_g * u_r`` with one weight ``v_g`` per cluster. Every bootstrap statistic is a
linear function of the weight vector ``v`` (Roodman et al. 2019's algebra), so all draws are one
weight matrix ``V`` (draws x clusters) and a few matrix products; no refits:

- ``b*_k - b0 = a'v`` with ``a_g = (B X_g' u_g)_k``;
- the CR1 score of cluster ``h`` is ``a_h v_h - (C v)_h`` with ``C[h, g] = (B X_h'X_h B)_k . X_g'u_g``.

Weights: Rademacher (+-1) or Webb's (2014) six-point distribution. With Rademacher weights and
``2^G`` at most ``enumerate_max``, every sign vector is used once (the exact bootstrap
distribution, no simulation noise). p-values are symmetric: the share of ``|t*| >= |t|``.
Intervals invert the test over ``b0`` with the same weight matrix (bisection on each side); when
even the most extreme null cannot be rejected (few clusters), the bound is infinite.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from analysis.estimators.cluster_robust import cluster_scores, clustered_regression_inputs

__all__ = ["WEIGHT_TYPES", "WildBootstrapResult", "bootstrap_weights", "wild_cluster_bootstrap"]

WEIGHT_TYPES: tuple[str, ...] = ("rademacher", "webb")
_WEBB = np.array([-np.sqrt(1.5), -1.0, -np.sqrt(0.5), np.sqrt(0.5), 1.0, np.sqrt(1.5)])
_RELATIVE_TIE = 1e-10


@dataclass(frozen=True)
class WildBootstrapResult:
    """Bootstrap p-value of ``b_k = null`` and the test-inversion interval."""

    estimate: float
    t_stat: float
    p_value: float
    ci_lower: float
    ci_upper: float
    null: float
    n_draws: int
    enumerated: bool
    weights: str
    n_clusters: int

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "estimate": self.estimate, "std_error": np.nan, "df": np.nan,
            "ci_lower": self.ci_lower, "ci_upper": self.ci_upper, "p_value": self.p_value,
            "method": f"Wild cluster bootstrap ({self.weights.capitalize()})",
            "cov_type": "CR1",
        }])


def bootstrap_weights(n_clusters: int, weights: str, n_draws: int, rng: np.random.Generator,
                      enumerate_max: int = 4096) -> tuple[np.ndarray, bool]:
    """Weight matrix (draws x clusters) and whether it is the full set of sign vectors."""
    if weights not in WEIGHT_TYPES:
        raise ValueError(f"weights must be one of {WEIGHT_TYPES}, got {weights!r}")
    if n_draws < 1:
        raise ValueError(f"n_draws must be positive, got {n_draws}")
    if weights == "rademacher" and 2.0**n_clusters <= enumerate_max:
        bits = (np.arange(2**n_clusters)[:, None] >> np.arange(n_clusters)[None, :]) & 1
        return (1.0 - 2.0 * bits), True
    if weights == "rademacher":
        return rng.choice(np.array([-1.0, 1.0]), size=(n_draws, n_clusters)), False
    return rng.choice(_WEBB, size=(n_draws, n_clusters)), False


@dataclass(frozen=True)
class _Problem:
    y: np.ndarray
    x: np.ndarray
    codes: np.ndarray
    n_clusters: int
    coef: int
    bread: np.ndarray
    q: np.ndarray  # (G, K): row h is (B X_h'X_h B)[coef]
    correction: float
    estimate: float
    std_error: float


def _problem(y: np.ndarray, x: np.ndarray, codes: np.ndarray, n_clusters: int,
             coef: int) -> _Problem:
    n, k = x.shape
    bread = np.linalg.inv(x.T @ x)
    params = bread @ (x.T @ y)
    resid = y - x @ params
    correction = n_clusters / (n_clusters - 1) * (n - 1) / (n - k)
    s = cluster_scores(x, resid, codes, n_clusters) @ bread[:, coef]
    xtx = np.zeros((n_clusters, k, k))
    np.add.at(xtx, codes, x[:, :, None] * x[:, None, :])
    q = np.einsum("l,hlm,mj->hj", bread[coef], xtx, bread)
    return _Problem(y, x, codes, n_clusters, coef, bread, q, correction, float(params[coef]),
                    float(np.sqrt(correction * np.sum(s**2))))


def _p_value(prob: _Problem, v: np.ndarray, null: float) -> tuple[float, float]:
    """Observed t and the bootstrap p-value of ``b_k = null``."""
    x, k = prob.x, prob.coef
    keep = np.arange(x.shape[1]) != k
    xr = x[:, keep]
    yr = prob.y - null * x[:, k]
    ur = yr - xr @ np.linalg.lstsq(xr, yr, rcond=None)[0] if keep.any() else yr
    s = cluster_scores(x, ur, prob.codes, prob.n_clusters)  # (G, K)
    a = s @ prob.bread[:, k]
    c = prob.q @ s.T  # (G, G)
    numer = v @ a
    star_scores = v * a[None, :] - v @ c.T
    se_star = np.sqrt(prob.correction * np.sum(star_scores**2, axis=1))
    with np.errstate(divide="ignore", invalid="ignore"):
        t_star = np.abs(numer / se_star)
    t_obs = (prob.estimate - null) / prob.std_error
    p = float(np.mean(t_star >= abs(t_obs) * (1 - _RELATIVE_TIE)))
    return t_obs, p


def _bound(prob: _Problem, v: np.ndarray, alpha: float, side: float) -> float:
    """Interval end on one side: the null where the bootstrap p-value crosses ``alpha``."""
    inner, step = prob.estimate, max(prob.std_error, 1e-12 * max(1.0, abs(prob.estimate)))
    outer = prob.estimate + side * step
    for _ in range(60):  # expand until rejected (or give up: infinite bound)
        if _p_value(prob, v, outer)[1] <= alpha:
            break
        inner, step = outer, 2 * step
        outer = prob.estimate + side * step
    else:
        return side * np.inf
    for _ in range(60):  # bisection
        mid = 0.5 * (inner + outer)
        if _p_value(prob, v, mid)[1] <= alpha:
            outer = mid
        else:
            inner = mid
        if abs(outer - inner) <= 1e-8 * max(1.0, abs(prob.estimate), prob.std_error):
            break
    return 0.5 * (inner + outer)


def wild_cluster_bootstrap(y: ArrayLike, x: ArrayLike, clusters: ArrayLike, coef: int = 1,
                           null: float = 0.0, weights: str = "rademacher", n_draws: int = 999,
                           rng: np.random.Generator | None = None, alpha: float = 0.05,
                           enumerate_max: int = 4096, interval: bool = True
                           ) -> WildBootstrapResult:
    """Restricted wild cluster bootstrap-t test of ``b[coef] = null`` (CR1 studentisation).

    ``x`` is the design including the intercept. ``rng`` is required unless the sign vectors are
    enumerated (Rademacher weights with ``2^G <= enumerate_max``).
    """
    y_arr, x_arr, codes, n_clusters = clustered_regression_inputs(y, x, clusters)
    if not 0 <= coef < x_arr.shape[1]:
        raise ValueError(f"coef must index a column of x (0..{x_arr.shape[1] - 1}), got {coef}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    enumerable = weights == "rademacher" and 2.0**n_clusters <= enumerate_max
    if rng is None and not enumerable:
        raise ValueError("rng (a numpy Generator) is required when weights are drawn at random")
    v, enumerated = bootstrap_weights(n_clusters, weights, n_draws,
                                      rng if rng is not None else np.random.default_rng(0),
                                      enumerate_max)
    prob = _problem(y_arr, x_arr, codes, n_clusters, coef)
    t_obs, p = _p_value(prob, v, null)
    if not interval:
        lo, hi = np.nan, np.nan
    elif enumerated and 2.0 / v.shape[0] > alpha:  # v and -v tie with the data: p >= 2 / 2^G
        lo, hi = -np.inf, np.inf
    else:
        lo, hi = _bound(prob, v, alpha, -1.0), _bound(prob, v, alpha, 1.0)
    return WildBootstrapResult(estimate=prob.estimate, t_stat=float(t_obs), p_value=p,
                               ci_lower=float(lo), ci_upper=float(hi), null=float(null),
                               n_draws=int(v.shape[0]), enumerated=enumerated, weights=weights,
                               n_clusters=n_clusters)
