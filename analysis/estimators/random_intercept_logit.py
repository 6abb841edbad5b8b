"""Logistic regression with a group random intercept, by maximum likelihood (Gauss–Hermite).

``P(A_ij = 1 | x_ij, b_i) = expit(x_ij' beta + b_i)`` with ``b_i ~ N(0, sigma^2)``. The group
likelihood integrates ``b_i`` out with ``n_nodes``-point Gauss–Hermite quadrature, computed for all
groups and nodes at once (an ``N x K`` array of unit log-likelihoods summed by group with a sparse
indicator product), then maximised over ``(beta, log sigma)`` with BFGS. The per-group
log-likelihood :func:`group_loglik` is what inverse-probability weights and sandwich variances need:
``exp(group_loglik)`` is the probability of the group's observed treatment vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy import optimize
from scipy.special import logsumexp

from analysis.designs.assignment import encode_clusters

__all__ = ["RandomInterceptLogit", "fit_random_intercept_logit", "group_loglik"]


@dataclass(frozen=True)
class RandomInterceptLogit:
    """Fitted parameters ``theta = (beta..., log sigma)`` and the data they were fitted on."""

    theta: np.ndarray
    x: np.ndarray
    treated: np.ndarray
    codes: np.ndarray
    n_groups: int
    n_nodes: int
    converged: bool

    @property
    def beta(self) -> np.ndarray:
        return self.theta[:-1]

    @property
    def sigma(self) -> float:
        return float(np.exp(self.theta[-1]))


def _indicator(codes: np.ndarray, n_groups: int) -> sp.csr_matrix:
    return sp.csr_matrix((np.ones(codes.size), (codes, np.arange(codes.size))),
                         shape=(n_groups, codes.size))


def group_loglik(theta: np.ndarray, x: np.ndarray, treated: np.ndarray, codes: np.ndarray,
                 n_groups: int, n_nodes: int = 40) -> np.ndarray:
    """Log-probability of each group's observed treatment vector, ``(G,)``."""
    nodes, weights = np.polynomial.hermite.hermgauss(n_nodes)
    eta = (x @ theta[:-1])[:, None] + np.sqrt(2.0) * np.exp(theta[-1]) * nodes[None, :]
    unit = treated[:, None] * eta - np.logaddexp(0.0, eta)  # (N, K)
    per_node = np.asarray(_indicator(codes, n_groups) @ unit)  # (G, K)
    return logsumexp(per_node + np.log(weights / np.sqrt(np.pi))[None, :], axis=1)


def fit_random_intercept_logit(x: ArrayLike, treated: ArrayLike, groups: ArrayLike,
                               n_nodes: int = 40) -> RandomInterceptLogit:
    """Maximum-likelihood fit; ``x`` includes the intercept column."""
    x_arr = np.asarray(x, dtype=float)
    a = np.asarray(treated, dtype=float)
    if x_arr.ndim != 2 or x_arr.shape[0] != a.size or a.ndim != 1:
        raise ValueError(f"x must be (N, p) and treated (N,), got {x_arr.shape} and {a.shape}")
    if not np.isin(a, (0.0, 1.0)).all():
        raise ValueError("treated must be coded 0/1")
    if not np.isfinite(x_arr).all():
        raise ValueError("x contains NaN or infinite values")
    codes, n_groups = encode_clusters(groups)
    if codes.size != a.size:
        raise ValueError(f"groups must have one label per unit ({a.size}), got {codes.size}")
    if n_groups < 2:
        raise ValueError(f"groups: a random intercept needs at least 2 groups, got {n_groups}")

    def objective(theta: np.ndarray) -> float:
        return -float(group_loglik(theta, x_arr, a, codes, n_groups, n_nodes).sum())

    start = np.zeros(x_arr.shape[1] + 1)
    start[-1] = np.log(0.5)
    res = optimize.minimize(objective, start, method="BFGS", options={"gtol": 1e-7})
    return RandomInterceptLogit(theta=res.x, x=x_arr, treated=a, codes=codes,
                                n_groups=n_groups, n_nodes=n_nodes, converged=bool(res.success))
