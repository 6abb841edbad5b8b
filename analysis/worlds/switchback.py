"""A switchback experiment with carryover: one shared system switched on and off in time blocks.

Time is cut into blocks of ``block_length`` periods; each block is switched on with probability
1/2, independently. The system responds with carryover: its effective state follows

    E_t = carryover * E_{t-1} + (1 - carryover) * A_t,

and the outcome is ``Y_t = baseline + effect * E_t + e_t`` with AR(1) noise ``e_t``. The global
effect (always on versus always off) is ``effect``. The analysis drops the first ``washout``
periods of every block and compares on-block and off-block periods, with standard errors
clustered by block. Because blocks are independent, period ``k`` of a block (``k = 0, 1, ...``)
has expected state ``1 - carryover^(k+1) / 2`` when on and ``carryover^(k+1) / 2`` when off, so
the contrast has the bias (:func:`switchback_bias`)

    - effect * B / (B - 1) * carryover^(w+1) * (1 - carryover^(L-w)) / ((L - w) * (1 - carryover))

for ``B`` blocks: ``B / (B - 1)`` because an off block is slightly more likely than an on block to
follow an on block when the arms' sizes are random.

A first block before the experiment starts the system in a random state and is not analysed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.signal import lfilter

from analysis.designs.assignment import bernoulli_assignment
from analysis.estimators import batched
from analysis.montecarlo import summarise_replications

__all__ = ["SwitchbackWorld", "switchback_bias", "switchback_study"]


@dataclass(frozen=True)
class SwitchbackWorld:
    """Design and outcome parameters of the switchback world."""

    n_blocks: int = 48
    block_length: int = 12
    carryover: float = 0.6
    effect: float = 1.0
    baseline: float = 10.0
    noise_sd: float = 1.0
    noise_autocorrelation: float = 0.5

    def __post_init__(self) -> None:
        if self.n_blocks < 4 or self.block_length < 2:
            raise ValueError(f"switchback needs n_blocks >= 4 and block_length >= 2, got "
                             f"{self.n_blocks} and {self.block_length}")
        for name in ("carryover", "noise_autocorrelation"):
            if not 0 <= getattr(self, name) < 1:
                raise ValueError(f"switchback.{name} must be in [0, 1), got {getattr(self, name)}")


def switchback_bias(world: SwitchbackWorld, washout: int) -> float:
    """Analytic bias of the on-minus-off contrast after dropping ``washout`` periods per block."""
    length, lam = world.block_length, world.carryover
    if not 0 <= washout < length:
        raise ValueError(f"washout must be in 0..{length - 1}, got {washout}")
    if lam == 0:
        return 0.0
    kept = length - washout
    finite = world.n_blocks / (world.n_blocks - 1)
    return float(-world.effect * finite * lam ** (washout + 1) * (1 - lam ** kept)
                 / (kept * (1 - lam)))


def _simulate(world: SwitchbackWorld, n_reps: int, rng: np.random.Generator
              ) -> tuple[np.ndarray, np.ndarray]:
    """Outcomes and switch states ``(R, T)`` of ``n_blocks`` analysed blocks (burn-in removed)."""
    length = world.block_length
    blocks = bernoulli_assignment(world.n_blocks + 1, 0.5, rng, n_draws=n_reps)
    a = np.repeat(blocks, length, axis=1).astype(float)
    lam = world.carryover
    state, _ = lfilter([1 - lam], [1, -lam], a, axis=1, zi=lam * a[:, :1])
    rho = world.noise_autocorrelation
    shocks = rng.normal(0.0, world.noise_sd * np.sqrt(1 - rho**2), size=a.shape)
    start = rng.normal(0.0, world.noise_sd, size=(n_reps, 1))
    noise, _ = lfilter([1.0], [1, -rho], shocks, axis=1, zi=rho * start)
    y = world.baseline + world.effect * state + noise
    return y[:, length:], a[:, length:]


def switchback_study(world: SwitchbackWorld, washouts: Sequence[int], n_reps: int,
                     rng: np.random.Generator, level: float = 0.95) -> pd.DataFrame:
    """Bias, SD, RMSE and coverage of the switchback contrast for each washout (same draws)."""
    y, a = _simulate(world, n_reps, rng)
    period = np.tile(np.arange(world.block_length), world.n_blocks)
    block = np.repeat(np.arange(world.n_blocks), world.block_length)
    rows = []
    for washout in washouts:  # a handful of washouts, each one vectorised over replications
        keep = (period >= int(washout)).astype(float)
        est = batched.difference_in_means(y, a, clusters=block, include=keep)
        stats = summarise_replications(est.estimate, est.std_error, world.effect, level)
        rows.append({"washout": int(washout), "periods_kept_share": float(keep.mean()),
                     "analytic_bias": switchback_bias(world, int(washout)), **stats})
    out = pd.DataFrame(rows)
    out["lowest_rmse"] = out["rmse"] == out["rmse"].min()
    return out
