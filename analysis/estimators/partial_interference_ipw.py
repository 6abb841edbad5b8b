"""IPW under partial interference for observational data (Tchetgen Tchetgen & VanderWeele 2012).

Treatment is not randomized, but groups are known and there is no interference between groups.
The group propensity ``f_i(A_i | X_i)`` of the observed treatment vector comes from a logistic
model with a group random intercept (:mod:`analysis.estimators.random_intercept_logit`). Under a
counterfactual Bernoulli allocation ``alpha`` (everyone treated independently with probability
``alpha``), the group-level estimates are (Perez-Heydrich et al. 2014)

    Y_i(a; alpha) = sum_j Y_ij 1(A_ij = a) pi(A_i,-j; alpha) / (n_i f_i)
    Y_i(alpha)    = sum_j Y_ij pi(A_i; alpha) / (n_i f_i),

with ``pi(A; alpha) = prod alpha^A (1 - alpha)^(1 - A)``; their means over groups estimate the
average potential outcomes, and

    DE(alpha) = Y(1; alpha) - Y(0; alpha)        IE(alpha, alpha') = Y(0; alpha) - Y(0; alpha')
    TE(alpha, alpha') = Y(1; alpha) - Y(0; alpha')   OE(alpha, alpha') = Y(alpha) - Y(alpha').

The variance is the M-estimation sandwich that stacks the propensity score equations with the
group-level estimating equations, so that estimating the propensity is accounted for.
Derivatives with respect to the propensity parameters are central finite differences of
vectorised group-level functions (a handful of parameters).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from analysis.estimators.random_intercept_logit import (
    RandomInterceptLogit,
    fit_random_intercept_logit,
    group_loglik,
    group_loglik_and_score,
)

__all__ = ["IPWResult", "partial_interference_ipw"]

_STEP = 1e-5


@dataclass(frozen=True)
class IPWResult:
    """Effects at every pair of allocations, with sandwich standard errors."""

    table: pd.DataFrame
    propensity: RandomInterceptLogit

    def summary(self) -> pd.DataFrame:
        return self.table.copy()


def _group_means(theta: np.ndarray, fit: RandomInterceptLogit, y: np.ndarray,
                 alphas: Sequence[float]) -> np.ndarray:
    """``(G, 3 * len(alphas))`` group estimates: Y_i(0; a), Y_i(1; a), Y_i(a) for every a."""
    codes, n_groups, a = fit.codes, fit.n_groups, fit.treated
    log_f = group_loglik(theta, fit.x, a, codes, n_groups, fit.n_nodes)
    sizes = np.bincount(codes, minlength=n_groups).astype(float)
    cols = []
    for alpha in alphas:
        log_unit = np.where(a == 1, np.log(alpha), np.log1p(-alpha))
        log_group = np.bincount(codes, weights=log_unit, minlength=n_groups)
        others = np.exp(log_group[codes] - log_unit - log_f[codes])
        for value in (0.0, 1.0):
            cols.append(np.bincount(codes, weights=y * (a == value) * others,
                                    minlength=n_groups) / sizes)
        cols.append(np.bincount(codes, weights=y, minlength=n_groups) / sizes
                    * np.exp(log_group - log_f))
    return np.column_stack(cols)


def _jacobian(func, theta: np.ndarray) -> np.ndarray:
    """Central differences of a vector/matrix-valued function: shape ``func(theta).shape + (P,)``."""
    cols = []
    for k in range(theta.size):
        step = np.zeros_like(theta)
        step[k] = _STEP
        cols.append((func(theta + step) - func(theta - step)) / (2 * _STEP))
    return np.stack(cols, axis=-1)


def partial_interference_ipw(y: ArrayLike, treated: ArrayLike, x: ArrayLike, groups: ArrayLike,
                             alphas: Sequence[float], level: float = 0.95,
                             n_nodes: int = 40) -> IPWResult:
    """DE, IE, TE and OE for every ordered pair of the allocations ``alphas``.

    ``x`` is the propensity design including the intercept column.
    """
    y_arr = np.asarray(y, dtype=float)
    if y_arr.ndim != 1 or not np.isfinite(y_arr).all():
        raise ValueError("y (outcome) must be 1-D without NaN or infinite values")
    alphas = [float(v) for v in alphas]
    if len(alphas) < 1 or any(not 0 < v < 1 for v in alphas):
        raise ValueError(f"alphas must be allocations in (0, 1), got {alphas}")
    fit = fit_random_intercept_logit(x, treated, groups, n_nodes)
    if y_arr.size != fit.treated.size:
        raise ValueError(f"y has {y_arr.size} units but treated has {fit.treated.size}")
    theta = fit.theta
    n_groups, n_par = fit.n_groups, theta.size

    def score(t: np.ndarray) -> np.ndarray:
        return group_loglik_and_score(t, fit.x, fit.treated, fit.codes, n_groups, n_nodes)[1]

    scores = score(theta)  # (G, P), exact
    hessian = _jacobian(lambda t: score(t).mean(axis=0), theta)  # (P, P)
    means = _group_means(theta, fit, y_arr, alphas)  # (G, C)
    mu = means.mean(axis=0)
    d_means = _jacobian(lambda t: _group_means(t, fit, y_arr, alphas).mean(axis=0), theta)
    n_c = mu.size
    bread = np.zeros((n_par + n_c, n_par + n_c))
    bread[:n_par, :n_par] = -hessian
    bread[n_par:, :n_par] = -d_means
    bread[n_par:, n_par:] = np.eye(n_c)
    psi = np.column_stack([scores, means - mu])
    meat = psi.T @ psi / n_groups
    inv = np.linalg.inv(bread)
    cov = (inv @ meat @ inv.T / n_groups)[n_par:, n_par:]

    def col(kind: str, alpha: float) -> int:
        return 3 * alphas.index(alpha) + {"0": 0, "1": 1, "all": 2}[kind]

    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    contrasts = [("direct", a1, a1, ("1", a1), ("0", a1)) for a1 in alphas]
    contrasts += [(name, a1, a0, first, second)
                  for a1 in alphas for a0 in alphas if a1 != a0
                  for name, first, second in (("indirect", ("0", a1), ("0", a0)),
                                              ("total", ("1", a1), ("0", a0)),
                                              ("overall", ("all", a1), ("all", a0)))]
    for name, a1, a0, first, second in contrasts:
        c = np.zeros(n_c)
        c[col(*first)] += 1.0
        c[col(*second)] -= 1.0
        est, se = float(c @ mu), float(np.sqrt(c @ cov @ c))
        rows.append({"effect": name, "alpha": a1, "alpha_prime": np.nan if name == "direct"
                     else a0, "estimate": est, "std_error": se, "df": np.inf,
                     "ci_lower": est - z * se, "ci_upper": est + z * se,
                     "p_value": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan,
                     "method": "IPW (random-intercept propensity)", "cov_type": "sandwich"})
    return IPWResult(table=pd.DataFrame(rows), propensity=fit)
