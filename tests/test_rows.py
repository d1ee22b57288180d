"""refgrad._rows.rowwise: a per-row-scalar ufunc with NumPy's buffer one row long. It must give exactly what NumPy
gives (the buffer changes how the iterator walks the rows, never an operation or its order), leave the caller's
buffer size and error state as they were, and take the short buffer only for the per-row-scalar pattern."""
from __future__ import annotations

import numpy as np
import pytest

from refgrad._rows import _row_length, rowwise

# (large operand, small operand): per-channel (C, 1, 1) over (N, C, H, W) with rows of 1024, 400 (not a multiple of
# 16) and 256; row statistics (R, 1) with rows of 512; a row-broadcast (F,) and rows of 128 and 64, which NumPy
# runs itself
PATTERNS = [((32, 16, 32, 32), (16, 1, 1)), ((8, 6, 20, 20), (6, 1, 1)), ((4, 8, 16, 16), (1, 8, 1, 1)),
            ((300, 512), (300, 1)), ((1024, 128), (1024, 1)), ((128, 512), (512,)), ((64, 128, 64), (128, 1))]
UFUNCS = [np.add, np.subtract, np.multiply, np.true_divide]


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("ufunc", UFUNCS, ids=lambda u: u.__name__)
@pytest.mark.parametrize("shapes", PATTERNS, ids=str)
def test_rowwise_gives_numpys_bits(shapes, ufunc, dtype):
    rng = np.random.default_rng(0)
    big, small = (rng.standard_normal(s).astype(dtype) for s in shapes)
    small[..., :1] = 0.0  # a zero divisor: inf and nan where NumPy gives them, silently
    with np.errstate(all="ignore"):  # (rowwise is for quiet code)
        for a, b in ((big, small), (small, big)):
            expected = ufunc(a, b)
            np.testing.assert_array_equal(rowwise(ufunc, a, b), expected, strict=True)
            out = np.empty_like(expected)
            assert rowwise(ufunc, a, b, out=out) is out
            np.testing.assert_array_equal(out, expected, strict=True)
        in_place = big.copy()
        rowwise(ufunc, in_place, small, out=in_place)
        np.testing.assert_array_equal(in_place, ufunc(big, small), strict=True)


def test_rowwise_leaves_the_callers_buffer_size_and_error_state():
    a, b = np.ones((32, 16, 32, 32)), np.zeros((16, 1, 1))
    before = np.getbufsize(), np.geterr()
    rowwise(np.true_divide, a, b)  # float64: the row-long buffer, with errors ignored
    assert (np.getbufsize(), np.geterr()) == before
    with pytest.warns(RuntimeWarning):  # the caller's "warn" is in force after it
        np.true_divide(a, b)


@pytest.mark.parametrize("a, b, row", [
    ((32, 16, 32, 32), (16, 1, 1), 1024),  # a per-channel scalar: the spatial dims
    ((16, 1, 1), (32, 16, 32, 32), 1024),  # either operand may be the repeated one
    ((300, 512), (300, 1), 512),  # a row statistic
    ((8, 4, 128, 128), (8, 4, 128, 1), 128),
    ((128, 512), (512,), 0),  # a row broadcast: both full along the last dim
    ((2, 3), (2, 3), 0),  # no broadcast
    ((5, 7), (1, 1), 0),  # one operand repeats throughout: one inner loop already
    ((4, 1, 6), (1, 5, 1), 0),  # each repeats along some dims: left to NumPy
])
def test_row_length(a, b, row):
    assert _row_length(a, b) == row
