"""Rule worlds_seed_claims: the lecture notes' "interference biases towards zero" against the
naive estimates of the book's own worlds (reads their tables)."""

from __future__ import annotations

import pandas as pd

from analysis.cli import StepContext
from analysis.seed_claims import claims_table


def run(ctx: StepContext) -> None:
    tables = {path.name.removesuffix(".parquet"): pd.read_parquet(path) for path in ctx.inputs}
    ctx.writer.table(
        "seed_claims", claims_table(tables),
        title="Does interference bias estimates towards zero?",
        caption="The naive estimate of each world beside the effect the launch decision needs, "
                "their ratio and the direction of the error (read from the network Monte Carlo "
                "mean, the search and two-sided marketplace estimates and the slate summary).")
