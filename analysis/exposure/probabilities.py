"""Exposure probabilities under a design, and positivity diagnostics.

Under a randomization design every unit i has a probability ``pi_i(k)`` of ending up in exposure
condition ``k``; Horvitz–Thompson estimators divide by it and need the pairwise probabilities
``pi_ij(k, m)`` for their variance (Aronow & Samii 2017). Neighbourhood exposures make these
probabilities unit-specific (they depend on degree and on how the design treats the
neighbourhood), so in general they are computed by simulating the design:

* :func:`monte_carlo_exposure_probabilities` draws ``R`` re-randomizations in chunks, maps each
  to exposure codes, and averages the indicators (and, optionally, their cross-products);
* for tiny graphs, :func:`enumerate_bernoulli` / :func:`enumerate_complete` /
  :func:`enumerate_cluster` list every assignment with its probability, which gives the exact
  probabilities used by the tests.

:func:`positivity_report` lists, for each condition, how many units can never (or almost never)
be observed in it: for those units no design-based estimate of that condition exists.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

__all__ = [
    "AssignmentSet",
    "ExposureProbabilities",
    "enumerate_bernoulli",
    "enumerate_cluster",
    "enumerate_complete",
    "exposure_probabilities",
    "monte_carlo_exposure_probabilities",
    "positivity_report",
    "unit_probability_table",
]

MAX_ENUMERATION = 1 << 20


@dataclass(frozen=True)
class AssignmentSet:
    """Assignments ``(R, n)`` with their probabilities ``(R,)`` (summing to one)."""

    assignments: np.ndarray
    weights: np.ndarray
    exact: bool

    def __post_init__(self) -> None:
        if self.assignments.ndim != 2 or self.weights.shape != (self.assignments.shape[0],):
            raise ValueError("assignments must be (R, n) and weights (R,)")
        if not np.isclose(self.weights.sum(), 1.0):
            raise ValueError(f"weights must sum to 1, got {self.weights.sum()}")


def _check_enumeration_size(count: int) -> None:
    if count > MAX_ENUMERATION:
        raise ValueError(f"enumeration would list {count} assignments (limit {MAX_ENUMERATION}); "
                         "use monte_carlo_exposure_probabilities instead")


def enumerate_bernoulli(n: int, p: float) -> AssignmentSet:
    """All ``2^n`` assignments of independent Bernoulli(``p``) treatment, with probabilities."""
    if not 0 < p < 1:
        raise ValueError(f"p must be in (0, 1), got {p}")
    _check_enumeration_size(1 << n)
    z = ((np.arange(1 << n)[:, None] >> np.arange(n)[None, :]) & 1).astype(np.int8)
    treated = z.sum(axis=1)
    weights = p**treated * (1 - p) ** (n - treated)
    return AssignmentSet(z, weights / weights.sum(), exact=True)


def enumerate_complete(n: int, n_treated: int) -> AssignmentSet:
    """All ``C(n, n_treated)`` equally likely assignments of complete randomization."""
    if not 0 <= n_treated <= n:
        raise ValueError(f"n_treated must be in [0, {n}], got {n_treated}")
    combos = list(itertools.combinations(range(n), n_treated))
    _check_enumeration_size(len(combos))
    z = np.zeros((len(combos), n), dtype=np.int8)
    if n_treated:
        rows = np.repeat(np.arange(len(combos)), n_treated)
        z[rows, np.asarray(combos).ravel()] = 1
    return AssignmentSet(z, np.full(len(combos), 1.0 / len(combos)), exact=True)


def enumerate_cluster(clusters: ArrayLike, p: float, complete: bool = True) -> AssignmentSet:
    """Every assignment of a cluster design (complete: ``round(p*G)`` clusters treated)."""
    codes, uniques = pd.factorize(np.asarray(clusters), sort=True)
    n_clusters = len(uniques)
    if complete:
        base = enumerate_complete(n_clusters, int(np.round(p * n_clusters)))
    else:
        base = enumerate_bernoulli(n_clusters, p)
    return AssignmentSet(base.assignments[:, codes], base.weights, exact=True)


@dataclass(frozen=True)
class ExposureProbabilities:
    """Marginal (and selected joint) exposure probabilities of every unit.

    ``marginal[i, k]`` is ``pi_i(k)``. ``joint[(k, m)]`` (when computed) is the ``(n, n)`` matrix
    ``pi_ij(k, m) = P(unit i in k and unit j in m)``; its diagonal is ``pi_i(k)`` when ``k == m``
    and 0 otherwise.
    """

    labels: tuple[str, ...]
    marginal: np.ndarray
    n_draws: int
    exact: bool
    joint: dict[tuple[int, int], np.ndarray] = field(default_factory=dict)

    @property
    def n_units(self) -> int:
        return int(self.marginal.shape[0])

    def joint_matrix(self, k: int, m: int) -> np.ndarray:
        """``pi_ij(k, m)``; raises a clear error when the pair was not computed."""
        if (k, m) in self.joint:
            return self.joint[(k, m)]
        if (m, k) in self.joint:
            return self.joint[(m, k)].T
        raise KeyError(f"joint probabilities for conditions ({k}, {m}) were not computed; pass "
                       "them in joint_pairs")


def _indicator(codes: np.ndarray, k: int) -> np.ndarray:
    return (codes == k).astype(np.float64)


def exposure_probabilities(codes: np.ndarray, weights: np.ndarray | None, labels: Sequence[str],
                           joint_pairs: Iterable[tuple[int, int]] = (), exact: bool = False
                           ) -> ExposureProbabilities:
    """Probabilities from exposure codes ``(R, n)`` of a set of assignments and their weights.

    ``weights=None`` means equally likely draws (Monte Carlo).
    """
    codes = np.asarray(codes)
    if codes.ndim != 2:
        raise ValueError(f"codes must be (R, n), got shape {codes.shape}")
    n_draws, n_units = codes.shape
    n_cond = len(labels)
    if codes.min() < 0 or codes.max() >= n_cond:
        raise ValueError(f"codes must be in 0..{n_cond - 1} to match {n_cond} labels")
    w = np.full(n_draws, 1.0 / n_draws) if weights is None else np.asarray(weights, float)
    if weights is None:
        # equal weights: a unit seen c times in k has probability "w added c times"; the
        # running sums reproduce that sum bit for bit without a weighted pass over all draws
        running = np.concatenate([[0.0], np.cumsum(w)])
        # counts in the narrowest integer that holds n_draws: the row sums run on bytes
        acc = np.uint8 if n_draws < 1 << 8 else np.uint16 if n_draws < 1 << 16 else np.int64
        marginal = np.stack([running[(codes == k).view(np.uint8).sum(axis=0, dtype=acc)]
                             for k in range(n_cond)], axis=1)  # a handful of conditions
    else:
        flat = codes.astype(np.int64) + n_cond * np.arange(n_units)[None, :]
        marginal = np.bincount(flat.ravel(), weights=np.repeat(w, n_units),
                               minlength=n_units * n_cond).reshape(n_units, n_cond)
    joint = {}
    for k, m in joint_pairs:
        ik = _indicator(codes, k)
        il = ik if k == m else _indicator(codes, m)
        joint[(int(k), int(m))] = (ik * w[:, None]).T @ il
    return ExposureProbabilities(labels=tuple(labels), marginal=marginal, n_draws=n_draws,
                                 exact=exact, joint=joint)


def monte_carlo_exposure_probabilities(
    sample_assignments: Callable[[int, np.random.Generator], np.ndarray],
    exposure_codes: Callable[[np.ndarray], np.ndarray],
    labels: Sequence[str],
    n_draws: int,
    rng: np.random.Generator,
    joint_pairs: Iterable[tuple[int, int]] = (),
    chunk_size: int = 1000,
) -> ExposureProbabilities:
    """Estimate exposure probabilities by simulating the design ``n_draws`` times.

    ``sample_assignments(R, rng)`` returns ``(R, n)`` assignments; ``exposure_codes(z)`` maps
    them to ``(R, n)`` condition codes. Draws are processed in chunks of ``chunk_size`` (a loop
    over a few chunks, each fully vectorised), so memory stays ``O(chunk_size * n)`` for the
    marginals; joint probabilities need ``O(n^2)`` per pair and are meant for small graphs.
    """
    if isinstance(n_draws, bool) or int(n_draws) != n_draws or n_draws < 1:
        raise ValueError(f"n_draws must be a positive integer, got {n_draws!r}")
    if chunk_size < 1:
        raise ValueError(f"chunk_size must be >= 1, got {chunk_size}")
    pairs = [(int(k), int(m)) for k, m in joint_pairs]
    marginal_sum: np.ndarray | None = None
    joint_sum: dict[tuple[int, int], np.ndarray] = {}
    done = 0
    while done < n_draws:
        size = min(chunk_size, n_draws - done)
        codes = np.asarray(exposure_codes(sample_assignments(size, rng)))
        part = exposure_probabilities(codes, None, labels, pairs)
        marginal_sum = part.marginal * size + (0 if marginal_sum is None else marginal_sum)
        for key, value in part.joint.items():
            joint_sum[key] = value * size + joint_sum.get(key, 0)
        done += size
    assert marginal_sum is not None
    return ExposureProbabilities(
        labels=tuple(labels), marginal=marginal_sum / n_draws, n_draws=int(n_draws), exact=False,
        joint={key: value / n_draws for key, value in joint_sum.items()},
    )


def positivity_report(probs: ExposureProbabilities, tiny: float) -> pd.DataFrame:
    """Per condition: how many units can never, or almost never, be observed in it.

    ``n_zero`` counts units with estimated probability 0 (with Monte Carlo, "never seen in
    ``n_draws`` draws"), ``n_tiny`` those with ``0 < pi < tiny``. ``expected_units`` is the
    expected number of units observed in the condition under the design.
    """
    if not 0 < tiny < 1:
        raise ValueError(f"tiny must be in (0, 1), got {tiny}")
    pi = probs.marginal
    rows = []
    for k, label in enumerate(probs.labels):
        col = pi[:, k]
        rows.append({
            "condition": k, "label": label, "n_units": probs.n_units,
            "n_zero": int((col == 0).sum()), "n_tiny": int(((col > 0) & (col < tiny)).sum()),
            "share_positive": float((col > 0).mean()), "min_prob": float(col.min()),
            "median_prob": float(np.median(col)), "mean_prob": float(col.mean()),
            "max_prob": float(col.max()), "expected_units": float(col.sum()),
            "tiny_threshold": float(tiny), "n_draws": probs.n_draws,
        })
    return pd.DataFrame(rows)


def unit_probability_table(probs: ExposureProbabilities, extra: pd.DataFrame | None = None
                           ) -> pd.DataFrame:
    """Tidy long table: one row per (unit, condition) with its probability.

    ``extra`` (one row per unit, e.g. degree and block) is joined on the unit index.
    """
    n, k = probs.marginal.shape
    table = pd.DataFrame({
        "node": np.repeat(np.arange(n), k),
        "condition": np.tile(np.arange(k), n),
        "label": np.tile(np.asarray(probs.labels, dtype=object), n),
        "probability": probs.marginal.ravel(),
    })
    if extra is not None:
        if len(extra) != n:
            raise ValueError(f"extra must have one row per unit ({n}), got {len(extra)}")
        table = table.join(extra.reset_index(drop=True), on="node")
    return table
