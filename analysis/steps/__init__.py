"""Pipeline steps: thin entry points, one module per Snakemake rule (``run(ctx)``)."""
