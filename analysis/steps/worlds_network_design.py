"""Rule worlds_network_design: exposure probabilities, positivity, HT/Hájek and randomization tests.

Two designs on the configured network world: individual Bernoulli randomization and
graph-cluster randomization of the partition's communities. For each, the exposure
probabilities of the four-way and full-neighbourhood mappings are estimated by Monte Carlo; one
realised experiment is then analysed with Horvitz–Thompson / Hájek contrasts and Fisher
randomization tests (no effect; no spillover with focal units).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator

import numpy as np
import pandas as pd

from analysis.cli import StepContext
from analysis.design_based.horvitz_thompson import exposure_contrast, positive_units
from analysis.design_based.randomization_inference import (
    RandomizationTest,
    assignment_support,
    conditional_cluster_sampler,
    no_effect_test,
    no_spillover_test,
    select_focal_units,
)
from analysis.designs.graph_cluster import read_partition
from analysis.exposure import neighbor
from analysis.exposure.probabilities import (
    ExposureProbabilities,
    monte_carlo_exposure_probabilities,
    positivity_report,
)
from analysis.heap import keep_freed_memory
from analysis.worlds import figures_network as figs
from analysis.worlds import network_study as study
from analysis.worlds.network import NetworkWorld, network_estimands, observed_outcomes

LOG = logging.getLogger(__name__)

#: Above this many nodes pairwise (n x n) exposure probabilities are not computed.
MAX_PAIRWISE_NODES = 5000
#: Above this many nodes the unit-level probability table lists a random sample of nodes.
MAX_LISTED_NODES = 20_000
#: Floats per chunk of re-randomizations (bounds memory on large graphs).
CHUNK_FLOATS = 20_000_000



#: Node-draws the Monte Carlo exposure probabilities may use per design and mapping: the
#: configured draws on graphs up to 20,000 nodes, fewer (at least MIN_PROBABILITY_DRAWS) beyond.
DRAW_CELL_BUDGET = 200_000_000
MIN_PROBABILITY_DRAWS = 200


def probability_draws(configured: int, n_nodes: int) -> int:
    """Monte Carlo draws for exposure probabilities on an ``n_nodes`` graph, within the budget."""
    return int(min(configured, max(MIN_PROBABILITY_DRAWS, DRAW_CELL_BUDGET // n_nodes)))


def _chunk_size(n: int) -> int:
    return max(1, CHUNK_FLOATS // n)


def _probability_chunk_size(n: int) -> int:
    """Draws per chunk of the exposure probabilities: whole 64-draw words of the bit-parallel
    mappings (at least one, even above ``CHUNK_FLOATS``), since a partial word costs a full one."""
    return max(64, _chunk_size(n) // 64 * 64)


def _chunked(sampler: Callable[[int], np.ndarray], total: int, size: int
             ) -> Iterator[np.ndarray]:
    """Re-randomizations in chunks of at most ``size`` rows."""
    done = 0
    while done < total:
        step = min(size, total - done)
        yield sampler(step)
        done += step


def _randomization_tests(world: NetworkWorld, adjacency: neighbor.CheckedAdjacency,
                         design: study.ClusterDesign, y_obs: np.ndarray, z_obs: np.ndarray,
                         ricfg: dict, rng: np.random.Generator
                         ) -> tuple[RandomizationTest, RandomizationTest, dict, dict]:
    """No-effect and no-spillover Fisher tests of one realised experiment.

    Also returns, per test, the number of distinct assignments it re-randomizes over and the
    smallest exact p-value that assignment space allows for the observed assignment.
    """
    n = world.graph.n_nodes
    n_rr, chunk = int(ricfg["n_rerandomizations"]), _chunk_size(n)
    # cluster-level draws (the statistics read cluster totals and the free clusters only)
    no_effect = no_effect_test(y_obs, z_obs,
                               _chunked(lambda r: design.sample_clusters(r, rng), n_rr, chunk),
                               clusters=design.clusters)
    focal = select_focal_units(n, float(ricfg["focal_fraction"]), rng,
                               None if design.is_individual else design.clusters)
    conditional = conditional_cluster_sampler(z_obs, focal, design.clusters, design.probability,
                                              design.complete)
    no_spill = no_spillover_test(adjacency, y_obs, z_obs, focal,
                                 _chunked(lambda r: conditional(r, rng), n_rr, chunk),
                                 clusters=design.clusters)
    full = assignment_support(z_obs, design.clusters, design.probability, design.complete)
    cond = assignment_support(z_obs, design.clusters, design.probability, design.complete,
                              fixed_units=focal)
    support_effect = {"n_assignments": full["n_assignments"],
                      "min_exact_p_value": full["p_observed"] + full["p_complement"]}
    support_spill = {"n_assignments": cond["n_assignments"],
                     "min_exact_p_value": cond["p_observed"]}
    return no_effect, no_spill, support_effect, support_spill


def _mappings(adj: neighbor.CheckedAdjacency, threshold: float) -> dict[str, tuple]:
    return {
        "four_way": (lambda z: neighbor.four_way_condition(adj, z), neighbor.FOUR_WAY_LABELS,
                     [(0, 0), (2, 2), (2, 0)], (2, 0), "direct_no_exposure"),
        "full_neighborhood": (lambda z: neighbor.full_neighborhood_condition(adj, z, threshold),
                              neighbor.FULL_NEIGHBORHOOD_LABELS, [(0, 0), (1, 1), (1, 0)],
                              (1, 0), "total_effect"),
    }


def run(ctx: StepContext) -> None:
    # every chunk of re-randomizations allocates arrays of the same sizes: keep their pages
    keep_freed_memory()
    cfg = ctx.params["network"]
    world = study.world_from_config(cfg)
    graph = world.graph
    n = graph.n_nodes
    pcfg, ricfg = cfg["probabilities"], cfg["randomization_inference"]
    threshold = float(cfg["full_exposure_threshold"])
    alpha = 1 - float(cfg["level"])
    communities = read_partition(ctx.input_named(study.PARTITION_FILE), n)[
        cfg["partition"]["method"]].to_numpy()
    designs = {
        "Individual randomization": study.make_design(
            world, communities, "Individual randomization", 1,
            float(cfg["treatment_probability"]), complete=False),
        "Graph-cluster randomization": study.make_design(
            world, communities, "Graph-cluster randomization", None,
            float(cfg["cluster_treatment_probability"]), complete=True),
    }
    pairwise = n <= MAX_PAIRWISE_NODES
    if not pairwise:
        LOG.warning("%d nodes: skipping pairwise exposure probabilities and HT variances "
                    "(limit %d)", n, MAX_PAIRWISE_NODES)
    prob_seed, ri_seed = int(pcfg["seed"]), int(ricfg["seed"])
    n_draws = probability_draws(int(pcfg["n_draws"]), n)
    if n_draws < int(pcfg["n_draws"]):
        LOG.warning("%d nodes: %d exposure-probability draws instead of %d (budget of %.0e "
                    "node-draws; the table records n_draws)", n, n_draws, int(pcfg["n_draws"]),
                    DRAW_CELL_BUDGET)
    positivity, unit_rows, estimates, tests = [], [], [], []
    estimand_table = network_estimands(world)
    truths = dict(zip(estimand_table["estimand"], estimand_table["value"], strict=True))
    adjacency = neighbor.checked_adjacency(graph.adjacency)  # checked once, used by every draw
    mappings = _mappings(adjacency, threshold)
    # the unit-level probability table lists every node, or a seeded sample on huge graphs
    shown = (np.arange(n) if n <= MAX_LISTED_NODES else np.sort(
        np.random.default_rng(prob_seed).choice(n, MAX_LISTED_NODES, replace=False)))
    for d_idx, (name, design) in enumerate(designs.items()):  # two designs
        rng_prob, rng_obs, rng_ri = (np.random.default_rng(s) for s in
                                     np.random.SeedSequence([prob_seed, d_idx]).spawn(3))
        z_obs = design.sample(1, rng_obs)[0]
        y_obs = observed_outcomes(world, z_obs)
        for mapping, (code_fn, labels, pairs, contrast, estimand) in mappings.items():
            probs: ExposureProbabilities = monte_carlo_exposure_probabilities(
                design.sample_rows, code_fn, labels, n_draws, rng_prob,
                joint_pairs=pairs if pairwise else (), chunk_size=_probability_chunk_size(n))
            report = positivity_report(probs, float(pcfg["tiny"]))
            positivity.append(report.assign(design=name, mapping=mapping))
            unit_rows.append(pd.DataFrame({
                "design": name, "mapping": mapping,
                "node": np.repeat(shown, len(labels)),
                "degree": np.repeat(graph.degree[shown], len(labels)),
                "label": np.tile(np.asarray(labels, dtype=object), shown.size),
                "probability": probs.marginal[shown].ravel(), "n_draws": probs.n_draws,
            }))
            k, k0 = contrast
            units = positive_units(probs, k, k0)
            codes = code_fn(z_obs)
            m = world.model
            truth = (m.direct + m.spillover * float((graph.degree[units] > 0).mean())
                     if estimand == "total_effect" and units.any() else truths[estimand])
            for estimator in ("horvitz_thompson", "hajek"):
                row = {"design": name, "mapping": mapping, "estimator": estimator,
                       "contrast": f"{labels[k]} vs {labels[k0]}", "estimand": estimand,
                       "truth": truth, "n_units_positive": int(units.sum()),
                       "n_treat_condition": int((codes[units] == k).sum()),
                       "n_control_condition": int((codes[units] == k0).sum())}
                if pairwise and units.any():
                    res = exposure_contrast(y_obs, codes, probs, k, k0, estimator=estimator,
                                            units=units, alpha=alpha).to_frame().iloc[0]
                    row.update({c: float(res[c]) for c in ("estimate", "std_error", "ci_lower",
                                                           "ci_upper")})
                    row["note"] = ""
                else:
                    row.update(estimate=np.nan, std_error=np.nan, ci_lower=np.nan,
                               ci_upper=np.nan,
                               note=("not identified (no unit with positivity)"
                                     if not units.any() else
                                     "not computed (graph too large for pairwise "
                                     "probabilities)"))
                estimates.append(row)
        no_effect, no_spill, sup_effect, sup_spill = _randomization_tests(
            world, adjacency, design, y_obs, z_obs, ricfg, rng_ri)
        for result, support in ((no_effect, sup_effect), (no_spill, sup_spill)):
            tests.append({"design": name, **result.as_dict(), **support})
        LOG.info("%s: no-effect p=%.4f, no-spillover p=%.4f", name, no_effect.p_value,
                 no_spill.p_value)

    w = ctx.writer
    draws_note = (f"Probabilities from {int(pcfg['n_draws']):,} Monte Carlo re-randomizations of "
                  f"each design on the {n:,}-node SBM world.")
    positivity_table = pd.concat(positivity, ignore_index=True)
    cols = ["design", "mapping"] + [c for c in positivity_table.columns
                                    if c not in ("design", "mapping")]
    w.table("network_positivity", positivity_table[cols],
            title="Positivity of exposure conditions by design",
            caption=f"Per design, mapping and exposure condition: units that are never (n_zero) "
                    f"or rarely (0 < pi < {float(pcfg['tiny']):g}, n_tiny) observed in it, the "
                    f"spread of unit probabilities and the expected number of units. "
                    f"{draws_note}", seed=prob_seed)
    probabilities = pd.concat(unit_rows, ignore_index=True)
    w.table("network_exposure_probabilities", probabilities,
            title="Each unit's exposure probabilities",
            caption=f"One row per design, mapping, node and exposure condition"
                    f"{'' if n <= MAX_LISTED_NODES else f' (a random {MAX_LISTED_NODES:,} of the nodes)'}"
                    f". {draws_note}",
            seed=prob_seed)
    w.table("network_ht_estimates", pd.DataFrame(estimates),
            title="Horvitz–Thompson and Hájek estimates in one experiment",
            caption=f"Exposure contrasts from one realised experiment per design, with "
                    f"Aronow-Samii conservative standard errors and {float(cfg['level']):.0%} "
                    f"intervals, averaged over units with positive probability of both "
                    f"conditions; truth is the exact estimand on those units; note says why a "
                    f"contrast has no estimate. {draws_note}",
            seed=prob_seed)
    w.table("network_randomization_tests", pd.DataFrame(tests),
            title="Fisher randomization tests of sharp nulls",
            caption=f"Randomization p-values from {int(ricfg['n_rerandomizations']):,} "
                    f"re-randomizations of each design: the null of no effect at all (difference "
                    f"in means) and the null of no spillover (Athey, Eckles & Imbens focal-unit "
                    f"test, {float(ricfg['focal_fraction']):.0%} of units focal; randomization "
                    f"units containing a focal unit are held fixed). n_assignments counts the "
                    f"distinct assignments each test re-randomizes over; min_exact_p_value is "
                    f"the smallest exact p-value that set allows for the observed assignment "
                    f"(its probability, plus its complement's for the difference in means, "
                    f"whose absolute value complementing leaves unchanged).", seed=ri_seed)
    full = probabilities[probabilities["mapping"] == "full_neighborhood"]
    w.figure("network_exposure_probability",
             figs.exposure_probability_figure(full, "full treatment"),
             title="Probability of full-neighbourhood treatment by unit",
             caption=f"Each unit's probability of being treated with every neighbour treated, "
                     f"against its degree, under individual and graph-cluster randomization "
                     f"(log scale; crosses: never observed). {draws_note}",
             alt="Log-scale scatter: under individual randomization probabilities fall "
                 "geometrically with degree and many units are never fully exposed; under "
                 "graph-cluster randomization most units sit near the cluster treatment "
                 "probability.", seed=prob_seed)
