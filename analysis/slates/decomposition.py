"""Direct + indirect = total: the slate-level effect decomposition.

Each component sum (focal, same-cluster competitors, other competitors) is compared between
promoted and control slates with a slate-level difference in means. Because a difference in means
is linear in the outcome and the components partition every slate, the component estimates add up
*exactly* to the total estimate, for every outcome view; :func:`additivity_checks` verifies it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimators.difference_in_means import difference_in_means
from analysis.report import labels
from analysis.slates.slate_outcomes import COMPONENTS, VIEWS

#: component -> (effect family, label)
COMPONENT_LABELS: dict[str, tuple[str, str]] = {
    "focal": ("direct", "Direct: focal movie"),
    "same_cluster_competitor": ("indirect", "Spillover: same-cluster competitors"),
    "other_competitor": ("indirect", "Spillover: other competitors"),
    "total": ("total", "Total: full slate"),
}


def component_effects(slates: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Per view x component: estimate per slate, Welch SE/CI, per 1,000 promoted slates, truth.

    ``truth`` is the mean over *all* slates of the component's ``potential_lift`` sum (the
    average effect of promoting a slate); ``known_mean_promoted`` is the realised mean known lift
    among promoted slates.
    """
    treated = slates["promotion_applied"].to_numpy()
    promoted = treated == 1
    rows = []
    for view in VIEWS:
        for component in (*COMPONENTS, "total"):
            family, label = COMPONENT_LABELS[component]
            res = difference_in_means(slates[f"{view}_{component}"], treated, alpha=alpha)
            rows.append({
                "view": view, "component": component, "effect_family": family, "label": label,
                "estimate_per_slate": res.estimate, "std_error": res.std_error,
                "ci_lower": res.ci_lower, "ci_upper": res.ci_upper, "p_value": res.p_value,
                "estimate_per_1000": 1000 * res.estimate,
                "ci_lower_per_1000": 1000 * res.ci_lower, "ci_upper_per_1000": 1000 * res.ci_upper,
                "mean_treated": res.mean_treated, "mean_control": res.mean_control,
                "treated_slates": res.n_treated, "control_slates": res.n_control,
                "truth": float(slates[f"potential_lift_{component}"].mean()),
                "truth_per_1000": 1000 * float(slates[f"potential_lift_{component}"].mean()),
                "known_mean_promoted": float(slates.loc[promoted, f"known_lift_{component}"].mean()),
            })
    out = pd.DataFrame(rows)
    out["covers_truth"] = (out["ci_lower"] <= out["truth"]) & (out["truth"] <= out["ci_upper"])
    return out


def additivity_checks(effects: pd.DataFrame) -> pd.DataFrame:
    """Per view: direct, indirect, their sum, the total and the difference (should be ~1e-16)."""
    rows = []
    for view, part in effects.groupby("view", sort=False):
        est = part.groupby("effect_family")["estimate_per_slate"].sum()
        direct, indirect, total = float(est["direct"]), float(est["indirect"]), float(est["total"])
        rows.append({"view": view, "direct": direct, "indirect": indirect,
                     "direct_plus_indirect": direct + indirect, "total": total,
                     "difference": direct + indirect - total,
                     "difference_display": labels.scientific(direct + indirect - total),
                     "passes": bool(abs(direct + indirect - total) <= 1e-10)})
    return pd.DataFrame(rows)


def component_support(slates: pd.DataFrame) -> pd.DataFrame:
    """Items per slate in each component, by arm (the accounting's support)."""
    n_focal = np.ones(len(slates))
    n_same = slates["n_same_cluster"].to_numpy(dtype=float)
    n_other = slates["n_items"].to_numpy(dtype=float) - n_focal - n_same
    frame = pd.DataFrame({"assignment_arm": slates["assignment_arm"], "focal": n_focal,
                          "same_cluster_competitor": n_same, "other_competitor": n_other})
    long = frame.melt(id_vars="assignment_arm", var_name="component", value_name="items")
    return long.groupby(["component", "assignment_arm"], sort=False).agg(
        slates=("items", "size"), total_items=("items", "sum"), mean_items_per_slate=("items", "mean"),
    ).reset_index()
