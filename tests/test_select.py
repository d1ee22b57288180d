"""refgrad.ops.choose.select, the bit selection behind choose, relu, where and the piecewise activations: the same
bits as np.where (so -0.0, nan payloads and infinities pass as they are), on arrays large enough to take the bit path
(the op specs' Hypothesis arrays are smaller), for every float width, broadcasting and layout; and torch's relu /
where on such arrays."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
from refgrad.ops.choose import _SELECT_BY_BITS_FROM, select

SPECIALS = np.array([0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 1e-30, -2.5, 3.0, 6e-8])
N = 2 * _SELECT_BY_BITS_FROM  # elements of the full-size operands: above the threshold
DTYPES = [np.float16, np.float32, np.float64]


def _values(rng, shape, dtype):
    return rng.choice(SPECIALS, size=shape).astype(dtype) if shape else dtype(rng.choice(SPECIALS))


def _same_bits(got, want) -> bool:
    got, want = np.atleast_1d(got), np.atleast_1d(want)
    return got.dtype == want.dtype and got.shape == want.shape and bool(
        (got.view(np.uint8) == want.view(np.uint8)).all())


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("shapes", [((N,), (N,), (N,)), ((N,), (), (N,)), ((N,), (N,), ()), ((4, N // 4), (N // 4,), (4, 1)),
                                    ((N // 8, 1), (1, 8), (N // 8, 8)), ((N,), (), ())], ids=str)
def test_select_moves_the_same_bits_as_np_where(dtype, shapes):
    rng = np.random.default_rng(0)
    mask_shape, a_shape, b_shape = shapes
    mask = rng.random(mask_shape) < 0.5
    a, b = _values(rng, a_shape, dtype), _values(rng, b_shape, dtype)
    for x, y in [(a, b), (b, a), (dtype(0.0), b), (a, dtype(0.0)), (dtype(-0.0), b), (a, dtype(-0.0))]:
        assert _same_bits(select(mask, x, y), np.where(mask, x, y)), (x, y)


@pytest.mark.parametrize("dtype", DTYPES)
def test_select_on_strided_operands(dtype):
    rng = np.random.default_rng(1)
    mask = (rng.random((64, 2 * N // 64)) < 0.5)[:, ::2]
    a = _values(rng, (2 * N // 64, 64), dtype).T[:, ::2]
    b = _values(rng, (1, N // 64), dtype)
    assert _same_bits(select(mask, a, b), np.where(mask, a, b))


def test_select_leaves_mixed_dtypes_and_integers_to_np_where():
    rng = np.random.default_rng(2)
    mask = rng.random(N) < 0.5
    for a, b in [(np.ones(N, np.float32), np.zeros(N)), (np.arange(N), np.zeros(N, np.int64)), (np.ones(N), 2.5)]:
        assert _same_bits(select(mask, a, b), np.where(mask, a, b))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_relu_and_where_on_large_tensors_match_torch_bit_for_bit(dtype):
    rng = np.random.default_rng(3)
    x = _values(rng, (N,), np.dtype(dtype).type)
    g = _values(rng, (N,), np.dtype(dtype).type)
    r, t = refgrad.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    out_r, out_t = refgrad.relu(r), torch.relu(t)
    out_r.backward(refgrad.tensor(g))
    out_t.backward(torch.tensor(g))
    assert _same_bits(out_r.detach().numpy(), out_t.detach().numpy())
    assert _same_bits(r.grad.numpy(), t.grad.numpy())
    cond = rng.random(N) < 0.5
    y = _values(rng, (N,), np.dtype(dtype).type)
    assert _same_bits(refgrad.where(refgrad.tensor(cond), refgrad.tensor(x), refgrad.tensor(y)).numpy(),
                      torch.where(torch.tensor(cond), torch.tensor(x), torch.tensor(y)).numpy())
