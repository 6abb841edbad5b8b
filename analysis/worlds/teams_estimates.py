"""Estimates for one simulated teams experiment, each next to the estimand it targets.

Every row says which design produced the data, which estimator was used, which estimand it
targets, the analytic value of that estimand (from :mod:`analysis.worlds.teams`), and the
estimate with its standard error and interval (naive or team-clustered).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from analysis.estimators.difference_in_means import difference_in_means
from analysis.worlds import teams

__all__ = [
    "ESTIMATE_COLUMNS",
    "arm_contrasts",
    "design_estimates",
    "direct_effect_by_saturation",
    "regression_rows",
]

ESTIMATE_COLUMNS = [
    "design", "estimator", "term", "target", "truth", "estimate", "std_error", "ci_lower",
    "ci_upper", "se_type", "n_units", "n_clusters",
]

_FORMULAS = {
    "reg_peer": "Y ~ A + peer_saturation + baseline_skill",
    "reg_interaction": "Y ~ A * peer_saturation + baseline_skill",
    "reg_own": "Y ~ A + baseline_skill",
}
#: How each regression is named in tables (reader words, one name per model).
MODEL_LABELS = {
    "reg_peer": "Regression on own treatment, peer saturation and skill",
    "reg_interaction": "Regression with an own treatment × saturation interaction",
    "reg_own": "Regression on own treatment and skill",
}


def _require(frame: pd.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise KeyError(f"teams data is missing column(s) {missing}; has {list(frame.columns)}")


def _row(design: str, estimator: str, term: str, target: str, truth: float, estimate: float,
         se: float, se_type: str, n_units: int, n_clusters: int | None,
         level: float) -> dict[str, object]:
    z = stats.norm.ppf(0.5 + level / 2)
    return {
        "design": design, "estimator": estimator, "term": term, "target": target,
        "truth": float(truth), "estimate": float(estimate), "std_error": float(se),
        "ci_lower": float(estimate - z * se), "ci_upper": float(estimate + z * se),
        "se_type": se_type, "n_units": int(n_units),
        "n_clusters": pd.NA if n_clusters is None else int(n_clusters),
    }


def _dim_rows(frame: pd.DataFrame, mask: np.ndarray, indicator: np.ndarray, design: str,
              estimator: str, target: str, truth: float, level: float) -> list[dict[str, object]]:
    """Naive and team-clustered difference in means of ``Y`` by ``indicator`` on ``mask`` rows."""
    y = frame["Y"].to_numpy()[mask]
    g = frame["group"].to_numpy()[mask]
    d = indicator[mask]
    rows = []
    for clusters, se_type in ((None, "naive"), (g, "clustered")):
        fit = difference_in_means(y, d, clusters=clusters, alpha=1 - level)
        rows.append(_row(design, estimator, "contrast", target, truth, fit.estimate,
                         fit.std_error, se_type, y.size, fit.n_clusters, level))
    return rows


def regression_rows(frame: pd.DataFrame, design: str, model: str,
                    truths: dict[str, tuple[str, float]], level: float,
                    clustered_only: bool = False) -> list[dict[str, object]]:
    """OLS ``model`` (a key of the formula table) with classical and team-clustered SEs.

    ``truths`` maps a coefficient name to ``(target label, analytic value)``.
    """
    if model not in _FORMULAS:
        raise ValueError(f"model must be one of {sorted(_FORMULAS)}, got {model!r}")
    _require(frame, ["Y", "A", "peer_saturation", "baseline_skill", "group"])
    formula = _FORMULAS[model]
    data = frame.assign(A=frame["A"].astype(float))
    fits = {"clustered": smf.ols(formula, data=data).fit(
        cov_type="cluster", cov_kwds={"groups": data["group"].to_numpy()})}
    if not clustered_only:
        fits = {"naive": smf.ols(formula, data=data).fit(), **fits}
    rows = []
    n_clusters = int(data["group"].nunique())
    for se_type, fit in fits.items():
        for term, (target, truth) in truths.items():
            rows.append(_row(design, MODEL_LABELS[model], term,
                             target, truth, fit.params[term], fit.bse[term], se_type,
                             int(fit.nobs), None if se_type == "naive" else n_clusters, level))
    return rows


def arm_contrasts(frame: pd.DataFrame, params: teams.TeamsParams, psi_low: float,
                  psi_high: float, level: float) -> list[dict[str, object]]:
    """Design-based contrasts between saturation arms of a randomized-saturation experiment."""
    _require(frame, ["Y", "A", "group", "assigned_saturation"])
    sat = frame["assigned_saturation"].to_numpy()
    a = frame["A"].to_numpy()
    for s in (psi_low, psi_high):
        if not np.isclose(sat, s).any():
            raise ValueError(f"no team was assigned saturation {s}; check teams.saturations")
    hi = np.isclose(sat, psi_high)
    lo = np.isclose(sat, psi_low)
    design = "saturation"
    rows: list[dict[str, object]] = []
    for s in sorted(set(np.round(sat, 10))):
        in_arm = np.isclose(sat, s)
        rows += _dim_rows(frame, in_arm, a, design, f"Within-arm difference, saturation {s:g}",
                          f"DE({s:g})", teams.direct_effect(s, params), level)
    rows += _dim_rows(frame, (hi | lo) & (a == 0), hi.astype(int), design,
                      "Untreated: high arm minus low arm",
                      f"IE(0; {psi_high:g}, {psi_low:g})",
                      teams.indirect_effect(0, psi_high, psi_low, params), level)
    rows += _dim_rows(frame, (hi & (a == 1)) | (lo & (a == 0)), hi.astype(int), design,
                      "Treated in high arm minus untreated in low arm",
                      f"TE({psi_high:g}, {psi_low:g})",
                      teams.total_effect(psi_high, psi_low, params), level)
    rows += _dim_rows(frame, hi | lo, hi.astype(int), design, "All workers: high arm minus low arm",
                      f"OE({psi_high:g}, {psi_low:g})",
                      teams.overall_effect(psi_high, psi_low, params), level)
    return rows


def design_estimates(frames: dict[str, pd.DataFrame], params: teams.TeamsParams, psi_low: float,
                     psi_high: float, level: float = 0.95) -> pd.DataFrame:
    """All estimates for the individual, cluster and saturation experiments in ``frames``."""
    missing = [d for d in teams.DESIGNS if d not in frames]
    if missing:
        raise KeyError(f"frames must contain designs {teams.DESIGNS}; missing {missing}")
    p_ind = params.individual_p
    rollout = teams.total_effect(1.0, 0.0, params)
    direct = ("Direct effect (coefficient on A)", params.direct_effect)
    spill = ("Spillover per unit of peer saturation", params.spillover_effect)
    rows: list[dict[str, object]] = []

    ind = frames["individual"]
    rows += _dim_rows(ind, np.ones(len(ind), bool), ind["A"].to_numpy(), "individual",
                      "Difference in means", f"DE({p_ind:g})",
                      teams.direct_effect(p_ind, params), level)
    rows += regression_rows(ind, "individual", "reg_peer",
                            {"A": direct, "peer_saturation": spill}, level)

    clu = frames["cluster"]
    rows += _dim_rows(clu, np.ones(len(clu), bool), clu["A"].to_numpy(), "cluster",
                      "Difference in means", "TE(1, 0) full rollout", rollout, level)
    rows += regression_rows(clu, "cluster", "reg_own",
                            {"A": ("TE(1, 0) full rollout", rollout)}, level)

    sat = frames["saturation"]
    rows += regression_rows(sat, "saturation", "reg_peer",
                            {"A": direct, "peer_saturation": spill}, level)
    rows += arm_contrasts(sat, params, psi_low, psi_high, level)
    table = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
    return table.astype({"n_clusters": "Int64"})


def direct_effect_by_saturation(frame: pd.DataFrame, params: teams.TeamsParams,
                                level: float = 0.95) -> pd.DataFrame:
    """DE(ψ) at each assigned saturation: analytic, within-arm estimate, and the value implied by
    the interaction regression ``A * peer_saturation`` (with its clustered delta-method SE)."""
    _require(frame, ["Y", "A", "group", "assigned_saturation", "peer_saturation",
                     "baseline_skill"])
    data = frame.assign(A=frame["A"].astype(float))
    fit = smf.ols(_FORMULAS["reg_interaction"], data=data).fit(
        cov_type="cluster", cov_kwds={"groups": data["group"].to_numpy()})
    cov = fit.cov_params()
    z = stats.norm.ppf(0.5 + level / 2)
    rows = []
    sat = frame["assigned_saturation"].to_numpy()
    for s in sorted(set(np.round(sat, 10))):
        arm = np.isclose(sat, s)
        within = difference_in_means(frame["Y"].to_numpy()[arm], frame["A"].to_numpy()[arm],
                                     clusters=frame["group"].to_numpy()[arm], alpha=1 - level)
        implied = fit.params["A"] + s * fit.params["A:peer_saturation"]
        implied_se = float(np.sqrt(cov.loc["A", "A"] + s**2 * cov.loc["A:peer_saturation",
                                   "A:peer_saturation"] + 2 * s * cov.loc["A", "A:peer_saturation"]))
        truth = teams.direct_effect(s, params)
        for method, est, se in (("Within-arm difference", within.estimate, within.std_error),
                                ("Interaction regression", implied, implied_se)):
            rows.append({"saturation": float(s), "method": method, "truth": truth,
                         "estimate": float(est), "std_error": float(se),
                         "ci_lower": float(est - z * se), "ci_upper": float(est + z * se)})
    return pd.DataFrame(rows)
