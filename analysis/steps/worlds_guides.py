"""Rule worlds_guides: reference tables (examples, estimands, design guide, checklist) and the
Graphviz diagrams of interference structures."""

from __future__ import annotations

from analysis import diagrams, guides
from analysis.cli import StepContext


def run(ctx: StepContext) -> None:
    font = ctx.params["guides"]["diagram_font"]
    w = ctx.writer
    w.table("guide_interference_examples", guides.interference_examples(),
            title="Where interference shows up",
            caption="Domains where one unit's treatment reaches another unit's outcome, the path "
                    "it takes, and what a naive experiment then estimates.")
    w.table("guide_estimands", guides.estimand_glossary(), title="Estimands under interference",
            caption="Direct, indirect, total and overall effects (Hudgens & Halloran 2008), each "
                    "naming both own treatment and the peers' allocation ψ.")
    w.table("guide_design", guides.design_guide(), title="Choosing a design under interference",
            caption="Interference pattern, a reasonable design, its main estimand, the unit for "
                    "uncertainty, the diagnostic to run first, and where the book simulates it.")
    w.table("guide_checklist", guides.diagnostic_checklist(),
            title="Pre-experiment diagnostic checklist",
            caption="Questions to answer before launching an experiment where interference is "
                    "plausible, with an example and the evidence that answers each one.")
    w.diagram("diagram_interference_dag", diagrams.interference_dag(2, font),
              title="Interference as a causal graph",
              caption="Each treatment affects its own unit's outcome (blue, direct) and the other "
                      "unit's outcome (red dashed, spillover). Without the red arrows the "
                      "no-interference assumption holds.",
              alt="Causal diagram with treatments A_i and A_j and outcomes Y_i and Y_j; blue "
                  "arrows from each treatment to its own outcome labelled direct, red dashed "
                  "arrows from each treatment to the other outcome labelled spillover.")
    w.diagram("diagram_partial_interference", diagrams.partial_interference_diagram((3, 3), font),
              title="Partial interference",
              caption="Units interfere with every other unit of their group (red, both "
                      "directions) and with nobody outside it (dotted): the assumption behind "
                      "the teams world.",
              alt="Two boxes labelled Group 1 and Group 2, each holding three units joined "
                  "pairwise by red two-headed arrows; a grey dotted line between the groups is "
                  "labelled no spillover assumed.")
    w.diagram("diagram_bipartite", diagrams.bipartite_diagram(font),
              title="Bipartite marketplace exposure",
              caption="Sellers are randomized; a buyer's exposure is all, mixed or none depending "
                      "on how many of its sellers are treated.",
              alt="Four sellers, two treated and two control, linked to three buyers: one buyer "
                  "linked only to treated sellers (exposure all), one to a treated and a control "
                  "seller (mixed) and one only to control sellers (none).")
