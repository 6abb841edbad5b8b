"""A world's parameters as a tidy ``(parameter, value)`` table, so prose can cite them."""

from __future__ import annotations

from dataclasses import fields, is_dataclass
from typing import Any

import pandas as pd

__all__ = ["parameter_table"]


def parameter_table(params: Any) -> pd.DataFrame:
    """One row per numeric field of a parameter dataclass; tuple fields become
    ``name_1, name_2, ...`` rows."""
    if not is_dataclass(params) or isinstance(params, type):
        raise TypeError(f"parameter_table needs a dataclass instance, got {type(params).__name__}")
    rows = []
    for f in fields(params):
        value = getattr(params, f.name)
        if isinstance(value, tuple):
            rows += [(f"{f.name}_{k}", float(v)) for k, v in enumerate(value, start=1)]
        elif isinstance(value, int | float) and not isinstance(value, bool):
            rows.append((f.name, float(value)))
    return pd.DataFrame(rows, columns=["parameter", "value"])
