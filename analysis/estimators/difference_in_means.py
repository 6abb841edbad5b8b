"""Difference in means with naive (Welch) and cluster-robust standard errors.

The clustered standard error is the CR1 sandwich for the regression ``y ~ 1 + treated`` with the
small-sample factor ``G/(G-1) * (N-1)/(N-2)``: exactly what statsmodels' OLS reports with
``cov_type="cluster"``. It is computed from group sums with ``np.bincount``, so it is cheap enough
to run inside Monte Carlo and bootstrap loops over outcomes.

``cov_type`` picks another small-cluster covariance (``"CR0"``, ``"CR2"``, ``"CR3"``; see
:mod:`analysis.estimators.cluster_robust`); those use ``t`` intervals with their degrees of
freedom (``G - 1``, or Bell–McCaffrey's for CR2), while ``"CR1"`` keeps the normal reference.
A cluster-robust variance with fewer than two clusters in an arm is refused (``ValueError``):
it would be ~0 and its p-value meaningless. A constant outcome gives a zero standard error: the
p-value is NaN, with a warning.
"""

from __future__ import annotations

import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from analysis.designs.assignment import encode_clusters
from analysis.estimators.cluster_robust import (
    COV_TYPES,
    check_clusters_per_arm,
    cluster_robust_ols,
)


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
    se_type: str  # "naive" (Welch), "clustered" (CR1), or "CR0", "CR2", "CR3"
    df: float = np.inf  # reference t degrees of freedom (inf: normal)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> pd.DataFrame:
        """One-row tidy table: estimate, SE, df, interval, p-value, method, covariance type."""
        cov_type = {"naive": "Welch", "clustered": "CR1"}.get(self.se_type, self.se_type)
        return pd.DataFrame([{
            "estimate": self.estimate, "std_error": self.std_error, "df": self.df,
            "ci_lower": self.ci_lower, "ci_upper": self.ci_upper, "p_value": self.p_value,
            "method": "Difference in means", "cov_type": cov_type,
        }])


def _validate(y: ArrayLike, treated: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    try:
        y_arr = np.asarray(y, dtype=float)
    except (TypeError, ValueError) as exc:
        raise ValueError(f"y (outcome) must be numeric: {exc}") from None
    t_arr = np.asarray(treated)
    if y_arr.ndim != 1 or t_arr.ndim != 1 or y_arr.shape != t_arr.shape:
        raise ValueError(
            f"y (outcome) and treated must be 1-D arrays of equal length, got shapes "
            f"{y_arr.shape} and {t_arr.shape}"
        )
    if t_arr.dtype.kind not in "biuf" or not np.isin(t_arr, (0, 1)).all():
        bad = np.unique(t_arr[~np.isin(t_arr, (0, 1))])[:5] if t_arr.dtype.kind in "biuf" \
            else np.unique(t_arr.astype(str))[:5]
        raise ValueError(f"treated must be coded 0/1 (or boolean); found values {list(bad)}")
    t_bool = t_arr.astype(bool)
    if not t_bool.any() or t_bool.all():
        raise ValueError(f"treated: needs at least one treated and one control unit; got {int(t_bool.sum())} treated and "
                         f"{int((~t_bool).sum())} control")
    if not np.isfinite(y_arr).all():
        raise ValueError(f"y (outcome) contains {int((~np.isfinite(y_arr)).sum())} NaN or "
                         f"infinite values; drop or impute them first")
    return y_arr, t_bool


def _interval(estimate: float, se: float, alpha: float,
              df: float = np.inf) -> tuple[float, float, float]:
    q = stats.norm.ppf(1 - alpha / 2) if np.isinf(df) else stats.t.ppf(1 - alpha / 2, df)
    if se > 0:
        tail = stats.norm.sf if np.isinf(df) else (lambda v: stats.t.sf(v, df))
        p = float(2 * tail(abs(estimate / se)))
    else:
        warnings.warn("zero standard error (constant outcome within arms): p-value is NaN",
                      RuntimeWarning, stacklevel=3)
        p = float("nan")
    return estimate - q * se, estimate + q * se, p


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
                        alpha: float = 0.05, cov_type: str = "CR1") -> DiffInMeans:
    """Treated-minus-control difference in means.

    With ``clusters=None`` the standard error is Welch's (unequal variances); otherwise the CR1
    cluster-robust standard error, matching statsmodels ``OLS(...).fit(cov_type="cluster")``.
    Intervals and p-values use the normal approximation, as statsmodels does by default.
    """
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    y_arr, t_bool = _validate(y, treated)
    df = np.inf
    y1, y0 = y_arr[t_bool], y_arr[~t_bool]
    estimate = float(y1.mean() - y0.mean())
    if clusters is None:
        if y1.size < 2 or y0.size < 2:
            raise ValueError(f"treated: the Welch standard error needs at least two units per "
                             f"arm; got {y1.size} treated and {y0.size} control")
        se = float(np.sqrt(y1.var(ddof=1) / y1.size + y0.var(ddof=1) / y0.size))
        n_clusters, se_type = None, "naive"
    else:
        codes, n_clusters = cluster_codes(clusters)
        if codes.size != y_arr.size:
            raise ValueError(f"clusters must have one label per unit ({y_arr.size}), "
                             f"got {codes.size}")
        check_clusters_per_arm(t_bool, codes, n_clusters)
        if cov_type == "CR1":
            se = clustered_se(y_arr, t_bool, codes, n_clusters)
            se_type = "clustered"
        else:
            fit = cluster_robust_ols(y_arr, np.column_stack([np.ones(y_arr.size), t_bool]),
                                     codes, cov_type)
            se, df, se_type = float(fit.std_errors[1]), float(fit.df[1]), cov_type
    lo, hi, p = _interval(estimate, se, alpha, df)
    return DiffInMeans(
        estimate=estimate, std_error=se, ci_lower=lo, ci_upper=hi, p_value=p,
        mean_treated=float(y1.mean()), mean_control=float(y0.mean()),
        n_treated=int(y1.size), n_control=int(y0.size), n_clusters=n_clusters, se_type=se_type,
        df=float(df),
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
