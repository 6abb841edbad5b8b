"""Keep freed memory for reuse inside a step's process (glibc malloc settings).

Steps on large graphs allocate arrays of 10-500 MB for every chunk of re-randomizations. By
default glibc serves each of them with a fresh ``mmap`` and returns it with ``munmap`` when the
array is freed, so every chunk pays the kernel to zero and map its pages again: on the
million-node network world that was 12 s of system time in one rule. Raising the ``mmap`` and
trim thresholds makes such arrays come from the heap and stay there once freed, so the next
chunk reuses the same pages; memory goes back to the system when the step's process ends.
The price is some fragmentation: the million-node design step peaks about 0.2 GB higher, and a
step that frees large arrays of changing sizes (the graph partition: 0.4 GB higher) gains
nothing, so steps opt in by calling :func:`keep_freed_memory` first.
"""

from __future__ import annotations

import ctypes
import logging

__all__ = ["REUSE_BELOW_BYTES", "keep_freed_memory"]

LOG = logging.getLogger(__name__)

#: Arrays smaller than this come from (and return to) the heap instead of their own mapping.
REUSE_BELOW_BYTES = 1 << 30

# mallopt parameters (malloc.h)
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3


def keep_freed_memory(limit: int = REUSE_BELOW_BYTES) -> bool:
    """Ask glibc to reuse freed blocks below ``limit`` bytes; ``False`` where that is not glibc.

    Only allocator behaviour changes, never a computed value.
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):  # not glibc (e.g. macOS has no mallopt)
        LOG.debug("no mallopt: freed memory goes back to the system")
        return False
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_MMAP_THRESHOLD, int(limit)) and mallopt(_M_TRIM_THRESHOLD, int(limit)))
