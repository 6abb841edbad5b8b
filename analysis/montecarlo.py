"""Monte Carlo summaries: bias, RMSE and confidence-interval coverage as tidy tables.

A study produces, for every (scenario, estimator, standard-error type), one estimate and one
standard error per replication. :func:`summarise_replications` turns those arrays into one row
with the truth, the mean estimate, bias, empirical SD, RMSE, mean reported SE, the SE/SD ratio and
the coverage of the normal-theory interval (with its Monte Carlo standard error), so a reader can
tell a real under-coverage from simulation noise.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

__all__ = ["ReplicationSet", "summarise_replications", "summary_table"]

SUMMARY_COLUMNS = [
    "truth", "n_reps", "mean_estimate", "bias", "empirical_sd", "rmse", "mean_std_error",
    "se_sd_ratio", "coverage", "coverage_mc_se", "mean_ci_width",
]


@dataclass(frozen=True)
class ReplicationSet:
    """Estimates and standard errors from ``R`` replications of one estimator, with labels."""

    labels: Mapping[str, Any]
    truth: float
    estimate: np.ndarray
    std_error: np.ndarray


def summarise_replications(estimate: ArrayLike, std_error: ArrayLike, truth: float,
                           level: float = 0.95) -> dict[str, float]:
    """Bias, RMSE, coverage (and friends) of ``estimate +/- z * std_error`` around ``truth``."""
    est = np.asarray(estimate, dtype=float).ravel()
    se = np.asarray(std_error, dtype=float).ravel()
    if est.shape != se.shape:
        raise ValueError(f"estimate and std_error differ in length ({est.size} vs {se.size})")
    if est.size < 2:
        raise ValueError("a Monte Carlo summary needs at least two replications")
    if not (np.isfinite(est).all() and np.isfinite(se).all()):
        raise ValueError("estimate/std_error contain NaN or infinite values")
    if (se < 0).any():
        raise ValueError("std_error must be non-negative")
    if not 0 < level < 1:
        raise ValueError(f"level must be in (0, 1), got {level}")
    z = stats.norm.ppf(0.5 + level / 2)
    covered = np.abs(est - truth) <= z * se
    coverage = covered.mean()
    sd = est.std(ddof=1)
    return {
        "truth": float(truth),
        "n_reps": int(est.size),
        "mean_estimate": float(est.mean()),
        "bias": float(est.mean() - truth),
        "empirical_sd": float(sd),
        "rmse": float(np.sqrt(np.mean((est - truth) ** 2))),
        "mean_std_error": float(se.mean()),
        "se_sd_ratio": float(se.mean() / sd) if sd > 0 else float("nan"),
        "coverage": float(coverage),
        "coverage_mc_se": float(np.sqrt(coverage * (1 - coverage) / est.size)),
        "mean_ci_width": float(2 * z * se.mean()),
    }


def summary_table(sets: Sequence[ReplicationSet], level: float = 0.95) -> pd.DataFrame:
    """One row per :class:`ReplicationSet`: its labels followed by :data:`SUMMARY_COLUMNS`."""
    if not sets:
        raise ValueError("summary_table needs at least one ReplicationSet")
    label_keys = list(sets[0].labels)
    rows = []
    for item in sets:
        if list(item.labels) != label_keys:
            raise ValueError("every ReplicationSet must carry the same label keys in the same order")
        rows.append({**item.labels,
                     **summarise_replications(item.estimate, item.std_error, item.truth, level)})
    return pd.DataFrame(rows, columns=label_keys + SUMMARY_COLUMNS)
