"""Slate bootstrap of the main contrasts, all replicates at once.

One ``(B, n_slates)`` count-weight matrix resamples slates; the same matrix is applied to every
contrast, so the draws are joint across contrasts (a replicate's component estimates still add up
to its total).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimators.bootstrap import (
    bootstrap_count_weights,
    summarise_draws,
    weighted_difference_in_means,
)
from analysis.estimators.difference_in_means import difference_in_means
from analysis.slates.contrasts import CONTRASTS, contrast_data


def bootstrap_effects(exposure: pd.DataFrame, slates: pd.DataFrame, views: tuple[str, ...],
                      n_replicates: int, rng: np.random.Generator,
                      alpha: float = 0.05) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Percentile-interval summary and long table of draws for every contrast x view.

    Returns
    -------
    (summary, draws): ``summary`` has one row per contrast x view with the point estimate,
    bootstrap SE, percentile CI, the analytic clustered SE and their ratio; ``draws`` has
    ``contrast``, ``view``, ``replicate``, ``estimate``.
    """
    slate_ids = np.sort(slates["slate_id"].to_numpy())
    weights = bootstrap_count_weights(slate_ids.size, n_replicates, rng)
    summary_rows, draw_frames = [], []
    for contrast in CONTRASTS:
        for view in views:
            data = contrast_data(exposure, slates, contrast.name, view)
            codes = np.searchsorted(slate_ids, data.slate_id)
            draws = weighted_difference_in_means(data.y, data.treated, codes, weights)
            analytic = difference_in_means(data.y, data.treated, data.slate_id, alpha=alpha)
            res = summarise_draws(analytic.estimate, draws, alpha)
            summary_rows.append({
                "contrast": contrast.name, "contrast_label": contrast.label, "view": view,
                "estimate": res.estimate, "bootstrap_se": res.std_error,
                "ci_lower": res.ci_lower, "ci_upper": res.ci_upper,
                "cluster_se": analytic.std_error,
                "se_ratio": res.std_error / analytic.std_error,
                "n_replicates": res.n_replicates, "n_invalid": res.n_invalid,
            })
            draw_frames.append(pd.DataFrame({
                "contrast": contrast.name, "view": view,
                "replicate": np.arange(n_replicates, dtype=np.int32), "estimate": draws,
            }))
    return pd.DataFrame(summary_rows), pd.concat(draw_frames, ignore_index=True)
