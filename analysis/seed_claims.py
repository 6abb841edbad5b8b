"""Lecture-note claims checked against the book's own simulations.

The network-experiments notes claim that interference biases estimates *towards zero*, so that
network experiments are conservative. :func:`claims_table` sets the naive estimate of four worlds
beside the effect a launch decision needs: in some the naive number is too small, in others it is
many times too large or has the wrong sign. :func:`bias_direction` names the direction.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

__all__ = ["DIRECTIONS", "bias_direction", "claims_table", "error_phrase", "towards_zero_claim"]

#: Direction keys of :func:`bias_direction`, with the words a reader sees.
DIRECTIONS = {
    "towards_zero": "Towards zero (understated)",
    "away_from_zero": "Away from zero (overstated)",
    "opposite_sign": "Wrong sign",
    "none": "No bias",
}


def bias_direction(estimate: float, truth: float, tolerance: float = 0.05) -> str:
    """Key of :data:`DIRECTIONS`: how ``estimate`` sits relative to ``truth`` and to zero.

    Within ``tolerance`` (relative to ``|truth|``) of the truth counts as no bias.
    """
    if not (np.isfinite(estimate) and np.isfinite(truth)):
        raise ValueError(f"estimate and truth must be finite, got {estimate} and {truth}")
    if truth == 0:
        return "none" if estimate == 0 else "away_from_zero"
    if abs(estimate - truth) <= tolerance * abs(truth):
        return "none"
    if np.sign(estimate) != np.sign(truth):
        return "opposite_sign"
    return "towards_zero" if abs(estimate) < abs(truth) else "away_from_zero"


def towards_zero_claim(direction_key: str) -> str:
    """Whether the claim "interference biases estimates towards zero" "holds" or "fails" in a
    world whose naive estimate errs in ``direction_key`` (a key of :data:`DIRECTIONS`)."""
    if direction_key not in DIRECTIONS:
        raise ValueError(f"unknown direction {direction_key!r}; expected one of {sorted(DIRECTIONS)}")
    return "holds" if direction_key == "towards_zero" else "fails"


def error_phrase(direction_key: str) -> str:
    """How the naive answer errs, as a clause: "the naive answer has the wrong sign", ..."""
    phrases = {"towards_zero": "the naive answer is too small",
               "away_from_zero": "the naive answer is too large",
               "opposite_sign": "the naive answer has the wrong sign",
               "none": "the naive answer is about right"}
    if direction_key not in phrases:
        raise ValueError(f"unknown direction {direction_key!r}; expected one of {sorted(phrases)}")
    return phrases[direction_key]


def _one(table: pd.DataFrame, column: str, **where: object) -> float:
    rows = table
    for key, value in where.items():
        rows = rows[rows[key] == value]
    if len(rows) != 1:
        raise ValueError(f"expected one row with {where}, found {len(rows)}")
    return float(rows[column].iloc[0])


def claims_table(tables: Mapping[str, pd.DataFrame]) -> pd.DataFrame:
    """Naive estimate against the decision's effect in the network, search, seller and slate
    worlds (tables: network_mc_summary, search_estimates, bipartite_estimates,
    slate_product_summary)."""
    net, search = tables["network_mc_summary"], tables["search_estimates"]
    bip, slate = tables["bipartite_estimates"], tables["slate_product_summary"]
    individual = net["design"].iloc[0]
    rows = [
        ("Network world", "Difference in means under individual randomization",
         "Total effect of a launch",
         _one(net, "mean_estimate", design=individual, estimator="dim_naive"),
         _one(net, "truth", design=individual, estimator="dim_naive")),
        ("Search marketplace", "Item-level difference times items per search",
         "Platform lift per search",
         _one(search, "estimate", quantity="naive_platform_extrapolation"),
         _one(search, "truth", quantity="naive_platform_extrapolation")),
        ("Two-sided marketplace", "Mixed-exposure buyers minus unexposed buyers",
         "Spillover of mixed exposure",
         _one(bip, "estimate", estimand="indirect", estimator="Difference in exposure-group means",
              se_type="seller-overlap"),
         _one(bip, "truth", estimand="indirect", estimator="Difference in exposure-group means",
              se_type="seller-overlap")),
        ("Slate promotion", "Click gain of the promoted movie", "Change in clicks per slate",
         _one(slate, "focal_gain", view="observed_clicks"),
         _one(slate, "truth_total_change", view="observed_clicks")),
    ]
    out = pd.DataFrame(rows, columns=["world", "naive_estimate_of", "decision_effect",
                                      "estimate", "truth"])
    out["ratio"] = out["estimate"] / out["truth"]
    out["direction"] = [DIRECTIONS[bias_direction(e, t)]
                        for e, t in zip(out["estimate"], out["truth"], strict=True)]
    return out
