"""Bad inputs to the reduction and scan families (and linalg.vector_norm): refgrad raises torch's exception
class, at the call, with a message naming the offending shape / dim / dtype / value. Each case runs torch
too, so the expected class is torch's own, not a guess. Plus the few behaviours that are not values
(warnings, return types, deliberate differences)."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import refgrad

X = np.arange(6.0).reshape(2, 3)
EMPTY = np.zeros((3, 0))


def _x(lib, a=X):
    return lib.tensor(a)


# (id, call(lib), substrings the refgrad message must contain)
CASES = [
    ("sum-dim-out-of-range", lambda L: L.sum(_x(L), dim=3), ["[-2, 1]", "3"]),
    ("sum-dim-repeated", lambda L: L.sum(_x(L), dim=(0, -2)), ["dim 0", "multiple times"]),
    ("sum-dim-float", lambda L: L.sum(_x(L), dim=1.0), ["dim", "float"]),
    ("sum-not-a-tensor", lambda L: L.sum([1.0, 2.0]), ["list"]),
    ("mean-int", lambda L: L.mean(L.tensor([1, 2])), ["Long"]),
    ("mean-bool", lambda L: L.mean(L.tensor([True])), ["Bool"]),
    ("mean-int-dtype", lambda L: L.mean(_x(L), dtype=L.int64), ["Long"]),
    ("mean-dim-out-of-range", lambda L: L.mean(_x(L), dim=-3), ["[-2, 1]", "-3"]),
    ("prod-dim-tuple", lambda L: L.prod(_x(L), dim=(0, 1)), ["dim", "tuple"]),
    ("prod-keepdim-without-dim", lambda L: L.prod(_x(L), dim=None, keepdim=True), ["dim", "NoneType"]),
    ("prod-dim-out-of-range", lambda L: L.prod(_x(L), 2), ["[-2, 1]", "2"]),
    ("amax-empty-dim", lambda L: L.amax(_x(L, EMPTY), dim=-1), ["dim -1", "non-zero size"]),
    ("amax-empty-dims-tuple", lambda L: L.amax(_x(L, EMPTY), dim=(0, 1)), ["dim 1", "non-zero size"]),
    ("amax-empty-all", lambda L: L.amax(_x(L, EMPTY)), ["numel() == 0", "dim"]),
    ("amin-dim-float", lambda L: L.amin(_x(L), dim=0.5), ["dim", "float"]),
    ("amin-dim-repeated", lambda L: L.amin(_x(L), dim=(1, 1)), ["dim 1", "multiple times"]),
    ("max-empty", lambda L: L.max(_x(L, EMPTY)), ["max()", "numel() == 0"]),
    ("min-empty-dim", lambda L: L.min(_x(L, EMPTY), 1), ["dim 1", "non-zero size"]),
    ("max-dim-out-of-range", lambda L: L.max(_x(L), 2), ["[-2, 1]", "2"]),
    ("max-dim-tuple", lambda L: L.max(_x(L), dim=(0, 1)), ["max()"]),
    ("max-scalar-other", lambda L: L.max(_x(L), 2.0), ["max()", "float"]),
    ("max-dim-bool", lambda L: L.max(_x(L), True), ["max()", "bool"]),
    ("max-other-broadcast", lambda L: L.max(_x(L), L.ones(4)), ["(3)", "(4)", "dimension 1"]),
    ("min-keepdim-without-dim", lambda L: L.min(_x(L), keepdim=True), ["min()", "keepdim"]),
    ("argmax-bool", lambda L: L.argmax(L.tensor([True, False])), ["argmax()", "bool"]),
    ("argmax-empty", lambda L: L.argmax(_x(L, EMPTY)), ["argmax()", "numel() == 0"]),
    ("argmin-empty-dim", lambda L: L.argmin(_x(L, EMPTY), -1), ["argmin()", "dim 1", "non-zero size"]),
    ("argmin-dim-tuple", lambda L: L.argmin(_x(L), dim=(0,)), ["argmin()", "dim", "tuple"]),
    ("logsumexp-no-dim", lambda L: L.logsumexp(_x(L)), ["dim"]),
    ("logsumexp-dim-none", lambda L: L.logsumexp(_x(L), None), ["dim", "NoneType"]),
    ("logsumexp-dim-out-of-range", lambda L: L.logsumexp(_x(L), (0, 2)), ["[-2, 1]", "2"]),
    ("var-int", lambda L: L.var(L.tensor([1, 2, 3])), ["floating point"]),
    ("std-int", lambda L: L.std(L.tensor([1, 2, 3])), ["floating point"]),
    ("var-unbiased-and-correction", lambda L: L.var(_x(L), 0, unbiased=True, correction=0),
     ["unbiased", "correction"]),
    ("std-dim-float", lambda L: L.std(_x(L), dim=1.5), ["dim", "float"]),
    ("norm-int", lambda L: L.norm(L.tensor([3, 4])), ["Long"]),
    ("norm-bad-order", lambda L: L.norm(_x(L), p="abc"), ["abc"]),
    ("norm-fro-three-dims", lambda L: L.norm(L.ones(2, 2, 2), p="fro", dim=(0, 1, 2)), ["0 1 2", "2-tuple"]),
    ("norm-inf-empty", lambda L: L.norm(_x(L, EMPTY), p=math.inf), ["inf norm", "empty tensor"]),
    ("vector_norm-inf-empty", lambda L: L.linalg.vector_norm(_x(L, EMPTY), math.inf), ["inf norm", "empty"]),
    ("vector_norm-negative-empty-dim", lambda L: L.linalg.vector_norm(_x(L, EMPTY), -1, dim=(0, 1)),
     ["-1 norm", "dimension 1"]),
    ("vector_norm-narrowing-dtype", lambda L: L.linalg.vector_norm(L.tensor([1.0], dtype=L.float64),
                                                                   dtype=L.float32), ["Double", "Float"]),
    ("vector_norm-int-dtype", lambda L: L.linalg.vector_norm(_x(L), dtype=L.int64), ["Long"]),
    ("vector_norm-int", lambda L: L.linalg.vector_norm(L.tensor([3, 4])), ["Long"]),
    ("vector_norm-ord-str", lambda L: L.linalg.vector_norm(_x(L), "fro"), ["ord", "str"]),
    ("cumsum-no-dim", lambda L: L.cumsum(_x(L)), ["dim"]),
    ("cumsum-dim-none", lambda L: L.cumsum(_x(L), None), ["dim", "NoneType"]),
    ("cumsum-dim-out-of-range", lambda L: L.cumsum(_x(L), 2), ["[-2, 1]", "2"]),
    ("cumprod-dim-tuple", lambda L: L.cumprod(_x(L), (0,)), ["dim", "tuple"]),
    ("cumprod-0d-dim-1", lambda L: L.cumprod(L.tensor(2.0), 1), ["[-1, 0]", "1"]),
    ("logcumsumexp-int", lambda L: L.logcumsumexp(L.tensor([1, 2]), 0), ["Long"]),
    ("logcumsumexp-dim-float", lambda L: L.logcumsumexp(_x(L), 0.0), ["dim", "float"]),
]


@pytest.mark.parametrize("call,fragments", [pytest.param(c, f, id=i) for i, c, f in CASES])
def test_error_matches_torch(call, fragments):
    with pytest.raises(Exception) as torch_error:
        call(torch)
    with pytest.raises(Exception) as refgrad_error:
        call(refgrad)
    assert type(refgrad_error.value) is type(torch_error.value), (
        f"refgrad raised {type(refgrad_error.value).__name__}: {refgrad_error.value}; torch raised "
        f"{type(torch_error.value).__name__}: {torch_error.value}")
    message = str(refgrad_error.value)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in refgrad's message {message!r}"


@pytest.mark.parametrize("name", ["var", "std"])
def test_no_degrees_of_freedom_warns_like_torch(name):
    for lib in (torch, refgrad):
        x = lib.tensor([1.0, 2.0])
        with pytest.warns(UserWarning, match="degrees of freedom is <= 0"):
            out = getattr(lib, name)(x, correction=2)
        assert math.isinf(float(out))


def test_max_dim_returns_values_and_indices():
    x = refgrad.tensor([[1.0, 3.0, 3.0], [2.0, 0.0, 2.0]], requires_grad=True)
    result = refgrad.max(x, 1)
    values, indices = result
    assert values is result.values and indices is result.indices and result[0] is values
    np.testing.assert_array_equal(indices.numpy(), [1, 0])  # the first of tied maxima, as torch
    assert indices.dtype == refgrad.int64 and not indices.requires_grad
    min_result = x.min(dim=0, keepdim=True)
    assert min_result.values.shape == (1, 3) and min_result.indices.shape == (1, 3)
    assert type(result).__name__ == "max" and type(min_result).__name__ == "min"


def test_norm_nuclear_is_not_implemented():
    """A deliberate gap: the nuclear norm needs a differentiable SVD (torch.norm(p='nuc') works)."""
    with pytest.raises(NotImplementedError, match="nuc"):
        refgrad.norm(refgrad.ones(2, 2), p="nuc")


def test_var_empty_dim_tuple_gradient_is_that_of_its_value():
    """Deliberate difference: torch 2.13's var(x, dim=()) reduces every dim but differentiates as if n = 1."""
    data = np.array([[1.0, 2.0, 4.0], [0.0, 1.0, 3.0]])
    grads = []
    for dim in ((), None):
        x = refgrad.tensor(data, requires_grad=True)
        (g,) = refgrad.autograd.grad(refgrad.var(x, dim=dim), x)
        grads.append(g.numpy())
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-15)
    xt = torch.tensor(data, requires_grad=True)
    (gt,) = torch.autograd.grad(torch.var(xt), xt)
    np.testing.assert_allclose(grads[1], gt.numpy(), rtol=1e-12)
