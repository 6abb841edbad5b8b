"""Randomization inference for a difference in means under a Bernoulli design.

Under the sharp null hypothesis that treatment changes no unit's outcome, the observed outcomes are
fixed and only the assignment is random. Re-drawing the assignment from the *actual design*
(independent Bernoulli(p) coins per randomized unit) gives the exact null distribution of the
difference in means. All ``R`` re-randomizations are drawn as one ``(R, N)`` 0/1 matrix and the
statistics are matrix-vector products (memory-bounded chunks, no loop over replicates inside
a chunk). The statistic and the p-value are the ones of :mod:`analysis.design_based.
randomization_inference`, which handles general designs and the no-spillover null.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from analysis.design_based.randomization_inference import (
    difference_in_means_statistic,
    fisher_p_value,
)

_CHUNK_CELLS = 4_000_000


@dataclass(frozen=True)
class BernoulliRandomizationTest:
    """Observed statistic, two-sided randomization p-value and the null draws."""

    statistic: float
    p_value: float
    n_randomizations: int
    n_valid: int
    null_draws: np.ndarray


def bernoulli_randomization_test(y: ArrayLike, treated: ArrayLike, probability: float,
                                 n_randomizations: int, rng: np.random.Generator
                                 ) -> BernoulliRandomizationTest:
    """Two-sided test of the sharp null for a difference in means, one coin per unit.

    The p-value is ``(1 + #{|T_r| >= |T_obs|}) / (1 + R_valid)``, which is valid (never
    anti-conservative); re-randomizations with an empty arm are discarded.
    """
    y_arr = np.asarray(y, dtype=float)
    t_arr = np.asarray(treated).astype(float)
    if y_arr.ndim != 1 or y_arr.shape != t_arr.shape:
        raise ValueError("y and treated must be 1-D arrays of equal length")
    if not np.isin(t_arr, (0.0, 1.0)).all() or t_arr.min() == t_arr.max():
        raise ValueError("treated must be 0/1 with both arms present")
    if not 0 < probability < 1:
        raise ValueError(f"probability must be strictly between 0 and 1, got {probability}")
    if n_randomizations < 1:
        raise ValueError(f"n_randomizations must be at least 1, got {n_randomizations}")
    n = y_arr.size
    observed = float(difference_in_means_statistic(y_arr, t_arr)[0])
    chunk = max(1, _CHUNK_CELLS // n)
    parts = []
    for start in range(0, n_randomizations, chunk):  # memory-bounded blocks
        size = min(chunk, n_randomizations - start)
        z = (rng.random((size, n)) < probability).astype(float)
        parts.append(difference_in_means_statistic(y_arr, z))
    draws = np.concatenate(parts)
    return BernoulliRandomizationTest(
        statistic=observed, p_value=fisher_p_value(observed, draws),
        n_randomizations=int(n_randomizations), n_valid=int(np.isfinite(draws).sum()),
        null_draws=draws)
