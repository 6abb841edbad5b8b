"""Two-stage randomized (randomized-saturation) designs: Hudgens & Halloran (2008) estimators.

Stage 1 assigns whole groups to allocation strategies (complete randomization of groups: ``C_psi``
groups get ``psi``, ``C_phi`` get ``phi``, others possibly a third strategy). Stage 2 treats units
inside each group, either exactly ``k_i`` of ``n_i`` (``within="complete"``) or independently with
probability ``psi`` (``within="bernoulli"``).

Group-level estimates, unbiased for the group's average potential outcomes under the allocation
(the probability of own treatment ``pi`` is ``k_i / n_i`` or ``psi``):

    Y_i(1) = sum_j Y_ij Z_ij / (n_i pi),   Y_i(0) = sum_j Y_ij (1 - Z_ij) / (n_i (1 - pi)),
    Y_i    = sum_j Y_ij / n_i

(under complete randomization these are the group means of treated and of control units). The
population estimates average them over the groups in an arm, and the effects are (treated minus
control, higher allocation first; Hudgens & Halloran write "control minus treated"):

    DE(psi)      = Y(1; psi) - Y(0; psi)          IE(psi, phi) = Y(0; psi) - Y(0; phi)
    TE(psi, phi) = Y(1; psi) - Y(0; phi)          OE(psi, phi) = Y(psi)    - Y(phi)

Variance estimators work at the group level: ``s^2 / C`` with ``s^2`` the sample variance of the
group-level estimates over the ``C`` groups of an arm, summed over the two arms of a contrast
between allocations. Their expectation exceeds the true variance by ``S^2_D / N``, with
``S^2_D`` the variance over all ``N`` groups of the group-level effect: they are unbiased when the
effects are additive (the same in every group) and conservative otherwise, for either stage-2
design and without assumptions on interference inside groups (the within-group variation enters
through the spread of the group-level estimates). Intervals are Wald intervals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from analysis.designs.assignment import encode_clusters

__all__ = ["EFFECTS", "WITHIN_DESIGNS", "TwoStageArrays", "TwoStageResult", "two_stage_arrays",
           "two_stage_effects"]

WITHIN_DESIGNS: tuple[str, ...] = ("complete", "bernoulli")
#: Effects in table order: (key, reader label pattern).
EFFECTS: tuple[str, ...] = ("direct_psi", "direct_phi", "indirect", "total", "overall")


@dataclass(frozen=True)
class TwoStageArrays:
    """Estimates and variance estimates of every effect, one entry per replication."""

    estimate: dict[str, np.ndarray]
    variance: dict[str, np.ndarray]
    n_groups_psi: int
    n_groups_phi: int


def _arm_moments(q: np.ndarray, mask: np.ndarray, n_arm: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean over the arm's groups and ``s^2 / C`` (its variance estimate), per replication."""
    mean = (q * mask).sum(axis=1) / n_arm
    s2 = (((q - mean[:, None]) ** 2) * mask).sum(axis=1) / (n_arm - 1)
    return mean, s2 / n_arm


def two_stage_arrays(y: np.ndarray, z: np.ndarray, codes: np.ndarray, arm: np.ndarray,
                     pi_psi: np.ndarray, pi_phi: np.ndarray) -> TwoStageArrays:
    """Vectorised core over ``R`` replications.

    ``y``, ``z``: ``(R, N)`` outcomes and 0/1 treatments; ``codes``: group code ``0..G-1`` of every
    unit; ``arm``: ``(R, G)`` with 1 for groups under ``psi``, 2 under ``phi``, 0 otherwise;
    ``pi_psi``, ``pi_phi``: ``(R, G)`` probability of own treatment in each group under the
    arm's allocation. The number of groups per arm must be the same in every replication
    (stage 1 is complete randomization).
    """
    n_reps, n_groups = arm.shape
    sizes = np.bincount(codes, minlength=n_groups).astype(float)
    flat = (codes[None, :] + n_groups * np.arange(n_reps)[:, None]).ravel()

    def group_sum(values: np.ndarray) -> np.ndarray:
        return np.bincount(flat, weights=values.ravel(), minlength=n_reps * n_groups
                           ).reshape(n_reps, n_groups)

    pi = np.where(arm == 1, pi_psi, pi_phi)
    in_arms = arm > 0
    with np.errstate(divide="ignore", invalid="ignore"):
        y1 = np.where(in_arms, group_sum(y * z) / (sizes * pi), 0.0)
        y0 = np.where(in_arms, group_sum(y * (1 - z)) / (sizes * (1 - pi)), 0.0)
    ybar = group_sum(y) / sizes
    m_psi, m_phi = (arm == 1).astype(float), (arm == 2).astype(float)
    c_psi, c_phi = int(m_psi[0].sum()), int(m_phi[0].sum())
    if not ((m_psi.sum(axis=1) == c_psi).all() and (m_phi.sum(axis=1) == c_phi).all()):
        raise ValueError("arm: every replication needs the same number of groups per allocation")
    est, var = {}, {}
    for key, mask, count in (("direct_psi", m_psi, c_psi), ("direct_phi", m_phi, c_phi)):
        est[key], var[key] = _arm_moments(y1 - y0, mask, count)
    for key, q_psi, q_phi in (("indirect", y0, y0), ("total", y1, y0), ("overall", ybar, ybar)):
        mean_psi, v_psi = _arm_moments(q_psi, m_psi, c_psi)
        mean_phi, v_phi = _arm_moments(q_phi, m_phi, c_phi)
        est[key], var[key] = mean_psi - mean_phi, v_psi + v_phi
    return TwoStageArrays(est, var, c_psi, c_phi)


@dataclass(frozen=True)
class TwoStageResult:
    """Direct, indirect, total and overall effects of one two-stage experiment."""

    psi: float
    phi: float
    within: str
    estimate: dict[str, float]
    std_error: dict[str, float]
    n_groups_psi: int
    n_groups_phi: int
    alpha: float

    def summary(self) -> pd.DataFrame:
        """Tidy table: effect, allocations, estimate, SE, Wald interval and p-value.

        ``psi`` is the allocation of the groups in the first term, ``phi`` that of the second
        (empty for direct effects, which compare units inside the same allocation).
        """
        z = stats.norm.ppf(1 - self.alpha / 2)
        rows = []
        for key in EFFECTS:
            est, se = self.estimate[key], self.std_error[key]
            rows.append({
                "effect": key.split("_")[0],
                "psi": self.phi if key == "direct_phi" else self.psi,
                "phi": np.nan if key.startswith("direct") else self.phi,
                "estimate": est, "std_error": se, "df": np.inf,
                "ci_lower": est - z * se, "ci_upper": est + z * se,
                "p_value": float(2 * stats.norm.sf(abs(est / se))) if se > 0 else np.nan,
                "method": "Hudgens–Halloran two-stage", "cov_type": "between-group",
                "within": self.within,
            })
        return pd.DataFrame(rows)


def two_stage_effects(y: ArrayLike, treated: ArrayLike, groups: ArrayLike, allocation: ArrayLike,
                      psi: float, phi: float, within: str = "bernoulli",
                      alpha: float = 0.05) -> TwoStageResult:
    """Hudgens–Halloran estimates from one experiment.

    ``allocation`` gives every unit its group's assigned allocation (e.g. the saturation); the
    effects compare groups assigned ``psi`` with groups assigned ``phi`` (groups with other
    allocations are ignored). With ``within="complete"`` the probability of treatment in a group
    is its observed share treated; with ``"bernoulli"`` it is the allocation itself.
    """
    if within not in WITHIN_DESIGNS:
        raise ValueError(f"within must be one of {WITHIN_DESIGNS}, got {within!r}")
    if not 0 < alpha < 1:
        raise ValueError(f"alpha must be in (0, 1), got {alpha}")
    if psi == phi:
        raise ValueError(f"psi and phi must be different allocations, got {psi} twice")
    y_arr = np.asarray(y, dtype=float)
    z_arr = np.asarray(treated)
    alloc = np.asarray(allocation, dtype=float)
    if not (y_arr.ndim == 1 and y_arr.shape == z_arr.shape == alloc.shape):
        raise ValueError(f"y, treated and allocation must be 1-D of equal length, got shapes "
                         f"{y_arr.shape}, {z_arr.shape} and {alloc.shape}")
    if not np.isfinite(y_arr).all():
        raise ValueError("y (outcome) contains NaN or infinite values")
    if not np.isin(z_arr, (0, 1)).all():
        raise ValueError("treated must be coded 0/1")
    codes, n_groups = encode_clusters(groups)
    if codes.size != y_arr.size:
        raise ValueError(f"groups must have one label per unit ({y_arr.size}), got {codes.size}")
    group_alloc = np.full(n_groups, np.nan)
    group_alloc[codes] = alloc
    if not np.array_equal(group_alloc[codes], alloc):
        raise ValueError("allocation must be constant within each group")
    arm = np.where(group_alloc == psi, 1, np.where(group_alloc == phi, 2, 0))[None, :]
    for name, value, code in (("psi", psi, 1), ("phi", phi, 2)):
        if (arm == code).sum() < 2:
            raise ValueError(f"{name}: allocation {value} needs at least 2 groups, got "
                             f"{int((arm == code).sum())}")
    z = z_arr.astype(float)
    sizes = np.bincount(codes, minlength=n_groups)
    share = np.bincount(codes, weights=z, minlength=n_groups) / sizes
    if within == "bernoulli":
        if not (0 < psi < 1 and 0 < phi < 1):
            raise ValueError(f"Bernoulli allocations need psi and phi in (0, 1), got {psi}, {phi}")
        pi_psi, pi_phi = np.full(n_groups, float(psi)), np.full(n_groups, float(phi))
    else:
        used = arm[0] > 0
        if ((share[used] == 0) | (share[used] == 1)).any():
            raise ValueError("treated: under complete randomization every compared group needs "
                             "treated and control units")
        pi_psi = pi_phi = share
    res = two_stage_arrays(y_arr[None, :], z[None, :], codes, arm, pi_psi[None, :],
                           pi_phi[None, :])
    return TwoStageResult(
        psi=float(psi), phi=float(phi), within=within,
        estimate={k: float(v[0]) for k, v in res.estimate.items()},
        std_error={k: float(np.sqrt(v[0])) for k, v in res.variance.items()},
        n_groups_psi=res.n_groups_psi, n_groups_phi=res.n_groups_phi, alpha=float(alpha),
    )
