"""NAdam: mirrors torch.optim.NAdam."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._adam_base import (
    addcdiv_,
    as_number,
    check_adam_hyperparameters,
    decay_squares_,
    gradient,
    lerp_,
    restore_older_state,
    scalar_state,
)
from .optimizer import Optimizer

__all__ = ["NAdam"]


class NAdam(Optimizer):
    r"""torch.optim.NAdam(params, lr=2e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, momentum_decay=4e-3,
    decoupled_weight_decay=False, *, foreach=None, maximize=False, capturable=False, differentiable=False): Adam
    with Nesterov momentum, its momentum coefficient warmed up over the steps.

    For each parameter θ with gradient g, at step t = 1, 2, ... (γ = lr, β₁, β₂ = betas, λ = weight_decay,
    ψ = momentum_decay; m and v start at zero, the product Π at one):

        g ← −g                                  if maximize
        if λ ≠ 0:
            θ ← θ (1 − γ λ)                     if decoupled_weight_decay
            g ← g + λ θ                         otherwise
        μₜ ← β₁ (1 − ½ · 0.96^(t ψ)),  μₜ₊₁ ← β₁ (1 − ½ · 0.96^((t + 1) ψ))
        Π ← Π μₜ                                the running product of the μ's (kept in the step's dtype)
        m ← β₁ m + (1 − β₁) g                   (computed as torch's lerp)
        v ← β₂ v + (1 − β₂) g²
        d ← √(v / (1 − β₂ᵗ)) + ε
        θ ← θ − γ (1 − μₜ) / (1 − Π) · g / d
        θ ← θ − γ μₜ₊₁ / (1 − Π μₜ₊₁) · m / d

    State per parameter, as torch's: ``step`` and ``mu_product`` (Π) as 0-d float32 tensors (float64 under a float64
    default dtype: Π is rounded there at every step, as torch's), ``exp_avg`` (m), ``exp_avg_sq`` (v). lr may be a
    0-d tensor. ``foreach`` and ``capturable`` choose torch's kernels and change nothing here (torch refuses
    capturable=True for CPU parameters; refgrad ignores it); ``differentiable=True`` raises NotImplementedError.
    Sparse gradients are refused, as torch's.
    """

    def __init__(self, params, lr=2e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 momentum_decay: float = 4e-3, decoupled_weight_decay: bool = False, *, foreach=None,
                 maximize: bool = False, capturable: bool = False, differentiable: bool = False):
        check_adam_hyperparameters(lr, betas, eps, weight_decay)
        if not 0.0 <= as_number(momentum_decay):
            raise ValueError(f"Invalid momentum_decay value: {momentum_decay}")
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "momentum_decay": momentum_decay, "decoupled_weight_decay": decoupled_weight_decay,
                                  "maximize": maximize, "foreach": foreach, "capturable": capturable,
                                  "differentiable": differentiable})

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        restore_older_state(self, {"maximize": False, "foreach": None, "capturable": False, "differentiable": False,
                                   "decoupled_weight_decay": False}, ("step", "mu_product"))

    def _update(self, group: dict, params: list) -> None:
        lr, eps, weight_decay = as_number(group["lr"]), as_number(group["eps"]), as_number(group["weight_decay"])
        beta1, beta2 = (as_number(b) for b in group["betas"])
        momentum_decay = as_number(group["momentum_decay"])
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = scalar_state(0.0)
                state["mu_product"] = scalar_state(1.0)
                state["exp_avg"] = Tensor(np.zeros_like(p._data))
                state["exp_avg_sq"] = Tensor(np.zeros_like(p._data))
            state["step"]._data += 1
            step = float(state["step"]._data)
            bias_correction2 = 1 - beta2**step
            grad = gradient(p, group, lr, weight_decay, group["decoupled_weight_decay"])
            mu = beta1 * (1.0 - 0.5 * (0.96 ** (step * momentum_decay)))
            mu_next = beta1 * (1.0 - 0.5 * (0.96 ** ((step + 1) * momentum_decay)))
            state["mu_product"]._data *= float(mu)  # in the state's own dtype, as torch's in-place product
            mu_product = state["mu_product"]._data.item()
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            lerp_(exp_avg, grad, 1 - beta1)
            decay_squares_(exp_avg_sq, grad, beta2)
            # √(v / (1 − β₂ᵗ)) + ε, in one array (an array also for a 0-d parameter)
            denom = np.divide(exp_avg_sq, float(bias_correction2), out=np.empty_like(exp_avg_sq))
            np.sqrt(denom, out=denom)
            denom += float(eps)
            step = addcdiv_(p._data, float(-lr * (1.0 - mu) / (1.0 - mu_product)), grad, denom)
            addcdiv_(p._data, float((-lr * mu_next) / (1.0 - mu_product * mu_next)), exp_avg, denom, scratch=step)
