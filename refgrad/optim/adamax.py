"""Adamax: mirrors torch.optim.Adamax."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._adam_base import (
    as_number,
    check_adam_hyperparameters,
    gradient,
    lerp_,
    restore_older_state,
    scalar_state,
)
from .optimizer import Optimizer

__all__ = ["Adamax"]


class Adamax(Optimizer):
    r"""torch.optim.Adamax(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, foreach=None, *,
    maximize=False, differentiable=False, capturable=False): Adam with the infinity norm in place of the second
    moment.

    For each parameter θ with gradient g, at step t = 1, 2, ... (γ = lr, β₁, β₂ = betas, λ = weight_decay; m and u
    start at zero):

        g ← −g                                  if maximize
        g ← g + λ θ                             if λ ≠ 0
        m ← β₁ m + (1 − β₁) g                   the first moment (computed as torch's lerp)
        u ← max(β₂ u, |g| + ε)                  a decaying running maximum of |g|, elementwise
        θ ← θ − γ / (1 − β₁ᵗ) · m / u

    State per parameter, as torch's: ``step`` (a 0-d float32 tensor, float64 under a float64 default dtype),
    ``exp_avg`` (m) and ``exp_inf`` (u). lr may be a 0-d tensor. ``foreach`` and ``capturable`` choose torch's
    kernels and change nothing here (torch refuses capturable=True for CPU parameters; refgrad ignores it);
    ``differentiable=True`` raises NotImplementedError. Sparse gradients are refused, as torch's.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 foreach=None, *, maximize: bool = False, differentiable: bool = False, capturable: bool = False):
        check_adam_hyperparameters(lr, betas, eps, weight_decay)
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        restore_older_state(self, {"foreach": None, "maximize": False, "differentiable": False, "capturable": False})

    def _update(self, group: dict, params: list) -> None:
        lr, eps, weight_decay = as_number(group["lr"]), as_number(group["eps"]), as_number(group["weight_decay"])
        beta1, beta2 = (as_number(b) for b in group["betas"])
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = scalar_state(0.0)
                state["exp_avg"] = Tensor(np.zeros_like(p._data))
                state["exp_inf"] = Tensor(np.zeros_like(p._data))
            state["step"]._data += 1
            grad = gradient(p, group, lr, weight_decay)
            exp_avg, exp_inf = state["exp_avg"]._data, state["exp_inf"]._data
            lerp_(exp_avg, grad, 1 - beta1)
            exp_inf *= float(beta2)
            np.maximum(exp_inf, np.abs(grad) + float(eps), out=exp_inf)
            step_size = lr / (1 - beta1 ** float(state["step"]._data))
            p._data += float(-step_size) * exp_avg / exp_inf
