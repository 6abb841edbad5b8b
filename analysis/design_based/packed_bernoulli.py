"""Bernoulli re-randomizations as packed bits, and outcome sums read from them by table look-up.

A randomization test under a Bernoulli design needs, for every re-randomization, the number of
treated units and the sum of their (fixed) outcomes. Drawing one float64 uniform per unit and
multiplying a float64 0/1 matrix by the outcomes moves 16 bytes per unit and draw; here a draw
costs one random *bit* per unit when ``p = 1/2`` and one random *byte* otherwise, and the sums
come from a table of partial outcome sums indexed by groups of assignment bits.

* :func:`packed_bernoulli` draws ``(R, ceil(n / 8))`` bytes in :func:`numpy.packbits` order (unit
  ``8 b + j`` is bit ``7 - j`` of byte ``b``; padding bits are 0). Every unit is treated with
  probability exactly ``p`` up to float64 resolution, as with ``rng.random() < p``: with
  ``p = 1/2`` each random bit is one coin; otherwise a random byte ``u`` is compared with
  ``k = floor(256 p)``: ``u < k`` treated, ``u > k`` control, and the ties ``u == k``
  (probability 1/256) are resolved by a float64 uniform against the fractional part ``256 p - k``.
* :class:`PackedOutcomeSums` holds, for every group of ``w`` consecutive units (``w = 8``, or 4
  for more than 2^18 units to bound the table at 32 bytes per unit), the sum of the outcomes of
  each of the ``2^w`` subsets, built by exact doubling (no BLAS), and returns the treated count
  and treated outcome sum (float64) of every packed row.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike

__all__ = ["PackedOutcomeSums", "pack_assignment", "packed_bernoulli"]

#: Number of set bits of every byte value.
_POPCOUNT = np.array([bin(v).count("1") for v in range(256)], dtype=np.uint8)

#: Above this many units the table uses 4-bit groups (16 entries) instead of bytes (256).
_BYTE_TABLE_MAX_UNITS = 1 << 18


def pack_assignment(z: ArrayLike) -> np.ndarray:
    """0/1 assignments ``(n,)`` or ``(R, n)`` as ``(R, ceil(n / 8))`` packed bytes."""
    return np.packbits(np.atleast_2d(np.asarray(z)).astype(bool), axis=1)


def packed_bernoulli(probability: float, n_draws: int, n_units: int,
                     rng: np.random.Generator) -> np.ndarray:
    """``n_draws`` independent Bernoulli(``probability``) assignments of ``n_units``, packed.

    Returns ``(n_draws, ceil(n_units / 8))`` ``uint8`` in :func:`numpy.packbits` order with the
    padding bits of the last byte cleared.
    """
    p = float(probability)
    if not 0 < p < 1:
        raise ValueError(f"probability must be strictly between 0 and 1, got {probability}")
    n_bytes = -(-n_units // 8)
    if p == 0.5:  # one random bit per unit
        packed = _random_bytes(rng, n_draws * n_bytes).reshape(n_draws, n_bytes)
    else:
        width = 8 * n_bytes
        u = _random_bytes(rng, n_draws * width).reshape(n_draws, width)
        threshold = int(np.floor(256 * p))
        fraction = 256 * p - threshold  # exact: scaling by 256 and subtracting an integer
        treated = u < threshold
        if fraction > 0:
            ties = np.flatnonzero(u == threshold)
            treated.ravel()[ties] = rng.random(ties.size) < fraction
        packed = np.packbits(treated, axis=1)
    if n_units % 8:
        packed[:, -1] &= np.uint8((0xFF << (8 - n_units % 8)) & 0xFF)
    return packed


def _random_bytes(rng: np.random.Generator, n_bytes: int) -> np.ndarray:
    """``n_bytes`` uniform random bytes from the generator's raw 64-bit output."""
    words = rng.bit_generator.random_raw(-(-n_bytes // 8))
    return words.view(np.uint8)[:n_bytes]


class PackedOutcomeSums:
    """Treated count and treated outcome sum of packed assignments of fixed outcomes ``y``."""

    def __init__(self, y: ArrayLike) -> None:
        values = np.asarray(y, dtype=np.float64)
        if values.ndim != 1:
            raise ValueError(f"y must be 1-D, got shape {values.shape}")
        self.n_units = values.size
        n_bytes = -(-values.size // 8)
        per_byte = np.zeros(8 * n_bytes)
        per_byte[:values.size] = values
        per_byte = per_byte.reshape(n_bytes, 8)  # column j: unit 8 b + j, bit 7 - j
        self.group_bits = 8 if values.size <= _BYTE_TABLE_MAX_UNITS else 4
        if self.group_bits == 8:
            groups = per_byte
        else:  # high nibbles of every byte first, then low nibbles
            groups = np.concatenate([per_byte[:, :4], per_byte[:, 4:]])
        width = self.group_bits
        table = np.zeros((groups.shape[0], 1))
        for bit in range(width):  # subset sums by doubling: entry v sums the units of v's bits
            table = np.concatenate([table, table + groups[:, width - 1 - bit, None]], axis=1)
        self._table = table.ravel()
        self._offsets = np.arange(groups.shape[0], dtype=np.int64) * (1 << width)

    def __call__(self, packed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(counts, sums)`` of every row of ``packed`` (``(R, ceil(n / 8))`` bytes)."""
        if packed.ndim != 2 or packed.shape[1] != -(-self.n_units // 8):
            raise ValueError(f"packed assignments must have shape (R, {-(-self.n_units // 8)}), "
                             f"got {packed.shape}")
        counts = np.take(_POPCOUNT, packed).sum(axis=1, dtype=np.int64)
        n_rows, n_bytes = packed.shape
        index = np.empty((n_rows, self._offsets.size), dtype=np.int64)
        if self.group_bits == 8:
            index[:] = packed
        else:
            np.right_shift(packed, 4, out=index[:, :n_bytes], casting="unsafe")
            np.bitwise_and(packed, 15, out=index[:, n_bytes:], casting="unsafe")
        index += self._offsets
        sums = np.take(self._table, index, mode="clip").sum(axis=1)
        return counts, sums
