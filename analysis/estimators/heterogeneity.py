"""Exploratory subgroup effects with a minimum-support rule.

A subgroup estimate is only reported when both arms have at least ``min_clusters_per_arm``
randomized clusters in it; otherwise the row is kept (so the reader sees what was dropped) with
its support counts, ``supported = False`` and no estimate. Subgroups are defined by pre-treatment
variables only, so each subgroup contrast is itself a randomized comparison.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimators.difference_in_means import difference_in_means

ESTIMATE_COLUMNS = ("estimate", "std_error", "ci_lower", "ci_upper", "p_value", "mean_treated",
                    "mean_control")


def subgroup_differences(df: pd.DataFrame, outcome: str, treatment: str, subgroup: str,
                         cluster: str, min_clusters_per_arm: int, alpha: float = 0.05) -> pd.DataFrame:
    """Clustered difference in means within each level of ``subgroup``.

    Returns one row per subgroup level (sorted) with ``subgroup``, ``n_treated``,
    ``n_control``, ``treated_clusters``, ``control_clusters``, ``supported`` and the estimate
    columns (NaN when unsupported).
    """
    for column in (outcome, treatment, subgroup, cluster):
        if column not in df.columns:
            raise ValueError(f"subgroup_differences: missing column {column!r}")
    if min_clusters_per_arm < 2:
        raise ValueError(f"min_clusters_per_arm must be at least 2, got {min_clusters_per_arm}")
    support = (
        df.groupby([subgroup, treatment], observed=True)[cluster].nunique()
        .unstack(treatment).reindex(columns=[0, 1]).fillna(0).astype(int)
    )
    rows = []
    for level, counts in support.iterrows():  # a handful of subgroup levels
        part = df[df[subgroup] == level]
        treated = part[treatment].to_numpy()
        row = {
            "subgroup": level, "n_treated": int((treated == 1).sum()),
            "n_control": int((treated == 0).sum()), "treated_clusters": int(counts[1]),
            "control_clusters": int(counts[0]),
            "supported": bool(min(counts[0], counts[1]) >= min_clusters_per_arm),
        }
        if row["supported"]:
            res = difference_in_means(part[outcome], treated, part[cluster], alpha)
            row.update({k: getattr(res, k) for k in ESTIMATE_COLUMNS})
        else:
            row.update(dict.fromkeys(ESTIMATE_COLUMNS, np.nan))
        rows.append(row)
    return pd.DataFrame(rows)
