"""Adadelta: mirrors torch.optim.Adadelta."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._running import decay_squares_
from .optimizer import Optimizer, check_lr, dense_grad, scalar, step_count

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    r"""torch.optim.Adadelta(params, lr=1.0, rho=0.9, eps=1e-6, weight_decay=0, foreach=None, *, capturable=False,
    maximize=False, differentiable=False): each coordinate's step is the ratio of two running root mean squares,
    of past steps and of gradients, times the gradient.

    For each parameter θ with gradient g (γ = lr, ρ = rho, λ = weight_decay); v and u start at 0:

        g ← −g                          if maximize
        g ← g + λ θ                     if λ ≠ 0
        v ← ρ v + (1 − ρ) g²            the running mean square of the gradients ("square_avg")
        Δ ← √(u + ε) / √(v + ε) · g
        u ← ρ u + (1 − ρ) Δ²            the running mean square of the steps ("acc_delta")
        θ ← θ − γ Δ

    ``capturable``/``foreach`` choose torch's kernels and change nothing here (torch's step refuses capturable=True
    for CPU tensors; refgrad accepts it).
    """

    def __init__(self, params, lr=1.0, rho: float = 0.9, eps: float = 1e-6, weight_decay: float = 0, foreach=None, *,
                 capturable: bool = False, maximize: bool = False, differentiable: bool = False):
        check_lr(lr)
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay, "maximize": maximize,
                                  "capturable": capturable, "foreach": foreach, "differentiable": differentiable})

    def _update(self, group: dict, params: list) -> None:
        lr, rho, eps, weight_decay = scalar(group["lr"]), group["rho"], group["eps"], group["weight_decay"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = step_count()
                state["square_avg"] = Tensor(np.zeros_like(p._data))
                state["acc_delta"] = Tensor(np.zeros_like(p._data))
            theta, grad = p._data, dense_grad(p)
            state["step"]._data += 1
            if group["maximize"]:
                grad = -grad
            if weight_decay != 0:
                grad = grad + weight_decay * theta
            square_avg, acc_delta = state["square_avg"]._data, state["acc_delta"]._data
            decay_squares_(square_avg, grad, rho)
            std = np.sqrt(square_avg + eps)
            delta = np.add(acc_delta, eps, out=np.empty_like(acc_delta))  # an array also for a 0-d parameter
            np.sqrt(delta, out=delta)
            delta /= std
            delta *= grad
            decay_squares_(acc_delta, delta, rho)
            delta *= -lr
            theta += delta
