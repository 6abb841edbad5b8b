"""Causal inference under interference and spillovers: the science behind the book."""

__version__ = "0.1.0"
