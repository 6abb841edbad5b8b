# Plain entry points. Everything runs inside a local virtual environment (.venv).
#
#   make book    set up, run the whole pipeline (config/config.yaml), then `quarto render`
#   make test    set up, then run the whole test suite (builds config/ci.yaml artifacts)
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
	$(BIN)/python -m analysis.config_rules $(CONFIG)
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

ci-artifacts: $(STAMP)
	$(BIN)/python -m analysis.config_rules config/ci.yaml
	$(BIN)/snakemake --cores $(CORES) --configfile config/ci.yaml $(SNAKEMAKE_ARGS)

dry-run: $(STAMP)
	$(BIN)/python -m analysis.config_rules $(CONFIG)
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

bench: $(STAMP)
	@for script in benchmarks/bench_*.py; do OPENBLAS_NUM_THREADS=1 $(BIN)/python $$script; done

clean:
	rm -rf build _book .quarto .snakemake results logs data/processed
