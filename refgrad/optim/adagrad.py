"""Adagrad: mirrors torch.optim.Adagrad."""
from __future__ import annotations

import numpy as np

from ..sparse import SparseRowTensor
from ..tensor import Tensor
from ._running import addcdiv_
from .optimizer import Optimizer, check_lr, scalar, step_count

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    r"""torch.optim.Adagrad(params, lr=1e-2, lr_decay=0, weight_decay=0, initial_accumulator_value=0, eps=1e-10,
    foreach=None, *, maximize=False, differentiable=False, fused=None): each coordinate's step is scaled by the root
    of the sum of its squared gradients so far.

    For each parameter θ with gradient g (γ = lr, η = lr_decay, λ = weight_decay, τ = initial_accumulator_value):

        s ← τ (every element)           when the optimizer is built (the state exists before the first step)
        at step t = 1, 2, ... of this parameter:
            g ← −g                      if maximize
            g ← g + λ θ                 if λ ≠ 0
            γ̃ ← γ / (1 + (t − 1) η)
            s ← s + g²
            θ ← θ − γ̃ g / (√s + ε)

    τ is always the constructor's value, also for a group that gives its own (as torch's). A sparse gradient
    (Embedding(sparse=True)) is taken as it is: its rows (duplicates summed) are the only ones whose s and θ change;
    with λ ≠ 0 it raises, as torch's. ``foreach``/``fused`` choose torch's kernels and change nothing here.
    """

    accepts_sparse_grads = True

    def __init__(self, params, lr=1e-2, lr_decay: float = 0, weight_decay: float = 0,
                 initial_accumulator_value: float = 0, eps: float = 1e-10, foreach=None, *, maximize: bool = False,
                 differentiable: bool = False, fused=None):
        check_lr(lr)
        if lr_decay < 0.0:
            raise ValueError(f"Invalid lr_decay value: {lr_decay}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if initial_accumulator_value < 0.0:
            raise ValueError(f"Invalid initial_accumulator_value value: {initial_accumulator_value}")
        if eps < 0.0:
            raise ValueError(f"Invalid epsilon value: {eps}")
        super().__init__(params, {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                                  "initial_accumulator_value": initial_accumulator_value, "foreach": foreach,
                                  "maximize": maximize, "differentiable": differentiable, "fused": fused})
        for group in self.param_groups:
            for p in group["params"]:
                self._init_state(p, group)

    def _init_state(self, p: Tensor, group: dict) -> dict:
        state = self.state[p]
        if not state:
            state["step"] = step_count(group["fused"])
            state["sum"] = Tensor(np.full(p.shape, self.defaults["initial_accumulator_value"], p.dtype))
        return state

    def _update(self, group: dict, params: list) -> None:
        lr, lr_decay, eps = scalar(group["lr"]), group["lr_decay"], group["eps"]
        weight_decay = group["weight_decay"]
        if group["fused"] and any(isinstance(p.grad, SparseRowTensor) for p in params):
            raise RuntimeError("`fused` does not support sparse grad or complex param")  # before any update, as torch
        for p in params:
            state = self._init_state(p, group)  # a parameter added by add_param_group gets its state at its first step
            state["step"]._data += 1
            step = float(state["step"]._data)
            grad = p.grad if isinstance(p.grad, SparseRowTensor) else p.grad._data
            if group["maximize"]:
                grad = -grad
            if weight_decay != 0:
                if isinstance(grad, SparseRowTensor):
                    raise RuntimeError("weight_decay option is not compatible with sparse gradients")
                grad = grad + weight_decay * p._data
            clr = lr / (1 + (step - 1) * lr_decay)
            theta, total = p._data, state["sum"]._data
            if isinstance(grad, SparseRowTensor):
                grad = grad.coalesce()  # the update is not linear in g: a row's gradients are summed first
                rows, values = grad._rows, grad._vals
                total[rows] += values * values
                std = np.sqrt(total[rows]) + eps
                theta[rows] += values / std * -clr
            else:
                total += grad * grad
                std = np.sqrt(total)
                std += eps
                addcdiv_(theta, -clr, grad, std)
