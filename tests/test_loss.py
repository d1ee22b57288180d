"""Loss behaviour the oracle's specs do not express (oracle/specs/loss.py has the Hypothesis checks and the plain
bad inputs): arguments that must not require grad, torch's warnings, spatial dims beyond the spec's draws, and
finite results at huge logits. Each case runs against torch in the test; no expected number is copied from it.
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import refgrad


def F(L):
    return L.nn.functional


def o(L, *shape):
    return L.ones(*shape, dtype=L.float64)


NOT_DIFFERENTIABLE = [
    ("nll_loss weight", lambda L: F(L).nll_loss(o(L, 4, 3), L.tensor([0, 1, 2, 0]), weight=o(L, 3).requires_grad_()),
     "nll_loss_forward", "weight"),
    ("bce weight", lambda L: F(L).binary_cross_entropy(o(L, 2, 3) / 2, o(L, 2, 3) / 2,
                                                       weight=o(L, 3).requires_grad_()),
     "binary_cross_entropy", "weight"),
    ("bce_with_logits weight", lambda L: F(L).binary_cross_entropy_with_logits(
        o(L, 2, 3), o(L, 2, 3), weight=o(L, 3).requires_grad_()), "binary_cross_entropy_with_logits", "weight"),
    ("bce_with_logits pos_weight", lambda L: F(L).binary_cross_entropy_with_logits(
        o(L, 2, 3), o(L, 2, 3), pos_weight=o(L, 3).requires_grad_()), "binary_cross_entropy_with_logits",
     "pos_weight"),
    ("soft_margin target", lambda L: F(L).soft_margin_loss(o(L, 2, 3), o(L, 2, 3).requires_grad_()),
     "soft_margin_loss", "target"),
]


@pytest.mark.parametrize("call,fn,arg", [pytest.param(c, f, a, id=n) for n, c, f, a in NOT_DIFFERENTIABLE])
def test_argument_that_must_not_require_grad(call, fn, arg):
    fragment = f"The function '{fn}' is not differentiable with respect to argument '{arg}'"
    for L in (torch, refgrad):
        with pytest.raises(RuntimeError) as caught:
            call(L)
        assert fragment in str(caught.value), f"{L.__name__}: {caught.value}"
    with refgrad.no_grad():  # no graph, no refusal (as torch under no_grad)
        call(refgrad)


def _warnings_of(call) -> list[str]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        call()
    return [f"{w.category.__name__}: {w.message}" for w in caught]


WARNING_CASES = [
    ("mse broadcast", lambda L: F(L).mse_loss(o(L, 2, 1), o(L, 3))),
    ("l1 broadcast", lambda L: F(L).l1_loss(o(L, 3), o(L, 2, 3))),
    ("smooth_l1 broadcast", lambda L: F(L).smooth_l1_loss(o(L, 3), o(L, 1))),
    ("huber broadcast", lambda L: F(L).huber_loss(o(L, 1), o(L, 3))),
    ("kl_div mean", lambda L: F(L).kl_div(o(L, 2, 3), o(L, 2, 3))),
    ("legacy size_average", lambda L: F(L).binary_cross_entropy(o(L, 3) / 2, o(L, 3) / 2, size_average=False)),
    ("legacy reduce", lambda L: F(L).nll_loss(o(L, 2, 3), L.tensor([0, 1]), reduce=False)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=n) for n, c in WARNING_CASES])
def test_warnings_are_torchs(call):
    ours, theirs = _warnings_of(lambda: call(refgrad)), _warnings_of(lambda: call(torch))
    assert theirs and ours == theirs


@pytest.mark.parametrize("name", ["nll_loss", "cross_entropy"])
@pytest.mark.parametrize("shape", [(2, 3, 2, 2, 2), (1, 4, 1, 2, 1, 2)])
def test_class_index_losses_with_more_spatial_dims(name, shape):
    """Three and four spatial dims (the specs draw up to two), with class weights and an ignored target."""
    rng = np.random.default_rng(0)
    x = rng.standard_normal(shape)
    target = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    target.flat[0] = -100
    weight = rng.uniform(0.5, 2.0, shape[1])
    results = []
    for L in (torch, refgrad):
        xt = L.tensor(x, requires_grad=True)
        for reduction in ("none", "mean", "sum"):
            loss = getattr(F(L), name)(xt, L.tensor(target), weight=L.tensor(weight), reduction=reduction)
            (g,) = L.autograd.grad(loss.sum(), xt)
            results.append((np.asarray(loss.detach().numpy()), np.asarray(g.numpy())))
    for (ours, our_grad), (theirs, their_grad) in zip(results[3:], results[:3]):
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(our_grad, their_grad, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(16, 10), (4, 5, 3)])
def test_cross_entropys_gradient_is_softmax_minus_the_target_to_the_bit(dtype, shape):
    """The vjp takes softmax from the row max and sum of exponentials that the forward kept: its values are
    refgrad's softmax's, to the bit, scaled and less the target's share as torch's nll_loss_backward does."""
    rng = np.random.default_rng(0)
    x = refgrad.tensor((rng.standard_normal(shape) * 4).astype(dtype), requires_grad=True)
    target = rng.integers(0, shape[1], (shape[0],) + shape[2:])
    refgrad.nn.functional.cross_entropy(x, refgrad.tensor(target)).backward()
    share = np.asarray(1, dtype) / np.asarray(target.size, dtype)
    want = refgrad.nn.functional.softmax(x.detach(), 1).numpy() * share
    samples = np.arange(shape[0]).reshape((-1,) + (1,) * (len(shape) - 2))
    want[(samples, target, *np.ogrid[tuple(slice(n) for n in shape[2:])])] -= share  # each sample's target class
    np.testing.assert_array_equal(x.grad.numpy(), want)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_logit_losses_finite_at_huge_logits(dtype):
    """bce_with_logits and multilabel_soft_margin_loss stay finite (as torch's) where log(sigmoid(x)) is -inf."""
    x = np.array([[-1e4, 1e4, -50.0, 100.0], [0.0, -1e4, 1e4, -100.0]], dtype)
    target = np.array([[1.0, 0.0, 1.0, 0.0], [0.5, 0.0, 1.0, 1.0]], dtype)
    for name in ("binary_cross_entropy_with_logits", "multilabel_soft_margin_loss"):
        results = []
        for L in (torch, refgrad):
            xt = L.tensor(x, requires_grad=True)
            loss = getattr(F(L), name)(xt, L.tensor(target), reduction="sum")
            (g,) = L.autograd.grad(loss, xt)
            results.append((float(loss.item()), np.asarray(g.numpy())))
        (theirs, their_grad), (ours, our_grad) = results
        assert np.isfinite(ours) and np.isfinite(our_grad).all()
        np.testing.assert_allclose(ours, theirs, rtol=1e-6)
        np.testing.assert_allclose(our_grad, their_grad, rtol=1e-6, atol=1e-30)


def test_gaussian_nll_var_clamped_without_changing_its_gradient():
    """var below eps is clamped under no_grad in torch: the loss uses eps, var's gradient is the formula's at eps."""
    x, target, var = np.array([0.5, -1.0, 2.0]), np.array([0.0, 0.0, 1.0]), np.array([0.0, 1e-9, 0.5])
    results = []
    for L in (torch, refgrad):
        vt = L.tensor(var, requires_grad=True)
        loss = F(L).gaussian_nll_loss(L.tensor(x), L.tensor(target), vt, eps=1e-3, reduction="sum")
        (g,) = L.autograd.grad(loss, vt)
        results.append((loss.item(), np.asarray(g.numpy())))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-13)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-13)
    assert var.tolist() == [0.0, 1e-9, 0.5]
