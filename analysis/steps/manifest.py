"""Rule manifest: merge every rule's fragment into results/manifest.json."""

from __future__ import annotations

from analysis.cli import StepContext
from analysis.report.manifest import Manifest, merge_fragments


def run(ctx: StepContext) -> None:
    target = ctx.results_dir / "manifest.json"
    merge_fragments([p for p in ctx.inputs if p.suffix == ".json"], target)
    problems = Manifest.load(target).verify()
    if problems:
        raise RuntimeError("manifest does not match the files on disk:\n" + "\n".join(problems))
