"""Benchmark: vectorised wild cluster bootstrap and CR2 versus plain reference implementations.

Run single-threaded so the comparison is about algorithms, not BLAS threads::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_wild_bootstrap.py [--clusters 20 50]

For each number of clusters it times, on the same data:

* ``wild``: :func:`analysis.estimators.wild_bootstrap.wild_cluster_bootstrap` p-value (one weight
  matrix, no refits) against ``wild reference``: refit OLS with CR1 for every weight vector;
* ``cr2``: :func:`analysis.estimators.cluster_robust.cluster_robust_ols` with CR2 and
  Bell–McCaffrey df (batched per cluster size, G x G algebra) against ``cr2 reference``: full
  N x N annihilator and a matrix square root per cluster;

checks that both pairs agree and prints seconds and the speed ratio. Timings are not asserted
anywhere in the test suite.
"""

from __future__ import annotations

import argparse
import os

import numpy as np
from bench_bipartite import best_of  # the scripts' shared best-of-n timer
from scipy import linalg

from analysis.estimators.cluster_robust import cluster_robust_ols
from analysis.estimators.wild_bootstrap import bootstrap_weights, wild_cluster_bootstrap


def reference_wild_p(y, x, g, v):
    """Textbook restricted wild bootstrap: one OLS refit and CR1 per weight vector."""
    keep = [0]
    fitted = x[:, keep] @ np.linalg.lstsq(x[:, keep], y, rcond=None)[0]
    resid = y - fitted
    n_clusters = g.max() + 1
    n, k = x.shape
    corr = n_clusters / (n_clusters - 1) * (n - 1) / (n - k)

    def t_stat(yy):
        b = np.linalg.lstsq(x, yy, rcond=None)[0]
        e = yy - x @ b
        bread = np.linalg.inv(x.T @ x)
        s = np.zeros((n_clusters, k))
        for h in range(n_clusters):
            s[h] = x[g == h].T @ e[g == h]
        cov = corr * bread @ s.T @ s @ bread
        return b[1] / np.sqrt(cov[1, 1])

    t_obs = t_stat(y)
    t_star = np.array([t_stat(fitted + row[g] * resid) for row in v])
    return float(np.mean(np.abs(t_star) >= abs(t_obs) * (1 - 1e-10)))


def reference_cr2_se(y, x, g):
    n = y.size
    bread = np.linalg.inv(x.T @ x)
    m = np.eye(n) - x @ bread @ x.T
    e = m @ y
    meat = np.zeros((x.shape[1], x.shape[1]))
    for h in np.unique(g):
        idx = np.flatnonzero(g == h)
        a = linalg.inv(linalg.sqrtm(m[np.ix_(idx, idx)])).real
        s = x[idx].T @ a @ e[idx]
        meat += np.outer(s, s)
    return float(np.sqrt((bread @ meat @ bread)[1, 1]))


def run(n_clusters: int, repeats: int) -> None:
    rng = np.random.default_rng(n_clusters)
    sizes = rng.integers(5, 30, n_clusters)
    g = np.repeat(np.arange(n_clusters), sizes)
    t = np.repeat(np.arange(n_clusters) % 2, sizes).astype(float)
    y = rng.normal(size=n_clusters)[g] + rng.normal(size=g.size)
    x = np.column_stack([np.ones_like(y), t])
    v, _ = bootstrap_weights(n_clusters, "rademacher", 999, np.random.default_rng(1), 0)
    fast_t, fast = best_of(lambda: wild_cluster_bootstrap(
        y, x, g, n_draws=999, rng=np.random.default_rng(1), enumerate_max=0,
        interval=False).p_value, repeats)
    ref_t, ref = best_of(lambda: reference_wild_p(y, x, g, v), 1)
    assert abs(fast - ref) < 1e-12, (fast, ref)
    print(f"G={n_clusters:4d} N={g.size:6d}  wild {fast_t:8.4f}s  reference {ref_t:8.3f}s  "
          f"ratio {ref_t / fast_t:8.1f}x")
    fast_t, fit = best_of(lambda: cluster_robust_ols(y, x, g, "CR2"), repeats)
    ref_t, ref_se = best_of(lambda: reference_cr2_se(y, x, g), 1)
    assert abs(fit.std_errors[1] - ref_se) < 1e-8 * ref_se
    print(f"G={n_clusters:4d} N={g.size:6d}  cr2  {fast_t:8.4f}s  reference {ref_t:8.3f}s  "
          f"ratio {ref_t / fast_t:8.1f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, nargs="+", default=[20, 50])
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for comparable timings")
    for n_clusters in args.clusters:
        run(n_clusters, args.repeats)


if __name__ == "__main__":
    main()
