"""Rule worlds_network_partition: the communities of the network world, computed once.

Leiden (and, on graphs of moderate size, Louvain) partitions of the configured SBM graph, written
to a processed table that the network rules read instead of each re-running the partition (on
10^6 nodes Leiden is the most expensive step of the whole network family).
"""

from __future__ import annotations

import logging

from analysis import atomic
from analysis.cli import StepContext
from analysis.designs.graph_cluster import graph_partitions
from analysis.worlds import network_study as study

LOG = logging.getLogger(__name__)

def run(ctx: StepContext) -> None:
    cfg = ctx.params["network"]
    graph = study.graph_from_config(cfg)
    part_cfg = cfg["partition"]
    table = graph_partitions(graph, part_cfg["method"], float(part_cfg["resolution"]),
                             int(part_cfg["seed"]))
    for method in table.columns[1:]:
        LOG.info("%s: %d clusters on %d nodes", method, int(table[method].max()) + 1,
                 graph.n_nodes)
    atomic.write_with(ctx.processed_dir / study.PARTITION_FILE,
                      lambda tmp: table.to_parquet(tmp, index=False))
