"""Adam: mirrors torch.optim.Adam."""
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

__all__ = ["Adam"]


class Adam(Optimizer):
    r"""torch.optim.Adam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0, amsgrad=False, *,
    foreach=None, maximize=False, capturable=False, differentiable=False, fused=None, decoupled_weight_decay=False):
    adaptive moment estimation.

    For each parameter θ with gradient g, at step t = 1, 2, ... (γ = lr, β₁, β₂ = betas, λ = weight_decay; the
    averages m, v and v_max start at zero):

        g ← −g                                  if maximize
        if λ ≠ 0:
            θ ← θ (1 − γ λ)                     if decoupled_weight_decay (AdamW's decay: the averages never see it)
            g ← g + λ θ                         otherwise (an L2 penalty's gradient)
        m ← β₁ m + (1 − β₁) g                   the first moment (computed as torch's lerp)
        v ← β₂ v + (1 − β₂) g²                  the second moment
        v_max ← max(v_max, v), v ← v_max        if amsgrad (the denominator never shrinks)
        θ ← θ − γ / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)

    State per parameter, as torch's: ``step`` (a 0-d float32 tensor; float64 under a float64 default dtype, unless
    fused), ``exp_avg`` (m), ``exp_avg_sq`` (v) and, with amsgrad, ``max_exp_avg_sq`` (v_max). lr may be a 0-d
    tensor, and betas a pair of 0-d tensors (never one of each, as torch); a float32 one rounds the step size to
    float32, as torch's. ``foreach``, ``fused`` and ``capturable`` choose torch's kernels and change nothing else
    here (fused=True reads tensor hyperparameters as doubles, as torch's fused kernel; torch refuses capturable=True
    for CPU parameters, refgrad ignores it). ``differentiable=True`` raises NotImplementedError. Sparse gradients
    are refused, as torch's.
    """

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps: float = 1e-8, weight_decay: float = 0,
                 amsgrad: bool = False, *, foreach=None, maximize: bool = False, capturable: bool = False,
                 differentiable: bool = False, fused=None, decoupled_weight_decay: bool = False):
        if isinstance(lr, Tensor) and foreach and not capturable:
            raise ValueError("lr as a Tensor is not supported for capturable=False and foreach=True")
        check_adam_hyperparameters(lr, betas, eps, weight_decay)
        if not (all(isinstance(b, float) for b in betas[:2]) or all(isinstance(b, Tensor) for b in betas[:2])):
            raise ValueError("betas must be either both floats or both Tensors")
        for index in (0, 1):  # (a tensor of several values already failed the range check, as torch's)
            if isinstance(betas[index], Tensor) and foreach and not capturable:
                raise ValueError(f"betas[{index}] as a Tensor is not supported for capturable=False and foreach=True")
        betas = tuple(b.reshape(()) if isinstance(b, Tensor) else b for b in betas)
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                                  "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                                  "capturable": capturable, "differentiable": differentiable, "fused": fused,
                                  "decoupled_weight_decay": decoupled_weight_decay})

    def _check_grads(self, params: list) -> None:
        try:
            super()._check_grads(params)
        except RuntimeError as error:  # torch's Adam points to the optimizer that takes them
            raise RuntimeError(f"{error}, please consider SparseAdam instead") from None

    def __setstate__(self, state: dict) -> None:
        super().__setstate__(state)
        restore_older_state(self, {"amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                                   "differentiable": False, "decoupled_weight_decay": False, "fused": None})

    def _update(self, group: dict, params: list) -> None:
        if group["foreach"] and isinstance(group["lr"], Tensor) and not group["capturable"]:
            # torch's refusal at step time, where a group's own options pair a tensor lr with foreach=True
            raise RuntimeError("lr as a Tensor is not supported for capturable=False and foreach=True")
        lr, eps, weight_decay = as_number(group["lr"]), as_number(group["eps"]), as_number(group["weight_decay"])
        beta1, beta2 = (as_number(b) for b in group["betas"])
        if group["fused"]:  # torch's fused kernel reads tensor hyperparameters as doubles
            lr, beta1, beta2 = float(lr), float(beta1), float(beta2)
        # tensor betas (as torch's 0-d tensors): beta1 is cast to the parameter's dtype before 1 − β₁ is taken, and
        # the bias corrections' powers are tensor powers (see _tensor_power)
        tensor_betas = not isinstance(group["betas"][0], (int, float)) and not group["fused"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = scalar_state(0.0, fused=group["fused"])
                state["exp_avg"] = Tensor(np.zeros_like(p._data))
                state["exp_avg_sq"] = Tensor(np.zeros_like(p._data))
                if group["amsgrad"]:
                    state["max_exp_avg_sq"] = Tensor(np.zeros_like(p._data))
            state["step"]._data += 1
            step = float(state["step"]._data)
            grad = gradient(p, group, lr, weight_decay, group["decoupled_weight_decay"])
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            lerp_(exp_avg, grad, 1 - p._data.dtype.type(beta1) if tensor_betas else 1 - beta1)
            decay_squares_(exp_avg_sq, grad, beta2)
            power = _tensor_power if tensor_betas else pow
            step_size = lr / (1 - power(beta1, step))
            bias_correction2_sqrt = (1 - power(beta2, step)) ** 0.5
            if group["amsgrad"]:
                max_exp_avg_sq = state["max_exp_avg_sq"]._data
                np.maximum(max_exp_avg_sq, exp_avg_sq, out=max_exp_avg_sq)
                exp_avg_sq = max_exp_avg_sq
            denom = np.sqrt(exp_avg_sq)  # (√v / √(1 − β₂ᵗ) + ε, written into one array)
            denom /= float(bias_correction2_sqrt)
            denom += float(eps)
            addcdiv_(p._data, float(-step_size), exp_avg, denom)


def _tensor_power(base, exponent: float):
    """base**exponent as torch's pow of a 0-d tensor by a number, which computes a cube as base·base·base. (Its
    square root of a float32 0-d tensor, in √(1 − β₂ᵗ), can differ from the correctly rounded one by an ulp: with
    float32 tensor betas refgrad's trajectory agrees to float32's rounding, ~1e-7 relative, not to float64's.)"""
    return base * base * base if exponent == 3 else base**exponent
