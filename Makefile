# Plain entry points. Everything runs inside a local virtual environment (.venv).
#
#   make book    set up, run the whole pipeline (config/config.yaml) and render the book (rule book)
#   make exercises  build every exercise (config/exercises/*.yaml) into results/exercises/<name>/
#   make test    set up, then run the whole test suite (builds config/ci.yaml artifacts)
#   make bench   million-node scale build + hot-path benchmarks -> results/benchmarks.csv
#   make memo    a memo embedding chosen book figures with their citation lines (FIGURES=fig-a,...)
#                -> build/memo/memo.{html,pdf,docx}; make report: the portfolio report on its own
#                -> build/report/portfolio.{html,pdf}. Both read RESULTS (default: results).
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
# Succeeds when Quarto is installed (PATH, $$QUARTO or the CI cache; see analysis/quarto_render.py).
HAVE_QUARTO := $(BIN)/python -c "from analysis.quarto_render import find_quarto; raise SystemExit(find_quarto() is None)"

.PHONY: book setup artifacts exercises ci-artifacts render proof test lint bench dry-run clean memo report

# The book is the last rule of the pipeline: it re-renders only when a chapter, the book's sources
# or an artifact changed, and then re-executes only the chapters whose artifacts changed.
book: $(STAMP)
	@$(BIN)/python -m analysis.config_rules $(CONFIG)
	@if $(HAVE_QUARTO); then \
	  PATH=$(abspath $(BIN)):$$PATH $(BIN)/snakemake --cores $(CORES) book all --configfile $(CONFIG) $(SNAKEMAKE_ARGS); \
	else \
	  $(BIN)/snakemake --cores $(CORES) all exercises --configfile $(CONFIG) $(SNAKEMAKE_ARGS) && $(MAKE) --no-print-directory render; \
	fi

setup: $(STAMP)

$(STAMP): pyproject.toml book/install_kernel.py
	@command -v dot >/dev/null 2>&1 || { echo "Graphviz 'dot' is not on PATH: install Graphviz (apt-get install graphviz / brew install graphviz)."; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python book/install_kernel.py >/dev/null
	touch $(STAMP)

artifacts: $(STAMP)
	$(BIN)/python -m analysis.config_rules $(CONFIG)
	$(BIN)/snakemake --cores $(CORES) --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

# Each exercise is the main configuration plus its file's override, built by rule `exercise` into
# its own folder; the book's solutions appendix reads them (rule book builds them first).
exercises: $(STAMP)
	$(BIN)/python -m analysis.config_rules $(CONFIG)
	$(BIN)/snakemake --cores $(CORES) exercises --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

ci-artifacts: $(STAMP)
	$(BIN)/python -m analysis.config_rules config/ci.yaml
	$(BIN)/snakemake --cores $(CORES) all exercises --configfile config/ci.yaml $(SNAKEMAKE_ARGS)

dry-run: $(STAMP)
	$(BIN)/python -m analysis.config_rules $(CONFIG)
	$(BIN)/snakemake -n --configfile $(CONFIG) $(SNAKEMAKE_ARGS)

# Without Quarto this says how to install it and fails (make reports "Error 3").
render: $(STAMP)
	@PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m analysis.quarto_render --results-dir results --output-dir _book

# Memo template (memo/memo.qmd) and standalone portfolio report (report/portfolio.qmd): each is its
# own Quarto project that reads the artifacts in RESULTS. Without Quarto they fail like render.
RESULTS ?= results
FIGURES ?=
memo: $(STAMP)
	@$(BIN)/python -m analysis.memo "$(FIGURES)"
	@PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m analysis.quarto_render --project memo \
	  --target memo.qmd --to all --results-dir $(RESULTS) --output-dir build/memo \
	  $(if $(FIGURES),--param figures:$(FIGURES))

report: $(STAMP)
	@PATH=$(abspath $(BIN)):$$PATH $(BIN)/python -m analysis.quarto_render --project report \
	  --target portfolio.qmd --to all --results-dir $(RESULTS) --output-dir build/report

# Render the book, then write every PDF page as a PNG into build/proof/ to look at page by page.
proof: book
	@command -v pdftoppm >/dev/null 2>&1 || { echo "pdftoppm is not on PATH: install poppler-utils"; exit 1; }
	rm -rf build/proof && mkdir -p build/proof
	pdftoppm -png -r 80 _book/*.pdf build/proof/page
	@echo "Wrote $$(ls build/proof | wc -l) page images to build/proof/ (page-NN.png)."

test: $(STAMP)
	$(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check analysis tests benchmarks
	$(BIN)/snakemake --lint

# Million-node scale build (config/scale.yaml, into build/scale/; incremental), then every hot
# path against its plain reference and the memory-bandwidth bound -> results/benchmarks.csv.
# The scale rules run one at a time, so each rule's time and peak memory are its own.
SCALE_RULES := worlds_network_partition worlds_network worlds_network_design worlds_bipartite
bench: $(STAMP)
	for rule in $(SCALE_RULES); do \
	  OPENBLAS_NUM_THREADS=1 $(BIN)/snakemake $$rule --cores $(CORES) \
	    --configfile config/scale.yaml $(SNAKEMAKE_ARGS) || exit 1; \
	done
	OPENBLAS_NUM_THREADS=1 $(BIN)/python benchmarks/hot_paths.py --output results/benchmarks.csv \
	  --scale-logs build/scale/logs/benchmarks

clean:
	rm -rf build _book .quarto .snakemake results logs data/processed
