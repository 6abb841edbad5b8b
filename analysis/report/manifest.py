"""The artifact manifest: merge per-rule fragments, load and query the result."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from analysis import atomic


class ManifestError(RuntimeError):
    """The manifest is missing, malformed, or lacks an artifact."""


def merge_fragments(fragments: Sequence[str | Path], target: str | Path,
                    extra: dict[str, Any] | None = None) -> Path:
    """Merge rule fragments into one manifest sorted by artifact id; ids must be unique."""
    artifacts: dict[str, dict[str, Any]] = {}
    for fragment in sorted(map(str, fragments)):
        try:
            payload = json.loads(Path(fragment).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ManifestError(f"cannot read manifest fragment {fragment}: {exc}") from exc
        for record in payload.get("artifacts", []):
            if record["id"] in artifacts:
                other = artifacts[record["id"]]["rule"]
                raise ManifestError(
                    f"artifact id {record['id']!r} is produced by both rule {other!r} and "
                    f"rule {record['rule']!r}"
                )
            artifacts[record["id"]] = record
    manifest = {"artifacts": [artifacts[k] for k in sorted(artifacts)], **(extra or {})}
    text = json.dumps(manifest, indent=2, sort_keys=True) + "\n"
    return atomic.write_text(target, text)


@dataclass(frozen=True)
class Manifest:
    """A loaded manifest; ``root`` is the folder its relative paths are relative to."""

    records: dict[str, dict[str, Any]]
    root: Path
    extra: dict[str, Any]

    @classmethod
    def load(cls, path: str | Path, root: str | Path | None = None) -> Manifest:
        path = Path(path)
        if not path.exists():
            raise ManifestError(
                f"no manifest at {path}: build the artifacts first (run `snakemake --cores 2`, "
                "or with --configfile config/ci.yaml for the small CI build)"
            )
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            records = {rec["id"]: rec for rec in payload["artifacts"]}
        except (ValueError, KeyError, TypeError) as exc:
            raise ManifestError(
                f"{path} is not a valid manifest ({exc}): rebuild it with the pipeline"
            ) from exc
        extra = {k: v for k, v in payload.items() if k != "artifacts"}
        return cls(records=records, root=Path(root) if root else Path.cwd(), extra=extra)

    def get(self, artifact_id: str, kind: str | None = None) -> dict[str, Any]:
        try:
            record = self.records[artifact_id]
        except KeyError:
            known = ", ".join(sorted(self.records)[:20])
            raise ManifestError(
                f"artifact {artifact_id!r} is not in the manifest (known ids include: {known} ...)"
            ) from None
        if kind is not None and record["kind"] != kind:
            raise ManifestError(f"artifact {artifact_id!r} is a {record['kind']}, not a {kind}")
        return record

    def file(self, artifact_id: str, fmt: str | None = None) -> Path:
        """Absolute path of an artifact's file (its primary file when ``fmt`` is None)."""
        record = self.get(artifact_id)
        rel = record["path"]
        if fmt is not None:
            matches = [f["path"] for f in record["files"] if f["format"] == fmt]
            if not matches:
                raise ManifestError(f"artifact {artifact_id!r} has no {fmt} file")
            rel = matches[0]
        path = Path(rel)
        return path if path.is_absolute() else self.root / path

    def verify(self, sha256: Callable[[Path], str] = atomic.sha256_file) -> list[str]:
        """Problems found re-hashing every file (an empty list means all is well).

        Each problem starts with the artifact id. ``sha256`` hashes one file (the book passes a
        cached one).
        """
        problems = []
        for artifact_id, record in sorted(self.records.items()):
            for entry in record["files"]:
                path = Path(entry["path"])
                path = path if path.is_absolute() else self.root / path
                if not path.exists():
                    problems.append(f"{artifact_id}: missing file {path}")
                elif sha256(path) != entry["sha256"]:
                    problems.append(f"{artifact_id}: {path} does not match its recorded sha256")
        return problems
