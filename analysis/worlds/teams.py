"""The teams world: partial interference inside teams, none across teams.

Worker ``i`` in team ``g`` has outcome

    Y = intercept + skill_coef * skill_i + direct * A_i + spillover * alpha_i
        + interaction * A_i * alpha_i + u_g + e_i,

where ``alpha_i`` is the share of the *other* members of the team who are treated (peer
saturation), ``skill_i ~ N(0, skill_sd)``, the team shock ``u_g ~ N(0, team_shock_sd)`` and
``e_i ~ N(0, noise_sd)``. Because the model is linear, every Hudgens-Halloran estimand has a closed
form under a *Bernoulli allocation* ``psi`` (each worker treated independently with probability
``psi``, so a worker's peers are treated at rate ``psi`` whatever the worker's own treatment):

    DE(psi)            = direct + interaction * psi
    IE(a; psi1, psi0)  = (spillover + interaction * a) * (psi1 - psi0)
    TE(psi1, psi0)     = direct + interaction * psi1 + spillover * (psi1 - psi0)
    OE(psi1, psi0)     = (direct + spillover) * (psi1 - psi0) + interaction * (psi1**2 - psi0**2)

With the default parameters DE = 1.5, IE(0; .8, .2) = 1.32, TE(.8, .2) = 2.82 and
OE(.8, .2) = 2.22.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from numpy.typing import ArrayLike

from analysis.designs.assignment import (
    bernoulli_assignment,
    cluster_assignment,
    encode_clusters,
    randomized_saturation_assignment,
)

__all__ = [
    "DESIGN_WORDS",
    "DESIGNS",
    "TeamsParams",
    "TeamsSample",
    "assign",
    "direct_effect",
    "estimand_table",
    "indirect_effect",
    "overall_effect",
    "peer_saturation",
    "potential_outcome_mean",
    "simulate",
    "simulate_outcomes",
    "team_labels",
    "total_effect",
]

#: Designs this world knows how to randomize.
DESIGNS = ("individual", "cluster", "saturation")
#: The reader's name of each design (figure panels and table cells).
DESIGN_WORDS = {"individual": "Individual randomization", "cluster": "Cluster randomization",
                "saturation": "Randomized saturation"}


@dataclass(frozen=True)
class TeamsParams:
    """Parameters of the teams data-generating process and of its three designs."""

    n_groups: int = 140
    group_size: int = 24
    intercept: float = 12.0
    skill_coef: float = 0.8
    direct_effect: float = 1.5
    spillover_effect: float = 2.2
    interaction_effect: float = 0.0
    team_shock_sd: float = 1.2
    skill_sd: float = 1.0
    noise_sd: float = 1.5
    individual_p: float = 0.5
    cluster_p: float = 0.5
    saturations: tuple[float, ...] = (0.2, 0.5, 0.8)

    def __post_init__(self) -> None:
        if int(self.n_groups) != self.n_groups or self.n_groups < 2:
            raise ValueError(f"teams.n_groups must be an integer >= 2, got {self.n_groups!r}")
        if int(self.group_size) != self.group_size or self.group_size < 2:
            raise ValueError(f"teams.group_size must be an integer >= 2, got {self.group_size!r}")
        for name in ("team_shock_sd", "skill_sd", "noise_sd"):
            if getattr(self, name) < 0:
                raise ValueError(f"teams.{name} must be >= 0, got {getattr(self, name)}")
        for name in ("individual_p", "cluster_p"):
            if not 0 < getattr(self, name) < 1:
                raise ValueError(f"teams.{name} must be in (0, 1), got {getattr(self, name)}")
        if not self.saturations or any(not 0 <= s <= 1 for s in self.saturations):
            raise ValueError(f"teams.saturations must be probabilities, got {self.saturations}")

    @classmethod
    def from_config(cls, section: Mapping[str, Any]) -> TeamsParams:
        """Build from the ``teams:`` config section (unknown keys are ignored here)."""
        known = {f.name for f in fields(cls)}
        values = {k: v for k, v in section.items() if k in known}
        if "saturations" in values:
            values["saturations"] = tuple(float(s) for s in values["saturations"])
        return cls(**values)

    def with_interaction(self, interaction: float) -> TeamsParams:
        return replace(self, interaction_effect=float(interaction))


@dataclass(frozen=True)
class TeamsSample:
    """Simulated draws: arrays of shape ``(N,)`` or ``(R, N)`` for ``R`` replications."""

    group: np.ndarray
    treatment: np.ndarray
    peer_saturation: np.ndarray
    skill: np.ndarray
    outcome: np.ndarray
    assigned_saturation: np.ndarray | None = None

    def to_frame(self) -> pd.DataFrame:
        """Tidy one-row-per-worker table (single replication only)."""
        if self.outcome.ndim != 1:
            raise ValueError("to_frame needs a single replication (1-D arrays)")
        group = self.group
        unit = np.arange(group.size) - np.searchsorted(group, group)
        frame = pd.DataFrame({
            "group": group.astype(np.int64),
            "unit": unit.astype(np.int64),
            "A": self.treatment.astype(np.int64),
            "peer_saturation": self.peer_saturation,
            "baseline_skill": self.skill,
            "Y": self.outcome,
        })
        if self.assigned_saturation is not None:
            frame["assigned_saturation"] = self.assigned_saturation
        return frame


def team_labels(params: TeamsParams) -> np.ndarray:
    """Team id of every worker: ``0,0,...,1,1,...`` (teams are contiguous and equal-sized)."""
    return np.repeat(np.arange(params.n_groups), params.group_size)


def peer_saturation(treatment: ArrayLike, groups: ArrayLike) -> np.ndarray:
    """Share of the *other* members of each unit's group who are treated.

    ``treatment`` is ``(N,)`` or ``(R, N)``; groups of size one get saturation 0.
    """
    t = np.asarray(treatment, dtype=float)
    codes, n_groups = encode_clusters(groups)
    if t.shape[-1] != codes.size:
        raise ValueError(f"treatment has {t.shape[-1]} units but groups has {codes.size}")
    sizes = np.bincount(codes, minlength=n_groups).astype(float)
    indicator = sp.csr_matrix((np.ones(codes.size), (np.arange(codes.size), codes)),
                              shape=(codes.size, n_groups))
    group_totals = np.asarray((indicator.T @ np.atleast_2d(t).T).T)  # (R, G)
    peers = np.maximum(sizes - 1, 1)[codes]
    result = (group_totals[:, codes] - np.atleast_2d(t)) / peers
    return result.reshape(t.shape)


def simulate_outcomes(treatment: ArrayLike, params: TeamsParams,
                      rng: np.random.Generator) -> TeamsSample:
    """Draw skills, shocks and outcomes for given assignments (``(N,)`` or ``(R, N)``)."""
    t = np.asarray(treatment)
    groups = team_labels(params)
    if t.shape[-1] != groups.size:
        raise ValueError(
            f"treatment must have n_groups * group_size = {groups.size} units, got {t.shape[-1]}"
        )
    alpha = peer_saturation(t, groups)
    lead = t.shape[:-1]
    skill = rng.normal(0.0, params.skill_sd, size=t.shape)
    shocks = rng.normal(0.0, params.team_shock_sd, size=lead + (params.n_groups,))
    noise = rng.normal(0.0, params.noise_sd, size=t.shape)
    y = (params.intercept + params.skill_coef * skill + params.direct_effect * t
         + params.spillover_effect * alpha + params.interaction_effect * t * alpha
         + shocks[..., groups] + noise)
    return TeamsSample(group=groups, treatment=t.astype(np.int8), peer_saturation=alpha,
                       skill=skill, outcome=y)


def assign(design: str, params: TeamsParams, rng: np.random.Generator,
           n_draws: int | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Treatment under one of :data:`DESIGNS`, plus the assigned saturation (saturation only).

    * ``individual``: every worker treated independently with ``individual_p``.
    * ``cluster``: exactly ``round(cluster_p * n_groups)`` whole teams treated.
    * ``saturation``: each team draws a saturation uniformly from ``saturations``, then its
      workers are treated independently at that saturation.
    """
    groups = team_labels(params)
    if design == "individual":
        return bernoulli_assignment(groups.size, params.individual_p, rng, n_draws=n_draws), None
    if design == "cluster":
        return cluster_assignment(groups, params.cluster_p, rng, n_draws=n_draws), None
    if design == "saturation":
        draw = randomized_saturation_assignment(groups, params.saturations, rng, n_draws=n_draws)
        return draw.treatment, draw.unit_saturation
    raise ValueError(f"design must be one of {DESIGNS}, got {design!r}")


def simulate(design: str, params: TeamsParams, rng: np.random.Generator,
             n_draws: int | None = None) -> TeamsSample:
    """Randomize with ``design`` and simulate outcomes."""
    treatment, saturation = assign(design, params, rng, n_draws=n_draws)
    sample = simulate_outcomes(treatment, params, rng)
    return replace(sample, assigned_saturation=saturation)


# -- analytic estimands ----------------------------------------------------------------------

def _check_share(value: float, name: str) -> float:
    value = float(value)
    if not 0 <= value <= 1:
        raise ValueError(f"{name} must be a saturation in [0, 1], got {value}")
    return value


def potential_outcome_mean(a: int, psi: float, params: TeamsParams) -> float:
    """``E[Y(a, psi)]``: mean outcome of a worker with own treatment ``a`` whose peers are
    treated at rate ``psi`` (skills and shocks have mean zero)."""
    if a not in (0, 1):
        raise ValueError(f"a must be 0 or 1, got {a!r}")
    psi = _check_share(psi, "psi")
    return (params.intercept + params.direct_effect * a + params.spillover_effect * psi
            + params.interaction_effect * a * psi)


def direct_effect(psi: float, params: TeamsParams) -> float:
    """DE(psi) = E[Y(1, psi) - Y(0, psi)]."""
    return potential_outcome_mean(1, psi, params) - potential_outcome_mean(0, psi, params)


def indirect_effect(a: int, psi1: float, psi0: float, params: TeamsParams) -> float:
    """IE(a; psi1, psi0) = E[Y(a, psi1) - Y(a, psi0)]."""
    return potential_outcome_mean(a, psi1, params) - potential_outcome_mean(a, psi0, params)


def total_effect(psi1: float, psi0: float, params: TeamsParams) -> float:
    """TE(psi1, psi0) = E[Y(1, psi1) - Y(0, psi0)]."""
    return potential_outcome_mean(1, psi1, params) - potential_outcome_mean(0, psi0, params)


def overall_effect(psi1: float, psi0: float, params: TeamsParams) -> float:
    """OE(psi1, psi0): mean outcome when every worker is treated with probability ``psi1``
    minus the same with ``psi0`` (own treatment and peers' treatment both follow the policy)."""
    def policy_mean(psi: float) -> float:
        return psi * potential_outcome_mean(1, psi, params) + (1 - psi) * potential_outcome_mean(
            0, psi, params)

    return policy_mean(_check_share(psi1, "psi1")) - policy_mean(_check_share(psi0, "psi0"))


def estimand_table(params: TeamsParams, psi_low: float, psi_high: float) -> pd.DataFrame:
    """The Hudgens-Halloran estimands at two allocations, with definitions and values."""
    lo, hi = _check_share(psi_low, "psi_low"), _check_share(psi_high, "psi_high")
    rows = [
        ("direct_low", f"Direct effect DE({lo:g})", f"E[Y(1, {lo:g}) - Y(0, {lo:g})]",
         direct_effect(lo, params)),
        ("direct_high", f"Direct effect DE({hi:g})", f"E[Y(1, {hi:g}) - Y(0, {hi:g})]",
         direct_effect(hi, params)),
        ("indirect_untreated", f"Indirect effect IE(0; {hi:g}, {lo:g})",
         f"E[Y(0, {hi:g}) - Y(0, {lo:g})]", indirect_effect(0, hi, lo, params)),
        ("indirect_treated", f"Spillover on the treated IE(1; {hi:g}, {lo:g})",
         f"E[Y(1, {hi:g}) - Y(1, {lo:g})]", indirect_effect(1, hi, lo, params)),
        ("total", f"Total effect TE({hi:g}, {lo:g})", f"E[Y(1, {hi:g}) - Y(0, {lo:g})]",
         total_effect(hi, lo, params)),
        ("overall", f"Overall effect OE({hi:g}, {lo:g})",
         f"E[Y | policy {hi:g}] - E[Y | policy {lo:g}]", overall_effect(hi, lo, params)),
        ("rollout_all_vs_none", "Full rollout TE(1, 0)", "E[Y(1, 1) - Y(0, 0)]",
         total_effect(1.0, 0.0, params)),
    ]
    return pd.DataFrame(rows, columns=["estimand_id", "estimand", "definition", "value"])
