"""One run of the slate experiment: design -> exposure mapping -> simulated clicks.

Randomness comes from named streams derived from one config seed, so that e.g. changing the
number of bootstrap replicates never changes the promotion coins:
``numpy.random.default_rng([seed, STREAMS[name]])``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.slates.exposure_mapping import map_exposures
from analysis.slates.outcome_model import OutcomeModel, simulate_clicks
from analysis.slates.promotion_design import PromotionDesign, assign_promotions

STREAMS: dict[str, int] = {
    "seed_slates": 1, "design": 2, "clicks": 3, "bootstrap": 4, "randomization": 5,
}


def stream(seed: int, name: str) -> np.random.Generator:
    """The generator of stream ``name`` for config seed ``seed``."""
    if name not in STREAMS:
        raise ValueError(f"unknown random stream {name!r}; expected one of {sorted(STREAMS)}")
    if seed < 0:
        raise ValueError(f"seed must be non-negative, got {seed}")
    return np.random.default_rng([int(seed), STREAMS[name]])


def simulate_experiment(seed_slates: pd.DataFrame, design: PromotionDesign, model: OutcomeModel,
                        seed: int) -> pd.DataFrame:
    """Assign promotions, map exposures and simulate clicks for the given seed slates."""
    slate_size = int(seed_slates.groupby("slate_id").size().max())
    assignment = assign_promotions(seed_slates["slate_id"].unique(), slate_size, design,
                                   stream(seed, "design"))
    exposure = map_exposures(seed_slates, assignment)
    return simulate_clicks(exposure, model, stream(seed, "clicks"))
