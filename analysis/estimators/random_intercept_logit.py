"""Logistic regression with a group random intercept, by maximum likelihood (Gauss–Hermite).

``P(A_ij = 1 | x_ij, b_i) = expit(x_ij' beta + b_i)`` with ``b_i ~ N(0, sigma^2)``. The group
likelihood integrates ``b_i`` out with ``n_nodes``-point Gauss–Hermite quadrature, computed for all
groups and nodes at once (an ``N x K`` array of unit log-likelihoods summed by group with a sparse
indicator product), then maximised over ``(beta, log sigma)`` with BFGS and the exact gradient
(:func:`group_loglik_and_score`: each group's score is its units' residuals ``a - expit(eta)``
averaged over the posterior of ``b_i`` on the quadrature nodes). The per-group
log-likelihood :func:`group_loglik` is what inverse-probability weights and sandwich variances need:
``exp(group_loglik)`` is the probability of the group's observed treatment vector.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike
from scipy import optimize
from scipy.special import expit, logsumexp

from analysis.designs.assignment import encode_clusters

__all__ = ["RandomInterceptLogit", "fit_random_intercept_logit", "group_loglik",
           "group_loglik_and_score"]


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


def _per_node(theta: np.ndarray, x: np.ndarray, treated: np.ndarray, indicator: sp.csr_matrix,
              n_nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear predictors ``(N, K)``, group log-terms ``(G, K)`` and the scaled nodes ``(K,)``."""
    nodes, weights = np.polynomial.hermite.hermgauss(n_nodes)
    scaled = np.sqrt(2.0) * np.exp(theta[-1]) * nodes
    eta = (x @ theta[:-1])[:, None] + scaled[None, :]
    unit = treated[:, None] * eta - np.logaddexp(0.0, eta)  # (N, K)
    per_node = np.asarray(indicator @ unit) + np.log(weights / np.sqrt(np.pi))[None, :]
    return eta, per_node, scaled


def group_loglik(theta: np.ndarray, x: np.ndarray, treated: np.ndarray, codes: np.ndarray,
                 n_groups: int, n_nodes: int = 40) -> np.ndarray:
    """Log-probability of each group's observed treatment vector, ``(G,)``."""
    _, per_node, _ = _per_node(theta, x, treated, _indicator(codes, n_groups), n_nodes)
    return logsumexp(per_node, axis=1)


def group_loglik_and_score(theta: np.ndarray, x: np.ndarray, treated: np.ndarray,
                           codes: np.ndarray, n_groups: int, n_nodes: int = 40
                           ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`group_loglik` and its exact gradient per group, ``(G,)`` and ``(G, P)``.

    With ``pi_gk`` the posterior weight of node ``k`` in group ``g`` and ``r_jk = a_j -
    expit(eta_jk)``, the score is ``sum_k pi_gk sum_j r_jk (x_j, s_k)`` (``s_k``: the node
    scaled by ``sqrt(2) sigma``, the derivative of ``eta`` in ``log sigma``).
    """
    indicator = _indicator(codes, n_groups)
    eta, per_node, scaled = _per_node(theta, x, treated, indicator, n_nodes)
    loglik = logsumexp(per_node, axis=1)
    posterior = np.exp(per_node - loglik[:, None])  # (G, K), rows sum to 1
    weighted = posterior[codes] * (treated[:, None] - expit(eta))  # (N, K)
    score_beta = np.asarray(indicator @ (x * weighted.sum(axis=1)[:, None]))
    score_log_sigma = indicator @ (weighted @ scaled)
    return loglik, np.column_stack([score_beta, score_log_sigma])


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

    def objective(theta: np.ndarray) -> tuple[float, np.ndarray]:
        loglik, score = group_loglik_and_score(theta, x_arr, a, codes, n_groups, n_nodes)
        return -float(loglik.sum()), -score.sum(axis=0)

    start = np.zeros(x_arr.shape[1] + 1)
    start[-1] = np.log(0.5)
    res = optimize.minimize(objective, start, jac=True, method="BFGS", options={"gtol": 1e-7})
    return RandomInterceptLogit(theta=res.x, x=x_arr, treated=a, codes=codes,
                                n_groups=n_groups, n_nodes=n_nodes, converged=bool(res.success))
