# Render the book (HTML + Typst PDF) from the artifacts, with Quarto. Not in the default target:
#   snakemake --cores 2 book
# The rule reruns when a chapter, _quarto.yml, the bibliography, the book's styling, the
# manifest or an exercise build changes (it builds the exercises first); inside the render, only
# chapters whose artifacts changed re-execute (book/prerender.py keys Quarto's freeze on the
# artifacts' SHA-256).
BOOK_DIR = config.get("book_dir", "_book")
BOOK_PDF = "Causal-Inference-Under-Interference-and-Spillovers.pdf"
BOOK_SOURCES = sorted(
    {"_quarto.yml", "references.bib", "index.qmd"}
    | {str(p) for p in Path("chapters").glob("*.qmd")}
    | {str(p) for p in Path("book").rglob("*") if p.is_file() and "__pycache__" not in p.parts}
)


rule book:
    input:
        manifest=f"{RESULTS}/manifest.json",
        # the solutions appendix shows every exercise's computed answer
        exercises=EXERCISE_RECORDS,
        sources=BOOK_SOURCES,
    output:
        html=f"{BOOK_DIR}/index.html",
        pdf=f"{BOOK_DIR}/{BOOK_PDF}",
    conda:
        CONDA_ENV
    log:
        f"{LOGS}/book.log",
    shell:
        f"{PYTHON} -m analysis.quarto_render --results-dir {shlex.quote(RESULTS)} "
        f"--output-dir {shlex.quote(BOOK_DIR)} > {{log}} 2>&1"
