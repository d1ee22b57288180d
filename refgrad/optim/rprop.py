"""Rprop: mirrors torch.optim.Rprop."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_lr, dense_grad, scalar, step_count

__all__ = ["Rprop"]


class Rprop(Optimizer):
    r"""torch.optim.Rprop(params, lr=1e-2, etas=(0.5, 1.2), step_sizes=(1e-6, 50), *, capturable=False, foreach=None,
    maximize=False, differentiable=False): resilient backpropagation; each coordinate moves by its own step size
    against the gradient's sign, the step size growing while the sign holds and shrinking when it flips.

    For each parameter θ with gradient g (η₋, η₊ = etas, Γ_min, Γ_max = step_sizes); the previous gradient p starts
    at 0 and each coordinate's step size s at lr (the group's lr at the parameter's first step):

        g ← −g                          if maximize
        for each coordinate:
            if g·p > 0:   s ← min(η₊ s, Γ_max)
            if g·p < 0:   s ← max(η₋ s, Γ_min), g ← 0    (a sign flip: no move this step, nor a flip next step)
            if g·p = 0:   s ← s (clamped to [Γ_min, Γ_max])
        θ ← θ − sign(g) s
        p ← g

    State per parameter: "step", "prev" (p), "step_size" (s). ``capturable``/``foreach`` choose torch's kernels and
    change nothing here (torch's step refuses capturable=True for CPU tensors; refgrad accepts it).
    """

    def __init__(self, params, lr=1e-2, etas: tuple = (0.5, 1.2), step_sizes: tuple = (1e-6, 50), *,
                 capturable: bool = False, foreach=None, maximize: bool = False, differentiable: bool = False):
        check_lr(lr)
        if not 0.0 < etas[0] < 1.0 < etas[1]:
            raise ValueError(f"Invalid eta values: {etas[0]}, {etas[1]}")
        super().__init__(params, {"lr": lr, "etas": etas, "step_sizes": step_sizes, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable, "capturable": capturable})

    def _update(self, group: dict, params: list) -> None:
        eta_minus, eta_plus = group["etas"]
        step_size_min, step_size_max = group["step_sizes"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = step_count()
                state["prev"] = Tensor(np.zeros_like(p._data))
                state["step_size"] = Tensor(np.full(p.shape, scalar(group["lr"]), p.dtype))
            grad = dense_grad(p)
            if group["maximize"]:
                grad = -grad
            state["step"]._data += 1
            prev, step_size = state["prev"]._data, state["step_size"]._data
            agreement = np.sign(grad * prev)
            factor = np.where(agreement > 0, eta_plus, np.where(agreement < 0, eta_minus, 1)).astype(p.dtype)
            step_size *= factor
            np.clip(step_size, step_size_min, step_size_max, out=step_size)
            grad = np.where(agreement < 0, 0, grad).astype(p.dtype)
            p._data += -1 * np.sign(grad) * step_size
            prev[...] = grad
