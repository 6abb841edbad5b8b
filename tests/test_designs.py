"""Randomization designs: exact counts, marginal probabilities, determinism, input errors."""

from __future__ import annotations

import numpy as np
import pytest

from analysis.designs import assignment
from analysis.designs.assignment import (
    bernoulli_assignment,
    cluster_assignment,
    complete_assignment,
    encode_clusters,
    randomized_saturation_assignment,
)


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def test_bernoulli_marginal_probability_and_shape():
    draws = bernoulli_assignment(50, 0.3, rng(1), n_draws=4000)
    assert draws.shape == (4000, 50) and draws.dtype == np.int8
    # 200,000 coin flips: the mean is within 5 standard errors of 0.3
    assert abs(draws.mean() - 0.3) < 5 * np.sqrt(0.3 * 0.7 / draws.size)
    assert set(np.unique(draws)) == {0, 1}


def test_bernoulli_is_deterministic_given_seed():
    a = bernoulli_assignment(100, 0.5, rng(7))
    b = bernoulli_assignment(100, 0.5, rng(7))
    assert np.array_equal(a, b)


def test_bernoulli_blocks_read_the_same_uniforms_as_one_draw(monkeypatch):
    """Blocks of uniforms in a reused buffer give the coins of one ``rng.random`` call (same
    stream, same values), whether the blocks split rows or not, and leave the generator at the
    same state."""
    expected_rng, blocked_rng = rng(12), rng(12)
    expected = (expected_rng.random((7, 30)) < 0.35).view(np.int8)
    monkeypatch.setattr(assignment, "BERNOULLI_BLOCK", 13)  # 210 cells: 17 blocks, uneven
    assert np.array_equal(bernoulli_assignment(30, 0.35, blocked_rng, n_draws=7), expected)
    assert expected_rng.random() == blocked_rng.random()
    single = bernoulli_assignment(30, 0.35, rng(12))
    assert np.array_equal(single, expected[0]) and single.shape == (30,)


def test_complete_assignment_exact_count_and_uniform_inclusion():
    draws = complete_assignment(10, rng(2), n_treated=3, n_draws=20000)
    assert (draws.sum(axis=1) == 3).all()
    inclusion = draws.mean(axis=0)
    assert np.allclose(inclusion, 0.3, atol=5 * np.sqrt(0.3 * 0.7 / 20000))
    single = complete_assignment(24, rng(3), p=0.8)
    assert single.shape == (24,) and single.sum() == 19  # round(19.2)


def test_cluster_assignment_constant_within_cluster_and_exact_cluster_count():
    clusters = np.repeat(np.arange(12), 5)
    draws = cluster_assignment(clusters, 0.5, rng(4), n_draws=300)
    per_cluster = draws.reshape(300, 12, 5)
    assert (per_cluster.min(axis=2) == per_cluster.max(axis=2)).all()
    assert (per_cluster[:, :, 0].sum(axis=1) == 6).all()


def test_cluster_assignment_accepts_string_labels_and_bernoulli_mode():
    labels = np.array(["b", "a", "b", "c", "a"])
    codes, n = encode_clusters(labels)
    assert n == 3 and codes.tolist() == [1, 0, 1, 2, 0]
    a = cluster_assignment(labels, 0.5, rng(5), complete=False, n_draws=2000)
    assert (a[:, 0] == a[:, 2]).all() and (a[:, 1] == a[:, 4]).all()
    assert abs(a[:, 3].mean() - 0.5) < 0.05


def test_randomized_saturation_bernoulli_within():
    clusters = np.repeat(np.arange(300), 24)
    out = randomized_saturation_assignment(clusters, [0.2, 0.5, 0.8], rng(6))
    assert set(np.unique(out.cluster_saturation)) <= {0.2, 0.5, 0.8}
    assert np.array_equal(out.unit_saturation, np.repeat(out.cluster_saturation, 24))
    # treatment rate inside each saturation arm matches the arm's saturation
    for s in (0.2, 0.5, 0.8):
        rate = out.treatment[out.unit_saturation == s].mean()
        n_units = (out.unit_saturation == s).sum()
        assert abs(rate - s) < 5 * np.sqrt(s * (1 - s) / n_units)


def test_randomized_saturation_complete_within_exact_counts_over_draws():
    clusters = np.repeat(np.arange(8), [3, 5, 7, 9, 3, 5, 7, 9])
    out = randomized_saturation_assignment(clusters, [0.0, 0.5, 1.0], rng(8), within="complete",
                                           saturation_probs=[0.2, 0.3, 0.5], n_draws=500)
    codes, n_clusters = encode_clusters(clusters)
    sizes = np.bincount(codes)
    treated_per_cluster = np.stack([np.bincount(codes, weights=row, minlength=n_clusters)
                                    for row in out.treatment[:5]])
    assert np.array_equal(treated_per_cluster,
                          np.round(out.cluster_saturation[:5] * sizes))
    # stage-1 probabilities are respected
    assert abs((out.cluster_saturation == 1.0).mean() - 0.5) < 0.03


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="p must be a probability"):
        bernoulli_assignment(10, 1.5, rng())
    with pytest.raises(ValueError, match="n must be a positive integer"):
        bernoulli_assignment(0, 0.5, rng())
    with pytest.raises(TypeError, match="rng must be a numpy.random.Generator"):
        bernoulli_assignment(10, 0.5, 42)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="exactly one of p"):
        complete_assignment(10, rng())
    with pytest.raises(ValueError, match="n_treated must be"):
        complete_assignment(10, rng(), n_treated=11)
    with pytest.raises(ValueError, match="saturation_probs"):
        randomized_saturation_assignment([0, 0, 1], [0.2, 0.8], rng(), saturation_probs=[1.0])
    with pytest.raises(ValueError, match="within must be"):
        randomized_saturation_assignment([0, 0, 1], [0.2], rng(), within="poisson")
