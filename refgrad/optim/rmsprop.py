"""RMSprop: mirrors torch.optim.RMSprop."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from ._running import addcdiv_, decay_squares_, lerp_
from .optimizer import Optimizer, check_lr, dense_grad, scalar, step_count

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    r"""torch.optim.RMSprop(params, lr=1e-2, alpha=0.99, eps=1e-8, weight_decay=0, momentum=0, centered=False,
    capturable=False, foreach=None, maximize=False, differentiable=False): each coordinate's step is divided by the
    root of a running average of its squared gradients.

    For each parameter θ with gradient g (γ = lr, α = alpha, λ = weight_decay, μ = momentum); v, m, b start at 0:

        g ← −g                          if maximize
        g ← g + λ θ                     if λ ≠ 0
        v ← α v + (1 − α) g²            the running mean square
        if centered:
            m ← α m + (1 − α) g         the running mean (torch's lerp)
            d ← √(v − m²) + ε           the root of the running variance
        else:
            d ← √v + ε
        if μ > 0:
            b ← μ b + g / d
            θ ← θ − γ b
        else:
            θ ← θ − γ g / d

    State per parameter: "step", "square_avg" (v), "momentum_buffer" (b) when μ > 0, "grad_avg" (m) when centered.
    ``capturable``/``foreach`` choose torch's kernels and change nothing here (torch's step refuses capturable=True
    for CPU tensors; refgrad accepts it).
    """

    def __init__(self, params, lr=1e-2, alpha: float = 0.99, eps: float = 1e-8, weight_decay: float = 0,
                 momentum: float = 0, centered: bool = False, capturable: bool = False, foreach=None,
                 maximize: bool = False, differentiable: bool = False):
        check_lr(lr)
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if alpha < 0.0:
            raise ValueError(f"Invalid alpha value: {alpha}")
        super().__init__(params, {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps, "centered": centered,
                                  "weight_decay": weight_decay, "capturable": capturable, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable})

    def _update(self, group: dict, params: list) -> None:
        lr, alpha, eps = scalar(group["lr"]), group["alpha"], group["eps"]
        weight_decay, momentum, centered = group["weight_decay"], group["momentum"], group["centered"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = step_count()
                state["square_avg"] = Tensor(np.zeros_like(p._data))
                if momentum > 0:
                    state["momentum_buffer"] = Tensor(np.zeros_like(p._data))
                if centered:
                    state["grad_avg"] = Tensor(np.zeros_like(p._data))
            theta, grad = p._data, dense_grad(p)
            if group["maximize"]:
                grad = -grad
            state["step"]._data += 1
            if weight_decay != 0:
                grad = grad + weight_decay * theta
            square_avg = state["square_avg"]._data
            decay_squares_(square_avg, grad, alpha)
            avg = np.empty_like(square_avg)  # an array also for a 0-d parameter (a ufunc would give a scalar)
            if centered:
                grad_avg = state["grad_avg"]._data
                lerp_(grad_avg, grad, 1 - alpha)
                np.sqrt(np.subtract(square_avg, grad_avg * grad_avg, out=avg), out=avg)
            else:
                np.sqrt(square_avg, out=avg)
            avg += eps
            if momentum > 0:
                buf = state["momentum_buffer"]._data
                buf *= momentum
                np.divide(grad, avg, out=avg)
                buf += avg
                theta += np.multiply(buf, -lr, out=avg)
            else:
                addcdiv_(theta, -lr, grad, avg)  # (−γ g) / d: torch's addcdiv order
