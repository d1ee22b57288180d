"""rowwise: a binary ufunc where one operand is a scalar per row (per channel), past a slow path of NumPy's iterator.

NumPy's ufunc iterator buffers in chunks of ``np.getbufsize()`` elements (8192). Where one operand repeats along the
output's trailing dims, as a per-channel bias (C, 1, 1) against (N, C, H, W) or a row statistic (R, 1) against
(R, L), and those rows are shorter than a chunk, the iterator copies the repeated operand into its buffer chunk by
chunk: x + b takes twice x + 0.5 (float64 (32, 16, 32, 32) + (16, 1, 1): 0.9 ms against 0.43 ms; LeNet's
(32, 6, 24, 24): 3×). A buffer no longer than a row spares that copy, and each row runs as one inner loop.

Measured on an AVX-512 Xeon over rows of 32 to 4096 elements (add, subtract, multiply, divide; float32 and float64;
into a new array, into another and in place): rows of 256 elements and more take 0.45–0.8× the default's time,
shorter rows up to 3× longer, and a float32 division 2–5× longer at every row length (NumPy then divides by a
scalar per row, slower than its contiguous loop). So only rows of 256 elements and more take it, and no division
but float64's. A row-broadcast operand ((F,) against (B, F)) gains nothing, so only the per-row scalar takes it.
"""
from __future__ import annotations

import numpy as np

from ._quiet import ERROR_STATE

# NumPy's default buffer size (elements), the chunk length that the slow path fills: callers may skip rowwise for
# operands no larger
ROW_BUFFER = 8192
_SHORTEST_ROW = 256  # shorter rows gain little or run slower with a row-sized buffer (measured)
_ignore_all_with_buffer: dict = {}  # buffer size -> NumPy's error state with errors ignored and that buffer size


def _ignore_all_with(bufsize: int):
    state = _ignore_all_with_buffer.get(bufsize)
    if state is None:
        with np.errstate(all="ignore"):  # (restores the caller's state, buffer size included, on leaving)
            np.setbufsize(bufsize)
            state = _ignore_all_with_buffer[bufsize] = ERROR_STATE.get()
    return state


def _row_length(a_shape: tuple, b_shape: tuple) -> int:
    """The elements in one row where one operand repeats along the output's trailing dims while the other does not,
    and does not repeat along the dim before them (else 0: a row broadcast, or one operand repeating throughout)."""
    row, repeats = 1, None  # repeats: whether a (True) or b (False) is the operand that repeats
    for i in range(1, max(len(a_shape), len(b_shape)) + 1):
        n_a = a_shape[-i] if i <= len(a_shape) else 1
        n_b = b_shape[-i] if i <= len(b_shape) else 1
        if n_a == n_b:
            if n_a == 1:
                continue
            return row if repeats is not None else 0  # both full: the rows end here
        if repeats is None:
            repeats = n_a == 1
        elif repeats != (n_a == 1):
            return 0
        row *= n_a if n_b == 1 else n_b
    return 0  # one operand repeats over the whole output: one inner loop already


def rowwise(ufunc, a: np.ndarray, b: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """ufunc(a, b, out=out), its buffer one row long where one operand is a scalar per row of 256 to 8191 elements
    (see the module docstring); otherwise as NumPy runs it. For quiet code (a Function's forward, a @quiet helper):
    the row-long buffer comes with NumPy's errors ignored."""
    a_shape, b_shape = a.shape, b.shape
    # (a per-row scalar has a last dim of 1: a row broadcast, (32, 1024) + (1024,), is NumPy's at once)
    if ((a_shape[-1:] == (1,) or b_shape[-1:] == (1,)) and a_shape != b_shape
            and (a.size > ROW_BUFFER or b.size > ROW_BUFFER) and ERROR_STATE is not None
            and (ufunc is not np.true_divide or a.dtype == np.float64)):
        row = _row_length(a_shape, b_shape)
        if _SHORTEST_ROW <= row < ROW_BUFFER:
            token = ERROR_STATE.set(_ignore_all_with(-(-row // 16) * 16))  # (NumPy takes multiples of 16)
            try:
                return ufunc(a, b, out=out)
            finally:
                ERROR_STATE.reset(token)
    return ufunc(a, b) if out is None else ufunc(a, b, out=out)  # (out=None itself costs a small op 10%)
