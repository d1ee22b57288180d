"""The reduction family's behaviours that are not values: warnings, return types, deliberate differences. Its
bad inputs (dims out of range, empty reductions, dtypes without a kernel) are declared with the specs, in
``ERRORS`` of oracle/specs/reduction.py and scan.py, and run by tests/test_ops.py::test_error_case."""
from __future__ import annotations

import math

import numpy as np
import pytest
import torch

import refgrad


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
