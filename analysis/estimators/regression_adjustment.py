"""Regression-adjusted difference in means with cluster-robust standard errors.

Following Lin (2013), the outcome is regressed on the treatment, the *centred* pre-treatment
covariates and their interactions with the treatment; the treatment coefficient is then the
adjusted average effect, and its CR1 cluster-robust standard error comes from statsmodels.
Adjustment never moves the estimand in a randomized experiment; it buys precision when the
covariates predict the outcome, reported here as ``variance_reduction = 1 - se_adj^2 / se_unadj^2``.

``cov_type`` (``"CR0"``, ``"CR2"``, ``"CR3"``) swaps the CR1 covariance for a small-cluster one
from :mod:`analysis.estimators.cluster_robust` (with ``t`` intervals on its degrees of freedom).
Refused with a ``ValueError``: a constant outcome (every standard error would be rounding noise:
once reported as p = 0.029), and a cluster-robust variance with fewer than two clusters per arm.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
import statsmodels.api as sm
from scipy import stats

from analysis.estimators.cluster_robust import (
    COV_TYPES,
    check_clusters_per_arm,
    cluster_robust_ols,
)


@dataclass(frozen=True)
class AdjustedEstimate:
    """Adjusted and unadjusted treatment coefficients from the same data."""

    estimate: float
    std_error: float
    ci_lower: float
    ci_upper: float
    p_value: float
    unadjusted_estimate: float
    unadjusted_std_error: float
    variance_reduction: float
    n: int
    n_clusters: int | None
    covariates: str
    df: float = np.inf  # reference t degrees of freedom (inf: normal)
    cov_type: str = "CR1"

    def as_dict(self) -> dict[str, Any]:
        """The historical columns of the published tables (``summary()`` adds df and cov_type)."""
        out = asdict(self)
        del out["df"], out["cov_type"]
        return out

    def summary(self) -> pd.DataFrame:
        """One-row tidy table: estimate, SE, df, interval, p-value, method, covariance type."""
        return pd.DataFrame([{
            "estimate": self.estimate, "std_error": self.std_error, "df": self.df,
            "ci_lower": self.ci_lower, "ci_upper": self.ci_upper, "p_value": self.p_value,
            "method": f"Regression adjustment ({self.covariates})",
            "cov_type": self.cov_type if self.n_clusters is not None else "HC1",
        }])


def _fit(y: np.ndarray, x: np.ndarray, groups: np.ndarray | None) -> Any:
    model = sm.OLS(y, x)
    if groups is None:
        return model.fit(cov_type="HC1")
    return model.fit(cov_type="cluster", cov_kwds={"groups": groups})


def regression_adjusted_difference(df: pd.DataFrame, outcome: str, treatment: str,
                                   covariates: Sequence[str], cluster: str | None = None,
                                   alpha: float = 0.05, interacted: bool = True,
                                   cov_type: str = "CR1") -> AdjustedEstimate:
    """Lin-style adjusted treatment effect (cluster-robust, or HC1 without ``cluster``).

    Parameters
    ----------
    df:
        Data with the outcome, the 0/1 treatment, the covariates and optionally the cluster id.
    covariates:
        Pre-treatment numeric columns; they are centred at their sample means.
    interacted:
        Include treatment x centred-covariate interactions (Lin 2013). Without them this is the
        classical ANCOVA estimator.
    """
    needed = [outcome, treatment, *covariates] + ([cluster] if cluster else [])
    missing = [c for c in needed if c not in df.columns]
    if missing:
        raise ValueError(f"regression adjustment: missing columns {missing}")
    if not covariates:
        raise ValueError("regression adjustment: give at least one covariate")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if cov_type not in COV_TYPES:
        raise ValueError(f"cov_type must be one of {COV_TYPES}, got {cov_type!r}")
    y = df[outcome].to_numpy(dtype=float)
    t = df[treatment].to_numpy(dtype=float)
    if not np.isin(t, (0.0, 1.0)).all() or t.min() == t.max():
        raise ValueError(f"{treatment!r} must be 0/1 with both arms present")
    if not np.isfinite(y).all():
        raise ValueError(f"outcome {outcome!r} contains {int((~np.isfinite(y)).sum())} missing "
                         f"or infinite values")
    if np.ptp(y) == 0:
        raise ValueError(f"outcome {outcome!r} is constant ({y[0]:g}): there is no variation "
                         f"to estimate an effect or its standard error from")
    z = df[list(covariates)].to_numpy(dtype=float)
    if not np.isfinite(z).all():
        raise ValueError(f"covariates {list(covariates)} contain missing or infinite values")
    zc = z - z.mean(axis=0)
    groups = None if cluster is None else pd.factorize(df[cluster])[0]
    if groups is not None:
        if (groups < 0).any():
            raise ValueError(f"cluster column {cluster!r} has missing labels")
        check_clusters_per_arm(t == 1, groups, int(groups.max() + 1))
    parts = [np.ones_like(t), t, zc] + ([t[:, None] * zc] if interacted else [])
    x_adj = np.column_stack(parts)
    x_raw = np.column_stack([np.ones_like(t), t])
    if groups is not None and cov_type != "CR1":
        adj = cluster_robust_ols(y, x_adj, groups, cov_type)
        raw = cluster_robust_ols(y, x_raw, groups, cov_type)
        est, se, dof = float(adj.params[1]), float(adj.std_errors[1]), float(adj.df[1])
        raw_est, se_raw = float(raw.params[1]), float(raw.std_errors[1])
        zq = stats.t.ppf(1 - alpha / 2, dof)
        p_value = float(2 * stats.t.sf(abs(est / se), dof))
    else:
        fit_adj = _fit(y, x_adj, groups)
        fit_raw = _fit(y, x_raw, groups)
        est, se = float(fit_adj.params[1]), float(fit_adj.bse[1])
        raw_est, se_raw = float(fit_raw.params[1]), float(fit_raw.bse[1])
        zq = stats.norm.ppf(1 - alpha / 2)
        p_value = float(fit_adj.pvalues[1])
        dof = np.inf
    return AdjustedEstimate(
        estimate=est, std_error=se, ci_lower=est - zq * se, ci_upper=est + zq * se,
        p_value=p_value, unadjusted_estimate=raw_est,
        unadjusted_std_error=se_raw, variance_reduction=1.0 - (se / se_raw) ** 2,
        n=int(y.size), n_clusters=None if groups is None else int(groups.max() + 1),
        covariates=", ".join(covariates), df=float(dof), cov_type=cov_type,
    )
