"""Adafactor: mirrors torch.optim.Adafactor."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, scalar

__all__ = ["Adafactor"]


def lerp_(start: np.ndarray, end: np.ndarray, weight: float) -> None:
    """start ← start + weight (end − start) in place, in torch's two forms (the one that rounds least for the
    weight: from start when weight < 0.5, from end otherwise)."""
    if abs(weight) < 0.5:
        start += weight * (end - start)
    else:
        start[...] = end - (end - start) * (1 - weight)


def _norm(array: np.ndarray) -> float:
    return float(np.sqrt(np.sum(array * array)))


class Adafactor(Optimizer):
    r"""torch.optim.Adafactor(params, lr=1e-2, beta2_decay=-0.8, eps=(None, 1e-3), d=1.0, weight_decay=0.0, *,
    foreach=None, maximize=False): Adam-like steps from a second moment stored factored, one row and one column
    average per matrix, and a step size relative to the parameter's own scale.

    For each parameter θ with gradient G, at its step t (γ = lr, τ = beta2_decay, ε₁, ε₂ = eps, ε₁ = the dtype's
    machine epsilon when None, λ = weight_decay, d = the clipping threshold, RMS(x) = ‖x‖₂ / √numel(x)):

        G ← −G                                       if maximize
        w ← t^τ                                      the new squares' weight (1 − β₂ₜ)
        ρ ← min(γ, 1/√t);   α ← max(ε₂, RMS(θ)) ρ    the relative step size, scaled by θ's size
        θ ← (1 − γλ) θ                               decoupled weight decay
        if θ has 2 or more dims (factored over the last two, m rows × n columns):
            R ← R + w (mean(G², last dim) − R)       row averages, shape (..., m, 1)
            C ← C + w (mean(G², dim −2) − C)         column averages, shape (..., 1, n)
            V ← R C / max(mean(R over the rows), ε₁)
        else:
            V ← V + w (G² − V);  V̂ ← V
        U ← G / √max(V̂, ε₁²)
        θ ← θ − α U / max(1, RMS(U) / d)             update clipping

    State: "step" (a 0-d float32 tensor), and "row_var" and "col_var" (≥2-D) or "variance" (0-D and 1-D). A
    size-0 parameter divides by zero, as torch's does. ``foreach`` chooses torch's kernels and changes nothing here.
    """

    def __init__(self, params, lr=1e-2, beta2_decay: float = -0.8, eps: tuple = (None, 1e-3), d: float = 1.0,
                 weight_decay: float = 0.0, *, foreach=None, maximize: bool = False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 <= scalar(lr):
            raise ValueError(f"Learning rate should be >= 0 but is: {lr}")
        if not 0.0 >= beta2_decay:
            raise ValueError(f"beta2_decay should be <= 0 but is: {beta2_decay}")
        if eps[0] is not None and not 0.0 <= eps[0]:
            raise ValueError(f"epsilon1 should be >= 0 but is: {eps[0]}")
        if not 0.0 <= eps[1]:
            raise ValueError(f"epsilon2 should be >= 0 but is: {eps[1]}")
        if not 1.0 <= d:
            raise ValueError(f"Clipping threshold d should be >= 1 but is: {d}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"weight_decay should be >= 0 but is: {weight_decay}")
        super().__init__(params, {"lr": lr, "beta2_decay": beta2_decay, "eps": eps, "d": d,
                                  "weight_decay": weight_decay, "foreach": foreach, "maximize": maximize})

    def _update(self, group: dict, params: list) -> None:
        lr, weight_decay, d = scalar(group["lr"]), group["weight_decay"], group["d"]
        eps1, eps2 = group["eps"]
        for p in params:
            theta = p._data
            grad = -p.grad._data if group["maximize"] else p.grad._data
            if eps1 is None:  # torch takes the first parameter's dtype for the whole group
                eps1 = float(np.finfo(theta.dtype).eps)
            state = self.state[p]
            if not state:
                state["step"] = Tensor(np.array(0.0, np.float32))
                if grad.ndim > 1:
                    state["row_var"] = Tensor(np.zeros(grad.shape[:-1] + (1,), grad.dtype))
                    state["col_var"] = Tensor(np.zeros(grad.shape[:-2] + (1,) + grad.shape[-1:], grad.dtype))
                else:
                    state["variance"] = Tensor(np.zeros_like(grad))
            state["step"]._data += 1
            step = float(state["step"]._data)
            new_weight = step ** group["beta2_decay"]
            rho = min(lr, 1 / (step ** 0.5))
            alpha = max(eps2, _norm(theta) / (theta.size ** 0.5)) * rho  # size 0: ZeroDivisionError, as torch
            if weight_decay != 0:
                theta *= 1 - lr * weight_decay
            if grad.ndim > 1:
                row_var, col_var = state["row_var"]._data, state["col_var"]._data
                # mean of squares through the norm, as torch: ‖g‖² / n along each axis
                lerp_(row_var, np.sqrt(np.sum(grad * grad, axis=-1, keepdims=True)) ** 2 / grad.shape[-1],
                      new_weight)
                lerp_(col_var, np.sqrt(np.sum(grad * grad, axis=-2, keepdims=True)) ** 2 / grad.shape[-2],
                      new_weight)
                var_estimate = row_var @ col_var
                var_estimate /= np.maximum(row_var.mean(axis=-2, keepdims=True), eps1)
            else:
                variance = state["variance"]._data
                lerp_(variance, grad * grad, new_weight)
                var_estimate = variance.copy()
            update = 1 / np.sqrt(np.maximum(var_estimate, eps1 * eps1))
            update *= grad
            denom = max(1.0, _norm(update) / ((update.size ** 0.5) * d))
            theta += (-alpha / denom) * update
