"""The activations off the oracle's paths: their ``inplace=True`` flags and ``_`` forms (writes into the input,
against torch's), integer inputs of hardtanh/relu6/threshold, and rrelu's random training mode: the structure of
its noise (one slope per element in [lower, upper) on the inputs <= 0, 1 elsewhere, the gradient through the
same noise) and its distribution for fixed seeds; the generator arguments. Values and gradients of every form are
compared with torch by tests/test_ops.py (oracle/specs/activation.py)."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as F

X = np.array([[-3.5, -1.0, -0.0, 0.0, 0.5], [2.0, 4.0, -6.5, 7.0, np.nan]])

# (name, args after the input) of every function with an inplace flag, and of the `_` forms
INPLACE_FLAG = [("relu6", ()), ("hardtanh", (-0.5, 2.0)), ("leaky_relu", (0.2,)), ("threshold", (0.5, -2.0)),
                ("elu", (0.7,)), ("selu", ()), ("celu", (1.5,)), ("silu", ()), ("mish", ()), ("hardsigmoid", ()),
                ("hardswish", ()), ("rrelu", (0.1, 0.3, False)), ("relu", ())]
UNDERSCORE = [("relu_", ()), ("elu_", (0.7,)), ("leaky_relu_", (0.2,)), ("hardtanh_", (-0.5, 2.0)),
              ("threshold_", (0.5, -2.0)), ("rrelu_", (0.1, 0.3)), ("selu_", ()), ("celu_", (1.5,))]


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name,args", INPLACE_FLAG)
def test_inplace_flag_writes_into_the_input(name, args, dtype):
    x, t = refgrad.tensor(X.astype(dtype)), torch.from_numpy(X.astype(dtype))
    version = x._version
    out = getattr(F, name)(x, *args, inplace=True)
    expected = getattr(TF, name)(t, *args, inplace=True)
    assert out is x and x._version > version
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-6 if dtype == "float32" else 1e-12, atol=0)
    np.testing.assert_array_equal(expected.numpy(), t.numpy())


@pytest.mark.parametrize("name,args", UNDERSCORE)
def test_underscore_forms_write_into_the_input(name, args):
    x, t = refgrad.tensor(X.copy()), torch.from_numpy(X.copy())
    out = getattr(F, name)(x, *args)
    getattr(TF, name)(t, *args)
    assert out is x
    np.testing.assert_allclose(x.numpy(), t.numpy(), rtol=1e-12, atol=0)
    if hasattr(torch, name):  # torch.selu_, torch.rrelu_, ...: the same function in refgrad
        assert getattr(refgrad, name) is getattr(F, name)


@pytest.mark.parametrize("name,args", UNDERSCORE + [(n, a) for n, a in INPLACE_FLAG if n != "relu"])
def test_in_place_on_a_leaf_that_requires_grad_is_refused(name, args):
    kwargs = {} if name.endswith("_") else {"inplace": True}
    t = torch.from_numpy(X.copy()).requires_grad_()
    with pytest.raises(RuntimeError):
        getattr(TF, name)(t, *args, **kwargs)
    x = refgrad.tensor(X.copy(), requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
        getattr(F, name)(x, *args, **kwargs)


def test_hardtanh_in_place_takes_bounds_in_either_order():
    """torch's hardtanh_ (unlike F.hardtanh) does not check min_val <= max_val: min(max(x, 2), 1) is 1."""
    x, t = refgrad.tensor(X.copy()), torch.from_numpy(X.copy())
    F.hardtanh_(x, 2.0, 1.0)
    TF.hardtanh_(t, 2.0, 1.0)
    np.testing.assert_array_equal(x.numpy(), t.numpy())


@pytest.mark.parametrize("call", [lambda m, x: m.hardtanh(x, -1.5, 2.7), lambda m, x: m.relu6(x),
                                  lambda m, x: m.threshold(x, 0.5, 1.5), lambda m, x: m.threshold(x, -2, 7)])
def test_integer_inputs_keep_their_dtype(call):
    data = np.array([-9, -2, -1, 0, 1, 2, 3, 8])
    got, expected = call(F, refgrad.tensor(data)), call(TF, torch.from_numpy(data))
    assert got.dtype == refgrad.int64
    np.testing.assert_array_equal(got.numpy(), expected.numpy())


# ---- rrelu's random training mode -----------------------------------------------------------------------------
LOWER, UPPER = 0.1, 0.4


def _training(x: np.ndarray, seed: int = 0, **kwargs):
    refgrad.manual_seed(seed)
    xt = refgrad.tensor(x, requires_grad=True)
    y = F.rrelu(xt, LOWER, UPPER, training=True, **kwargs)
    (g,) = refgrad.autograd.grad(y.sum(), xt)
    return y.detach().numpy(), g.numpy()


def test_rrelu_noise_structure_and_gradient():
    x = np.array([-2.0, -0.5, -0.0, 0.0, 1.0, 3.0, np.nan, -np.inf, np.inf])
    y, g = _training(x)
    negative = x <= 0  # NaN is not: it keeps slope 1, as torch
    assert np.all((g[negative] >= LOWER) & (g[negative] < UPPER))
    np.testing.assert_array_equal(g[~negative], 1.0)
    np.testing.assert_array_equal(y[~negative & ~np.isnan(x)], x[~negative & ~np.isnan(x)])
    assert np.isnan(y[np.isnan(x)]).all()
    np.testing.assert_array_equal(y[negative], x[negative] * g[negative])  # the gradient is the noise itself
    assert np.signbit(y[2]) and not np.signbit(y[3])  # -0.0·slope stays -0.0


def test_rrelu_slopes_are_uniform_for_fixed_seeds():
    """Per seed, 20,000 slopes: their mean within 5 standard errors of (lower + upper)/2, the fraction below each
    quartile of [lower, upper) within 5 binomial standard deviations of 1/4, 1/2, 3/4."""
    n = 20_000
    x = -np.ones(n)
    for seed in (0, 1, 2):
        _, slopes = _training(x, seed)
        assert np.all((slopes >= LOWER) & (slopes < UPPER))
        assert abs(slopes.mean() - (LOWER + UPPER) / 2) < 5 * (UPPER - LOWER) / np.sqrt(12 * n)
        for q in (0.25, 0.5, 0.75):
            below = np.mean(slopes < LOWER + q * (UPPER - LOWER))
            assert abs(below - q) < 5 * np.sqrt(q * (1 - q) / n)


def test_rrelu_draws_from_refgrads_generator():
    x = -np.ones(50)
    assert np.array_equal(_training(x, 7)[1], _training(x, 7)[1])
    assert not np.array_equal(_training(x, 7)[1], _training(x, 8)[1])
    # generator=: its own stream, the default generator untouched; torch.rrelu's 5th positional is a generator
    refgrad.manual_seed(3)
    expected_next = refgrad.rand(4).numpy()
    refgrad.manual_seed(3)
    a = F.rrelu(refgrad.tensor(x), LOWER, UPPER, True, generator=refgrad.Generator().manual_seed(11))
    b = refgrad.rrelu(refgrad.tensor(x), LOWER, UPPER, True, refgrad.Generator().manual_seed(11))
    np.testing.assert_array_equal(a.numpy(), b.numpy())
    np.testing.assert_array_equal(refgrad.rand(4).numpy(), expected_next)


def test_rrelu_training_in_place():
    x = -np.ones(6)
    refgrad.manual_seed(5)
    expected = F.rrelu(refgrad.tensor(x), LOWER, UPPER, True).numpy()
    refgrad.manual_seed(5)
    t = refgrad.tensor(x.copy())
    assert F.rrelu_(t, LOWER, UPPER, True) is t
    np.testing.assert_array_equal(t.numpy(), expected)


@pytest.mark.parametrize("cotangent", [np.inf, -np.inf, np.nan])
def test_relu_backward_selects_as_threshold_backward(cotangent):
    """An inf or nan cotangent where the input is <= 0 gives 0, as torch's threshold_backward selects (a product
    with a 0/1 mask would give nan)."""
    x = np.array([-1.0, 0.0, 2.0])
    g = np.full(3, cotangent)
    xr = refgrad.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    (gr,) = refgrad.autograd.grad(F.relu(xr), xr, refgrad.tensor(g))
    (gt,) = torch.autograd.grad(TF.relu(xt), xt, torch.tensor(g))
    np.testing.assert_array_equal(gr.numpy(), gt.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("dim", [-1, 1])
def test_softmax_backward_reads_the_row_sums_without_a_product_array(dim, dtype):
    """softmax's vjp, SoftmaxGrad: (g - Σ g·s)·s with the row sums taken in one einsum pass, so that backward
    allocates the gradient alone (a product to reduce would be a second array of its size); its values are the
    formula's as the separate ops compute it, and torch's."""
    import tracemalloc

    rng = np.random.default_rng(6)
    x, u = (rng.standard_normal((64, 96, 32)).astype(dtype) for _ in range(2))
    values = {}
    for lib in (refgrad, torch):
        t, cotangent = lib.tensor(x, requires_grad=True), lib.tensor(u)
        out = lib.nn.functional.softmax(t, dim)
        if lib is refgrad:
            tracemalloc.start()
        (grad,) = lib.autograd.grad(out, t, cotangent)
        if lib is refgrad:
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            assert peak < 1.5 * x.nbytes, f"softmax's backward peaked at {peak / x.nbytes:.2f} arrays of x's size"
            s = out.detach().numpy()
            values["formula"] = (u - (u * s).sum(dim, keepdims=True)) * s
        values[lib.__name__] = grad.detach().numpy()
    rtol = 1e-14 if dtype == "float64" else 1e-5  # row sums of 96 products, each summed in its own order
    scale = np.abs(values["torch"]).max()
    np.testing.assert_allclose(values["refgrad"], values["formula"], rtol=0, atol=rtol * scale)
    np.testing.assert_allclose(values["refgrad"], values["torch"], rtol=0, atol=rtol * scale)
