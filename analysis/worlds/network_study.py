"""Analyses of the network world: one experiment, exposure diagnostics and Monte Carlo studies.

* :func:`unit_table` - one realised experiment as a tidy node table (every exposure mapping);
* :func:`exposure_regressions` - the seed notebook's three regressions (own treatment only,
  treated-neighbour share, any treated neighbour) with statsmodels;
* :func:`exposure_label_counts` - units per (own treatment, neighbour-share band): thin cells;
* :func:`exposure_condition_counts` - the same counts under the exposure mapping the config
  selects (``share_bands`` or ``at_least_k``: at least k treated neighbours);
* :class:`ClusterDesign` / :func:`make_design` - individual or graph-cluster randomization with
  clusters of a chosen size;
* :func:`design_probabilities` - four-way and full-neighbourhood exposure probabilities of a
  design by Monte Carlo, with the joint probabilities the HT variance needs;
* :func:`simulate_design` - re-randomize the design many times on the fixed finite population
  and apply every estimator (naive and clustered difference in means, exposure regression,
  Horvitz–Thompson and Hájek), all vectorised over replications;
* :func:`summarise_study` - bias, RMSE and coverage per (design, estimator).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf

from analysis.design_based.horvitz_thompson import exposure_contrast, positive_units
from analysis.designs.assignment import (
    cluster_level_assignment,
    encode_clusters,
    encoded_cluster_assignment,
)
from analysis.designs.graph_cluster import clusters_of_size, cross_cluster_edge_fraction
from analysis.estimators import batched
from analysis.exposure import neighbor
from analysis.exposure.probabilities import ExposureProbabilities, exposure_probabilities
from analysis.montecarlo import SUMMARY_COLUMNS, summarise_replications
from analysis.worlds.network import (
    NetworkGraph,
    NetworkOutcomeModel,
    NetworkWorld,
    SBMSpec,
    build_network_world,
    network_estimands,
    observed_outcomes,
    sample_sbm,
)

__all__ = [
    "ClusterDesign",
    "cluster_size_verdict",
    "total_effect_tradeoff",
    "DesignProbabilities",
    "EXPOSURE_BANDS",
    "PARTITION_FILE",
    "design_probabilities",
    "design_summary",
    "exposure_condition_counts",
    "exposure_label_counts",
    "exposure_regressions",
    "graph_from_config",
    "make_design",
    "planted_partition_spec",
    "spec_from_config",
    "world_from_config",
    "simulate_design",
    "summarise_study",
    "unit_table",
]

#: Processed table of the network world's communities (rule worlds_network_partition writes it,
#: the rules that randomize clusters read it).
PARTITION_FILE = "network_partition.parquet"

#: Bands of treated-neighbour share used for exposure counts (upper edges, right-closed).
EXPOSURE_BANDS: tuple[tuple[str, float], ...] = (
    ("none", 0.0), ("low", 0.25), ("medium", 0.5), ("high", 0.75), ("all", 1.0),
)

ESTIMATOR_LABELS: dict[str, str] = {
    "dim_naive": "Difference in means, naive SE",
    "dim_clustered": "Difference in means, cluster-robust SE",
    "share_regression": "Regression on own treatment + neighbour share",
    "ht_full": "Horvitz–Thompson, full neighbourhood",
    "hajek_full": "Hájek, full neighbourhood",
    "ht_direct": "Horvitz–Thompson, four-way direct",
    "hajek_direct": "Hájek, four-way direct",
}


#: Exposure mappings the exposure-count table can use (config ``network.exposure_mapping``).
EXPOSURE_MAPPINGS = ("share_bands", "at_least_k")


def unit_table(world: NetworkWorld, z: np.ndarray, high_degree: int,
               at_least_k: int = 2) -> pd.DataFrame:
    """One realised experiment: every node with its treatment, exposures and outcome
    (``at_least_k_treated``: 1 if at least ``at_least_k`` neighbours are treated)."""
    adj = world.graph.adjacency
    z = np.asarray(z).astype(np.int8)
    return pd.DataFrame({
        "node": np.arange(world.graph.n_nodes),
        "community": world.graph.block,
        "degree": world.graph.degree,
        "treated": neighbor.own_treatment(z),
        "treated_neighbors": neighbor.treated_neighbor_count(adj, z),
        "neighbor_share": neighbor.neighbor_share(adj, z),
        "any_treated_neighbor": neighbor.any_treated_neighbor(adj, z),
        "at_least_k_treated": neighbor.at_least_k_treated(adj, z, at_least_k),
        "treated_high_degree_neighbors": neighbor.treated_high_degree_neighbors(adj, z,
                                                                               high_degree),
        "four_way": np.asarray(neighbor.FOUR_WAY_LABELS)[neighbor.four_way_condition(adj, z)],
        "outcome": observed_outcomes(world, z),
    })


def exposure_regressions(units: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """The seed's three OLS models of the outcome, with classical SEs (as in the seed)."""
    models = {
        "Own treatment only": "outcome ~ treated",
        "Exposure: treated-neighbour share": (
            "outcome ~ treated + neighbor_share + degree + C(community)"),
        "Coarse exposure: any treated neighbour": (
            "outcome ~ treated + any_treated_neighbor + degree + C(community)"),
    }
    terms = ("treated", "neighbor_share", "any_treated_neighbor")
    rows = []
    for name, formula in models.items():  # three models
        fit = smf.ols(formula, data=units).fit()
        ci = fit.conf_int(alpha)
        for term in terms:
            if term in fit.params.index:
                rows.append({"model": name, "term": term, "estimate": float(fit.params[term]),
                             "std_error": float(fit.bse[term]),
                             "ci_lower": float(ci.loc[term, 0]),
                             "ci_upper": float(ci.loc[term, 1]), "n": int(fit.nobs)})
    return pd.DataFrame(rows)


def exposure_label_counts(units: pd.DataFrame) -> pd.DataFrame:
    """Units per own treatment and treated-neighbour-share band (``none`` = share exactly 0)."""
    edges = [-np.inf] + [upper for _, upper in EXPOSURE_BANDS]
    labels = [name for name, _ in EXPOSURE_BANDS]
    band = pd.cut(units["neighbor_share"], bins=edges, labels=labels, right=True)
    counts = (pd.DataFrame({"treated": units["treated"].to_numpy(), "exposure": band})
              .groupby(["treated", "exposure"], observed=False).size().reset_index(name="n"))
    counts["exposure"] = counts["exposure"].astype(str)
    counts["treated"] = counts["treated"].astype(np.int64)
    return counts


def exposure_condition_counts(units: pd.DataFrame, mapping: str, k: int) -> pd.DataFrame:
    """Units per own treatment and exposure condition under ``mapping``.

    ``share_bands``: bands of treated-neighbour share (:func:`exposure_label_counts`);
    ``at_least_k``: "fewer than k" or "at least k" treated neighbours (the mapping of
    :func:`analysis.exposure.neighbor.at_least_k_treated`, read from ``at_least_k_treated``).
    """
    if mapping == "share_bands":
        return exposure_label_counts(units)
    if mapping != "at_least_k":
        raise ValueError(f"exposure mapping must be one of {EXPOSURE_MAPPINGS}, got {mapping!r}")
    names = np.array([f"fewer than {k} treated neighbours", f"at least {k} treated neighbours"])
    exposure = pd.Categorical(names[units["at_least_k_treated"].to_numpy().astype(np.int64)],
                              categories=list(names))
    counts = (pd.DataFrame({"treated": units["treated"].to_numpy(), "exposure": exposure})
              .groupby(["treated", "exposure"], observed=False).size().reset_index(name="n"))
    counts["exposure"] = counts["exposure"].astype(str)
    counts["treated"] = counts["treated"].astype(np.int64)
    return counts


@dataclass(frozen=True)
class ClusterDesign:
    """Randomization of whole clusters (``clusters = arange(n)`` is individual randomization)."""

    name: str
    clusters: np.ndarray
    probability: float
    complete: bool
    target_size: int | None

    @cached_property
    def _encoding(self) -> tuple[np.ndarray, int]:
        """Cluster codes and count, computed once (not on every chunk of draws)."""
        return encode_clusters(self.clusters)

    @property
    def n_clusters(self) -> int:
        return self._encoding[1]

    @property
    def is_individual(self) -> bool:
        return self.n_clusters == self.clusters.size

    @property
    def codes(self) -> np.ndarray:
        """Cluster code (0..G-1, in sorted label order) of every unit."""
        return self._encoding[0]

    def sample(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        """``(n_draws, n)`` assignments."""
        codes, n_clusters = self._encoding
        return encoded_cluster_assignment(codes, n_clusters, self.probability, rng,
                                          complete=self.complete, n_draws=n_draws)

    def sample_rows(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        """:meth:`sample` (same stream, same values) with every draw one contiguous row.

        The exposure mappings read draws row by row, two to three times faster than from
        :meth:`sample`'s expansion, which comes out column-major (and stays so, since the Monte
        Carlo study's sums follow that order).
        """
        clusters = self.sample_clusters(n_draws, rng)
        return clusters if self._identity_codes else np.take(clusters, self.codes, axis=1)

    @cached_property
    def _identity_codes(self) -> bool:
        """Whether node ``i`` is cluster ``i``: its cluster draws are then its unit draws."""
        codes = self.codes
        return bool((codes == np.arange(codes.size)).all())

    def sample_clusters(self, n_draws: int, rng: np.random.Generator) -> np.ndarray:
        """``(n_draws, G)`` cluster assignments: :meth:`sample` before expansion to units."""
        return cluster_level_assignment(self.n_clusters, self.probability, rng,
                                        complete=self.complete, n_draws=n_draws)


def make_design(world: NetworkWorld, communities: np.ndarray, name: str,
                target_size: int | None, probability: float, complete: bool) -> ClusterDesign:
    """Individual (size 1), community (size None) or sized graph-cluster randomization."""
    if target_size is None:
        clusters = np.asarray(communities, dtype=np.int64)
    else:
        clusters = clusters_of_size(world.graph, communities, int(target_size))
    return ClusterDesign(name=name, clusters=clusters, probability=float(probability),
                         complete=bool(complete), target_size=target_size)


@dataclass(frozen=True)
class DesignProbabilities:
    """Exposure probabilities of one design under the two mappings the estimators use."""

    four_way: ExposureProbabilities
    full: ExposureProbabilities


def design_probabilities(world: NetworkWorld, design: ClusterDesign, n_draws: int,
                         rng: np.random.Generator, threshold: float = 1.0
                         ) -> DesignProbabilities:
    """Monte Carlo exposure probabilities (with joint probabilities) from ``n_draws`` draws."""
    z = design.sample(n_draws, rng)
    adj = world.graph.adjacency
    four = exposure_probabilities(neighbor.four_way_condition(adj, z), None,
                                  neighbor.FOUR_WAY_LABELS, [(0, 0), (2, 2), (2, 0)])
    full = exposure_probabilities(neighbor.full_neighborhood_condition(adj, z, threshold), None,
                                  neighbor.FULL_NEIGHBORHOOD_LABELS, [(0, 0), (1, 1), (1, 0)])
    return DesignProbabilities(four_way=four, full=full)


def _truths(world: NetworkWorld) -> dict[str, float]:
    table = network_estimands(world)
    return dict(zip(table["estimand"], table["value"], strict=True))


def simulate_design(world: NetworkWorld, design: ClusterDesign, probs: DesignProbabilities,
                    n_reps: int, rng: np.random.Generator, threshold: float = 1.0,
                    alpha: float = 0.05) -> pd.DataFrame:
    """Replicate-level estimates of every estimator under ``n_reps`` re-randomizations.

    The population (graph and baseline outcomes) is fixed; only the assignment varies, so the
    truths are fixed finite-population estimands. Horvitz–Thompson/Hájek contrasts average over
    the units with positive probability of both conditions; their truth is computed on that
    subpopulation. Estimators with no such unit are omitted (see the positivity tables).
    """
    z = design.sample(n_reps, rng)
    y = observed_outcomes(world, z)
    adj = world.graph.adjacency
    has_nbr = (world.graph.degree > 0).astype(float)
    truth = _truths(world)
    m = world.model
    out: list[pd.DataFrame] = []

    def add(key: str, estimand: str, value: float, est: np.ndarray, se: np.ndarray,
            n_units: int) -> None:
        out.append(pd.DataFrame({
            "design": design.name, "estimator": key, "estimator_label": ESTIMATOR_LABELS[key],
            "estimand": estimand, "truth": value, "replicate": np.arange(n_reps),
            "estimate": est, "std_error": se, "n_units": n_units,
        }))

    n = world.graph.n_nodes
    naive = batched.difference_in_means(y, z)
    add("dim_naive", "total_effect", truth["total_effect"], naive.estimate, naive.std_error, n)
    if not design.is_individual:
        clustered = batched.difference_in_means(y, z, clusters=design.clusters)
        add("dim_clustered", "total_effect", truth["total_effect"], clustered.estimate,
            clustered.std_error, n)
    # y ~ 1 + A + (share - c A): the A coefficient is b_A + c b_share = the total effect
    share = neighbor.neighbor_share(adj, z)
    c = has_nbr.mean()
    x = np.stack([np.ones_like(share), z.astype(float), share - c * z], axis=2)
    reg = batched.ols(y, x, clusters=design.clusters)
    add("share_regression", "total_effect", truth["total_effect"], reg.estimate[:, 1],
        reg.std_error[:, 1], n)
    specs = (
        ("full", probs.full, neighbor.full_neighborhood_condition(adj, z, threshold), 1, 0),
        ("direct", probs.four_way, neighbor.four_way_condition(adj, z), 2, 0),
    )
    for label, pr, codes, k, k0 in specs:  # two contrasts
        units = positive_units(pr, k, k0)
        if not units.any():
            continue
        if label == "full":
            estimand, value = "total_effect", m.direct + m.spillover * has_nbr[units].mean()
        else:
            estimand, value = "direct_no_exposure", truth["direct_no_exposure"]
        for estimator, key in (("horvitz_thompson", f"ht_{label}"), ("hajek", f"hajek_{label}")):
            res = exposure_contrast(y, codes, pr, k, k0, estimator=estimator, units=units,
                                    alpha=alpha)
            add(key, estimand, value, res.estimate, res.std_error, int(units.sum()))
    return pd.concat(out, ignore_index=True)


def summarise_study(replicates: pd.DataFrame, level: float = 0.95,
                    by: Sequence[str] = ("design", "estimator")) -> pd.DataFrame:
    """Bias, RMSE, coverage (from :mod:`analysis.montecarlo`) per group of ``by``.

    Replications where an estimator is undefined (a Hájek mean with nobody in a condition) are
    dropped and counted in ``n_undefined``.
    """
    rows = []
    keys = list(by)
    extra = ["estimator_label", "estimand", "n_units"]
    for group, frame in replicates.groupby(keys, sort=False):  # a handful of groups
        ok = np.isfinite(frame["estimate"]) & np.isfinite(frame["std_error"])
        labels = dict(zip(keys, group if isinstance(group, tuple) else (group,), strict=True))
        first = frame.iloc[0]
        if ok.sum() >= 2:
            stats_row = summarise_replications(frame.loc[ok, "estimate"],
                                               frame.loc[ok, "std_error"], float(first["truth"]),
                                               level)
        else:  # (almost) never defined: report it rather than fail
            stats_row = {key: np.nan for key in SUMMARY_COLUMNS}
            stats_row.update(truth=float(first["truth"]), n_reps=int(ok.sum()))
        rows.append({**labels, **{k: first[k] for k in extra}, **stats_row,
                     "n_undefined": int((~ok).sum())})
    out = pd.DataFrame(rows)
    # no "-0" in reports: adding 0.0 turns a negative zero into a positive one
    out["bias"] = out["bias"].astype(float) + 0.0
    return out


def design_summary(world: NetworkWorld, design: ClusterDesign, probs: DesignProbabilities
                   ) -> dict[str, float | int | str | None]:
    """Cluster count/size, cross-cluster edges and expected exposure-condition sizes of a design."""
    full = probs.full.marginal
    sizes = np.bincount(pd.factorize(design.clusters)[0])
    return {
        "design": design.name,
        "target_size": design.target_size,
        "treatment_probability": design.probability,
        "complete": design.complete,
        "n_clusters": design.n_clusters,
        "mean_cluster_size": float(sizes.mean()),
        "cross_cluster_edge_fraction": cross_cluster_edge_fraction(world.graph, design.clusters),
        "expected_full_treatment": float(full[:, 1].sum()),
        "expected_full_control": float(full[:, 0].sum()),
        "units_positive_full": int(positive_units(probs.full, 1, 0).sum()),
        "units_positive_direct": int(positive_units(probs.four_way, 2, 0).sum()),
    }


def spec_from_config(cfg: dict, scaled: bool = True) -> SBMSpec:
    """The SBM of config section ``network`` (rescaled to ``n_nodes`` when ``scaled``)."""
    spec = SBMSpec(tuple(int(s) for s in cfg["block_sizes"]),
                   tuple(tuple(float(p) for p in row) for row in cfg["block_probs"]))
    if scaled and cfg.get("n_nodes") is not None and int(cfg["n_nodes"]) != spec.n_nodes:
        spec = spec.scaled(int(cfg["n_nodes"]))
    return spec


def graph_from_config(cfg: dict, scaled: bool = True) -> NetworkGraph:
    """The SBM graph of config section ``network`` (the graph of :func:`world_from_config`)."""
    return sample_sbm(spec_from_config(cfg, scaled), np.random.default_rng(int(cfg["graph_seed"])))


def world_from_config(cfg: dict, scaled: bool = True) -> NetworkWorld:
    """Build the network world of config section ``network``."""
    return build_network_world(spec_from_config(cfg, scaled), NetworkOutcomeModel(**cfg["outcome"]),
                               int(cfg["graph_seed"]), int(cfg["outcome_seed"]))


def planted_partition_spec(n_communities: int, community_size: int, mean_degree_within: float,
                           mean_degree_between: float) -> SBMSpec:
    """Equal communities with given expected within- and between-community degrees."""
    if n_communities < 2 or community_size < 2:
        raise ValueError("n_communities and community_size must both be >= 2")
    p_in = mean_degree_within / (community_size - 1)
    p_out = mean_degree_between / (community_size * (n_communities - 1))
    if not (0 < p_in <= 1 and 0 <= p_out <= 1):
        raise ValueError(f"mean degrees imply edge probabilities outside [0, 1] "
                         f"(within {p_in:.3f}, between {p_out:.3f})")
    probs = np.full((n_communities, n_communities), p_out)
    np.fill_diagonal(probs, p_in)
    return SBMSpec(tuple([int(community_size)] * n_communities),
                   tuple(tuple(float(p) for p in row) for row in probs))


def total_effect_tradeoff(summary: pd.DataFrame) -> pd.DataFrame:
    """Total-effect rows of a cluster-size study, one difference-in-means line per design.

    The clustered difference in means is kept where it exists; under individual randomization
    (no clusters) the naive one stands in. Both become estimator ``dim``.
    """
    data = summary[summary["estimand"] == "total_effect"].copy()
    has_clustered = set(data.loc[data["estimator"] == "dim_clustered", "design"])
    drop = (data["estimator"] == "dim_naive") & data["design"].isin(has_clustered)
    data = data[~drop].copy()
    is_dim = data["estimator"].isin(["dim_naive", "dim_clustered"])
    data.loc[is_dim, "estimator"] = "dim"
    data.loc[is_dim, "estimator_label"] = "Difference in means"
    return data.reset_index(drop=True)


def cluster_size_verdict(tradeoff: pd.DataFrame, claimed: tuple[float, float] = (5, 20)
                         ) -> pd.DataFrame:
    """Per estimator: the RMSE-optimal mean cluster size and whether it lies in ``claimed``."""
    rows = []
    lo, hi = claimed
    for key, part in tradeoff.dropna(subset=["rmse"]).groupby("estimator", sort=False):
        best = part.loc[part["rmse"].idxmin()]
        inside = part[(part["mean_cluster_size"] >= lo) & (part["mean_cluster_size"] <= hi)]
        best_inside = float(inside["rmse"].min()) if len(inside) else float("nan")
        rows.append({
            "estimator": key, "estimator_label": best["estimator_label"],
            "best_mean_cluster_size": float(best["mean_cluster_size"]),
            "best_rmse": float(best["rmse"]), "best_bias": float(best["bias"]),
            "best_rmse_in_claimed_range": best_inside,
            "rmse_ratio_claimed_vs_best": best_inside / float(best["rmse"]),
            "optimum_in_claimed_range": bool(lo <= best["mean_cluster_size"] <= hi),
            "claimed_low": lo, "claimed_high": hi,
        })
    return pd.DataFrame(rows)
