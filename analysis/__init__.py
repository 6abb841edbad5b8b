"""Causal inference under interference and spillovers: the science behind the book."""

import sys as _sys

__version__ = "0.1.0"

# jsonschema (Snakemake's config validation and ours) imports the optional IRI-syntax checker
# `rfc3987_syntax` whenever it is installed (Jupyter's event schemas pull it in). That import
# compiles 38 grammars: 1.7 s in every Snakemake run, every nested exercise build and every job
# of a cluster run. No schema of this project uses the "iri" formats, so the checker is kept out
# and jsonschema proceeds exactly as when the package is absent.
_sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]
