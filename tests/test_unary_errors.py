"""The unary family off the oracle's float path: in-place forms into integer tensors, integer and bool inputs
(torch's result dtypes), the operators, the second derivative of abs, and the accuracy of refgrad's own erf/erfc
against torch on a dense grid. Bad inputs are declared with the specs (``ERRORS`` in oracle/specs/unary.py);
method and in-place forms are checked by the derived variant checks of tests/test_ops.py."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad

UNARY = [n for d in refgrad.registry.declarations() if d.module == "refgrad.ops.unary" for n in (d.name, *d.aliases)]
INT_DTYPES = ["int64", "int32", "int8", "uint8", "bool"]


def _both(name, data, dtype, **kwargs):
    """(refgrad result or exception, torch result or exception) of name(tensor(data, dtype), **kwargs)."""
    out = []
    for lib in (refgrad, torch):
        x = lib.tensor(np.array(data).astype(dtype)) if lib is refgrad else torch.from_numpy(
            np.array(data).astype(dtype))
        try:
            out.append(getattr(lib, name)(x, **kwargs))
        except Exception as e:  # noqa: BLE001 - the class is what is compared
            out.append(e)
    return out


# ---- in-place forms into integer tensors ------------------------------------------------------------
@pytest.mark.parametrize("name", ["exp", "sqrt", "sin", "sigmoid", "erf", "reciprocal", "logit"])
def test_inplace_float_result_into_integer_tensor(name):
    x, t = refgrad.tensor([1, 2]), torch.tensor([1, 2])
    with pytest.raises(RuntimeError):
        getattr(t, name + "_")()
    with pytest.raises(RuntimeError, match="float32.*int64"):
        getattr(x, name + "_")()


def test_inplace_square_of_bool():
    with pytest.raises(RuntimeError):
        torch.tensor([True]).square_()
    with pytest.raises(RuntimeError, match="int64.*bool"):
        refgrad.tensor([True]).square_()


# ---- integer and bool inputs: torch's result dtypes and values ------------------------------------------
@pytest.mark.parametrize("dtype", INT_DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_integer_and_bool_inputs(name, dtype):
    data = [True, False, True] if dtype == "bool" else [-3, 0, 1, 2, 5]
    ours, theirs = _both(name, data, dtype)
    if isinstance(theirs, Exception):
        assert type(ours) is type(theirs), f"{name}({dtype}): torch raises {theirs!r}, refgrad gives {ours!r}"
        return
    assert not isinstance(ours, Exception), f"{name}({dtype}): torch gives {theirs}, refgrad raises {ours!r}"
    assert str(ours.dtype) == str(theirs.dtype).removeprefix("torch."), f"{name}({dtype}): dtype"
    np.testing.assert_allclose(ours.numpy(), theirs.numpy(), rtol=1e-6, atol=0)


@pytest.mark.parametrize("name", ["exp", "sqrt", "erf", "sigmoid"])
def test_integer_input_takes_the_default_dtype(name):
    refgrad.set_default_dtype(refgrad.float64)
    try:
        assert getattr(refgrad, name)(refgrad.tensor([1, 2])).dtype == refgrad.float64
    finally:
        refgrad.set_default_dtype(refgrad.float32)


# ---- operators -----------------------------------------------------------------------------------------
def test_operators():
    x, t = refgrad.tensor([-1.5, 0.0, 2.0]), torch.tensor([-1.5, 0.0, 2.0])
    np.testing.assert_array_equal((-x).numpy(), (-t).numpy())
    np.testing.assert_array_equal(builtins_abs(x).numpy(), builtins_abs(t).numpy())


def builtins_abs(x):
    return abs(x)


# ---- second derivative of abs (the oracle cannot read torch's ZeroTensor yet) -----------------------------
def test_abs_double_backward():
    data = np.array([-1.5, -0.0, 0.0, 0.5, 2.0])
    ct, w = np.array([0.3, -1.2, 0.7, 2.0, -0.4]), np.array([1.1, 0.2, -0.9, 0.4, 1.5])
    x = refgrad.tensor(data, requires_grad=True)
    (g,) = refgrad.autograd.grad(refgrad.abs(x), x, refgrad.tensor(ct), create_graph=True)
    # refgrad's first derivative g·sign(x) is built from a constant sign: not even connected to x
    gg = refgrad.autograd.grad((g * refgrad.tensor(w)).sum(), x, allow_unused=True)[0] if g.requires_grad else None
    t = torch.from_numpy(data).requires_grad_()
    (tg,) = torch.autograd.grad(torch.abs(t), t, torch.from_numpy(ct), create_graph=True)
    (tgg,) = torch.autograd.grad((tg * torch.from_numpy(w)).sum(), t, allow_unused=True)
    np.testing.assert_array_equal(g.detach().numpy(), tg.detach().numpy())
    np.testing.assert_array_equal(np.zeros(5) if gg is None else gg.numpy(), tgg.numpy(force=True))


# ---- erf / erfc: refgrad computes them itself ----------------------------------------------------------
def _ulps(actual, expected):
    spacing = np.spacing(np.abs(expected))
    return np.abs(actual - expected) / np.where(spacing > 0, spacing, np.finfo(np.float64).smallest_subnormal)


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_erf_accuracy_against_torch(name):
    """float64 on a dense grid over [-30, 30] (tails and the pieces' seams included): within 4 ulps of torch
    (libm's, itself within 1 ulp); against 40-digit values refgrad's erf is within 2 ulps (1 at 99% of points),
    erfc within 3."""
    seams = np.array([0.5, 1.0, 2.0, 4.0, 7.0, 28.0])
    x = np.concatenate([np.linspace(-30, 30, 200_001), seams, -seams, np.nextafter(seams, 0),
                        np.nextafter(-seams, 0), np.geomspace(1e-300, 0.5, 2000), -np.geomspace(1e-300, 0.5, 2000)])
    ours = getattr(refgrad, name)(refgrad.tensor(x)).numpy()
    theirs = getattr(torch, name)(torch.from_numpy(x)).numpy()
    normal = np.abs(theirs) >= np.finfo(np.float64).tiny
    assert _ulps(ours[normal], theirs[normal]).max() <= 4
    assert np.abs(ours[~normal] - theirs[~normal]).max(initial=0) <= 1e-320  # subnormal tail of erfc
    special = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0])
    np.testing.assert_array_equal(getattr(refgrad, name)(refgrad.tensor(special)).numpy(),
                                  getattr(torch, name)(torch.from_numpy(special)).numpy())


@pytest.mark.parametrize("name", ["erf", "erfc"])
def test_erf_float32(name):
    x = np.linspace(-12, 12, 100_001).astype(np.float32)
    ours = getattr(refgrad, name)(refgrad.tensor(x)).numpy()
    theirs = getattr(torch, name)(torch.from_numpy(x)).numpy()
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, theirs, rtol=1e-6, atol=1e-30)
