"""Thin entry points for Snakemake rules: ``python -m analysis <step> [options]``.

A step is a module ``analysis.steps.<step>`` with ``run(ctx: StepContext) -> None``. The CLI parses
the rule's parameters, sets up logging (stderr + the rule's log file), runs the step, and writes the
rule's manifest fragment. It holds no science.

A failing step prints one line per error on the console and keeps the traceback for the rule's
log file. Ctrl-C (SIGINT) and SIGTERM stop the step at once: the atomic writer removes the
temporary file being written and the step removes every output its rule declares, so an
interrupted rule leaves nothing that looks complete and simply reruns next time.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import pkgutil
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from analysis.report.artifacts import ArtifactWriter, fragment_path

LOG = logging.getLogger("analysis")


@dataclass(frozen=True)
class StepContext:
    """Everything a step may use; nothing else is global."""

    name: str
    params: dict[str, Any]
    data_dir: Path
    results_dir: Path
    inputs: tuple[Path, ...] = ()
    outputs: tuple[Path, ...] = ()
    writer: ArtifactWriter = field(repr=False, default=None)  # type: ignore[assignment]

    @property
    def processed_dir(self) -> Path:
        return self.data_dir / "processed"

    @property
    def raw_dir(self) -> Path:
        return self.data_dir / "raw"

    def input_named(self, filename: str) -> Path:
        """The input whose file name is ``filename`` (clear error if the rule did not pass it)."""
        for path in self.inputs:
            if path.name == filename:
                return path
        raise FileNotFoundError(
            f"step {self.name!r} needs input {filename!r}; the rule passed: "
            + ", ".join(str(p) for p in self.inputs)
        )


def available_steps() -> list[str]:
    import analysis.steps

    return sorted(m.name for m in pkgutil.iter_modules(analysis.steps.__path__))


class _WithoutTraceback(logging.Formatter):
    """Formats a record's message only: the console gets one line, the log file the traceback."""

    def format(self, record: logging.LogRecord) -> str:
        saved = record.exc_info, record.exc_text, record.stack_info
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        try:
            return super().format(record)
        finally:
            record.exc_info, record.exc_text, record.stack_info = saved


def _setup_logging(log_file: str | None) -> None:
    root = logging.getLogger()
    root.handlers.clear()
    root.setLevel(logging.INFO)
    layout = "%(levelname)s %(name)s: %(message)s"
    fmt = logging.Formatter(layout)
    stream = logging.StreamHandler(sys.stderr)
    stream.setFormatter(_WithoutTraceback(layout) if log_file else fmt)
    root.addHandler(stream)
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handler = logging.FileHandler(log_file, mode="w", encoding="utf-8")
        handler.setFormatter(fmt)
        root.addHandler(handler)
    for noisy in ("matplotlib", "PIL", "fontTools"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    parser.add_argument("step", help="step to run; one of: " + ", ".join(available_steps()))
    parser.add_argument("--params", default="{}", help="JSON object of config values for the step")
    parser.add_argument("--data-dir", default="data", help="config data_dir")
    parser.add_argument("--results-dir", default="results", help="config results_dir")
    parser.add_argument("--inputs", nargs="*", default=[], help="data files the step reads")
    parser.add_argument("--outputs", nargs="*", default=[], help="files the rule declares")
    parser.add_argument("--log", default=None, help="log file (the rule's log:)")
    return parser


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    """SIGTERM (what Snakemake and schedulers send) unwinds like Ctrl-C, so cleanups run."""
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    _setup_logging(args.log)
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    if args.step not in available_steps():
        LOG.error("unknown step %r; available: %s", args.step, ", ".join(available_steps()))
        return 2
    try:
        params = json.loads(args.params)
    except json.JSONDecodeError as exc:
        LOG.error("--params is not valid JSON: %s", exc)
        return 2
    if not isinstance(params, dict):
        LOG.error("--params must be a JSON object, got %s", type(params).__name__)
        return 2
    results_dir = Path(args.results_dir)
    inputs = tuple(Path(p) for p in args.inputs)
    missing = [str(p) for p in inputs if not p.exists()]
    if missing:
        LOG.error("step %s: input files do not exist: %s", args.step, ", ".join(missing))
        return 2
    writer = ArtifactWriter(results_dir, rule=args.step, config=params, inputs=inputs)
    ctx = StepContext(name=args.step, params=params, data_dir=Path(args.data_dir),
                      results_dir=results_dir, inputs=inputs,
                      outputs=tuple(Path(p) for p in args.outputs), writer=writer)
    module = importlib.import_module(f"analysis.steps.{args.step}")
    started = time.perf_counter()
    LOG.info("step %s: starting", args.step)
    try:
        module.run(ctx)
    except KeyboardInterrupt:
        for output in ctx.outputs:
            if output.is_file():
                output.unlink()
        LOG.error("step %s interrupted; its outputs were removed, so it reruns next time",
                  args.step)
        return 130
    except Exception as exc:  # one line on the console, the traceback in the rule's log
        where = f" (traceback in {args.log})" if args.log else ""
        LOG.error("step %s failed: %s: %s%s", args.step, type(exc).__name__, exc, where,
                  exc_info=exc)
        return 1
    fragment = fragment_path(results_dir, args.step)
    if any(p.resolve() == fragment.resolve() for p in ctx.outputs):
        writer.finish()
    elif writer.artifacts:
        LOG.error("step %s registered artifacts but its rule does not declare %s as output",
                  args.step, fragment)
        return 2
    LOG.info("step %s: done in %.1f s, %d artifacts", args.step,
             time.perf_counter() - started, len(writer.artifacts))
    return 0
