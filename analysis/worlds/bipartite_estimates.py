"""Exposure-contrast estimates for the bipartite marketplace, with seller-aware uncertainty.

Estimators of ``mu(c1) - mu(c0)`` for exposure conditions ``c1`` versus ``c0``:

* difference in exposure-group means (weights 1), and
* Hájek: weights ``1 / P(E_b = c)`` from the design's exact exposure probabilities, which removes
  the confounding by buyer degree (high-degree buyers are rarely fully exposed or unexposed).

Both are ratio estimators with buyer-level influence values ``psi_b``. Variance:

* ``naive``: ``sum_b psi_b**2`` treats buyers as independent;
* ``seller-overlap``: ``sum_{b, b' sharing a seller} psi_b psi_b'``, computed as
  ``||B.T psi||**2 - sum_b (d_b - 1) psi_b**2`` in O(edges). Buyers who share a seller share its
  shock and its assignment, so they are dependent; this is the cluster-robust variance with
  overlapping seller clusters (pairs sharing several sellers are counted once per shared seller).

Everything is vectorised over replications: outcomes ``(R, n_buyers)``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy import stats

from analysis.estimators.batched import BatchedEstimates
from analysis.montecarlo import ReplicationSet, summary_table
from analysis.worlds import bipartite_marketplace as bm

__all__ = [
    "exposure_contrast",
    "bipartite_estimates",
    "bipartite_montecarlo",
    "exposure_counts",
    "graph_summary",
    "overlap_variance",
]

#: (estimand id, label, treated condition, control condition)
CONTRASTS = (
    ("direct", "Direct: all sellers treated vs none", "all", "none"),
    ("indirect", "Spillover: mixed sellers vs none", "mixed", "none"),
)


def overlap_variance(graph: sp.csr_matrix, psi: np.ndarray) -> np.ndarray:
    """``sum over buyer pairs sharing a seller of psi_b psi_b'`` for each row of ``psi``."""
    psi2 = np.atleast_2d(psi)
    degree = np.asarray(graph.sum(axis=1)).ravel()
    seller_sums = np.asarray(graph.T @ psi2.T)  # (n_sellers, R)
    return (seller_sums**2).sum(axis=0) - ((degree - 1) * psi2**2).sum(axis=1)


def exposure_contrast(y: np.ndarray, condition: np.ndarray, graph: sp.csr_matrix,
                      treated: str, control: str, probabilities: np.ndarray | None = None
                      ) -> dict[str, BatchedEstimates]:
    """``mu(treated) - mu(control)`` with naive and seller-overlap SEs, per replication.

    ``probabilities`` (``(n_buyers, 3)``, from :func:`exposure_probabilities`) switches from
    the difference in group means to the Hájek estimator, restricted to buyers with a positive
    probability of both conditions (a one-seller buyer can never be "mixed").
    """
    codes = {c: i for i, c in enumerate(bm.CONDITIONS)}
    for name, cond in (("treated", treated), ("control", control)):
        if cond not in codes:
            raise ValueError(f"{name} must be one of {bm.CONDITIONS}, got {cond!r}")
    y2 = np.atleast_2d(np.asarray(y, dtype=float))
    c2 = np.broadcast_to(np.atleast_2d(condition), y2.shape)
    psi = np.zeros_like(y2)
    estimate = np.zeros(y2.shape[0])
    eligible = np.ones(y2.shape[1], dtype=bool)
    if probabilities is not None:
        # Hájek compares conditions on the buyers who can be in both (positivity overlap).
        eligible = (probabilities[:, codes[treated]] > 0) & (probabilities[:, codes[control]] > 0)
    for cond, sign in ((treated, 1.0), (control, -1.0)):  # two conditions, not a row loop
        w = ((c2 == codes[cond]) & eligible).astype(float)
        if probabilities is not None:
            w[:, eligible] /= probabilities[eligible, codes[cond]]
        total = w.sum(axis=1)
        if (total == 0).any():
            raise ValueError(f"some replication has no buyer in exposure condition {cond!r}")
        mu = (w * y2).sum(axis=1) / total
        estimate += sign * mu
        psi += sign * w * (y2 - mu[:, None]) / total[:, None]
    naive = np.sqrt((psi**2).sum(axis=1))
    overlap = np.sqrt(np.maximum(overlap_variance(graph, psi), 0.0))
    return {"naive": BatchedEstimates(estimate, naive),
            "seller-overlap": BatchedEstimates(estimate, overlap)}


def _estimator_fits(y: np.ndarray, condition: np.ndarray, graph: sp.csr_matrix,
                    probabilities: np.ndarray) -> list[tuple[str, str, str, BatchedEstimates]]:
    """(estimand id, estimator, se_type, fit) for every contrast x estimator x SE type."""
    out = []
    for estimand, _label, c1, c0 in CONTRASTS:
        dim = exposure_contrast(y, condition, graph, c1, c0)
        hajek = exposure_contrast(y, condition, graph, c1, c0, probabilities=probabilities)
        out += [(estimand, "Difference in exposure-group means", "naive", dim["naive"]),
                (estimand, "Difference in exposure-group means", "seller-overlap",
                 dim["seller-overlap"]),
                (estimand, "Hájek (design exposure probabilities)", "naive", hajek["naive"]),
                (estimand, "Hájek (design exposure probabilities)", "seller-overlap",
                 hajek["seller-overlap"])]
    return out


def _truths(params: bm.BipartiteParams) -> dict[str, float]:
    return {"direct": params.effect_all, "indirect": params.effect_mixed,
            "total": params.effect_all}


def bipartite_estimates(graph: sp.csr_matrix, exposure: bm.BuyerExposure, y: np.ndarray,
                        params: bm.BipartiteParams, level: float = 0.95) -> pd.DataFrame:
    """Tidy estimates of the direct and indirect effects (and the total, full-rollout effect,
    which the all-versus-none Hájek contrast estimates) next to their true values."""
    if y.ndim != 1:
        raise ValueError("bipartite_estimates needs a single replication")
    probabilities = bm.exposure_probabilities(exposure.degree, params.treat_p)
    truths = _truths(params)
    labels = {e: lab for e, lab, _c1, _c0 in CONTRASTS}
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    for estimand, estimator, se_type, fit in _estimator_fits(y, exposure.condition, graph,
                                                             probabilities):
        est, se = float(fit.estimate[0]), float(fit.std_error[0])
        rows.append({"estimand": estimand, "label": labels[estimand], "estimator": estimator,
                     "se_type": se_type, "truth": truths[estimand], "estimate": est,
                     "std_error": se, "ci_lower": est - z * se, "ci_upper": est + z * se})
    total = [r for r in rows if r["estimand"] == "direct"
             and r["estimator"].startswith("Hájek") and r["se_type"] == "seller-overlap"][0]
    rows.append({**total, "estimand": "total",
                 "label": "Total: full rollout (every seller treated) vs none",
                 "truth": truths["total"]})
    return pd.DataFrame(rows)


def exposure_counts(exposure: bm.BuyerExposure, p: float) -> pd.DataFrame:
    """Buyers per (number of sellers, exposure condition): observed count, expected count under
    the design, and the exposure probability (a positivity check)."""
    probabilities = bm.exposure_probabilities(exposure.degree, p)
    degree = exposure.degree.astype(np.int64)
    levels = np.unique(degree)
    rows = []
    for k, cond in enumerate(bm.CONDITIONS):
        observed = np.bincount(degree, weights=(exposure.condition == k).astype(float))
        expected = np.bincount(degree, weights=probabilities[:, k])
        for d in levels:
            rows.append({"n_sellers": int(d), "exposure": cond, "n_buyers": int(observed[d]),
                         "expected_buyers": float(expected[d]),
                         "probability": float(probabilities[degree == d, k][0])})
    return pd.DataFrame(rows)


def bipartite_montecarlo(params: bm.BipartiteParams, n_reps: int, seed: int,
                         level: float = 0.95) -> pd.DataFrame:
    """Coverage study on one fixed graph: seller assignments, shocks and noise re-drawn
    ``n_reps`` times (vectorised)."""
    if int(n_reps) != n_reps or n_reps < 2:
        raise ValueError(f"n_reps must be an integer >= 2, got {n_reps!r}")
    graph_rng, draw_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    graph = bm.build_graph(params, graph_rng)
    treatment = (draw_rng.random((int(n_reps), params.n_sellers)) < params.treat_p).astype(np.int8)
    exposure = bm.buyer_exposure(graph, treatment)
    y = bm.simulate_outcomes(graph, exposure, params, draw_rng)
    probabilities = bm.exposure_probabilities(exposure.degree, params.treat_p)
    truths = _truths(params)
    sets = [ReplicationSet({"world": "bipartite", "estimator": estimator, "target": estimand,
                            "se_type": se_type}, truths[estimand], fit.estimate, fit.std_error)
            for estimand, estimator, se_type, fit in _estimator_fits(y, exposure.condition,
                                                                     graph, probabilities)]
    return summary_table(sets, level=level)


def graph_summary(graph: sp.csr_matrix, exposure: bm.BuyerExposure,
                  seller_treatment: np.ndarray) -> pd.DataFrame:
    """One-row description of the graph and the realised assignment."""
    seller_degree = np.asarray(graph.sum(axis=0)).ravel()
    return pd.DataFrame([{
        "n_buyers": int(graph.shape[0]), "n_sellers": int(graph.shape[1]),
        "n_links": int(graph.nnz), "mean_sellers_per_buyer": float(exposure.degree.mean()),
        "mean_buyers_per_seller": float(seller_degree.mean()),
        "max_buyers_per_seller": int(seller_degree.max()),
        "sellers_without_buyers": int((seller_degree == 0).sum()),
        "treated_seller_share": float(np.mean(seller_treatment)),
        "share_buyers_all": float((exposure.condition == 2).mean()),
        "share_buyers_mixed": float((exposure.condition == 1).mean()),
        "share_buyers_none": float((exposure.condition == 0).mean()),
    }])
