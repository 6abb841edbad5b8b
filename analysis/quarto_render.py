"""Find Quarto and render the book (or a single document) into a chosen folder, with its log.

Used by ``make proof`` and by the test suite, which renders the whole book, HTML and PDF, against
the small CI build. Quarto is found on ``PATH``, through ``$QUARTO`` (the path of the ``quarto``
command), or in the cache where ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

#: Where ``.ci/run`` installs Quarto when it is not on PATH (outside the clone, reused by reruns).
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "interference-book"


def find_quarto() -> Path | None:
    """The ``quarto`` command: ``$QUARTO``, then ``PATH``, then the CI cache; None if absent."""
    env = os.environ.get("QUARTO")
    if env:
        path = Path(env)
        if not path.is_file():
            raise FileNotFoundError(f"QUARTO={env}: no such file")
        return path
    found = shutil.which("quarto")
    if found:
        return Path(found)
    cached = sorted(CACHE.glob("quarto-*/bin/quarto"))
    return cached[-1] if cached else None


@dataclass(frozen=True)
class Render:
    """The outcome of one ``quarto render``: exit code, combined log, output folder, seconds."""

    returncode: int
    log: str
    output_dir: Path
    seconds: float


def render(project: str | Path, output_dir: str | Path, results_dir: str | Path | None = None,
           target: str | None = None, to: str | None = None, quarto: Path | None = None,
           extra_args: tuple[str, ...] = (), log_path: str | Path | None = None) -> Render:
    """Run ``quarto render`` on ``project`` (or one ``target`` file in it) into ``output_dir``.

    ``results_dir`` points the chapters at a results folder (``BOOK_RESULTS_DIR``); the kernel is
    this interpreter (``QUARTO_PYTHON``), so the book runs with the package under test.
    """
    quarto = quarto or find_quarto()
    if quarto is None:
        raise FileNotFoundError("quarto is not installed (see README: Rendering the book)")
    project = Path(project).resolve()
    output_dir = Path(output_dir).resolve()
    env = dict(os.environ)
    env["QUARTO_PYTHON"] = sys.executable
    env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "")])
    if results_dir is not None:
        env["BOOK_RESULTS_DIR"] = str(Path(results_dir).resolve())
    command = [str(quarto), "render"]
    if target:
        command.append(str(target))
    if to:
        command += ["--to", to]
    command += ["--output-dir", str(output_dir), *extra_args]
    start = time.perf_counter()
    result = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)
    log = result.stdout + result.stderr
    if log_path is not None:
        Path(log_path).parent.mkdir(parents=True, exist_ok=True)
        Path(log_path).write_text(log, encoding="utf-8")
    return Render(result.returncode, log, output_dir, time.perf_counter() - start)


def main(argv: list[str] | None = None) -> int:
    """``python -m analysis.quarto_render``: render the book, as Snakemake's rule ``book`` does."""
    import argparse

    from analysis import render_checks

    parser = argparse.ArgumentParser(description=main.__doc__)
    parser.add_argument("--results-dir", required=True, help="artifacts the chapters read")
    parser.add_argument("--output-dir", required=True, help="where the HTML book and PDF go")
    parser.add_argument("--project", default=".", help="the book project (holds _quarto.yml)")
    parser.add_argument("--target", help="one document of the project (default: all of it)")
    parser.add_argument("--to", help="output format(s), e.g. all (default: the project's)")
    parser.add_argument("--param", action="append", default=[], metavar="NAME:VALUE",
                        help="a document parameter (quarto render -P), e.g. figures:fig-a,fig-b")
    args = parser.parse_args(argv)
    quarto = find_quarto()
    if quarto is None:
        print(f"The artifacts are built (see {args.results_dir}/manifest.json), but 'quarto' is not "
              "on PATH, so the book was not rendered.\n"
              "Install Quarto >= 1.9 from https://quarto.org/docs/get-started/ (or set QUARTO to "
              "the quarto command) and run 'make render'.", file=sys.stderr)
        return 3
    manifest = Path(args.results_dir) / "manifest.json"
    if not manifest.is_file():
        print(f"There are no artifacts to render: {manifest} does not exist. Build them first "
              "(make artifacts, or snakemake --cores 2; RESULTS=... picks another results "
              "folder for make memo and make report).", file=sys.stderr)
        return 2
    what = args.target or "the book"
    print(f"Rendering {what} into {args.output_dir} with {quarto} ...", flush=True)
    params = tuple(arg for param in args.param for arg in ("-P", param))
    result = render(args.project, args.output_dir, results_dir=args.results_dir, quarto=quarto,
                    target=args.target, to=args.to, extra_args=params)
    print(result.log)
    if result.returncode != 0:
        print(f"quarto render failed (exit {result.returncode}); the log is above.", file=sys.stderr)
        return result.returncode
    for problem in render_checks.log_problems(result.log):
        print(f"warning from the render: {problem}", file=sys.stderr)
    print(f"{args.target or 'The book'} written to {args.output_dir} in {result.seconds:.0f} s.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
