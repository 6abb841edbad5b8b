"""Horvitz–Thompson and Hájek estimators of exposure contrasts (Aronow & Samii 2017).

For exposure conditions ``k`` (e.g. "full treatment") and ``l`` (e.g. "full control") the
Horvitz–Thompson (HT) estimator of the average contrast is

    tau_HT = (1/N) sum_i [ I_i(k) Y_i / pi_i(k) - I_i(l) Y_i / pi_i(l) ],

unbiased whenever the exposure mapping is correctly specified and every unit has ``pi_i(k) > 0``
and ``pi_i(l) > 0``. The Hájek estimator divides each weighted sum by the sum of its weights
instead of N; it is slightly biased but usually far less variable.

Variance: the Aronow-Samii estimator of Var(tau_HT) is

    [Var(T_k) + Var(T_l) - 2 Cov(T_k, T_l)] / N^2

with ``T_k = sum_i I_i(k) Y_i / pi_i(k)``. Pairs with ``pi_ij > 0`` contribute the usual
Horvitz–Thompson terms; pairs that can never be observed together (``pi_ij = 0``) contribute the
Young's-inequality bound ``I_i Y_i^2 / (2 pi_i) + I_j Y_j^2 / (2 pi_j)``, which makes the
estimator conservative in expectation. The Hájek variance applies the same formula to the
residuals ``Y_i - mu_hat(k)`` (linearisation).

Everything is vectorised over replications: pass outcomes and exposure codes of shape ``(R, n)``
(R re-randomizations or Monte Carlo replicates) and get ``R`` estimates from a few matrix
products.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from analysis.exposure.probabilities import ExposureProbabilities

__all__ = [
    "ContrastEstimates",
    "exposure_contrast",
    "positive_units",
]

ESTIMATORS = ("horvitz_thompson", "hajek")


@dataclass(frozen=True)
class ContrastEstimates:
    """One exposure contrast estimated on R replications (arrays of length R)."""

    estimator: str
    treat: int
    control: int
    estimate: np.ndarray
    variance: np.ndarray
    mean_treat: np.ndarray
    mean_control: np.ndarray
    n_treat: np.ndarray
    n_control: np.ndarray
    n_units: int
    alpha: float

    @property
    def std_error(self) -> np.ndarray:
        return np.sqrt(np.clip(self.variance, 0.0, None))

    def to_frame(self) -> pd.DataFrame:
        """Tidy table, one row per replication."""
        z = stats.norm.ppf(1 - self.alpha / 2)
        se = self.std_error
        return pd.DataFrame({
            "replicate": np.arange(self.estimate.size),
            "estimator": self.estimator,
            "treat_condition": self.treat,
            "control_condition": self.control,
            "estimate": self.estimate,
            "std_error": se,
            "ci_lower": self.estimate - z * se,
            "ci_upper": self.estimate + z * se,
            "mean_treat": self.mean_treat,
            "mean_control": self.mean_control,
            "n_treat": self.n_treat,
            "n_control": self.n_control,
            "n_units": self.n_units,
        })


def positive_units(probs: ExposureProbabilities, treat: int, control: int) -> np.ndarray:
    """Units with ``pi_i(treat) > 0`` and ``pi_i(control) > 0``: where the contrast is defined."""
    return (probs.marginal[:, treat] > 0) & (probs.marginal[:, control] > 0)


def _as_2d(values: np.ndarray, name: str, n: int) -> np.ndarray:
    arr = np.asarray(values)
    if arr.ndim == 1:
        arr = arr[None, :]
    if arr.ndim != 2 or arr.shape[1] != n:
        raise ValueError(f"{name} must have shape (n,) or (R, n) with n={n}, got "
                         f"{np.asarray(values).shape}")
    return arr


def _variance_total(u: np.ndarray, a: np.ndarray, pi: np.ndarray, joint: np.ndarray) -> np.ndarray:
    """Aronow-Samii conservative variance of T = sum_i u_i, u_i = I_i y_i / pi_i.

    ``a_i = I_i y_i^2 / pi_i``; ``joint`` is pi_ij(k, k) with diagonal pi_i(k).
    """
    off = joint.copy()
    np.fill_diagonal(off, 0.0)
    positive = off > 0
    ratio = np.divide(off - np.outer(pi, pi), off, out=np.zeros_like(off), where=positive)
    zero_pairs = ~positive
    np.fill_diagonal(zero_pairs, False)
    n_zero = zero_pairs.sum(axis=1).astype(float)  # symmetric, so row and column sums agree
    own = ((1.0 - pi) * u**2).sum(axis=1)
    pairs = ((u @ ratio) * u).sum(axis=1)
    bound = a @ n_zero
    return own + pairs + bound


def _covariance_totals(u_k: np.ndarray, u_l: np.ndarray, a_k: np.ndarray, a_l: np.ndarray,
                       pi_k: np.ndarray, pi_l: np.ndarray, joint: np.ndarray) -> np.ndarray:
    """Aronow-Samii covariance estimator of (T_k, T_l); ``joint`` is pi_ij(k, l)."""
    positive = joint > 0
    ratio = np.divide(joint - np.outer(pi_k, pi_l), joint, out=np.zeros_like(joint),
                      where=positive)
    zero_pairs = ~positive  # includes i == j: a unit is never in k and l at once
    pairs = ((u_k @ ratio) * u_l).sum(axis=1)
    bound = 0.5 * (a_k @ zero_pairs.sum(axis=1)) + 0.5 * (a_l @ zero_pairs.sum(axis=0))
    return pairs - bound


def exposure_contrast(y: np.ndarray, codes: np.ndarray, probs: ExposureProbabilities,
                      treat: int, control: int, estimator: str = "horvitz_thompson",
                      units: np.ndarray | None = None, alpha: float = 0.05) -> ContrastEstimates:
    """Estimate the average contrast between exposure conditions ``treat`` and ``control``.

    Parameters
    ----------
    y, codes:
        Observed outcomes and exposure codes, ``(n,)`` or ``(R, n)``.
    probs:
        The design's exposure probabilities, with joint probabilities for the pairs
        ``(treat, treat)``, ``(control, control)`` and ``(treat, control)``.
    estimator:
        ``"horvitz_thompson"`` or ``"hajek"``.
    units:
        Boolean mask of the units the estimand averages over; default: every unit with positive
        probability of both conditions (:func:`positive_units`). Units outside the mask are
        dropped, so the estimand is the contrast on that subpopulation.

    Bad input raises ``ValueError`` naming the argument: NaN outcomes, codes outside the declared
    conditions, and (for one experiment, 1-D input) a compared condition no unit is observed
    in. With stacked replications ``(R, n)`` a replication with an empty condition gives a NaN
    Hájek estimate (the Horvitz–Thompson estimate stays defined).
    """
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}, got {estimator!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    n_cond = probs.marginal.shape[1]
    for name, k in (("treat", treat), ("control", control)):
        if not 0 <= k < n_cond:
            raise ValueError(f"{name} must be a condition code in 0..{n_cond - 1}, got {k}")
    if treat == control:
        raise ValueError("treat and control must be different conditions")
    n = probs.n_units
    y2 = _as_2d(y, "y", n).astype(float)
    c2 = _as_2d(codes, "codes", n)
    if y2.shape != c2.shape:
        raise ValueError(f"y and codes must have the same shape, got {y2.shape} and {c2.shape}")
    if not np.isfinite(y2).all():
        raise ValueError(f"y (outcome) contains {int((~np.isfinite(y2)).sum())} NaN or infinite "
                         f"values; drop or impute them first")
    outside = ~np.isin(c2, np.arange(n_cond))
    if outside.any():
        raise ValueError(f"codes must be exposure conditions 0..{n_cond - 1} "
                         f"({', '.join(probs.labels)}); found {sorted(set(c2[outside].tolist()))[:5]}")
    if np.asarray(y).ndim == 1:  # one experiment: an empty condition is an error, not a number
        for name, k in (("treat", treat), ("control", control)):
            if not (c2[0] == k).any():
                raise ValueError(f"codes: no unit is observed in the {name} condition "
                                 f"{probs.labels[k]!r} (code {k}); the contrast has no data")
    mask = positive_units(probs, treat, control) if units is None else np.asarray(units, bool)
    if mask.shape != (n,):
        raise ValueError(f"units must be a boolean mask of length {n}")
    pi_all = probs.marginal
    if ((pi_all[mask, treat] <= 0) | (pi_all[mask, control] <= 0)).any():
        raise ValueError("units includes units with zero probability of a compared condition")
    if not mask.any():
        raise ValueError("no unit has positive probability of both conditions")
    y2, c2 = y2[:, mask], c2[:, mask]
    pi_k, pi_l = pi_all[mask, treat], pi_all[mask, control]
    j_kk = probs.joint_matrix(treat, treat)[np.ix_(mask, mask)]
    j_ll = probs.joint_matrix(control, control)[np.ix_(mask, mask)]
    j_kl = probs.joint_matrix(treat, control)[np.ix_(mask, mask)]
    n_used = int(mask.sum())
    i_k = (c2 == treat).astype(float)
    i_l = (c2 == control).astype(float)
    w_k, w_l = i_k / pi_k, i_l / pi_l
    if estimator == "horvitz_thompson":
        mean_k = (w_k * y2).sum(axis=1) / n_used
        mean_l = (w_l * y2).sum(axis=1) / n_used
        r_k, r_l = y2, y2
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            mean_k = (w_k * y2).sum(axis=1) / w_k.sum(axis=1)
            mean_l = (w_l * y2).sum(axis=1) / w_l.sum(axis=1)
        r_k, r_l = y2 - mean_k[:, None], y2 - mean_l[:, None]
    u_k, u_l = w_k * r_k, w_l * r_l
    a_k, a_l = u_k * r_k, u_l * r_l
    var_k = _variance_total(u_k, a_k, pi_k, j_kk)
    var_l = _variance_total(u_l, a_l, pi_l, j_ll)
    cov = _covariance_totals(u_k, u_l, a_k, a_l, pi_k, pi_l, j_kl)
    variance = (var_k + var_l - 2.0 * cov) / n_used**2
    return ContrastEstimates(
        estimator=estimator, treat=int(treat), control=int(control), estimate=mean_k - mean_l,
        variance=variance, mean_treat=mean_k, mean_control=mean_l,
        n_treat=i_k.sum(axis=1).astype(np.int64), n_control=i_l.sum(axis=1).astype(np.int64),
        n_units=n_used, alpha=float(alpha),
    )
