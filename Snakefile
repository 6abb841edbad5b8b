# The book's pipeline. Rules only wire files to `python -m analysis <step>`; the science lives in
# the `analysis` package. Families of rules live in rules/*.smk.
#
#   snakemake --cores 2                                  # full book artifacts (config/config.yaml)
#   snakemake --cores 2 --configfile config/ci.yaml      # small, fast build into build/ci/
#   snakemake -n                                         # what is stale
from snakemake.utils import min_version, validate

from analysis.config_rules import check_config, check_yaml_file

min_version("8.20")

check_yaml_file("config/config.yaml")  # a syntax error names the file and line


configfile: "config/config.yaml"


validate(config, "config/schema/config.schema.yaml", set_default=False)
check_config(config)  # cross-field rules (analysis/config_rules.py), before any rule runs

include: "rules/common.smk"
include: "rules/movielens.smk"
include: "rules/slates.smk"
include: "rules/worlds_partial.smk"
include: "rules/worlds_network.smk"
include: "rules/estimators.smk"
include: "rules/benchmarks.smk"
# Last: merges the fragments every family above registered.
include: "rules/manifest.smk"
# Exercises: each a config override built into its own folder; `snakemake --cores 2 exercises`.
include: "rules/exercises.smk"
# The book itself (Quarto): `snakemake --cores 2 book`, not part of the default target.
include: "rules/book.smk"


rule all:
    default_target: True
    input:
        f"{RESULTS}/manifest.json",
