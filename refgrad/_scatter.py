"""add_rows: ``np.add.at(out, rows, values)`` along the first axis, the same sums to the bit, in a few vectorized
rounds.

np.add.at adds one index at a time in C, in index order, so that a row named twice gets both values. Along the first
axis of a 2-D or larger array each of those adds is a row of its own (a backward of ``x[rows]``, ``index_select`` or
an embedding lookup: 4096 rows of 512 into 512 rows took 37-41 ms). Here round k adds each row's k-th occurrence in
index order, all of a round's rows at once (distinct rows, so one fancy-indexed add), which sums every row's values in
the same order, starting from the same zeros. A row named many times makes many rounds: past ``_MOST_ROUNDS`` the
index is handed to np.add.at as it is.
"""
from __future__ import annotations

import numpy as np

_MOST_ROUNDS = 64  # beyond this many rounds (one row named as often), each round is too small to gain from
# np.add.at costs about 0.3 µs a row plus its elements, the rounds 20-40 µs of sorting and indexing first: they gain
# from rows of 64 elements and 16k elements in all (measured from 12 to 2M elements, rows of 4 to 512)
_SHORTEST_ROW, _FEWEST_ELEMENTS = 64, 1 << 14


def add_rows(out: np.ndarray, rows: np.ndarray, values: np.ndarray) -> None:
    """out[rows[i]] += values[i] for every i, in index order (rows: a 1-D int array, negative ones counting from
    the end of out's first axis, each in range)."""
    n = rows.shape[0]
    if out.ndim < 2 or n < 2 or values.size < _FEWEST_ELEMENTS or values.size < n * _SHORTEST_ROW:
        np.add.at(out, rows, values)  # (a 1-D out, few or short rows: np.add.at's own loop is as fast)
        return
    rows = np.where(rows < 0, rows + out.shape[0], rows)  # -1 and the last row are one row
    order = np.argsort(rows, kind="stable")  # each row's occurrences together, in index order
    ordered = rows[order]
    first = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])  # where each row's run starts
    if first.size == n:  # no row repeats: one round
        out[rows] += values
        return
    occurrence = np.arange(n) - np.repeat(first, np.diff(np.r_[first, n]))  # 0 for a row's first value, 1 ...
    rounds = int(occurrence.max()) + 1
    if rounds > _MOST_ROUNDS:
        np.add.at(out, rows, values)
        return
    by_round = order[np.argsort(occurrence, kind="stable")]  # the positions of round 0, then of round 1, ...
    ends = np.cumsum(np.bincount(occurrence, minlength=rounds))
    start = 0
    for end in ends:  # (rounds, not rows: each is one vectorized add over distinct rows)
        at = by_round[start:end]
        out[rows[at]] += values[at]
        start = end
