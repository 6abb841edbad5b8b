"""Quarto's pre-render step: re-execute exactly the chapters whose artifacts changed.

Run by `quarto render` (see `project: pre-render` in _quarto.yml) with the book's Python
(QUARTO_PYTHON). The chapters read `$BOOK_RESULTS_DIR` (default: results/).
"""

import sys
from pathlib import Path

root = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(root))

from analysis import book, book_freeze  # noqa: E402

# The edition (commit, build date) reaches the pages through a metadata shortcode, not through
# executed output: a new commit re-executes nothing.
book.write_edition_metadata(root)
changed = book_freeze.invalidate(root, book.results_dir())
if changed:
    print(f"Chapters to execute (artifacts they read changed): {', '.join(changed)}")
else:
    print("No chapter's artifacts changed: Quarto re-executes only chapters whose source changed.")
