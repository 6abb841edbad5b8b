"""Install the book's Jupyter kernel ("python3") into this virtual environment.

Quarto executes the chapters with it. The kernel logs at ERROR level: ipykernel >= 7 otherwise
prints a transport warning at every start, which buries the render log's real warnings.
"""

import json
import sys
from pathlib import Path

from ipykernel.kernelspec import install

path = Path(install(prefix=sys.prefix, kernel_name="python3", display_name="Python 3 (book)"))
spec_file = path / "kernel.json"
spec = json.loads(spec_file.read_text(encoding="utf-8"))
if "--IPKernelApp.log_level=ERROR" not in spec["argv"]:
    spec["argv"].append("--IPKernelApp.log_level=ERROR")
spec_file.write_text(json.dumps(spec, indent=1) + "\n", encoding="utf-8")
print(f"kernel 'python3' installed in {path}")
