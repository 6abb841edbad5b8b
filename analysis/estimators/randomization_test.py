"""Moved: randomization inference lives in :mod:`analysis.design_based.randomization_inference`.

This module re-exports the Bernoulli difference-in-means test so that existing imports keep
working; new code should import from the design-based package.
"""

from __future__ import annotations

from analysis.design_based.randomization_inference import (
    BernoulliRandomizationTest,
    bernoulli_randomization_test,
)

__all__ = ["BernoulliRandomizationTest", "bernoulli_randomization_test"]
