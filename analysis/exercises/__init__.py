"""Exercises whose answers the pipeline computes.

Each exercise is a YAML file in ``config/exercises/``: a question, the chapter that asks it, the
rules it builds, a small override of the main configuration, and the numbers that answer it.

* :mod:`analysis.exercises.spec` - load and validate an exercise file (unknown keys are errors);
* :mod:`analysis.exercises.build` - build one exercise with a nested Snakemake run into its own
  folders, reusing the main build's MovieLens tables;
* :mod:`analysis.exercises.verdicts` - the words a solution uses, chosen from the numbers;
* :mod:`analysis.exercises.solutions` - the chapters' exercise lists and the solutions appendix.
"""
