"""Benchmark every hot path against a plain reference and against the memory-bandwidth bound.

Run single-threaded (``make bench`` does)::

    OPENBLAS_NUM_THREADS=1 .venv/bin/python benchmarks/hot_paths.py [--quick] [--only CASE ...]

For each hot path and size it records

* ``seconds``: the vectorised implementation in ``analysis`` (best of a few runs);
* ``reference_seconds``: a plain implementation (pandas groupby/apply or Python loops), timed
  on a subsample and extrapolated linearly where the full size would take minutes
  (``reference_extrapolated``); both results are checked to agree on the subsample;
* ``speedup`` = reference / vectorised (target >= 50);
* ``peak_mb``: peak NumPy/Python allocations of one vectorised run (tracemalloc);
* ``bytes_touched``: bytes the computation must read and write at least once (its index
  arrays, inputs and outputs); ``bound_seconds`` = bytes / copy bandwidth measured in the same
  run, and ``ratio_to_bound`` = seconds / bound_seconds (target <= 5);
* ``limited_by`` and ``limit_seconds``, for rows more than 5 times above their bound: what
  limits the computation (random-number generation, scipy's sparse product, ...) and the time
  of that step alone on the same inputs, measured in the same run.

Rows for the million-node scale build (config/scale.yaml) come from Snakemake's per-rule
benchmark files when that build exists. The table is printed and written atomically to
``results/benchmarks.csv``; :func:`analysis.report.benchmarks.load_benchmarks` reads it.
Timings are never asserted by the test suite.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from bench_exposure import SEED_SPEC, networkx_louvain  # benchmarks/: the script's folder

from analysis.atomic import atomic_path
from analysis.design_based.packed_bernoulli import PackedOutcomeSums, packed_bernoulli
from analysis.design_based.randomization_inference import bernoulli_randomization_test
from analysis.designs.graph_cluster import leiden_iterations, partition_graph
from analysis.estimators import batched
from analysis.estimators.bootstrap import bootstrap_count_weights, cluster_bootstrap
from analysis.exposure import neighbor
from analysis.exposure.probabilities import monte_carlo_exposure_probabilities
from analysis.report.benchmarks import BENCHMARK_COLUMNS, BOUND_TARGET, LIMIT_COLUMNS
from analysis.worlds import bipartite_marketplace as bm
from analysis.worlds.network import NetworkGraph, sample_sbm

#: Scale-build rules (config/scale.yaml) -> (computation, size) as the table shows them.
SCALE_RULES = {
    "worlds_network_partition": ("network partition step (scale build)", "1,000,000 nodes"),
    "worlds_network": ("network world step (scale build)", "1,000,000 nodes"),
    "worlds_network_design": ("network design step (scale build)", "1,000,000 nodes"),
    "worlds_bipartite": ("bipartite world step (scale build)", "1,000,000 buyers"),
}


def best_time(fn: Callable[[], Any], repeats: int) -> tuple[float, Any]:
    best, out = float("inf"), None
    for _ in range(repeats):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def peak_mb(fn: Callable[[], Any]) -> float:
    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def copy_bandwidth(n_bytes: int = 1 << 28) -> float:
    """Bytes per second of a large array copy (read + write counted)."""
    src = np.ones(n_bytes // 8)
    dst = np.empty_like(src)
    seconds, _ = best_time(lambda: np.copyto(dst, src), 5)
    return 2 * src.nbytes / seconds


#: What limits a computation, in reader words, and that step alone on the same inputs.
Limit = tuple[str, Callable[[], Any]]


class Recorder:
    def __init__(self, bandwidth: float) -> None:
        self.bandwidth = bandwidth
        self.rows: list[dict[str, Any]] = []

    def add(self, hot_path: str, size: int, size_label: str, fn: Callable[[], Any],
            reference_seconds: float, extrapolated: bool, bytes_touched: float,
            repeats: int = 3, limit: Limit | None = None) -> None:
        seconds, _ = best_time(fn, repeats)
        bound = bytes_touched / self.bandwidth
        limited_by, limit_seconds = "", float("nan")
        if limit is not None and seconds / bound > BOUND_TARGET:
            limited_by, limit_seconds = limit[0], best_time(limit[1], repeats)[0]
        self.rows.append({
            "hot_path": hot_path, "size": size, "size_label": size_label, "seconds": seconds,
            "reference_seconds": reference_seconds, "reference_extrapolated": extrapolated,
            "speedup": reference_seconds / seconds, "peak_mb": peak_mb(fn),
            "bytes_touched": bytes_touched, "bound_seconds": bound,
            "ratio_to_bound": seconds / bound, "copy_bandwidth_gbs": self.bandwidth / 1e9,
            "limited_by": limited_by, "limit_seconds": limit_seconds,
        })
        row = self.rows[-1]
        print(f"  {hot_path:<34} {size_label:<34} {seconds:9.4f}s  ref {reference_seconds:10.2f}s"
              f"  x{row['speedup']:8.1f}  bound x{row['ratio_to_bound']:6.1f}"
              + (f"  limit: {limited_by} {limit_seconds:.4f}s" if limited_by else ""), flush=True)


# --- limiting steps alone ----------------------------------------------------------------------

SPARSE_PRODUCT = "scipy's sparse product"


def sparse_product(matrix: Any, columns: np.ndarray) -> Callable[[], Any]:
    """The sparse product alone: ``matrix @ columns`` on arrays prepared beforehand."""
    return lambda: matrix @ columns


def link_reductions(adj: sp.csr_array, draws: int, calls: int) -> Callable[[], Any]:
    """The bit-parallel any/all reductions alone: gather each node's packed neighbour words and
    OR / AND them, once per 64 assignments and per call of a mapping."""
    words = np.random.default_rng(0).integers(0, 1 << 63, (-(-draws // 64), adj.shape[0]),
                                              dtype=np.uint64)
    starts = adj.indptr[:-1][np.diff(adj.indptr) > 0]  # isolated nodes have no links

    def run() -> None:
        for _ in range(calls):
            for row in words:
                gathered = row[adj.indices]
                np.bitwise_or.reduceat(gathered, starts)
                np.bitwise_and.reduceat(gathered, starts)

    return run


def label_encoding_and_contractions(y: np.ndarray, x: np.ndarray, clusters: np.ndarray
                                    ) -> Callable[[], Any]:
    """The cluster indicator and the three einsum contractions over rows of ``batched.ols``
    (X'X, X'y, fitted values), alone."""
    xr, yr, beta = x[None], y[None], np.ones((1, x.shape[1]))

    def run() -> None:
        batched.cluster_indicator(clusters)
        np.einsum("rnk,rnl->rkl", xr, xr)
        np.einsum("rnk,rn->rk", xr, yr)
        np.einsum("rnk,rk->rn", xr, beta)

    return run


# --- plain references ------------------------------------------------------------------------

def loop_exposure(graph: NetworkGraph, z: np.ndarray, nodes: int
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Share, four-way and full-neighbourhood codes of the first ``nodes`` nodes, by loops."""
    adj = graph.adjacency
    shares = np.zeros((z.shape[0], nodes))
    four = np.zeros((z.shape[0], nodes), dtype=np.int8)
    full = np.zeros((z.shape[0], nodes), dtype=np.int8)
    for r in range(z.shape[0]):
        for i in range(nodes):
            nbrs = adj.indices[adj.indptr[i]:adj.indptr[i + 1]]
            count = int(z[r, nbrs].sum())
            shares[r, i] = count / len(nbrs) if len(nbrs) else 0.0
            four[r, i] = 2 * z[r, i] + (count > 0)
            full[r, i] = (0 if z[r, i] == 0 and count == 0 else
                          1 if z[r, i] == 1 and count == len(nbrs) else 2)
    return shares, four, full


def pandas_buyer_exposure(edges: pd.DataFrame, treatment: pd.Series) -> pd.DataFrame:
    """Merge + groupby + row-wise labelling, as a first implementation would do it."""
    merged = edges.merge(treatment.rename("treatment"), left_on="seller_id", right_index=True)
    stats = merged.groupby("buyer_id").agg(n_sellers=("treatment", "count"),
                                           n_treated=("treatment", "sum")).reset_index()
    stats["share"] = stats["n_treated"] / stats["n_sellers"]
    stats["exposure"] = stats.apply(
        lambda row: "all" if row["share"] == 1 else "none" if row["share"] == 0 else "mixed",
        axis=1)
    return stats


def pandas_bootstrap(frame: pd.DataFrame, n_replicates: int, rng: np.random.Generator
                     ) -> np.ndarray:
    """Resample clusters with replacement and recompute the difference in means, per replicate."""
    groups = dict(tuple(frame.groupby("cluster")))
    labels = np.array(list(groups))
    out = []
    for _ in range(n_replicates):
        sample = pd.concat([groups[g] for g in rng.choice(labels, size=labels.size)])
        means = sample.groupby("treated")["y"].mean()
        out.append(means.get(1, np.nan) - means.get(0, np.nan))
    return np.asarray(out)


def pandas_cluster_se(frame: pd.DataFrame, xcols: list[str]) -> np.ndarray:
    """OLS, then the CR1 meat summed cluster by cluster with groupby.apply."""
    x = frame[xcols].to_numpy()
    y = frame["y"].to_numpy()
    beta, *_ = np.linalg.lstsq(x, y, rcond=None)
    frame = frame.assign(resid=y - x @ beta)
    bread = np.linalg.inv(x.T @ x)
    scores = frame.groupby("cluster").apply(
        lambda g: pd.Series(g[xcols].to_numpy().T @ g["resid"].to_numpy()),
        include_groups=False)
    meat = scores.to_numpy().T @ scores.to_numpy()
    n, k, g = len(frame), len(xcols), len(scores)
    cov = g / (g - 1) * (n - 1) / (n - k) * bread @ meat @ bread
    return np.sqrt(np.diag(cov))


def loop_randomization(y: np.ndarray, p: float, n_draws: int, rng: np.random.Generator
                       ) -> np.ndarray:
    frame = pd.DataFrame({"y": y})
    out = []
    for _ in range(n_draws):
        means = frame.groupby(rng.random(y.size) < p)["y"].mean()
        out.append(means.get(True, np.nan) - means.get(False, np.nan))
    return np.asarray(out)


# --- cases -----------------------------------------------------------------------------------

def bench_network_exposure(rec: Recorder, sizes: list[int], rng: np.random.Generator) -> None:
    for n in sizes:
        graph = sample_sbm(SEED_SPEC.scaled(n), rng)
        adj, nnz = graph.adjacency, graph.adjacency.nnz
        draws = 64
        z = (rng.random((draws, n)) < 0.35).astype(np.int8)
        sub = min(n, 2_000)
        start = time.perf_counter()
        ref_share, ref_four, ref_full = loop_exposure(graph, z[:2], sub)
        per_node_draw = (time.perf_counter() - start) / (2 * sub)
        assert np.allclose(neighbor.neighbor_share(adj, z[:2])[:, :sub], ref_share)
        assert np.array_equal(neighbor.four_way_condition(adj, z[:2])[:, :sub], ref_four)
        assert np.array_equal(neighbor.full_neighborhood_condition(adj, z[:2])[:, :sub],
                              ref_full)
        reference = per_node_draw * n * draws
        # the graph's index arrays at 4 bytes per link (the narrowest type that indexes the
        # nodes; the stored arrays are int64, which this bound does not charge)
        index_bytes = 4 * nnz + 8 * (n + 1)
        label = f"{n:,} nodes × {draws} assignments"
        # the graph is checked once, as the pipeline does (checked_adjacency); the symmetry
        # check costs more than a mapping and is not part of it
        checked = neighbor.checked_adjacency(adj)
        pattern = sp.csr_array((np.ones(nnz, dtype=np.float32), checked.matrix.indices,
                                checked.matrix.indptr), shape=adj.shape)
        rec.add("neighbour share", n, label,
                lambda checked=checked, z=z: neighbor.neighbor_share(checked, z),
                reference, True, index_bytes + draws * n * (1 + 8),
                limit=(SPARSE_PRODUCT,
                       sparse_product(pattern, np.ascontiguousarray(z.T, dtype=np.float32))))
        rec.add("exposure conditions (four-way + full)", n, label,
                lambda checked=checked, z=z: (neighbor.four_way_condition(checked, z),
                                              neighbor.full_neighborhood_condition(checked, z)),
                reference, True, 2 * (index_bytes + draws * n * (1 + 1)),
                limit=("gathers and reductions over links",
                       link_reductions(checked.matrix, draws, calls=2)))


def bench_bipartite(rec: Recorder, buyers: list[int], rng: np.random.Generator) -> None:
    for n_buyers in buyers:
        params = bm.BipartiteParams(n_sellers=n_buyers // 10, n_buyers=n_buyers)
        graph = bm.build_graph(params, rng)
        treatment = (rng.random(params.n_sellers) < 0.5).astype(np.int8)
        sub = min(n_buyers, 100_000)
        coo = graph[:sub].tocoo()
        edges = pd.DataFrame({"buyer_id": coo.row, "seller_id": coo.col})
        start = time.perf_counter()
        ref = pandas_buyer_exposure(edges, pd.Series(treatment))
        reference = (time.perf_counter() - start) * n_buyers / sub
        fast = bm.buyer_exposure(graph, treatment)
        assert np.array_equal(ref["n_treated"].to_numpy(), fast.n_treated[:sub])
        touched = (graph.indices.nbytes + graph.indptr.nbytes + params.n_sellers
                   + n_buyers * (3 * 8 + 1))  # links, treatments; degree, count, share, code
        rec.add("bipartite buyer exposure", n_buyers,
                f"{n_buyers:,} buyers, {params.n_sellers:,} sellers",
                lambda graph=graph, treatment=treatment: bm.buyer_exposure(graph, treatment),
                reference, sub < n_buyers, touched,
                limit=(SPARSE_PRODUCT, sparse_product(graph, treatment.astype(np.float64))))


def bench_bootstrap(rec: Recorder, rng: np.random.Generator) -> None:
    n, g, reps = 36_000, 3_000, 2_000
    clusters = rng.integers(0, g, n)
    treated = (rng.random(g) < 0.5).astype(np.int8)[clusters]
    y = rng.normal(size=n) + treated
    frame = pd.DataFrame({"y": y, "treated": treated, "cluster": clusters})
    ref_reps = 20
    start = time.perf_counter()
    pandas_bootstrap(frame, ref_reps, np.random.default_rng(1))
    reference = (time.perf_counter() - start) * reps / ref_reps
    touched = 3 * 8 * n + reps * g * (8 + 4 + 4) + 8 * reps
    rec.add("cluster bootstrap", n, f"{n:,} rows, {g:,} clusters, {reps:,} replicates",
            lambda: cluster_bootstrap(y, treated, clusters, reps, np.random.default_rng(2)),
            reference, True, touched,
            limit=("drawing and counting clusters",
                   lambda: bootstrap_count_weights(g, reps, np.random.default_rng(2))))


def bench_cluster_se(rec: Recorder, sizes: list[int], rng: np.random.Generator) -> None:
    sub = 36_000
    for n in sizes:
        clusters = rng.integers(0, max(2, n // 12), n)
        x = np.column_stack([np.ones(n), rng.random(n) < 0.5, rng.normal(size=n)])
        y = x @ np.array([1.0, 0.5, 0.2]) + rng.normal(size=n)
        m = min(n, sub)
        frame = pd.DataFrame({"y": y[:m], "x0": x[:m, 0], "x1": x[:m, 1], "x2": x[:m, 2],
                              "cluster": clusters[:m]})
        start = time.perf_counter()
        ref_se = pandas_cluster_se(frame, ["x0", "x1", "x2"])
        reference = (time.perf_counter() - start) * n / m
        fast = batched.ols(y[:m], x[:m], clusters=clusters[:m])
        assert np.allclose(fast.std_error[0], ref_se)
        touched = 8 * n * (1 + 3 + 1) + 8 * n  # y, X, clusters read; residuals written
        rec.add("cluster-robust SE (OLS, CR1)", n, f"{n:,} rows, {n // 12:,} clusters",
                lambda y=y, x=x, clusters=clusters: batched.ols(y, x, clusters=clusters),
                reference, m < n, touched,
                limit=("cluster-label encoding and sums over rows",
                       label_encoding_and_contractions(y, x, clusters)))


def bench_randomization(rec: Recorder, rng: np.random.Generator) -> None:
    n, draws, p = 10_000, 10_000, 0.5
    treated = (rng.random(n) < p).astype(np.int8)
    y = rng.normal(size=n) + 0.1 * treated
    ref_draws = 200
    start = time.perf_counter()
    loop_randomization(y, p, ref_draws, np.random.default_rng(1))
    reference = (time.perf_counter() - start) * draws / ref_draws
    # outcomes, one bit per re-randomized assignment (its entropy at p = 1/2), the statistics
    touched = 8 * n + draws * n / 8 + 8 * draws
    sums = PackedOutcomeSums(y)
    chunk = 100
    packed = [packed_bernoulli(p, chunk, n, np.random.default_rng(3))
              for _ in range(draws // chunk)]
    rec.add("randomization inference", draws,
            f"{draws:,} re-randomizations of {n:,} units",
            lambda: bernoulli_randomization_test(y, treated, p, draws,
                                                 np.random.default_rng(3)),
            reference, True, touched, repeats=3,
            limit=("table look-ups, one per 8 units",
                   lambda: [sums(block) for block in packed]))


def bench_mc_probabilities(rec: Recorder, rng: np.random.Generator) -> None:
    n, draws = 10_000, 10_000
    graph = sample_sbm(SEED_SPEC.scaled(n), rng)
    adj = graph.adjacency

    def sample(r: int, gen: np.random.Generator) -> np.ndarray:
        return (gen.random((r, n)) < 0.35).astype(np.int8)

    ref_draws, sub = 2, 2_000
    z = sample(ref_draws, np.random.default_rng(1))
    start = time.perf_counter()
    loop_exposure(graph, z, sub)
    reference = (time.perf_counter() - start) * (n / sub) * (draws / ref_draws)
    # uniform draws (8 bytes), assignments and codes (1 byte each), the index arrays per chunk
    touched = draws * n * (8 + 1 + 1) + draws / 2_000 * (4 * adj.nnz) + 8 * 4 * n
    checked = neighbor.checked_adjacency(adj)  # once, as the pipeline's design step does

    def uniforms() -> None:
        gen = np.random.default_rng(4)
        for _ in range(draws // 2_000):
            gen.random((2_000, n))

    rec.add("Monte Carlo exposure probabilities", n, f"{n:,} nodes × {draws:,} draws",
            lambda: monte_carlo_exposure_probabilities(
                sample, lambda zz: neighbor.four_way_condition(checked, zz),
                neighbor.FOUR_WAY_LABELS, draws, np.random.default_rng(4), chunk_size=2_000),
            reference, True, touched, repeats=1,
            limit=("random-number generation", uniforms))


def bench_partition(rec: Recorder, sizes: list[int], rng: np.random.Generator) -> None:
    per_edge = None
    partition_graph(sample_sbm(SEED_SPEC, rng), "leiden", 1.0, 1)  # import igraph once, untimed
    for n in sizes:
        graph = sample_sbm(SEED_SPEC.scaled(n), rng)
        if n <= 20_000:
            _, reference = networkx_louvain(graph)
            per_edge = reference / graph.n_edges
            extrapolated = False
        else:
            reference, extrapolated = per_edge * graph.n_edges, True
        touched = 16 * graph.n_edges + 8 * n
        rec.add("graph partitioning (Leiden)", n, f"{n:,} nodes, {graph.n_edges:,} edges",
                lambda graph=graph: partition_graph(graph, "leiden", 1.0, 1), reference, extrapolated,
                touched, repeats=1, limit=("igraph's Leiden iterations", leiden_alone(graph)))


def leiden_alone(graph: NetworkGraph) -> Callable[[], Any]:
    """igraph's Leiden on a prebuilt igraph graph, as partition_graph runs it (no conversion)."""
    import igraph

    g = igraph.Graph(n=graph.n_nodes, edges=graph.edges, directed=False)
    iterations = leiden_iterations(graph.n_nodes)
    return lambda: g.community_leiden(objective_function="modularity", n_iterations=iterations)


def scale_rows(log_dir: Path) -> list[dict[str, Any]]:
    """Time and peak memory of the scale build's rules (Snakemake benchmark files)."""
    rows = []
    for rule, (hot_path, label) in SCALE_RULES.items():
        path = log_dir / f"{rule}.tsv"
        if not path.exists():
            continue
        bench = pd.read_csv(path, sep="\t")
        rows.append({"hot_path": hot_path, "size": 1_000_000, "size_label": label,
                     "seconds": float(bench["s"].iloc[-1]),
                     "peak_mb": float(bench["max_rss"].iloc[-1])})
    return rows


def machine_facts() -> dict[str, Any]:
    """Cores, CPU model and UTC date of this run (recorded with the tracked table)."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {"machine_cores": os.cpu_count(), "machine_cpu": cpu,
            "run_date": datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d")}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=Path("results/benchmarks.csv"))
    parser.add_argument("--scale-logs", type=Path, default=Path("build/scale/logs/benchmarks"))
    parser.add_argument("--tracked", type=Path, default=Path("benchmarks/last-run.csv"),
                        help="the same table with the machine's facts, kept in the repository "
                             "for the reproducibility appendix (not written by --quick runs)")
    parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run)")
    parser.add_argument("--seed", type=int, default=20260501)
    parser.add_argument("--only", nargs="+", metavar="CASE",
                        help="run only these cases (network, bipartite, bootstrap, cluster-se, "
                             "randomization, mc-probabilities, partition); the tracked table is "
                             "then not written")
    args = parser.parse_args()
    if os.environ.get("OPENBLAS_NUM_THREADS") != "1":
        print("note: set OPENBLAS_NUM_THREADS=1 for single-threaded timings")
    rng = np.random.default_rng(args.seed)
    bandwidth = copy_bandwidth()
    print(f"copy bandwidth: {bandwidth / 1e9:.1f} GB/s (read + write)")
    rec = Recorder(bandwidth)
    quick = args.quick
    cases: dict[str, Callable[[], None]] = {
        "network": lambda: bench_network_exposure(
            rec, [10_000, 100_000] if quick else [10_000, 100_000, 1_000_000], rng),
        "bipartite": lambda: bench_bipartite(rec, [100_000] if quick else [100_000, 1_000_000],
                                             rng),
        "bootstrap": lambda: bench_bootstrap(rec, rng),
        "cluster-se": lambda: bench_cluster_se(rec, [36_000] if quick else [36_000, 5_000_000],
                                               rng),
        "randomization": lambda: bench_randomization(rec, rng),
        "mc-probabilities": lambda: bench_mc_probabilities(rec, rng),
        "partition": lambda: bench_partition(
            rec, [2_000, 20_000] if quick else [2_000, 20_000, 200_000, 1_000_000], rng),
    }
    unknown = sorted(set(args.only or ()) - set(cases))
    if unknown:
        parser.error(f"--only: unknown case(s) {unknown}; expected some of {sorted(cases)}")
    for name, case in cases.items():
        if not args.only or name in args.only:
            case()
    table = pd.DataFrame(rec.rows + scale_rows(args.scale_logs),
                         columns=list(BENCHMARK_COLUMNS) + list(LIMIT_COLUMNS))
    args.output.parent.mkdir(parents=True, exist_ok=True)
    with atomic_path(args.output) as tmp:
        table.to_csv(tmp, index=False)
    with pd.option_context("display.width", 250, "display.max_columns", 20):
        print(table.drop(columns=["size", "bytes_touched", "copy_bandwidth_gbs",
                                  "limited_by"]).to_string(
            index=False, float_format=lambda v: f"{v:,.3g}"))
    print(f"written: {args.output}")
    if not quick and not args.only:
        facts = machine_facts()
        with atomic_path(args.tracked) as tmp:
            table.assign(**facts).to_csv(tmp, index=False)
        print(f"written: {args.tracked} ({facts['machine_cpu']}, {facts['machine_cores']} cores)")


if __name__ == "__main__":
    main()
