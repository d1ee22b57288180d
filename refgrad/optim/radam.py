"""RAdam: mirrors torch.optim.RAdam."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._adam_base import (
    as_number,
    check_adam_hyperparameters,
    decay_squares_,
    gradient,
    lerp_,
    restore_older_state,
    scalar_state,
)
from .optimizer import Optimizer

__all__ = ["RAdam"]

# torch's threshold on the length of the approximated simple moving average: below it the variance estimate is
# too uncertain, and the step uses the bias-corrected first moment alone
RECTIFICATION_THRESHOLD = 5.0


class RAdam(Optimizer):
    r"""torch.optim.RAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, decoupled_weight_decay=False,
    *, foreach=None, maximize=False, capturable=False, differentiable=False): rectified Adam, which takes plain
    momentum steps until its estimate of the gradient's variance is trustworthy.

    For each parameter θ with gradient g, at step t = 1, 2, ... (γ = lr, β₁, β₂ = betas, λ = weight_decay; m and v
    start at zero):

        g ← −g                                  if maximize
        if λ ≠ 0:
            θ ← θ (1 − γ λ)                     if decoupled_weight_decay
            g ← g + λ θ                         otherwise
        m ← β₁ m + (1 − β₁) g                   (computed as torch's lerp)
        v ← β₂ v + (1 − β₂) g²
        m̂ ← m / (1 − β₁ᵗ)
        ρ∞ ← 2 / (1 − β₂) − 1,  ρₜ ← ρ∞ − 2 t β₂ᵗ / (1 − β₂ᵗ)
        if ρₜ > 5:
            r ← √((ρₜ − 4)(ρₜ − 2) ρ∞ / ((ρ∞ − 4)(ρ∞ − 2) ρₜ))      the variance rectification
            θ ← θ − γ m̂ · √(1 − β₂ᵗ) / (√v + ε) · r
        else:
            θ ← θ − γ m̂

    State per parameter, as torch's: ``step`` (a 0-d float32 tensor, float64 under a float64 default dtype),
    ``exp_avg`` (m), ``exp_avg_sq`` (v). lr may be a 0-d tensor. ``foreach`` and ``capturable`` choose torch's
    kernels and change nothing here (torch refuses capturable=True for CPU parameters; refgrad ignores it);
    ``differentiable=True`` raises NotImplementedError. Sparse gradients are refused, as torch's.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 decoupled_weight_decay: bool = False, *, foreach=None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False):
        check_adam_hyperparameters(lr, betas, eps, weight_decay)
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "maximize": maximize, "foreach": foreach, "capturable": capturable,
                                  "decoupled_weight_decay": decoupled_weight_decay,
                                  "differentiable": differentiable})

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        restore_older_state(self, {"foreach": None, "maximize": False, "differentiable": False,
                                   "decoupled_weight_decay": False, "capturable": False})

    def _update(self, group: dict, params: list) -> None:
        lr, eps, weight_decay = as_number(group["lr"]), as_number(group["eps"]), as_number(group["weight_decay"])
        beta1, beta2 = (as_number(b) for b in group["betas"])
        rho_inf = 2 / (1 - beta2) - 1
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = scalar_state(0.0)
                state["exp_avg"] = Tensor(np.zeros_like(p._data))
                state["exp_avg_sq"] = Tensor(np.zeros_like(p._data))
            state["step"]._data += 1
            step = float(state["step"]._data)
            grad = gradient(p, group, lr, weight_decay, group["decoupled_weight_decay"])
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            lerp_(exp_avg, grad, 1 - beta1)
            decay_squares_(exp_avg_sq, grad, beta2)
            bias_correction1 = 1 - beta1**step
            bias_correction2 = 1 - beta2**step
            corrected_exp_avg = exp_avg / float(bias_correction1)
            rho_t = rho_inf - 2 * step * (beta2**step) / bias_correction2
            if rho_t > RECTIFICATION_THRESHOLD:
                rectification = ((rho_t - 4) * (rho_t - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho_t)) ** 0.5
                # torch's scalar / tensor is the tensor's reciprocal times the scalar
                adaptive_lr = np.reciprocal(np.sqrt(exp_avg_sq) + float(eps)) * float(bias_correction2**0.5)
                p._data -= corrected_exp_avg * float(lr) * adaptive_lr * float(rectification)
            else:
                p._data -= corrected_exp_avg * float(lr)
