"""refgrad._scatter.add_rows against np.add.at, which it stands in for: the same sums to the bit (each row's values
added in index order from +0; NaN where np.add.at's is NaN), for repeated and negative rows, rows named more often
than its rounds allow, ±0, inf and nan, in float16/32/64."""
from __future__ import annotations

import numpy as np
import pytest

import refgrad
from refgrad import _scatter as scatter
from refgrad._scatter import _MOST_ROUNDS, add_rows


def _rows_cases(rng, size: int, n: int):
    yield "distinct", rng.permutation(size)[:min(n, size)]
    yield "repeated, negative too", rng.integers(-size, size, n)
    yield "one row, past the rounds", np.full(_MOST_ROUNDS + 5, size - 1)
    yield "one row, within the rounds", np.r_[np.full(_MOST_ROUNDS - 1, 2), [-1, 0]]
    yield "empty", np.zeros(0, np.int64)


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("inner", [(3,), (2, 4)])
def test_add_rows_sums_as_np_add_at_to_the_bit(dtype, inner, monkeypatch):
    monkeypatch.setattr(scatter, "_FEWEST_ELEMENTS", 0)  # the rounds at these small sizes too
    monkeypatch.setattr(scatter, "_SHORTEST_ROW", 1)
    rng = np.random.default_rng(0)
    size, n = 12, 300
    for name, rows in _rows_cases(rng, size, n):
        values = (rng.standard_normal((rows.size,) + inner) * 1e3).astype(dtype)
        values[::4] = -0.0
        if rows.size > 3:
            values[1], values[2] = np.inf, -np.inf
            values[3].flat[0] = np.nan
        want, got = np.zeros((size,) + inner, dtype), np.zeros((size,) + inner, dtype)
        with np.errstate(all="ignore"):
            np.add.at(want, rows, values)
            add_rows(got, rows, values)
        nan = np.isnan(want)
        assert (np.isnan(got) == nan).all(), name  # (which NaN, its sign and payload, NumPy's loops do not fix)
        assert got[~nan].tobytes() == want[~nan].tobytes(), name


def test_a_repeated_row_lookups_gradient_sums_its_cotangents_as_torch():
    """x[rows] and embedding: a row's gradient adds its cotangents in index order, as torch's; float32 rounding shows
    the order (1e8 + 1 - 1e8 is 0 in float32, 1 - 1e8 + 1e8 is 0 too, 1e8 - 1e8 + 1 is 1)."""
    import torch

    rows = np.array([1, 0, 1, 1, 0, 0, 0])
    g = np.array([[1e8], [1.0], [1.0], [-1e8], [-1e8], [1e8], [1.0]], np.float32)
    for lib in (refgrad, torch):
        x = lib.zeros(2, 1, requires_grad=True)
        x[lib.tensor(rows)].backward(lib.tensor(g))
        weight = lib.zeros(2, 1, requires_grad=True)
        lib.nn.functional.embedding(lib.tensor(rows), weight).backward(lib.tensor(g))
        if lib is refgrad:
            ours = x.grad.numpy(), weight.grad.numpy()
    assert ours[0].tobytes() == x.grad.numpy().tobytes()
    assert ours[1].tobytes() == weight.grad.numpy().tobytes()
