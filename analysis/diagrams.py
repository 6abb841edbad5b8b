"""Graphviz diagrams of interference structures (returned as ``graphviz.Digraph``; the step
renders them to SVG and PNG through the ArtifactWriter)."""

from __future__ import annotations

from collections.abc import Sequence

import graphviz

__all__ = ["bipartite_diagram", "interference_dag", "partial_interference_diagram"]

_NODE = {"shape": "box", "style": "rounded,filled", "fillcolor": "#ebf8ff", "color": "#2b6cb0"}
_DIRECT = {"color": "#2b6cb0", "penwidth": "1.6"}
_SPILL = {"color": "#c53030", "penwidth": "1.4"}


def _base(name: str, rankdir: str, font: str) -> graphviz.Digraph:
    dot = graphviz.Digraph(name, graph_attr={"rankdir": rankdir, "fontname": font,
                                             "bgcolor": "white", "pad": "0.2"})
    dot.attr("node", fontname=font, **_NODE)
    dot.attr("edge", fontname=font, fontsize="12")
    return dot


def interference_dag(n_units: int = 2, font: str = "Helvetica") -> graphviz.Digraph:
    """Treatments and outcomes of ``n_units`` units: own-treatment arrows (direct effects) and
    cross arrows (spillovers) from every other unit's treatment."""
    if n_units < 2:
        raise ValueError(f"n_units must be >= 2 to show interference, got {n_units}")
    dot = _base("interference_dag", "LR", font)
    dot.attr(nodesep="0.6", ranksep="1.6")
    labels = "ijklmnop"
    names = [labels[k] if k < len(labels) else str(k) for k in range(n_units)]
    for name in names:  # HTML-like labels: the unit index as a subscript
        dot.node(f"A_{name}", f"<Treatment A<SUB>{name}</SUB>>")
        dot.node(f"Y_{name}", f"<Outcome Y<SUB>{name}</SUB>>")
    for name in names:
        dot.edge(f"A_{name}", f"Y_{name}", label="direct", **_DIRECT)
    for src in names:
        for dst in names:
            if src != dst:
                # labelled at the tail, on the outer side of the crossing arrows, so each label
                # sits on its own arrow rather than between the two
                dot.edge(f"A_{src}", f"Y_{dst}", taillabel="spillover", labeldistance="4",
                         labelangle="28" if src < dst else "-28", style="dashed",
                         fontcolor=_SPILL["color"], **_SPILL)
    return dot


def partial_interference_diagram(group_sizes: Sequence[int] = (3, 3),
                                 font: str = "Helvetica") -> graphviz.Digraph:
    """Groups as boxes: spillovers between every pair inside a group, none across groups."""
    if len(group_sizes) < 2 or any(int(s) < 2 for s in group_sizes):
        raise ValueError("group_sizes needs at least two groups of at least two units")
    dot = _base("partial_interference", "TB", font)
    middles = []
    for g, size in enumerate(group_sizes, start=1):
        members = [f"{g}{chr(ord('A') + k)}" for k in range(int(size))]
        with dot.subgraph(name=f"cluster_{g}") as sub:
            sub.attr(label=f"Group {g}", color="#90cdf4", style="rounded", fontname=font)
            for node in members:
                sub.node(node, f"Unit {node}")
            for a in range(len(members)):
                for b in range(a + 1, len(members)):
                    sub.edge(members[a], members[b], dir="both", **_SPILL)
        middles.append(members[len(members) // 2])
    for g in range(len(group_sizes) - 1):
        dot.edge(middles[g], middles[g + 1], style="dotted", color="#718096", arrowhead="none",
                 constraint="false")
    dot.attr(label="Dotted: no spillover assumed between groups", labelloc="b",
             fontsize="12", fontcolor="#4a5568")
    return dot


def bipartite_diagram(font: str = "Helvetica") -> graphviz.Digraph:
    """Two treated and two control sellers, and buyers whose exposure is none/mixed/all."""
    dot = _base("bipartite_marketplace", "LR", font)
    sellers = {"S1": True, "S2": True, "S3": False, "S4": False}
    buyers = {"B1": ["S1", "S2"], "B2": ["S2", "S3"], "B3": ["S3", "S4"]}
    exposure = {"B1": "all", "B2": "mixed", "B3": "none"}
    with dot.subgraph(name="cluster_sellers") as sub:
        sub.attr(label="Sellers (randomized)", color="#cbd5e0", fontname=font)
        for seller, treated in sellers.items():
            sub.node(seller, f"{seller}\n{'treated' if treated else 'control'}",
                     fillcolor="#bee3f8" if treated else "#edf2f7")
    with dot.subgraph(name="cluster_buyers") as sub:
        sub.attr(label="Buyers (measured)", color="#cbd5e0", fontname=font)
        for buyer in buyers:
            sub.node(buyer, f"{buyer}\nexposure: {exposure[buyer]}", fillcolor="#fffff0")
    for buyer, linked in buyers.items():
        for seller in linked:
            style = _DIRECT if sellers[seller] else {"color": "#a0aec0"}
            dot.edge(seller, buyer, **style)
    return dot
