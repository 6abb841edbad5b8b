"""Difference in means with naive (Welch) and cluster-robust standard errors.

The clustered standard error is the CR1 sandwich for the regression ``y ~ 1 + treated`` with the
small-sample factor ``G/(G-1) * (N-1)/(N-2)``: exactly what statsmodels' OLS reports with
``cov_type="cluster"``. It is computed from group sums with ``np.bincount``, so it is cheap enough
to run inside Monte Carlo and bootstrap loops over outcomes.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from analysis.designs.assignment import encode_clusters


@dataclass(frozen=True)
class DiffInMeans:
    """One treated-minus-control contrast with its uncertainty."""

    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    mean_treated: float
    mean_control: float
    n_treated: int
    n_control: int
    n_clusters: int | None
    se_type: str  # "naive" (Welch) or "clustered" (CR1)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def _validate(y: ArrayLike, treated: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    y_arr = np.asarray(y, dtype=float)
    t_arr = np.asarray(treated)
    if y_arr.ndim != 1 or t_arr.ndim != 1 or y_arr.shape != t_arr.shape:
        raise ValueError(
            f"outcome and treatment must be 1-D arrays of equal length, got shapes "
            f"{y_arr.shape} and {t_arr.shape}"
        )
    if not np.isin(t_arr, (0, 1, True, False)).all():
        raise ValueError("treatment must be 0/1 (or boolean)")
    t_bool = t_arr.astype(bool)
    if not t_bool.any() or t_bool.all():
        raise ValueError("treatment needs at least one treated and one control unit")
    if not np.isfinite(y_arr).all():
        raise ValueError("outcome contains NaN or infinite values")
    return y_arr, t_bool


def _interval(estimate: float, se: float, alpha: float) -> tuple[float, float, float]:
    z = stats.norm.ppf(1 - alpha / 2)
    p = float(2 * stats.norm.sf(abs(estimate / se))) if se > 0 else float("nan")
    return estimate - z * se, estimate + z * se, p


#: Integer codes 0..G-1 for any cluster labels, and G (one implementation, in designs).
cluster_codes = encode_clusters


def clustered_se(y: np.ndarray, treated: np.ndarray, codes: np.ndarray, n_clusters: int) -> float:
    """CR1 standard error of the slope in ``y ~ 1 + treated`` clustered by ``codes``."""
    t = treated.astype(float)
    n = y.size
    n1 = t.sum()
    n0 = n - n1
    mean1 = y[treated].mean()
    mean0 = y[~treated].mean()
    resid = y - np.where(treated, mean1, mean0)
    # bread^{-1} = X'X with X = [1, t]; the slope row of (X'X)^{-1} is (-1/n0, 1/n0 + 1/n1)
    # applied to the per-cluster score (sum e, sum t e).
    score_all = np.bincount(codes, weights=resid, minlength=n_clusters)
    score_t = np.bincount(codes, weights=resid * t, minlength=n_clusters)
    influence = -score_all / n0 + score_t * (1.0 / n0 + 1.0 / n1)
    correction = n_clusters / (n_clusters - 1) * (n - 1) / (n - 2)
    return float(np.sqrt(correction * np.sum(influence**2)))


def difference_in_means(y: ArrayLike, treated: ArrayLike, clusters: ArrayLike | None = None,
                        alpha: float = 0.05) -> DiffInMeans:
    """Treated-minus-control difference in means.

    With ``clusters=None`` the standard error is Welch's (unequal variances); otherwise the CR1
    cluster-robust standard error, matching statsmodels ``OLS(...).fit(cov_type="cluster")``.
    Intervals and p-values use the normal approximation, as statsmodels does by default.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    y_arr, t_bool = _validate(y, treated)
    y1, y0 = y_arr[t_bool], y_arr[~t_bool]
    estimate = float(y1.mean() - y0.mean())
    if clusters is None:
        if y1.size < 2 or y0.size < 2:
            raise ValueError("Welch standard error needs at least two units per arm")
        se = float(np.sqrt(y1.var(ddof=1) / y1.size + y0.var(ddof=1) / y0.size))
        n_clusters, se_type = None, "naive"
    else:
        codes, n_clusters = cluster_codes(clusters)
        if codes.size != y_arr.size:
            raise ValueError("clusters must have the same length as the outcome")
        if n_clusters < 2:
            raise ValueError("clustered standard errors need at least two clusters")
        se = clustered_se(y_arr, t_bool, codes, n_clusters)
        se_type = "clustered"
    lo, hi, p = _interval(estimate, se, alpha)
    return DiffInMeans(
        estimate=estimate, std_error=se, ci_lower=lo, ci_upper=hi, p_value=p,
        mean_treated=float(y1.mean()), mean_control=float(y0.mean()),
        n_treated=int(y1.size), n_control=int(y0.size), n_clusters=n_clusters, se_type=se_type,
    )


def difference_in_means_table(df: pd.DataFrame, outcome: str, treatment: str,
                              cluster: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Naive and (when ``cluster`` is given) clustered estimates as a tidy two-row table."""
    for column in [outcome, treatment] + ([cluster] if cluster else []):
        if column not in df.columns:
            raise KeyError(f"column {column!r} not in data (columns: {list(df.columns)})")
    rows = [difference_in_means(df[outcome], df[treatment], alpha=alpha).as_dict()]
    if cluster:
        rows.append(difference_in_means(df[outcome], df[treatment], df[cluster], alpha).as_dict())
    return pd.DataFrame(rows)
