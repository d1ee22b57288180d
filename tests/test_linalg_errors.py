"""Bad input to the linalg, activation and loss ops that needs more than one call (in-place forms, weights that
require grad, targets built by ``full``): refgrad raises what torch raises, naming the offenders. Plain bad
inputs are declared with the specs (``ERRORS`` in oracle/specs/linalg.py, activation.py, loss.py).

Each case is one call written once against a library ``L`` (torch or refgrad: same names), run on both. Both
must raise the same exception class; refgrad's message must contain ``fragment`` (the shapes, dtypes or values
involved, in torch's words where torch names them).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import refgrad


def F(L):
    return L.nn.functional


def o(L, *shape, dtype=None):
    return L.ones(*shape, dtype=getattr(L, dtype) if dtype else None)


def t(L, data, dtype=None):
    return L.tensor(data, dtype=getattr(L, dtype) if dtype else None)


CASES = [
    # ---- activations ----
    ("relu inplace leaf", lambda L: F(L).relu(o(L, 3).requires_grad_(), inplace=True), RuntimeError,
     "a leaf Variable that requires grad is being used in an in-place operation."),
    # ---- cross_entropy ----
    ("ce target out of range nd", lambda L: F(L).cross_entropy(o(L, 2, 3, 4), L.full((2, 4), 7)), IndexError,
     "Target 7 is out of bounds."),
    ("ce weight requires grad", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2, 0]),
                                                             weight=o(L, 3).requires_grad_()), RuntimeError,
     "not differentiable with respect to argument 'weight'"),
]


@pytest.mark.parametrize("call,exc,fragment", [pytest.param(c, e, f, id=n) for n, c, e, f in CASES])
def test_error(call, exc, fragment):
    with pytest.raises(exc) as theirs:
        call(torch)
    with pytest.raises(exc) as ours:
        call(refgrad)
    assert fragment in str(ours.value), f"refgrad's message {str(ours.value)!r} does not contain {fragment!r}"
    assert fragment in str(theirs.value), f"torch's message {str(theirs.value)!r} does not contain {fragment!r}"


# ---- behaviour around the errors: what torch accepts -------------------------------------------------------
def test_relu_inplace_outside_graph_matches_torch():
    for L in (torch, refgrad):
        x = L.tensor([-1.0, 0.0, 2.0])
        out = F(L).relu(x, inplace=True)
        assert out is x and x.tolist() == [0.0, 0.0, 2.0]
        y = L.tensor([-3.0, 4.0])
        y.relu_()
        assert y.tolist() == [0.0, 4.0]
        z = L.tensor([-3.0, 4.0])
        F(L).relu_(z)
        assert z.tolist() == [0.0, 4.0]


def test_relu_inplace_under_no_grad():
    x = refgrad.tensor([-1.0, 2.0], requires_grad=True)
    with refgrad.no_grad():
        x.relu_()
    assert x.tolist() == [0.0, 2.0]


def test_softmax_implicit_dim_warns_and_picks_torch_dim():
    for shape in [(), (3,), (2, 3), (2, 2, 3), (2, 3, 2, 2)]:
        x = np.random.default_rng(0).standard_normal(shape)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ours = F(refgrad).softmax(refgrad.tensor(x)).numpy()
            theirs = F(torch).softmax(torch.tensor(x)).numpy()
        assert [str(w.message) for w in caught][:1] == [str(w.message) for w in caught][1:2]
        assert "Implicit dimension choice for softmax has been deprecated" in str(caught[0].message)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


def test_softmax_third_positional_is_dtype_in_torch_form():
    x = refgrad.tensor([1.0, 2.0])
    assert refgrad.nn.functional.softmax(x, 0, refgrad.float64).dtype == refgrad.float64
    assert refgrad.nn.functional.log_softmax(x, 0, dtype=refgrad.float64).dtype == refgrad.float64


def test_addmm_beta_zero_ignores_nan_input_and_alpha_zero_ignores_inf():
    for L in (torch, refgrad):
        c = L.full((2, 2), float("nan"))
        assert L.addmm(c, L.ones(2, 3), L.ones(3, 2), beta=0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
        m = L.full((2, 3), float("inf"))
        assert L.addmm(L.ones(2, 2), m, L.ones(3, 2), alpha=0).tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_cross_entropy_all_ignored_mean_is_nan_with_zero_gradient():
    x = np.random.default_rng(1).standard_normal((4, 3))
    grads = []
    for L in (torch, refgrad):
        xt = L.tensor(x, requires_grad=True)
        loss = F(L).cross_entropy(xt, L.full((4,), -100), label_smoothing=0.2)
        assert np.isnan(loss.item())
        (g,) = L.autograd.grad(loss, xt)
        grads.append(np.asarray(g.detach().numpy()))
    np.testing.assert_array_equal(grads[0], grads[1])
    assert not grads[1].any()


def test_integer_products_keep_torch_dtypes():
    for L in (torch, refgrad):
        a = L.tensor([[1, 2], [3, 4]])
        assert str(L.matmul(a, a).dtype).endswith("int64")
        assert str(L.trace(L.tensor([[1, 2], [3, 4]], dtype=L.int32)).dtype).endswith("int64")
        assert L.addmm(a, a, a, beta=2, alpha=3).tolist() == (2 * torch.tensor([[1, 2], [3, 4]]) + 3 * torch.tensor(
            [[7, 10], [15, 22]])).tolist()


@pytest.mark.parametrize("name,shapes", [("addmm", ((2, 2), (2, 0), (0, 2))), ("addmv", ((2,), (2, 0), (0,))),
                                         ("baddbmm", ((1, 2, 2), (1, 2, 0), (1, 0, 2)))])
@pytest.mark.parametrize("coefs", [{}, {"beta": 2}, {"alpha": 0}])
def test_no_product_term_keeps_beta_input_exactly(name, shapes, coefs):
    """An empty inner dim (or alpha=0) leaves beta·input as it is, -0.0 included, as torch's gemm does."""
    results = []
    for lib in (torch, refgrad):
        inp, m1, m2 = (lib.full(s, -0.0) if i == 0 else lib.ones(s) for i, s in enumerate(shapes))
        results.append(np.asarray(getattr(lib, name)(inp, m1, m2, **coefs)))
    np.testing.assert_array_equal(results[0], results[1])
    np.testing.assert_array_equal(np.signbit(results[0]), np.signbit(results[1]))
