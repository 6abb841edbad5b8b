"""Packed Bernoulli re-randomizations and table look-up sums (the Bernoulli randomization test)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.design_based import packed_bernoulli as pb
from analysis.design_based.randomization_inference import bernoulli_randomization_test


@pytest.mark.parametrize("group_bits", [8, 4])
@pytest.mark.parametrize("n", [1, 7, 8, 13, 100])
def test_table_sums_equal_direct_sums(monkeypatch: pytest.MonkeyPatch, group_bits: int,
                                      n: int) -> None:
    if group_bits == 4:  # the large-n table, forced on small n
        monkeypatch.setattr(pb, "_BYTE_TABLE_MAX_UNITS", 0)
    rng = np.random.default_rng(n)
    y = rng.normal(size=n)
    z = rng.random((50, n)) < 0.4
    sums = pb.PackedOutcomeSums(y)
    assert sums.group_bits == group_bits
    counts, totals = sums(pb.pack_assignment(z))
    np.testing.assert_array_equal(counts, z.sum(axis=1))
    np.testing.assert_allclose(totals, z.astype(float) @ y, rtol=1e-13, atol=1e-13)


def test_table_sums_reject_a_wrong_width() -> None:
    with pytest.raises(ValueError, match=r"shape \(R, 2\)"):
        pb.PackedOutcomeSums(np.ones(13))(np.zeros((3, 3), dtype=np.uint8))


@pytest.mark.parametrize("p", [0.5, 0.3, 1 / 3, 0.001, 0.999])
def test_packed_draws_are_bernoulli_p_per_unit(p: float) -> None:
    n, draws = 21, 40_000
    packed = pb.packed_bernoulli(p, draws, n, np.random.default_rng(7))
    assert packed.shape == (draws, 3) and packed.dtype == np.uint8
    z = np.unpackbits(packed, axis=1)
    assert not z[:, n:].any()  # padding bits are cleared
    share = z[:, :n].mean(axis=0)  # every unit (bit position) separately
    se = np.sqrt(p * (1 - p) / draws)
    assert np.abs(share - p).max() < 5 * se
    overall = z[:, :n].mean()
    assert abs(overall - p) < 4 * np.sqrt(p * (1 - p) / (draws * n))
    # neighbouring units in a byte are independent: joint frequency of both treated is p^2
    both = (z[:, 0] & z[:, 1]).mean()
    assert abs(both - p * p) < 5 * np.sqrt(p * p * (1 - p * p) / draws)


def test_packed_draws_reject_degenerate_probability() -> None:
    with pytest.raises(ValueError, match="probability"):
        pb.packed_bernoulli(1.0, 3, 4, np.random.default_rng(0))


def _exact_p_value(y: np.ndarray, t: np.ndarray, p: float) -> float:
    """P(|T(Z)| >= |T(t)|) over all Bernoulli(p) assignments with both arms, by enumeration."""
    def stat(z: np.ndarray) -> float:
        return y[z == 1].mean() - y[z == 0].mean()

    observed = abs(stat(t))
    mass = extreme = 0.0
    for bits in itertools.product((0, 1), repeat=y.size):
        z = np.array(bits)
        if 0 < z.sum() < y.size:
            prob = p ** z.sum() * (1 - p) ** (y.size - z.sum())
            mass += prob
            extreme += prob * (abs(stat(z)) >= observed - 1e-12)
    return extreme / mass


@pytest.mark.parametrize("p", [0.5, 0.3])
def test_randomization_p_value_agrees_with_enumeration(p: float) -> None:
    rng = np.random.default_rng(11)
    y = rng.normal(size=10)
    t = np.array([1, 0, 1, 1, 0, 0, 1, 0, 0, 1])
    exact = _exact_p_value(y, t, p)
    draws = 20_000
    res = bernoulli_randomization_test(y, t, p, draws, np.random.default_rng(12))
    assert res.n_valid < draws  # draws with an empty arm are dropped, not counted
    assert abs(res.p_value - exact) < 4 * np.sqrt(exact * (1 - exact) / res.n_valid)
    assert res.statistic == pytest.approx(y[t == 1].mean() - y[t == 0].mean())


def test_null_draws_equal_the_difference_in_means_of_the_same_draws() -> None:
    rng = np.random.default_rng(13)
    y = rng.normal(size=37) + 100.0  # a large mean: sums are centred first
    t = (np.arange(37) % 3 == 0).astype(int)
    res = bernoulli_randomization_test(y, t, 0.3, 500, np.random.default_rng(14))
    z = np.unpackbits(pb.packed_bernoulli(0.3, 500, 37, np.random.default_rng(14)),
                      axis=1)[:, :37].astype(bool)
    direct = np.array([y[row].mean() - y[~row].mean() for row in z])
    np.testing.assert_allclose(res.null_draws, direct, rtol=0, atol=1e-12)
