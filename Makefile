# Plain entry points. Everything runs inside a local virtual environment (.venv).
#
#   make book    set up, run the whole pipeline (config/config.yaml), then `quarto render`
#   make test    set up, then run the whole test suite (builds config/ci.yaml artifacts)
#   make bench   million-node scale build + hot-path benchmarks -> results/benchmarks.csv
#
# Variables: PYTHON (interpreter used to create .venv), CORES (snakemake cores), CONFIG,
# SNAKEMAKE_ARGS (extra arguments, e.g. SNAKEMAKE_ARGS="--config movielens_dir=/data/ml-100k").

PYTHON ?= python3
CORES ?= 2
CONFIG ?= config/config.yaml
SNAKEMAKE_ARGS ?=
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: book setup artifacts ci-artifacts render test lint bench dry-run clean

book: artifacts render

setup: $(STAMP)

$(STAMP): pyproject.toml
	@command -v dot >/dev/null 2>&1 || { echo "Graphviz 'dot' is not on PATH: install Graphviz (apt-get install graphviz / brew install graphviz)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 --display-name "Python 3 (book)" >/dev/null
	touch $(STAMP)

artifacts: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

ci-artifacts: $(STAMP)
	$(BIN)/snakemake --cores $(CORES) --configfile config/ci.yaml $(SNAKEMAKE_ARGS)

dry-run: $(STAMP)
	$(BIN)/snakemake -n --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

render: $(STAMP)
	@if command -v quarto >/dev/null 2>&1; then \
	  QUARTO_PYTHON=$(abspath $(BIN)/python) PATH=$(abspath $(BIN)):$$PATH quarto render; \
	  echo "Book written to _book/ (HTML: _book/index.html, PDF via Typst in _book/)."; \
	else \
	  echo ""; \
	  echo "The pipeline finished and every artifact is in results/ (see results/manifest.json),"; \
	  echo "but 'quarto' is not on PATH, so the book was not rendered."; \
	  echo "Install Quarto >= 1.9 from https://quarto.org/docs/get-started/ and run 'make render'."; \
	  exit 3; \
	fi

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/snakemake --lint

# Million-node scale build (config/scale.yaml, into build/scale/; incremental), then every hot
# path against its plain reference and the memory-bandwidth bound -> results/benchmarks.csv.
bench: $(STAMP)
	OPENBLAS_NUM_THREADS=1 $(BIN)/snakemake worlds_network worlds_network_design worlds_bipartite \
	  --cores $(CORES) --configfile config/scale.yaml $(SNAKEMAKE_ARGS)
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/hot_paths.py --output results/benchmarks.csv \
	  --scale-logs build/scale/logs/benchmarks

clean:
	rm -rf build _book .quarto .snakemake results logs data/processed
