"""OLS with a named cluster-robust covariance: CR0, CR1, CR2 (Bell–McCaffrey) and CR3 (jackknife).

With bread ``B = (X'X)^{-1}`` and per-cluster residuals ``e_g``, every type is a sandwich
``B (sum_g X_g' A_g e_g e_g' A_g' X_g) B`` times a factor:

- ``CR0``: ``A_g = I``, no factor (statsmodels ``use_correction=False``).
- ``CR1``: ``A_g = I``, factor ``G/(G-1) * (N-1)/(N-K)`` (statsmodels ``cov_type="cluster"``).
- ``CR2``: ``A_g = (I - H_gg)^{-1/2}`` (symmetric inverse square root of the cluster block of the
  annihilator; Bell & McCaffrey 2002), unbiased under independent homoskedastic errors. Degrees of
  freedom for one coefficient: Satterthwaite's under that working model (``"bell-mccaffrey"``), or
  under a random-effects working model estimated from the residuals (``"imbens-kolesar"``;
  Imbens & Kolesár 2016).
- ``CR3``: ``A_g = (I - H_gg)^{-1}``, factor ``(G-1)/G``. This equals, exactly, the jackknife
  ``(G-1)/G * sum_g (b_{-g} - b)(b_{-g} - b)'`` centred on the full-sample estimate ``b``.

Cluster blocks of equal size are processed together (one batched ``eigh``/``solve`` per size), so
there is no Python loop over clusters. Reference distributions: ``t`` with ``G - 1`` degrees of
freedom for CR0, CR1 and CR3, and the Satterthwaite degrees of freedom for CR2.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from analysis.designs.assignment import encode_clusters

__all__ = ["COV_TYPES", "ClusterRobustFit", "check_clusters_per_arm", "cluster_robust_ols",
           "cluster_scores", "clustered_regression_inputs"]

CovType = Literal["CR0", "CR1", "CR2", "CR3"]
COV_TYPES: tuple[str, ...] = ("CR0", "CR1", "CR2", "CR3")
DF_METHODS: tuple[str, ...] = ("bell-mccaffrey", "imbens-kolesar")
#: Eigenvalues of ``I - H_gg`` below this are treated as zero (pseudo-inverse).
_EIG_TOL = 1e-10


@dataclass(frozen=True)
class ClusterRobustFit:
    """Coefficients, their cluster-robust covariance and per-coefficient degrees of freedom."""

    params: np.ndarray
    cov: np.ndarray
    df: np.ndarray
    cov_type: str
    n_obs: int
    n_clusters: int
    names: tuple[str, ...]

    @property
    def std_errors(self) -> np.ndarray:
        return np.sqrt(np.diag(self.cov))

    def summary(self, alpha: float = 0.05) -> pd.DataFrame:
        """One row per coefficient: estimate, SE, df, t-based interval and p-value."""
        se = self.std_errors
        with np.errstate(divide="ignore", invalid="ignore"):
            t = self.params / se
        q = stats.t.ppf(1 - alpha / 2, self.df)
        return pd.DataFrame({
            "term": list(self.names), "estimate": self.params, "std_error": se, "df": self.df,
            "ci_lower": self.params - q * se, "ci_upper": self.params + q * se,
            "p_value": 2 * stats.t.sf(np.abs(t), self.df),
            "method": "OLS", "cov_type": self.cov_type,
        })


def check_clusters_per_arm(treated: np.ndarray, codes: np.ndarray, n_clusters: int,
                           minimum: int = 2) -> None:
    """Refuse a degenerate cluster-robust variance: each arm needs ``minimum`` clusters.

    With a single cluster in an arm, that arm's residuals sum to zero inside the cluster and the
    sandwich variance of the contrast collapses to ~0 (a p-value of 0.0 that means nothing).
    """
    t = np.asarray(treated, dtype=bool)
    n_t = int(np.count_nonzero(np.bincount(codes[t], minlength=n_clusters)))
    n_c = int(np.count_nonzero(np.bincount(codes[~t], minlength=n_clusters)))
    if n_t < minimum or n_c < minimum:
        raise ValueError(
            f"clusters: a cluster-robust variance needs at least {minimum} clusters with treated "
            f"units and {minimum} with control units; got {n_t} treated and {n_c} control "
            f"cluster(s). Use a design-based or randomization test instead."
        )


def _blocks(codes: np.ndarray, n_clusters: int) -> list[np.ndarray]:
    """Unit indices of the clusters, grouped by cluster size: arrays of shape (clusters, size)."""
    order = np.argsort(codes, kind="stable")
    sizes = np.bincount(codes, minlength=n_clusters)
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    out = []
    for size in np.unique(sizes):  # a handful of distinct sizes
        members = np.flatnonzero(sizes == size)
        out.append(order[starts[members][:, None] + np.arange(size)[None, :]])
    return out


def _block_powers(x: np.ndarray, bread: np.ndarray, blocks: list[np.ndarray],
                  power: float) -> list[np.ndarray]:
    """``(I - H_gg)^{power}`` for every cluster, stacked by size (pseudo-inverse on null space)."""
    out = []
    for idx in blocks:
        xg = x[idx]  # (clusters, size, K)
        h = np.einsum("gik,kl,gjl->gij", xg, bread, xg)
        vals, vecs = np.linalg.eigh(np.eye(idx.shape[1])[None] - h)
        keep = vals > _EIG_TOL
        scaled = np.where(keep, np.where(keep, vals, 1.0) ** power, 0.0)
        out.append(np.einsum("gij,gj,gkj->gik", vecs, scaled, vecs))
    return out


def _apply_blocks(blocks: list[np.ndarray], powers: list[np.ndarray], u: np.ndarray) -> np.ndarray:
    """``A_g u_g`` for every cluster."""
    out = np.empty_like(u)
    for idx, a in zip(blocks, powers, strict=True):
        out[idx] = np.einsum("gij,gj->gi", a, u[idx])
    return out


def cluster_scores(x: np.ndarray, u: np.ndarray, codes: np.ndarray, n_clusters: int) -> np.ndarray:
    """``X_g' u_g`` for every cluster, shape (G, K), via ``np.bincount``."""
    return np.column_stack([np.bincount(codes, weights=x[:, k] * u, minlength=n_clusters)
                            for k in range(x.shape[1])])


def _satterthwaite_df(x: np.ndarray, bread: np.ndarray, resid: np.ndarray, codes: np.ndarray,
                      n_clusters: int, blocks: list[np.ndarray], powers: list[np.ndarray],
                      method: str) -> np.ndarray:
    """Satterthwaite degrees of freedom of each CR2 coefficient variance.

    For coefficient ``k`` the CR2 variance is ``sum_g (a_g' e)^2``, a quadratic form
    ``e' W W' e`` with ``W`` the ``N x G`` matrix whose column ``g`` holds
    ``a_g = (I - H_gg)^{-1/2} X_g B c`` on cluster ``g``'s rows. With ``e = M y`` and working
    covariance ``Omega``, ``df = tr(P)^2 / tr(P^2)``, ``P = W' M Omega M W``.
    """
    n, k_params = x.shape
    if method == "imbens-kolesar":
        sigma2 = resid @ resid / (n - k_params)
        sums = np.bincount(codes, weights=resid, minlength=n_clusters)
        sizes = np.bincount(codes, minlength=n_clusters)
        pairs = float(np.sum(sizes * (sizes - 1)))
        rho_var = (float(np.sum(sums**2) - resid @ resid) / pairs) if pairs > 0 else 0.0
        between = min(max(rho_var, 0.0), sigma2)
        within = sigma2 - between
    else:
        within, between = 1.0, 0.0
    dfs = np.empty(k_params)
    x_sums = cluster_scores(x, np.ones(n), codes, n_clusters)  # D'X, (G, K)
    for k in range(k_params):  # K coefficients; everything inside is G x G algebra
        w_units = _apply_blocks(blocks, powers, x @ bread[:, k])
        wx = cluster_scores(x, w_units, codes, n_clusters)  # row g: a_g' X_g, i.e. (W'X)_g
        ww = np.bincount(codes, weights=w_units**2, minlength=n_clusters)
        p = np.diag(ww) - wx @ bread @ wx.T  # W'MW
        if between:
            # D'MW = D'W - D'X B X'W, with D'W diagonal (cluster sums of a_g)
            dmw = (np.diag(np.bincount(codes, weights=w_units, minlength=n_clusters))
                   - x_sums @ bread @ wx.T)
            p = within * p + between * dmw.T @ dmw
        else:
            p = within * p
        trace = np.trace(p)
        dfs[k] = trace**2 / np.sum(p * p.T) if trace > 0 else np.nan
    return dfs


def clustered_regression_inputs(y: ArrayLike, x: ArrayLike, clusters: ArrayLike
                                ) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Checked ``y`` (N,), design ``x`` (N, K), cluster codes and ``G`` (at least 2 clusters)."""
    y_arr = np.asarray(y, dtype=float)
    x_arr = np.asarray(x, dtype=float)
    if x_arr.ndim == 1:
        x_arr = x_arr[:, None]
    if y_arr.ndim != 1 or x_arr.ndim != 2 or x_arr.shape[0] != y_arr.size:
        raise ValueError(f"y must be 1-D and x 2-D with as many rows as y; got shapes "
                         f"{y_arr.shape} and {x_arr.shape}")
    if not (np.isfinite(y_arr).all() and np.isfinite(x_arr).all()):
        raise ValueError("y and x must not contain NaN or infinite values")
    codes, n_clusters = encode_clusters(clusters)
    if codes.size != y_arr.size:
        raise ValueError(f"clusters must have one label per row of y ({y_arr.size}), "
                         f"got {codes.size}")
    if n_clusters < 2:
        raise ValueError(f"clusters: a cluster-robust variance needs at least 2 clusters, "
                         f"got {n_clusters}")
    return y_arr, x_arr, codes, n_clusters


def cluster_robust_ols(y: ArrayLike, x: ArrayLike, clusters: ArrayLike, cov_type: str = "CR1",
                       df_method: str = "bell-mccaffrey",
                       names: tuple[str, ...] | None = None) -> ClusterRobustFit:
    """OLS of ``y`` on the design ``x`` (include the intercept) with a named cluster covariance.

    ``df_method`` picks the CR2 degrees of freedom (``"bell-mccaffrey"`` or
    ``"imbens-kolesar"``); other types use ``G - 1``.
    """
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    if df_method not in DF_METHODS:
        raise ValueError(f"df_method must be one of {DF_METHODS}, got {df_method!r}")
    y_arr, x_arr, codes, n_clusters = clustered_regression_inputs(y, x, clusters)
    n, k = x_arr.shape
    if np.linalg.matrix_rank(x_arr) < k:
        raise ValueError("x is rank deficient (collinear columns)")
    bread = np.linalg.inv(x_arr.T @ x_arr)
    params = bread @ (x_arr.T @ y_arr)
    resid = y_arr - x_arr @ params
    blocks = _blocks(codes, n_clusters) if cov_type in ("CR2", "CR3") else []
    power = {"CR2": -0.5, "CR3": -1.0}.get(cov_type)
    powers = [] if power is None else _block_powers(x_arr, bread, blocks, power)
    u = resid if power is None else _apply_blocks(blocks, powers, resid)
    scores = cluster_scores(x_arr, u, codes, n_clusters)
    cov = bread @ (scores.T @ scores) @ bread
    if cov_type == "CR1":
        cov = cov * n_clusters / (n_clusters - 1) * (n - 1) / (n - k)
    elif cov_type == "CR3":
        cov = cov * (n_clusters - 1) / n_clusters
    if cov_type == "CR2":
        df = _satterthwaite_df(x_arr, bread, resid, codes, n_clusters, blocks, powers,
                               df_method)
    else:
        df = np.full(k, float(n_clusters - 1))
    labels = names if names is not None else tuple(f"x{i}" for i in range(k))
    if len(labels) != k:
        raise ValueError(f"names must have {k} entries, got {len(labels)}")
    return ClusterRobustFit(params=params, cov=cov, df=df, cov_type=cov_type, n_obs=n,
                            n_clusters=n_clusters, names=tuple(labels))
