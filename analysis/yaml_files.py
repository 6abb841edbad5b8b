"""YAML reading with libyaml's C parser where PyYAML has it (the pure-Python one as fallback).

Every Snakemake run (and every job of a cluster run) parses the config, its schemas and the
exercise files; the C parser reads them about ten times faster. A document that fails to parse
is read again by the pure-Python parser, whose error messages are more specific ("expected ','
or ']', but got ':'" rather than "did not find expected ',' or ']'"), at the same line and column.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

__all__ = ["SafeLoader", "load_text", "read"]

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_text(text: str) -> Any:
    """The YAML document in ``text``, safe types only."""
    try:
        return yaml.load(text, Loader=SafeLoader)
    except yaml.YAMLError:
        if SafeLoader is yaml.SafeLoader:
            raise
        return yaml.safe_load(text)  # raises again, with the pure-Python parser's message


def read(path: str | Path) -> Any:
    """The YAML document in the UTF-8 file ``path``, safe types only."""
    return load_text(Path(path).read_text(encoding="utf-8"))
