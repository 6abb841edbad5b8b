"""Estimators vectorised over Monte Carlo replications.

Each function takes outcomes ``y`` of shape ``(R, N)`` (``R`` replications of ``N`` units) and
returns arrays of length ``R``. They reproduce, replication by replication, what the one-shot
estimators report: :func:`difference_in_means` matches
:func:`analysis.estimators.difference_in_means.difference_in_means` (Welch or CR1), and
:func:`ols` matches ``statsmodels`` OLS with ``cov_type="nonrobust"`` or ``"cluster"`` (CR1,
``G/(G-1) * (N-1)/(N-K)``). Cluster sums use one sparse indicator product for all replications, so
there is no Python loop over replications beyond memory-bounded chunks.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from numpy.typing import ArrayLike

from analysis.designs.assignment import encode_clusters

__all__ = ["BatchedEstimates", "cluster_indicator", "difference_in_means", "ols"]

#: Upper bound on floats held by one chunk's (replication x unit x regressor) array.
_CHUNK_FLOATS = 8_000_000


@dataclass(frozen=True)
class BatchedEstimates:
    """Point estimates and standard errors, one entry per replication (and per term for OLS)."""

    estimate: np.ndarray
    std_error: np.ndarray


def cluster_indicator(clusters: ArrayLike) -> tuple[sp.csr_matrix, int]:
    """Sparse ``N x G`` 0/1 membership matrix and ``G``."""
    codes, n_clusters = encode_clusters(clusters)
    n = codes.size
    # one entry per row: CSR straight from the codes (no COO sort), the same matrix
    matrix = sp.csr_matrix((np.ones(n), codes, np.arange(n + 1)), shape=(n, n_clusters))
    return matrix, n_clusters


def _as_2d(name: str, values: ArrayLike) -> np.ndarray:
    arr = np.asarray(values, dtype=float)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2:
        raise ValueError(f"{name} must have shape (replications, units), got {arr.shape}")
    return arr


def difference_in_means(y: ArrayLike, treated: ArrayLike, clusters: ArrayLike | None = None,
                        include: ArrayLike | None = None) -> BatchedEstimates:
    """Treated-minus-control means per replication with Welch or CR1 clustered SEs.

    ``treated`` (and the optional 0/1 ``include`` mask, which drops units from a replication)
    may be shared by all replications (shape ``(N,)``) or given per replication (``(R, N)``).
    With clusters, ``G`` counts the clusters that have at least one included unit, as a
    statsmodels fit on the included rows would.
    """
    y2 = _as_2d("y", y)
    t2 = np.broadcast_to(_as_2d("treated", treated), y2.shape)
    if not np.isin(t2, (0.0, 1.0)).all():
        raise ValueError("treated must be 0/1")
    m2 = (np.ones_like(y2) if include is None
          else np.broadcast_to(_as_2d("include", include), y2.shape))
    if not np.isin(m2, (0.0, 1.0)).all():
        raise ValueError("include must be 0/1")
    w1 = t2 * m2
    w0 = (1 - t2) * m2
    n1 = w1.sum(axis=1)
    n0 = w0.sum(axis=1)
    if (n1 < 2).any() or (n0 < 2).any():
        raise ValueError("every replication needs at least two treated and two control units")
    mean1 = (y2 * w1).sum(axis=1) / n1
    mean0 = (y2 * w0).sum(axis=1) / n0
    estimate = mean1 - mean0
    resid = (y2 - np.where(t2 == 1, mean1[:, None], mean0[:, None])) * m2
    if clusters is None:
        var1 = (resid**2 * w1).sum(axis=1) / (n1 - 1)
        var0 = (resid**2 * w0).sum(axis=1) / (n0 - 1)
        return BatchedEstimates(estimate, np.sqrt(var1 / n1 + var0 / n0))
    indicator, _ = cluster_indicator(clusters)
    if indicator.shape[0] != y2.shape[1]:
        raise ValueError("clusters must have one label per unit (column of y)")
    n_clusters = (np.asarray((indicator.T @ m2.T).T) > 0).sum(axis=1)
    clusters_treated = (np.asarray((indicator.T @ w1.T).T) > 0).sum(axis=1)
    clusters_control = (np.asarray((indicator.T @ w0.T).T) > 0).sum(axis=1)
    if (clusters_treated < 2).any() or (clusters_control < 2).any():
        raise ValueError("clusters: a cluster-robust variance needs at least 2 clusters with "
                         "treated units and 2 with control units in every replication")
    score_all = np.asarray((indicator.T @ resid.T).T)
    score_t = np.asarray((indicator.T @ (resid * t2).T).T)
    influence = -score_all / n0[:, None] + score_t * (1.0 / n0 + 1.0 / n1)[:, None]
    n = n1 + n0
    correction = n_clusters / (n_clusters - 1) * (n - 1) / (n - 2)
    return BatchedEstimates(estimate, np.sqrt(correction * (influence**2).sum(axis=1)))


def ols(y: ArrayLike, design: ArrayLike, clusters: ArrayLike | None = None) -> BatchedEstimates:
    """OLS of ``y`` on ``design`` for every replication.

    ``design`` has shape ``(R, N, K)`` or ``(N, K)`` (shared) and should include the intercept
    column. Returns ``(R, K)`` coefficients and standard errors: classical (homoskedastic) when
    ``clusters`` is None, CR1 cluster-robust otherwise.
    """
    y2 = _as_2d("y", y)
    x = np.asarray(design, dtype=float)
    if x.ndim == 2:
        x = x[None, :, :]
    if x.ndim != 3 or x.shape[1] != y2.shape[1]:
        raise ValueError(f"design must have shape (R, N, K) or (N, K) with N={y2.shape[1]}, "
                         f"got {np.asarray(design).shape}")
    n_reps, n, k = y2.shape[0], y2.shape[1], x.shape[2]
    if x.shape[0] not in (1, n_reps):
        raise ValueError("design has a different number of replications than y")
    indicator = n_clusters = None
    if clusters is not None:
        indicator, n_clusters = cluster_indicator(clusters)
        if indicator.shape[0] != n:
            raise ValueError("clusters must have one label per unit")
    chunk = max(1, _CHUNK_FLOATS // max(1, n * k))
    betas, ses = [], []
    for start in range(0, n_reps, chunk):  # memory-bounded blocks, each fully vectorised
        stop = min(n_reps, start + chunk)
        yc = y2[start:stop]
        xc = x[start:stop] if x.shape[0] > 1 else np.broadcast_to(x, (stop - start, n, k))
        xtx = np.einsum("rnk,rnl->rkl", xc, xc)
        bread = np.linalg.inv(xtx)
        beta = np.einsum("rkl,rl->rk", bread, np.einsum("rnk,rn->rk", xc, yc))
        resid = yc - np.einsum("rnk,rk->rn", xc, beta)
        if indicator is None:
            sigma2 = (resid**2).sum(axis=1) / (n - k)
            cov = bread * sigma2[:, None, None]
        else:
            scores = (xc * resid[:, :, None]).transpose(0, 2, 1).reshape(-1, n)
            cluster_scores = np.asarray((indicator.T @ scores.T).T).reshape(stop - start, k, -1)
            meat = np.einsum("rkg,rlg->rkl", cluster_scores, cluster_scores)
            correction = n_clusters / (n_clusters - 1) * (n - 1) / (n - k)
            cov = correction * np.einsum("rij,rjk,rkl->ril", bread, meat, bread)
        betas.append(beta)
        ses.append(np.sqrt(np.einsum("rkk->rk", cov)))
    return BatchedEstimates(np.concatenate(betas), np.concatenate(ses))
