"""Freed-memory reuse: on glibc a freed large array's pages serve the next one of its size
(no new page faults); elsewhere the call is a no-op."""

from __future__ import annotations

import platform
import resource

import numpy as np
import pytest

from analysis.heap import keep_freed_memory

GLIBC = platform.system() == "Linux" and platform.libc_ver()[0] == "glibc"


def _faults_writing(n_arrays: int, n_floats: int) -> int:
    before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
    for _ in range(n_arrays):
        block = np.empty(n_floats)
        block.fill(1.0)  # touch every page
        del block
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before


def test_keep_freed_memory_reports_whether_glibc_took_it():
    assert keep_freed_memory() is GLIBC


@pytest.mark.skipif(not GLIBC, reason="mallopt is glibc's")
def test_freed_arrays_are_reused_without_new_page_faults():
    assert keep_freed_memory()
    _faults_writing(1, 12_500_000)  # 100 MB: the first one maps its pages
    # five more of the same size reuse them (without reuse each maps 100 MB afresh: at least
    # 50 faults even with 2 MB transparent huge pages)
    assert _faults_writing(5, 12_500_000) < 50
