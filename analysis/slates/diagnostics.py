"""Pre-estimation diagnostics: readiness checks, focal balance, exposure shares, cluster support."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.slates.exposure_mapping import EXPOSURE_GROUPS

#: Focal-item covariates compared across arms (all pre-treatment).
BALANCE_COVARIATES: dict[str, str] = {
    "focal_seed_position": "Focal seed position",
    "relevance": "Focal relevance, (rating - 3) / 2",
    "baseline_score": "Baseline ranker score",
    "popularity": "Focal movie popularity (ratings)",
    "liked_rate": "Focal movie liked rate",
    "user_activity": "User activity (ratings)",
    "user_mean_rating": "User mean rating",
    "age": "User age",
    "is_female": "User is female",
    "n_same_cluster": "Same-cluster competitors in slate",
}


def invalid_position_slates(exposure: pd.DataFrame) -> np.ndarray:
    """Slate ids whose final positions are not exactly ``1..k`` (k = items in the slate)."""
    codes, ids = pd.factorize(exposure["slate_id"], sort=True)
    size = np.bincount(codes)
    pos = exposure["final_position"].to_numpy().astype(np.int64)
    in_range = (pos >= 1) & (pos <= size[codes])
    # positions 1..k appear once each iff all are in range and distinct: compare sums of squares
    ok_range = np.bincount(codes, weights=in_range) == size
    distinct = np.bincount(codes, weights=pos.astype(float) ** 2) == size * (size + 1) * (2 * size + 1) / 6
    distinct &= np.bincount(codes, weights=pos.astype(float)) == size * (size + 1) / 2
    return np.asarray(ids)[~(ok_range & distinct)]


def readiness_table(exposure: pd.DataFrame, slates: pd.DataFrame, promotion_probability: float) -> pd.DataFrame:
    """The design contract: counts and checks the estimators rely on (one row per check)."""
    n_slates = len(slates)
    rate = float(slates["promotion_applied"].mean())
    se = float(np.sqrt(promotion_probability * (1 - promotion_probability) / n_slates))
    per_slate = exposure.groupby("slate_id").size()
    focal_per_slate = exposure.groupby("slate_id")["is_focal_item"].sum()
    promoted = slates["promotion_applied"] == 1
    rows = [
        ("complete_slates", n_slates, "Slates with the full candidate list."),
        ("items_per_slate_min", int(per_slate.min()), "Smallest slate (should equal the configured slate size)."),
        ("items_per_slate_max", int(per_slate.max()), "Largest slate (should equal the configured slate size)."),
        ("slates_without_one_focal", int((focal_per_slate != 1).sum()), "Should be zero."),
        ("promotion_probability", promotion_probability, "Design probability of the slate-level coin."),
        ("observed_promotion_rate", rate, "Share of slates promoted."),
        ("promotion_rate_z", (rate - promotion_probability) / se,
         "Observed minus design rate in binomial standard errors (absolute value below 3 expected)."),
        ("direct_treatment_rows", int(exposure["direct_treatment"].sum()),
         "One promoted focal movie per promoted slate."),
        ("same_slate_spillover_rows", int(exposure["same_slate_spillover"].sum()),
         "Non-focal items in promoted slates."),
        ("same_cluster_spillover_rows", int(exposure["same_cluster_spillover"].sum()),
         "Non-focal items sharing the promoted focal movie's cluster."),
        ("displaced_rows", int(exposure["displaced_by_promotion"].sum()),
         "Non-focal items pushed down one place by the promotion."),
        ("invalid_final_position_slates", int(invalid_position_slates(exposure).size),
         "Should be zero: every slate keeps positions 1..k."),
        ("mean_promoted_slate_known_lift", float(slates.loc[promoted, "known_lift_total"].mean()),
         "Mean known net lift (sum of item lifts) in promoted slates."),
        ("mean_control_slate_known_lift", float(slates.loc[~promoted, "known_lift_total"].mean()),
         "Zero by construction: control slates are unchanged."),
    ]
    out = pd.DataFrame(rows, columns=["check", "value", "notes"]).astype({"value": float})
    # counts print as integers, rates and z-scores with three decimals
    out.insert(2, "value_display", [f"{v:,}" if isinstance(v, (int, np.integer)) else f"{float(v):.3f}"
                                    for _, v, _ in rows])
    return out


def balance_table(exposure: pd.DataFrame, slates: pd.DataFrame) -> pd.DataFrame:
    """Focal-item covariates by arm: means, difference, standardised difference, Welch p-value."""
    focal = exposure.loc[exposure["is_focal_item"] == 1].copy()
    gender = focal["gender"].astype(str)  # missing where a release has no users file
    focal["is_female"] = np.where(gender.isin(["M", "F"]), (gender == "F").astype(float), np.nan)
    focal = focal.merge(slates[["slate_id", "n_same_cluster"]], on="slate_id", how="left")
    treated = focal["promotion_applied"].to_numpy() == 1
    rows = []
    for column, label in BALANCE_COVARIATES.items():  # ten covariates
        x = focal[column].to_numpy(dtype=float)
        x1, x0 = x[treated & np.isfinite(x)], x[~treated & np.isfinite(x)]
        if min(x1.size, x0.size) < 2:  # e.g. user age and gender in ml-25m/32m: not published
            continue
        pooled = np.sqrt((x1.var(ddof=1) + x0.var(ddof=1)) / 2)
        rows.append({
            "covariate": column, "label": label, "mean_promoted": x1.mean(), "mean_control": x0.mean(),
            "difference": x1.mean() - x0.mean(),
            "standardized_difference": (x1.mean() - x0.mean()) / pooled if pooled > 0 else 0.0,
            "p_value": float(stats.ttest_ind(x1, x0, equal_var=False).pvalue),
            "n_promoted": int(x1.size), "n_control": int(x0.size),
        })
    return pd.DataFrame(rows)


def exposure_group_shares(exposure: pd.DataFrame) -> pd.DataFrame:
    """Rows, share of rows and mean position change per exposure group."""
    grouped = exposure.groupby("exposure_group", observed=True).agg(
        rows=("slate_id", "size"), slates=("slate_id", "nunique"),
        mean_position_change=("position_change", "mean"),
        mean_visibility_gain=("visibility_gain", "mean"),
        click_rate=("clicked", "mean"), mean_click_probability=("click_probability", "mean"),
        mean_known_lift=("known_lift", "mean"),
    )
    grouped = grouped.reindex(list(EXPOSURE_GROUPS)).fillna(0)
    grouped["share"] = grouped["rows"] / grouped["rows"].sum()
    return grouped.reset_index()


def cluster_spillover_support(exposure: pd.DataFrame) -> pd.DataFrame:
    """Per focal cluster: promoted slates and same-cluster competitors exposed (and in control)."""
    focal = exposure[exposure["is_focal_item"] == 1]
    slates = focal.groupby(["focal_spillover_cluster", "promotion_applied"]).size().unstack(fill_value=0)
    comp = exposure[exposure["same_cluster_as_focal"] == 1].groupby(
        ["focal_spillover_cluster", "promotion_applied"]).size().unstack(fill_value=0)
    out = pd.DataFrame({
        "focal_spillover_cluster": slates.index,
        "promoted_slates": slates.get(1, 0).to_numpy(),
        "control_slates": slates.get(0, 0).to_numpy(),
    })
    out["same_cluster_spillover_rows"] = comp.get(1, pd.Series(dtype=float)).reindex(slates.index).fillna(0).to_numpy().astype(int)
    out["same_cluster_control_rows"] = comp.get(0, pd.Series(dtype=float)).reindex(slates.index).fillna(0).to_numpy().astype(int)
    out["spillover_rows_per_promoted_slate"] = out["same_cluster_spillover_rows"] / out["promoted_slates"].clip(lower=1)
    return out.sort_values("same_cluster_spillover_rows", ascending=False, kind="stable").reset_index(drop=True)
