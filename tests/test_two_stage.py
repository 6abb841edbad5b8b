"""Hudgens–Halloran two-stage estimators against full enumeration of a tiny design.

Four groups of three; two groups get allocation psi, two get phi. Every assignment of the whole
experiment is enumerated with its probability, so expectations and variances are exact.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from analysis.design_based.two_stage import EFFECTS, two_stage_arrays, two_stage_effects

N_GROUPS, SIZE, C = 4, 3, 2
CODES = np.repeat(np.arange(N_GROUPS), SIZE)
ALLOCATIONS = {"complete": (1 / 3, 2 / 3), "bernoulli": (0.3, 0.7)}


def _within(design: str, allocation: float) -> tuple[np.ndarray, np.ndarray]:
    """Every assignment of one group under an allocation, with its probability."""
    z = np.array(list(itertools.product([0, 1], repeat=SIZE)), dtype=float)
    k = z.sum(axis=1)
    if design == "complete":
        keep = k == round(allocation * SIZE)
        return z[keep], np.full(keep.sum(), 1.0 / keep.sum())
    return z, allocation**k * (1 - allocation) ** (SIZE - k)


def _world(additive: bool) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(42 if additive else 43)
    base = rng.normal(size=(N_GROUPS, SIZE)) * 2 + rng.normal(size=(N_GROUPS, 1)) * 3
    if additive:
        return {"base": base, "tau": np.full((N_GROUPS, SIZE), 1.5),
                "gamma": np.full((N_GROUPS, 1), 2.0), "delta": np.zeros((N_GROUPS, SIZE))}
    return {"base": base, "tau": 1.5 + rng.normal(size=(N_GROUPS, SIZE)),
            "gamma": 2.0 + 1.5 * rng.normal(size=(N_GROUPS, 1)),
            "delta": rng.normal(size=(N_GROUPS, SIZE))}


def _outcomes(world: dict[str, np.ndarray], group: int, z: np.ndarray) -> np.ndarray:
    """Potential outcomes of one group's units for assignments ``z`` (m, SIZE)."""
    share = (z.sum(axis=1, keepdims=True) - z) / (SIZE - 1)
    return (world["base"][group] + world["tau"][group] * z + world["gamma"][group] * share
            + world["delta"][group] * z * share)


def _estimands(world, design) -> dict[str, float]:
    """Hudgens–Halloran estimands straight from their definition."""
    mean = {}
    for name, allocation in zip(("psi", "phi"), ALLOCATIONS[design], strict=True):
        z, p = _within(design, allocation)
        per_z = {0: [], 1: []}
        marginal = []
        for g in range(N_GROUPS):
            y = _outcomes(world, g, z)
            for value in (0, 1):
                hit = (z == value) * p[:, None]
                per_z[value].append(((y * hit).sum(axis=0) / hit.sum(axis=0)).mean())
            marginal.append((y * p[:, None]).sum(axis=0).mean())
        mean[name] = {1: np.mean(per_z[1]), 0: np.mean(per_z[0]), "all": np.mean(marginal)}
    return {"direct_psi": mean["psi"][1] - mean["psi"][0],
            "direct_phi": mean["phi"][1] - mean["phi"][0],
            "indirect": mean["psi"][0] - mean["phi"][0],
            "total": mean["psi"][1] - mean["phi"][0],
            "overall": mean["psi"]["all"] - mean["phi"]["all"]}


def _enumerate(world, design):
    """Estimates and variance estimates for every assignment, with probabilities."""
    psi, phi = ALLOCATIONS[design]
    within = {a: _within(design, a) for a in (psi, phi)}
    ys, zs, arms, pis_psi, pis_phi, probs = [], [], [], [], [], []
    for chosen in itertools.combinations(range(N_GROUPS), C):
        arm = np.where(np.isin(np.arange(N_GROUPS), chosen), 1, 2)
        options = [within[psi if a == 1 else phi] for a in arm]
        for pick in itertools.product(*[range(len(o[1])) for o in options]):
            z = np.concatenate([options[g][0][i] for g, i in enumerate(pick)])
            y = np.concatenate([_outcomes(world, g, options[g][0][i][None])[0]
                                for g, i in enumerate(pick)])
            prob = np.prod([options[g][1][i] for g, i in enumerate(pick)])
            share = np.bincount(CODES, weights=z) / SIZE
            ys.append(y)
            zs.append(z)
            arms.append(arm)
            pis_psi.append(np.full(N_GROUPS, psi) if design == "bernoulli" else share)
            pis_phi.append(np.full(N_GROUPS, phi) if design == "bernoulli" else share)
            probs.append(prob / 6)
    res = two_stage_arrays(np.array(ys), np.array(zs), CODES, np.array(arms),
                           np.array(pis_psi), np.array(pis_phi))
    return res, np.array(probs)


@pytest.mark.parametrize("design", ["complete", "bernoulli"])
@pytest.mark.parametrize("additive", [True, False])
def test_estimators_are_unbiased_and_variances_exact_or_conservative(design, additive):
    world = _world(additive)
    truth = _estimands(world, design)
    res, prob = _enumerate(world, design)
    assert prob.sum() == pytest.approx(1.0, abs=1e-12)
    for key in EFFECTS:
        mean = prob @ res.estimate[key]
        assert mean == pytest.approx(truth[key], abs=1e-10), key
        true_var = prob @ (res.estimate[key] - mean) ** 2
        expected_var = prob @ res.variance[key]
        if additive:
            assert expected_var == pytest.approx(true_var, abs=1e-10), key
        else:
            assert expected_var > true_var + 1e-6, key


def test_one_shot_estimator_matches_the_vectorised_core_and_reads_like_a_table():
    rng = np.random.default_rng(0)
    groups = np.repeat(np.arange(12), 5)
    saturation = np.repeat(np.array([0.2, 0.8, 0.5] * 4), 5)
    z = (rng.random(groups.size) < saturation).astype(int)
    y = 1 + z + 2 * np.bincount(groups, weights=z)[groups] / 5 + rng.normal(size=groups.size)
    res = two_stage_effects(y, z, groups, saturation, psi=0.8, phi=0.2, within="bernoulli")
    table = res.summary()
    assert table["effect"].tolist() == ["direct", "direct", "indirect", "total", "overall"]
    assert res.n_groups_psi == res.n_groups_phi == 4
    # overall effect by hand: mean of group means, psi groups minus phi groups
    means = np.bincount(groups, weights=y) / 5
    arm = saturation[::5]
    assert res.estimate["overall"] == pytest.approx(means[arm == 0.8].mean()
                                                    - means[arm == 0.2].mean(), rel=1e-12)
    se = np.sqrt(means[arm == 0.8].var(ddof=1) / 4 + means[arm == 0.2].var(ddof=1) / 4)
    assert res.std_error["overall"] == pytest.approx(se, rel=1e-12)
    row = table.iloc[4]
    assert row["ci_lower"] == pytest.approx(row["estimate"] - 1.959963984540054 * se, rel=1e-9)


def test_two_stage_rejects_bad_input():
    groups = np.repeat(np.arange(4), 3)
    alloc = np.repeat([0.3, 0.3, 0.7, 0.7], 3)
    z = np.tile([1, 0, 0], 4)
    y = np.arange(12.0)
    with pytest.raises(ValueError, match="allocation must be constant within each group"):
        two_stage_effects(y, z, groups, np.r_[0.7, alloc[1:]], 0.3, 0.7)
    with pytest.raises(ValueError, match="phi: allocation 0.5 needs at least 2 groups"):
        two_stage_effects(y, z, groups, alloc, 0.3, 0.5)
    with pytest.raises(ValueError, match="NaN"):
        two_stage_effects(np.r_[np.nan, y[1:]], z, groups, alloc, 0.3, 0.7)
    with pytest.raises(ValueError, match="every compared group needs treated and control"):
        two_stage_effects(y, np.r_[0, 0, 0, z[3:]], groups, alloc, 0.3, 0.7, within="complete")
