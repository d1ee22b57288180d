"""Pooling properties the oracle's specs do not draw: empty adaptive outputs (torch's backward refuses them, so
they are forward-only here), dilated windows that step over the whole input (a torch bug in the gradient, not
copied), integer max pooling, and max_unpool undoing max_pool. Each compares against torch called here."""
import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as F


def _both(fn: str, x: np.ndarray, *args, **kwargs):
    """(refgrad's outputs, torch's outputs) as lists of ndarrays."""
    ours = getattr(F, fn)(refgrad.tensor(x), *args, **kwargs)
    theirs = getattr(TF, fn)(torch.from_numpy(x), *args, **kwargs)
    ours = ours if isinstance(ours, tuple) else (ours,)
    theirs = theirs if isinstance(theirs, tuple) else (theirs,)
    return [o.numpy() for o in ours], [t.numpy() for t in theirs]


@pytest.mark.parametrize("fn, output_size, kwargs", [
    ("adaptive_avg_pool1d", 0, {}),
    ("adaptive_avg_pool2d", 0, {}),
    ("adaptive_avg_pool2d", (0, 3), {}),
    ("adaptive_max_pool1d", 0, {"return_indices": True}),
    ("adaptive_max_pool2d", (2, 0), {"return_indices": True}),
])
def test_adaptive_pooling_to_an_empty_output(fn, output_size, kwargs):
    shape = (2, 3, 5) if fn.endswith("1d") else (2, 3, 4, 5)
    x = np.random.default_rng(0).standard_normal(shape)
    ours, theirs = _both(fn, x, output_size, **kwargs)
    for o, t in zip(ours, theirs):
        assert o.shape == t.shape and o.dtype == t.dtype


@pytest.mark.parametrize("fn, shape, kwargs", [
    # windows at positions -1 and 4 of a length-4 input: nothing inside
    ("max_pool1d", (1, 4, 4), {"kernel_size": 2, "padding": 1, "dilation": 5}),
    ("max_pool2d", (1, 1, 2, 4), {"kernel_size": (1, 2), "padding": (0, 1), "dilation": (1, 5)}),
])
def test_a_window_that_dilation_steps_past_the_input(fn, shape, kwargs):
    """torch gives -inf and reports the position its scan would start at (outside the plane); refgrad gives the
    same values and indices. torch's backward then writes that window's gradient to that position (into the next
    row or plane), a bug: refgrad sends it nowhere."""
    x = np.arange(1.0, 1.0 + np.prod(shape)).reshape(shape)
    ours, theirs = _both(fn, x, return_indices=True, **kwargs)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)
    assert np.all(ours[0] == -np.inf)
    leaf = refgrad.tensor(x, requires_grad=True)
    values, _ = getattr(F, fn)(leaf, return_indices=True, **kwargs)
    values.sum().backward()
    np.testing.assert_array_equal(leaf.grad.numpy(), np.zeros(shape))


@pytest.mark.parametrize("fn, shape", [("max_pool1d", (2, 3, 7)), ("max_pool2d", (2, 3, 5, 6))])
def test_integer_max_pooling(fn, shape):
    x = np.random.default_rng(1).integers(-4, 4, shape)  # many ties
    ours, theirs = _both(fn, x, 3, 2, 1, return_indices=True)
    for o, t in zip(ours, theirs):
        np.testing.assert_array_equal(o, t)
        assert o.dtype == t.dtype


@pytest.mark.parametrize("fn, shape, kwargs", [
    ("avg_pool1d", (2, 3, 7), {"padding": 1, "ceil_mode": True}),
    ("avg_pool1d", (2, 3, 7), {"padding": 1, "count_include_pad": False}),
    ("avg_pool2d", (2, 3, 5, 6), {"padding": 1, "ceil_mode": True}),
    ("avg_pool2d", (2, 3, 5, 6), {"divisor_override": 3}),
    ("avg_pool2d", (2, 3, 5, 6), {"divisor_override": -2}),
])
def test_integer_average_pooling_truncates(fn, shape, kwargs):
    """torch's integer average: the window's sum divided with truncation toward zero (negative sums included)."""
    x = np.random.default_rng(4).integers(-20, 20, shape)
    (ours,), (theirs,) = _both(fn, x, 3, 2, **kwargs)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == theirs.dtype


@pytest.mark.parametrize("d", [1, 2])
def test_max_unpool_undoes_max_pool(d):
    """max_unpool of max_pool's values and indices: torch's result and gradient (back through both poolings)."""
    shape = (2, 3, 9) if d == 1 else (2, 3, 6, 7)
    x = np.random.default_rng(2).standard_normal(shape)
    pool, unpool = f"max_pool{d}d", f"max_unpool{d}d"
    g = np.random.default_rng(3).standard_normal(shape)
    results = []
    for lib, functional in ((refgrad, F), (torch, TF)):
        leaf = lib.tensor(x, requires_grad=True)
        values, indices = getattr(functional, pool)(leaf, 2, return_indices=True)
        out = getattr(functional, unpool)(values, indices, 2, output_size=shape[2:])
        (grad,) = lib.autograd.grad(out, leaf, lib.tensor(g))
        results.append((out.detach().numpy(), grad.numpy()))
    (out, grad), (t_out, t_grad) = results
    np.testing.assert_array_equal(out, t_out)
    np.testing.assert_array_equal(grad, t_grad)
