"""Quarto's post-render step: copy the CSV of every table artifact into the site.

The provenance line under each figure and table links to ``data/<artifact id>.csv`` in the site
(``analysis.book.data_links``); this step puts the files there, from the results folder the book
was rendered against (``$BOOK_RESULTS_DIR``, default results/). Run by `quarto render` (see
`project: post-render` in _quarto.yml) with the book's Python.
"""

import os
import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root))

from analysis import book  # noqa: E402
from analysis.report.site_data import copy_table_csvs  # noqa: E402

output = Path(os.environ.get("QUARTO_PROJECT_OUTPUT_DIR", root / "_book"))
if not output.is_absolute():
    output = root / output
if (output / "index.html").exists():  # an HTML site was rendered (not a PDF-only render)
    copied = copy_table_csvs(book.manifest(), output / book.SITE_DATA)
    print(f"Copied {len(copied)} table CSVs into {output / book.SITE_DATA}.")
