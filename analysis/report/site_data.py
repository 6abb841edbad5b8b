"""The data folder of the rendered site: every table artifact's CSV, under its artifact id."""

from __future__ import annotations

import shutil
from pathlib import Path

from analysis.report.manifest import Manifest


def copy_table_csvs(manifest: Manifest, target: str | Path) -> list[Path]:
    """Copy the CSV of every table in ``manifest`` to ``target/<id>.csv``; return the copies.

    Each copy is written beside its final name and renamed, so a reader never downloads half a
    file; CSVs of tables no longer in the manifest are removed.
    """
    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    copied = []
    for artifact_id, record in sorted(manifest.records.items()):
        if record["kind"] != "table":
            continue
        destination = target / f"{artifact_id}.csv"
        partial = destination.with_suffix(".csv.partial")
        shutil.copyfile(manifest.file(artifact_id, "csv"), partial)
        partial.replace(destination)
        copied.append(destination)
    for stale in set(target.glob("*.csv")) - set(copied):
        stale.unlink()
    return copied
