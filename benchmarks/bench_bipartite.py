"""Benchmark: sparse buyer-exposure mapping versus a plain pandas/Python reference.

Run single-threaded so the comparison is about algorithms, not BLAS threads::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/bench_bipartite.py [--scales 1 10]

Scale 1 is the book's marketplace (10,000 sellers, 100,000 buyers); scale 10 is ten times both.
For each scale it times, with the same graph and assignment:

* ``sparse``: :func:`analysis.worlds.bipartite_marketplace.buyer_exposure` (one CSR product);
* ``reference``: the textbook pandas version - merge edges with assignments, group by buyer,
  label each buyer with a row-wise Python function;
* ``estimate``: the Hajek direct/indirect contrasts with seller-overlap SEs (sparse);

checks that both exposure implementations agree, and prints seconds and the speed ratio.
Timings are not asserted anywhere in the test suite.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
import pandas as pd

from analysis.worlds import bipartite_estimates as be
from analysis.worlds import bipartite_marketplace as bm


def reference_exposure(edges: pd.DataFrame, assignment: pd.Series) -> pd.DataFrame:
    """Merge + groupby + row-wise labelling, as a first implementation would do it."""
    merged = edges.merge(assignment.rename("treatment"), left_on="seller_id", right_index=True)
    stats = merged.groupby("buyer_id").agg(n_sellers=("treatment", "count"),
                                           n_treated=("treatment", "sum")).reset_index()
    stats["treat_frac"] = stats["n_treated"] / stats["n_sellers"]

    def label(row: pd.Series) -> str:
        if row["treat_frac"] == 1.0:
            return "all"
        if row["treat_frac"] == 0.0:
            return "none"
        return "mixed"

    stats["exposure"] = stats.apply(label, axis=1)
    return stats


def best_of(fn, repeats: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - start)
    return best, result


def run_scale(scale: int, seed: int, repeats: int) -> dict[str, float]:
    params = bm.BipartiteParams(n_sellers=10_000 * scale, n_buyers=100_000 * scale)
    rng = np.random.default_rng(seed)
    t_graph, graph = best_of(lambda: bm.build_graph(params, rng), 1)
    treatment = (rng.random(params.n_sellers) < params.treat_p).astype(np.int8)
    coo = graph.tocoo()
    edges = pd.DataFrame({"buyer_id": coo.row, "seller_id": coo.col})
    assignment = pd.Series(treatment, index=np.arange(params.n_sellers))

    t_sparse, exposure = best_of(lambda: bm.buyer_exposure(graph, treatment), repeats)
    t_ref, ref = best_of(lambda: reference_exposure(edges, assignment), 1)
    labels = np.asarray(bm.CONDITIONS)[exposure.condition]
    ref = ref.sort_values("buyer_id")
    if not (np.array_equal(ref["n_treated"].to_numpy(), exposure.n_treated)
            and np.array_equal(ref["exposure"].to_numpy(), labels)):
        raise AssertionError("sparse and reference exposures disagree")
    y = bm.simulate_outcomes(graph, exposure, params, rng)
    t_est, _ = best_of(lambda: be.bipartite_estimates(graph, exposure, y, params), repeats)
    return {"scale": scale, "sellers": params.n_sellers, "buyers": params.n_buyers,
            "links": graph.nnz, "graph_s": t_graph, "sparse_exposure_s": t_sparse,
            "reference_exposure_s": t_ref, "ratio_reference_over_sparse": t_ref / t_sparse,
            "estimates_s": t_est}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1, 10])
    parser.add_argument("--seed", type=int, default=4621)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for single-threaded timings")
    rows = [run_scale(s, args.seed, args.repeats) for s in args.scales]
    table = pd.DataFrame(rows)
    with pd.option_context("display.width", 200, "display.max_columns", 20):
        print(table.to_string(index=False, float_format=lambda x: f"{x:,.3f}"))


if __name__ == "__main__":
    main()
