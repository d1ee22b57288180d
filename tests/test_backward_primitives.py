"""Backward primitives: a vjp that is itself one Function (cross_entropy's, as torch's nll_loss_backward) must
differentiate again, in reverse mode (double backward) and in forward mode (jvp of the vjp), like torch."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad as rg

RNG = np.random.default_rng(7)


def _loss(lib, target, weight, reduction, ignore_index):
    w = None if weight is None else lib.tensor(weight)
    return lambda x: lib.nn.functional.cross_entropy(x, lib.tensor(target), w, reduction=reduction,
                                                     ignore_index=ignore_index)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("ignore_index", [-100, 2])
def test_cross_entropy_gradient_differentiates_in_both_modes(reduction, weighted, ignore_index):
    x, dx, u = (RNG.standard_normal((6, 5, 3)) for _ in range(3))
    target = RNG.integers(0, 5, (6, 3))
    weight = RNG.random(5) + 0.5 if weighted else None
    g, dg = (RNG.standard_normal((6, 3) if reduction == "none" else ()) for _ in range(2))
    results = {}
    for name, lib in (("refgrad", rg), ("torch", torch)):
        loss = _loss(lib, target, weight, reduction, ignore_index)
        # forward over reverse: the directional derivative of (x, g) -> gᵀ·dloss/dx
        _, jv = lib.func.jvp(lambda x, g, lib=lib, loss=loss: lib.func.vjp(loss, x)[1](g)[0],
                             (lib.tensor(x), lib.tensor(g)), (lib.tensor(dx), lib.tensor(dg)))
        # reverse over reverse: uᵀ· d(gradient)/d(x, g)
        xl, gl = lib.tensor(x, requires_grad=True), lib.tensor(g, requires_grad=True)
        (grad,) = lib.autograd.grad(loss(xl), xl, gl, create_graph=True)
        hx, hg = lib.autograd.grad(grad, (xl, gl), lib.tensor(u))
        results[name] = [t.detach().numpy() for t in (jv, hx, hg)]
    for r, t in zip(results["refgrad"], results["torch"]):
        np.testing.assert_allclose(r, t, rtol=1e-12, atol=1e-15)  # atol: entries that cancel to ~1e-17
