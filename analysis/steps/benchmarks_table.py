"""Rule benchmarks_table: the last `make bench` on the reference machine, as book tables.

Reads the tracked copy of the benchmark table (benchmarks/last-run.csv, committed with the
machine's facts), so a clone that never ran the benchmarks still renders the appendix.
"""

from __future__ import annotations

from analysis.cli import StepContext
from analysis.report.benchmarks import benchmark_machine, benchmark_targets, load_benchmarks

TRACKED_FILE = "last-run.csv"


def run(ctx: StepContext) -> None:
    path = ctx.input_named(TRACKED_FILE)
    machine = benchmark_machine(path)
    w = ctx.writer
    w.table("benchmarks_last_run", load_benchmarks(path),
            title="Hot paths against their plain references",
            caption=f"The last benchmark run, on {machine['processor'].iloc[0]} "
                    f"({int(machine['cores'].iloc[0])} cores) on {machine['date'].iloc[0]}: "
                    f"time of each vectorised computation, of its plain reference (timed on a "
                    f"subsample and extrapolated where marked), their ratio, peak memory, and "
                    f"time over the memory-bandwidth bound; the scale-build rows are whole "
                    f"pipeline steps at a million nodes or buyers.")
    w.table("benchmarks_targets", benchmark_targets(path),
            title="Benchmark targets met in the last run",
            caption="For each speed target, the number of benchmark rows it applies to and the "
                    "number that meet it in the last benchmark run.")
    w.table("benchmarks_machine", machine, title="Machine of the last benchmark run",
            caption="Processor, core count and date of the benchmark run shown in the "
                    "reproducibility appendix.")
