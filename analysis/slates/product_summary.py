"""Product language: focal gain, competitor change, net total, risk segments, recommendations.

Everything here is derived from the decomposition table and the slate table; the recommendation
sentences are generated from the numbers, so they change if the numbers change sign.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from analysis.estimators.difference_in_means import difference_in_means


def product_summary(effects: pd.DataFrame) -> pd.DataFrame:
    """One row per outcome view: per-slate and per-1,000 focal gain, competitor changes, total.

    ``offset_ratio`` is the competitor change divided by the magnitude of the focal gain: -1 means
    competitors lose exactly what the focal movie gains, below -1 the promotion destroys
    engagement on net.
    """
    rows = []
    for view, part in effects.groupby("view", sort=False):
        est = part.set_index("component")["estimate_per_slate"]
        lo = part.set_index("component")["ci_lower"]
        hi = part.set_index("component")["ci_upper"]
        truth = part.set_index("component")["truth"]
        focal, same, other, total = (float(est[k]) for k in
                                     ("focal", "same_cluster_competitor", "other_competitor", "total"))
        competitor = same + other
        rows.append({
            "view": view, "focal_gain": focal, "same_cluster_change": same,
            "other_competitor_change": other, "competitor_change": competitor, "total_change": total,
            "offset_ratio": competitor / abs(focal) if focal != 0 else np.nan,
            "total_ci_lower": float(lo["total"]), "total_ci_upper": float(hi["total"]),
            "focal_gain_per_1000": 1000 * focal, "same_cluster_change_per_1000": 1000 * same,
            "other_competitor_change_per_1000": 1000 * other,
            "competitor_change_per_1000": 1000 * competitor, "total_change_per_1000": 1000 * total,
            "truth_focal_gain": float(truth["focal"]),
            "truth_competitor_change": float(truth["same_cluster_competitor"] + truth["other_competitor"]),
            "truth_total_change": float(truth["total"]),
            "total_is_positive": bool(total > 0),
        })
    return pd.DataFrame(rows)


def bucket_label(low: int, high: int) -> str:
    """A position band as a reader writes it: ``"5–6"`` (en dash), or ``"7"`` for one position."""
    return f"{low}–{high}" if low != high else f"{low}"


def position_buckets(focal_position: np.ndarray, edges: list[list[int]]) -> np.ndarray:
    """Label each focal seed position with its band (:func:`bucket_label`) from inclusive
    ``[a, b]`` pairs."""
    pos = np.asarray(focal_position)
    labels = np.full(pos.shape, "", dtype=object)
    for low, high in edges:  # a handful of buckets
        if low > high:
            raise ValueError(f"position bucket [{low}, {high}] must have low <= high")
        labels[(pos >= low) & (pos <= high)] = bucket_label(low, high)
    if (labels == "").any():
        raise ValueError(f"position_buckets {edges} do not cover focal positions "
                         f"{sorted(set(pos[labels == ''].tolist()))}")
    return labels.astype(str)


def risk_table(slates: pd.DataFrame, by: str, alpha: float = 0.05, min_slates_per_arm: int = 2) -> pd.DataFrame:
    """Net slate effect by segment: observed difference in means and known mean lift.

    ``by`` is a pre-treatment slate column (``focal_position_bucket`` or
    ``focal_spillover_cluster``). Segments with fewer than ``min_slates_per_arm`` slates in an
    arm get no estimate.
    """
    if by not in slates.columns:
        raise ValueError(f"risk_table: slates has no column {by!r}")
    rows = []
    for level, part in slates.groupby(by, sort=True):  # a handful of segments
        treated = part["promotion_applied"].to_numpy()
        n1, n0 = int(treated.sum()), int((1 - treated).sum())
        promoted = part[treated == 1]
        row = {
            "segment": str(level), "promoted_slates": n1, "control_slates": n0,
            "known_focal_lift": float(promoted["known_lift_focal"].mean()) if n1 else np.nan,
            "known_competitor_lift": float((promoted["known_lift_same_cluster_competitor"]
                                            + promoted["known_lift_other_competitor"]).mean()) if n1 else np.nan,
            "known_total_lift": float(promoted["known_lift_total"].mean()) if n1 else np.nan,
            "truth_total": float(part["potential_lift_total"].mean()),
            "share_promoted_slates_net_negative": float((promoted["known_lift_total"] < 0).mean()) if n1 else np.nan,
        }
        if min(n1, n0) >= max(2, min_slates_per_arm):
            res = difference_in_means(part["observed_clicks_total"], treated, alpha=alpha)
            row.update({"observed_total_effect": res.estimate, "std_error": res.std_error,
                        "ci_lower": res.ci_lower, "ci_upper": res.ci_upper})
        else:
            row.update({"observed_total_effect": np.nan, "std_error": np.nan,
                        "ci_lower": np.nan, "ci_upper": np.nan})
        rows.append(row)
    out = pd.DataFrame(rows)
    out.insert(0, "dimension", by)
    return out


def _fmt(x: float) -> str:
    return f"{x:+,.1f}"


def recommendations(summary: pd.DataFrame, risk_position: pd.DataFrame,
                    sensitivity: pd.DataFrame, view: str = "observed_clicks") -> pd.DataFrame:
    """Decision table whose sentences are generated from the numbers (per 1,000 promoted slates)."""
    s = summary.set_index("view").loc[view]
    focal, comp, total = s["focal_gain_per_1000"], s["competitor_change_per_1000"], s["total_change_per_1000"]
    lo, hi = 1000 * s["total_ci_lower"], 1000 * s["total_ci_upper"]
    if hi < 0:
        verdict, metric_rec = "negative", "Do not ship promotion on focal-item gain: it lowers total slate engagement."
    elif lo > 0:
        verdict, metric_rec = "positive", "Promotion adds engagement for the slate as a whole; it can be shipped on the slate metric."
    else:
        verdict, metric_rec = "not distinguishable from zero", "Collect more slates before deciding: the net slate effect is uncertain."
    offsets = abs(comp) > abs(focal) and comp < 0
    includes_zero = lo <= 0 <= hi
    if offsets:
        offset_text = ("Competitor losses exceed the focal gain in the point estimates, but the net "
                       "slate total's 95% CI includes zero" if includes_zero
                       else "Competitor losses more than offset the focal gain")
    else:
        offset_text = ("Competitor changes only partly offset the focal gain in the point estimates, "
                       "but the net slate total's 95% CI includes zero" if includes_zero
                       else "Competitor changes only partly offset the focal gain")
    supported = risk_position.dropna(subset=["known_total_lift"])
    worst = supported.loc[supported["known_total_lift"].idxmin()] if len(supported) else None
    best = supported.loc[supported["known_total_lift"].idxmax()] if len(supported) else None
    obs_sens = sensitivity[sensitivity["view"] == view]
    negative_defs = int((obs_sens["ci_upper"] < 0).sum())
    rows = [
        {"decision_area": "Item-level reporting",
         "recommendation": "Do not report the promoted item's gain alone as the product impact.",
         "evidence": f"The focal movie gains {_fmt(focal)} clicks per 1,000 promoted slates while "
                     f"the other movies in the slate change by {_fmt(comp)}."},
        {"decision_area": "Slate-level metric",
         "recommendation": "Use the total slate effect as the primary decision metric. " + metric_rec,
         "evidence": f"The net slate effect is {_fmt(total)} clicks per 1,000 promoted slates "
                     f"(95% CI {_fmt(lo)} to {_fmt(hi)}): {verdict}."},
        {"decision_area": "Spillover monitoring",
         "recommendation": "Track same-cluster and displaced-item outcomes whenever an item is promoted.",
         "evidence": offset_text + f" (offset ratio {s['offset_ratio']:+.2f}); {negative_defs} of "
                     f"{len(obs_sens)} spillover definitions show a loss whose 95% CI excludes zero."},
    ]
    if worst is not None and best is not None:
        rows.append({
            "decision_area": "Policy design",
            "recommendation": "Treat large rank jumps as higher-risk interventions unless slate-level value is measured."
            if worst["segment"] != best["segment"] else "Rank-jump size does not change the verdict here.",
            "evidence": f"Known net lift per promoted slate ranges from {worst['known_total_lift']:+.3f} "
                        f"(focal seed positions {worst['segment']}) to {best['known_total_lift']:+.3f} "
                        f"(positions {best['segment']})."})
    return pd.DataFrame(rows)
