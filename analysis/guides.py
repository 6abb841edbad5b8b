"""Reference tables: where interference shows up, the estimands, a design guide and a
pre-experiment diagnostic checklist. They are data (tidy DataFrames) so the book, the slides and
any review tool read the same rows."""

from __future__ import annotations

import pandas as pd

__all__ = ["design_guide", "diagnostic_checklist", "estimand_glossary", "interference_examples"]


def interference_examples() -> pd.DataFrame:
    """Domains where interference is the default, its path, and the risk to a naive test."""
    rows = [
        ("Marketplace ranking", "listing or seller",
         "A boosted listing takes impressions and purchases from its neighbours in the results.",
         "A listing-level test measures reallocation, not new demand."),
        ("Social product", "user",
         "Treated users invite, message or influence untreated friends.",
         "Controls are partly treated through their friends."),
        ("Sales operations", "sales representative",
         "Training changes shared scripts, team norms and manager attention.",
         "Randomizing individuals contaminates controls on the same team."),
        ("Fraud and risk", "account or transaction",
         "Blocked actors move to other accounts or channels.",
         "Local effects miss displacement and adaptation."),
        ("Public health", "patient or household",
         "Vaccination or prevention lowers infection risk for untreated contacts.",
         "Individual effects miss the protection of untreated contacts."),
        ("Two-sided marketplace", "seller",
         "A seller-side tool changes prices or service for buyers who also buy from control sellers.",
         "Buyer outcomes mix treated and control sellers; buyers are dependent through sellers."),
    ]
    return pd.DataFrame(rows, columns=["domain", "unit", "spillover_path", "risk"])


def estimand_glossary() -> pd.DataFrame:
    """The four Hudgens-Halloran estimands, as questions, formulas and examples."""
    rows = [
        ("Direct effect", "DE(ψ)", "E[Y(1, ψ) - Y(0, ψ)]",
         "What does treating this unit do, holding the peers' allocation fixed?",
         "Training one salesperson when half of the team is trained."),
        ("Indirect effect", "IE(0; ψ₁, ψ₀)", "E[Y(0, ψ₁) - Y(0, ψ₀)]",
         "What happens to an untreated unit when more of its peers are treated?",
         "An untrained salesperson whose team goes from 20% to 80% trained."),
        ("Total effect", "TE(ψ₁, ψ₀)", "E[Y(1, ψ₁) - Y(0, ψ₀)]",
         "Treating the unit and raising its peers' allocation together.",
         "Training the person and moving the team from 20% to 80% trained."),
        ("Overall effect", "OE(ψ₁, ψ₀)", "E[Y | policy ψ₁] - E[Y | policy ψ₀]",
         "Average outcome under one allocation policy versus another.",
         "Team revenue when 80% rather than 20% of staff are trained."),
    ]
    return pd.DataFrame(rows, columns=["estimand", "notation", "definition", "question",
                                       "example"])


def design_guide() -> pd.DataFrame:
    """Interference pattern -> design, estimand, unit of uncertainty, diagnostic, book world."""
    rows = [
        ("No meaningful spillovers", "Individual randomization", "Unit-level direct effect",
         "unit", "Check the pre-specified channels through which controls could be exposed.",
         "teams world, individual design"),
        ("Spillovers within teams, classes or stores", "Cluster randomization",
         "Group-level rollout effect TE(1, 0)", "cluster",
         "Cluster-level balance and enough independent clusters (dozens, not a handful).",
         "teams world, cluster design"),
        ("Spillovers that vary with treatment saturation", "Randomized saturation design",
         "DE(ψ), IE(0; ψ₁, ψ₀), TE and OE by saturation", "cluster",
         "Variation in both own treatment and peer saturation; enough clusters per arm.",
         "teams world, saturation design"),
        ("Network spillovers", "Exposure-mapping design or graph-cluster randomization",
         "Effect by exposure condition", "cluster or design-based (exposure probabilities)",
         "Exposure mapping, exposure probabilities (positivity), cross-cluster edge share.",
         "network world"),
        ("Network spillovers, launch decision, no partition cuts few edges",
         "Ego-cluster randomization; a holdout of whole ego networks after launch",
         "Total effect on egos: all friends treated versus none", "ego network",
         "Ego networks must not overlap; how many egos, and how typical they are.",
         "network world, ego clusters"),
        ("Carryover in one shared system (pricing, dispatch, a learning ranker)",
         "Switchback: randomize time blocks, drop a washout after each switch",
         "Global effect: system always on versus always off", "time block",
         "Carryover length against block length; bias against washout; autocorrelation.",
         "switchback simulation"),
        ("Markets that interact inside but barely across (cities, regions)",
         "Geo randomization of a few markets; synthetic-control-style analysis",
         "Market-level policy effect", "market (few: randomization inference)",
         "Pre-period fit of each market's synthetic control; leakage across markets.",
         "not simulated"),
        ("Competition for limited attention", "Query, market, geography or time-block randomization",
         "Policy effect on total market outcomes", "query or market",
         "Reallocation metrics: total query purchases, not only treated-item purchases.",
         "search marketplace"),
        ("Two-sided marketplace", "Randomize one side (sellers), measure the other (buyers)",
         "Buyer effects of all / mixed / no treated sellers", "seller (overlapping clusters)",
         "Buyer exposure counts by number of sellers; design exposure probabilities.",
         "bipartite marketplace"),
    ]
    return pd.DataFrame(rows, columns=["interference_pattern", "design", "main_estimand",
                                       "uncertainty_unit", "diagnostic", "world_in_book"])


def diagnostic_checklist() -> pd.DataFrame:
    """Questions to answer before launch, with an example and the evidence that answers them."""
    rows = [
        (1, "Can treated units affect control outcomes?",
         "Treated sellers compete with control sellers for the same buyers.",
         "A drawn interference graph or spillover boundary: who can affect whom."),
        (2, "What is the natural spillover boundary?",
         "Team, classroom, search query, market, geography, network community.",
         "Share of interactions that stay inside the proposed clusters."),
        (3, "Is the randomization unit aligned with the decision?",
         "A full rollout changes every listing, not isolated listings.",
         "The decision's estimand written as a contrast of policies."),
        (4, "Which exposure mapping is plausible?",
         "Share of treated neighbours, any treated teammate, treated market share.",
         "An exposure mapping fixed before the data are seen."),
        (5, "Will every exposure condition of interest have enough units?",
         "Enough untreated users with many treated friends?",
         "Exposure probabilities under the design; no unit with probability zero."),
        (6, "Which metric detects reallocation?",
         "Total purchases per query, not only purchases of boosted items.",
         "A market-level outcome next to every unit-level outcome."),
        (7, "What is the independent unit for uncertainty?",
         "Clusters or markets, not rows inside a treated market.",
         "Standard errors clustered at (or designed around) the randomization unit."),
        (8, "How many independent units does the design really have?",
         "The number of teams, not the number of workers, in a cluster-randomized test.",
         "Number of clusters per arm and the intra-cluster correlation."),
        (9, "Do the clusters contain the spillover?",
         "A partition of the social graph that still cuts a fifth of the friendships.",
         "Share of edges the partition cuts, against the give-up threshold."),
    ]
    return pd.DataFrame(rows, columns=["step", "question", "example", "evidence"])
