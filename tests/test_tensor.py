"""Tensor basics, factories, dtypes and torch's type-promotion rules, each compared with torch."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import refgrad as rg

DTYPES = ["float32", "float64", "int64", "int32", "bool"]


def _rg(name):
    return getattr(rg, name)


def _th(name):
    return getattr(torch, name)


@pytest.mark.parametrize("data", [1.5, 3, True, [1, 2], [1.0, 2], [[True, False]], np.float64(2.0),
                                  np.arange(3, dtype=np.int32), np.ones(2, np.float64)])
def test_tensor_infers_dtype_like_torch(data):
    assert str(rg.tensor(data).dtype) == str(torch.tensor(data).dtype).split(".")[1]


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("b", DTYPES)
@pytest.mark.parametrize("a_dim,b_dim", [(1, 1), (1, 0), (0, 1), (0, 0)])
def test_promotion_between_tensors(a, b, a_dim, b_dim):
    shape = lambda d: (2,) if d else ()  # noqa: E731
    r = rg.result_type(rg.zeros(shape(a_dim), dtype=_rg(a)), rg.zeros(shape(b_dim), dtype=_rg(b)))
    t = torch.result_type(torch.zeros(shape(a_dim), dtype=_th(a)), torch.zeros(shape(b_dim), dtype=_th(b)))
    assert str(r) == str(t).split(".")[1]


@pytest.mark.parametrize("a", DTYPES)
@pytest.mark.parametrize("scalar", [2, 2.5, True])
def test_promotion_with_python_scalars(a, scalar):
    r = rg.result_type(rg.zeros(2, dtype=_rg(a)), scalar)
    t = torch.result_type(torch.zeros(2, dtype=_th(a)), scalar)
    assert str(r) == str(t).split(".")[1]


def test_default_dtype():
    assert rg.get_default_dtype() == rg.float32
    rg.set_default_dtype(rg.float64)
    try:
        assert rg.tensor(1.0).dtype == rg.float64 and rg.zeros(2).dtype == rg.float64
    finally:
        rg.set_default_dtype(rg.float32)
    with pytest.raises(TypeError, match="floating-point"):
        rg.set_default_dtype(rg.int64)


@pytest.mark.parametrize("name,args,kwargs", [
    ("zeros", (2, 3), {}), ("ones", ((2, 3),), {}), ("empty", ([0, 2],), {}), ("full", ((2,), 1.5), {}),
    ("full", ((2,), 3), {}), ("arange", (5,), {}), ("arange", (1, 4, 0.5), {}), ("arange", (0.0, 1.0, 0.1), {}),
    ("linspace", (0, 1, 5), {}), ("eye", (3,), {}), ("eye", (2, 3), {}), ("zeros", (2,), {"dtype": "float64"}),
])
def test_factories_match_torch(name, args, kwargs):
    kw_rg = {k: _rg(v) for k, v in kwargs.items()}
    kw_th = {k: _th(v) for k, v in kwargs.items()}
    r, t = getattr(rg, name)(*args, **kw_rg), getattr(torch, name)(*args, **kw_th)
    assert r.shape == tuple(t.shape) and str(r.dtype) == str(t.dtype).split(".")[1]
    if name != "empty":
        np.testing.assert_allclose(r.numpy(), t.numpy(), rtol=1e-6)


def test_like_factories_and_random():
    x = rg.ones(2, 3, dtype=rg.float64)
    for f in (rg.zeros_like, rg.ones_like, rg.rand_like, rg.randn_like):
        y = f(x)
        assert y.shape == (2, 3) and y.dtype == rg.float64
    assert rg.full_like(x, 7).numpy().tolist() == [[7.0] * 3] * 2
    rg.manual_seed(0)
    a = rg.rand(4)
    rg.manual_seed(0)
    assert np.array_equal(a.numpy(), rg.rand(4).numpy())
    r = rg.randint(0, 5, (100,))
    assert r.dtype == rg.int64 and 0 <= r.numpy().min() and r.numpy().max() < 5
    assert rg.randn(3, 2).dtype == rg.float32


def test_negative_size_raises():
    for lib in (rg, torch):
        with pytest.raises(RuntimeError, match="must be non-negative"):
            lib.zeros(2, -1)


def test_metadata_and_conversion():
    t = rg.tensor([[1.0, 2.0], [3.0, 4.0]])
    assert t.shape == (2, 2) and t.ndim == 2 and t.dim() == 2 and t.numel() == 4 and t.size(-1) == 2
    assert np.asarray(t).dtype == np.float32 and t.tolist() == [[1.0, 2.0], [3.0, 4.0]]
    assert rg.tensor(3.5).item() == 3.5 and float(rg.tensor(2.0)) == 2.0
    with pytest.raises(RuntimeError, match="cannot be converted to Scalar"):
        t.item()
    with pytest.raises(RuntimeError, match="numpy\\(\\) on Tensor that requires grad"):
        rg.ones(2, requires_grad=True).numpy()
    assert t.double().dtype == rg.float64 and t.long().dtype == rg.int64 and t.to(rg.float64).dtype == rg.float64
    assert "tensor(" in repr(t)


def test_size_out_of_range_dim():
    with pytest.raises(IndexError, match="Dimension out of range"):
        rg.ones(2, 3).size(2)


def test_basic_indexing_and_diagonal_give_views_and_advanced_indexing_copies_like_torch():
    results = []
    for lib in (rg, torch):
        x = lib.tensor(np.arange(12.0).reshape(3, 4))
        with lib.no_grad():
            x[0].fill_(-1.0)            # a row
            x[:, 1].mul_(10.0)          # a strided column
            x[2, 3].add_(100.0)         # one element: a 0-d view
            x[None, 1:, ::2].sub_(0.5)  # None and a step
            x[[0, 2]].fill_(7.0)        # advanced: a copy, x unchanged
            x[x > 1000].fill_(7.0)      # a mask: a copy
            x.diagonal(1).mul_(-1.0)    # diagonal is a view too
            lib.diag(x).fill_(5.0)      # diag: a copy
        results.append(x.tolist())
    assert results[0] == results[1]


_VIEW_OR_COPY = {  # torch's views write through to x; its other ops return copies
    "getitem": lambda lib, x: x[0], "getitem_int": lambda lib, x: x[1, 2, 3], "getitem_adv": lambda lib, x: x[[0]],
    "view": lambda lib, x: x.view(24), "reshape": lambda lib, x: x.reshape(24), "flatten": lambda lib, x: x.flatten(),
    "ravel": lambda lib, x: lib.ravel(x), "unflatten": lambda lib, x: x.unflatten(2, (2, 2)),
    "view_as": lambda lib, x: x.view_as(x), "squeeze": lambda lib, x: x.squeeze(),
    "unsqueeze": lambda lib, x: x.unsqueeze(0), "permute": lambda lib, x: x.permute(2, 0, 1),
    "movedim": lambda lib, x: lib.movedim(x, 0, 1), "swapdims": lambda lib, x: lib.swapdims(x, 0, 2),
    "t": lambda lib, x: x[0].t(), "T": lambda lib, x: x[0].T, "mT": lambda lib, x: x.mT,
    "narrow": lambda lib, x: lib.narrow(x, 0, 0, 1), "select": lambda lib, x: lib.select(x, 0, 0),
    "split": lambda lib, x: lib.split(x, 1)[0], "chunk": lambda lib, x: lib.chunk(x, 2)[0],
    "unbind": lambda lib, x: lib.unbind(x)[0], "diagonal": lambda lib, x: lib.diagonal(x, 0, 1, 2),
    "expand_as": lambda lib, x: x.expand_as(x), "contiguous": lambda lib, x: x.contiguous(),
    "detach": lambda lib, x: x.detach(), "data": lambda lib, x: x.data, "to_same_dtype": lambda lib, x: x.to(lib.float64),
    "diag": lambda lib, x: lib.diag(x[0]), "flip": lambda lib, x: lib.flip(x, (0,)), "roll": lambda lib, x: lib.roll(x, 1, 0),
    "tril": lambda lib, x: lib.tril(x[0]), "triu": lambda lib, x: lib.triu(x[0]), "clone": lambda lib, x: x.clone(),
    "repeat": lambda lib, x: x.repeat(1, 1, 1), "tile": lambda lib, x: lib.tile(x, (1,)),
    "index_select": lambda lib, x: lib.index_select(x, 0, lib.tensor([0])), "cat": lambda lib, x: lib.cat([x]),
    "stack": lambda lib, x: lib.stack([x]), "hstack": lambda lib, x: lib.hstack([x]),
    "masked_fill": lambda lib, x: x.masked_fill(x > 100, 0.0),
}


@pytest.mark.parametrize("op", sorted(_VIEW_OR_COPY))
def test_a_write_into_the_result_reaches_the_input_exactly_when_torchs_does(op):
    reached = []
    for lib in (rg, torch):
        x = lib.tensor(np.arange(24.0).reshape(2, 3, 4))
        with lib.no_grad():
            _VIEW_OR_COPY[op](lib, x).fill_(-1.0)
        reached.append(bool((x.numpy() == -1).any()))
    assert reached[0] == reached[1], f"refgrad's result {'is' if reached[0] else 'is not'} a view of its input"


def test_an_overflowing_value_becomes_inf_silently_as_in_torch():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = rg.tensor([1e308, -1e308, 1.0])  # float32 by default
    assert r.tolist() == torch.tensor([1e308, -1e308, 1.0]).tolist() == [np.inf, -np.inf, 1.0]


@pytest.mark.parametrize("ndim", [0, 1, 2, 3])
def test_T_reverses_the_dims_and_warns_off_matrices_as_torch(ndim):
    """x.T is a matrix's transpose; on any other rank torch reverses the dims and warns that this is deprecated (its
    warning is TORCH_WARN_ONCE, shown once per process, so refgrad's is checked for the deprecation it names)."""
    import warnings

    value = np.arange(24.0)[:math.prod((2, 3, 4)[:ndim])].reshape((2, 3, 4)[:ndim])
    x = rg.tensor(value, requires_grad=True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        out = x.T
    deprecations = [w for w in caught if "deprecated" in str(w.message)]
    assert len(deprecations) == (0 if ndim == 2 else 1), [str(w.message) for w in caught]
    np.testing.assert_array_equal(out.detach().numpy(), torch.tensor(value).permute(tuple(range(ndim - 1, -1, -1))).numpy())
    out.backward(rg.ones(out.shape))
    np.testing.assert_array_equal(x.grad.numpy(), np.ones(value.shape))
