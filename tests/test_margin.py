"""Margin losses and distance functions: what the oracle's specs do not cover, each compared with torch called here.

- multi_margin_loss refuses a class weight that requires grad (torch's weight is not differentiable) and computes
  the same loss under no_grad;
- cdist takes torch's path: the matmul form for p = 2 with more than 25 rows under the default compute_mode, the
  direct form up to 25 rows (each path's numerics differ, so each is recognizable by bitwise equality with the
  mode that forces it);
- cosine_similarity's norm clamp applies to the value only: a vector whose norm is below eps (but not 0) gets
  torch's gradient, which is not the derivative of the clamped forward.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
import refgrad.nn.functional as F


def test_multi_margin_weight_requiring_grad_is_refused():
    x = np.random.default_rng(0).standard_normal((3, 4))
    target = np.array([0, 3, 1])
    weight = np.array([0.5, 1.0, 2.0, 1.5])
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        torch.nn.functional.multi_margin_loss(torch.tensor(x), torch.tensor(target),
                                              weight=torch.tensor(weight, requires_grad=True))
    with pytest.raises(RuntimeError, match="not differentiable with respect to argument 'weight'"):
        F.multi_margin_loss(refgrad.tensor(x), refgrad.tensor(target), weight=refgrad.tensor(weight, requires_grad=True))
    with torch.no_grad():
        expected = torch.nn.functional.multi_margin_loss(torch.tensor(x), torch.tensor(target),
                                                         weight=torch.tensor(weight, requires_grad=True))
    with refgrad.no_grad():
        got = F.multi_margin_loss(refgrad.tensor(x), refgrad.tensor(target),
                                  weight=refgrad.tensor(weight, requires_grad=True))
    np.testing.assert_allclose(got.numpy(), expected.numpy(), rtol=1e-12)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("p", [1, 2])
def test_multi_margin_empty_batch_backward(reduction, p):
    # an empty batch has an empty gradient, as in torch ('mean' divided its scale by N·C = 0 once)
    grads = []
    for lib in (refgrad, torch):
        x = lib.zeros((0, 3), dtype=lib.float64, requires_grad=True)
        lib.nn.functional.multi_margin_loss(x, lib.zeros(0, dtype=lib.int64), p=p, reduction=reduction).sum().backward()
        grads.append(tuple(x.grad.shape))
    assert grads[0] == grads[1] == (0, 3)


@pytest.mark.parametrize("rows, mm", [(25, False), (26, True)])
def test_cdist_default_mode_takes_torchs_path(rows, mm):
    """Rows far from the origin make the two paths' roundings differ (the matmul form cancels |x|² terms)."""
    rng = np.random.default_rng(1)
    x1 = 100 + rng.standard_normal((rows, 3))
    x2 = 100 + rng.standard_normal((4, 3))
    forced = "use_mm_for_euclid_dist" if mm else "donot_use_mm_for_euclid_dist"
    other = "donot_use_mm_for_euclid_dist" if mm else "use_mm_for_euclid_dist"

    def run(lib, mode=None):
        kwargs = {} if mode is None else {"compute_mode": mode}
        return np.asarray(lib.cdist(lib.tensor(x1), lib.tensor(x2), **kwargs))

    for lib in (torch, refgrad):  # torch first: the premise that the paths are told apart by their values
        assert np.array_equal(run(lib), run(lib, forced))
        assert not np.array_equal(run(lib), run(lib, other))


def test_cosine_similarity_norm_below_eps_gradient():
    x1 = np.array([[1e-9, 2e-9, -1e-9], [0.0, 0.0, 0.0]])
    x2 = np.array([[1.0, 3.0, -2.0], [0.5, -1.0, 2.0]])
    cotangent = np.array([0.7, -1.3])
    grads = []
    for lib, fn in ((torch, torch.nn.functional.cosine_similarity), (refgrad, F.cosine_similarity)):
        a, b = lib.tensor(x1, requires_grad=True), lib.tensor(x2, requires_grad=True)
        out = fn(a, b, eps=1e-8)
        grads.append([np.asarray(out.detach())] + [np.asarray(g) for g in
                                                   lib.autograd.grad(out, (a, b), lib.tensor(cotangent))])
    for got, expected in zip(grads[1], grads[0]):
        np.testing.assert_allclose(got, expected, rtol=1e-12, atol=1e-12)
