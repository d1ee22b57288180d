"""SparseAdam: mirrors torch.optim.SparseAdam."""
from __future__ import annotations

import math

import numpy as np

from ..sparse import SparseRowTensor
from ..tensor import Tensor
from .optimizer import Optimizer, scalar

__all__ = ["SparseAdam"]


class SparseAdam(Optimizer):
    r"""torch.optim.SparseAdam(params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, maximize=False): Adam restricted to
    the rows a sparse gradient holds (Embedding(sparse=True)'s gradients), the other rows and their moments left as
    they are.

    For each parameter θ with a sparse row gradient g, at its step t (γ = lr, β₁, β₂ = betas, ε = eps):

        g ← −g                               if maximize
        g ← coalesce(g)                      repeated rows summed; R: the rows it holds (skip θ if none)
        on the rows R only:
            m_R ← m_R + (1 − β₁)(g − m_R)     first moment
            v_R ← v_R + (1 − β₂)(g² − v_R)    second moment
            θ_R ← θ_R − γ √(1 − β₂ᵗ) / (1 − β₁ᵗ) · m_R / (√v_R + ε)

    t counts the steps that had a gradient, empty or not. A dense gradient is refused (torch's message). State:
    "step" (an int), "exp_avg", "exp_avg_sq" (zeros like θ at the first step).
    """

    accepts_sparse_grads = True

    def __init__(self, params, lr=1e-3, betas: tuple = (0.9, 0.999), eps: float = 1e-8, maximize: bool = False):
        if isinstance(lr, Tensor) and lr.numel() != 1:
            raise ValueError("Tensor lr must be 1-element")
        if not 0.0 < scalar(lr):
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 < eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i, beta in enumerate(betas):
            if not 0.0 <= beta < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {beta}")
        # torch also refuses sparse and complex parameters here; a refgrad parameter is neither
        super().__init__(params, {"lr": lr, "betas": betas, "eps": eps, "maximize": maximize})

    def _check_grads(self, params: list) -> None:
        for p in params:
            if not isinstance(p.grad, SparseRowTensor):
                raise RuntimeError("SparseAdam does not support dense gradients, please consider Adam instead")

    def _update(self, group: dict, params: list) -> None:
        lr, eps = scalar(group["lr"]), group["eps"]
        beta1, beta2 = group["betas"]
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = 0
                state["exp_avg"] = Tensor(np.zeros_like(p._data))
                state["exp_avg_sq"] = Tensor(np.zeros_like(p._data))
            state["step"] += 1
            grad = (-p.grad if group["maximize"] else p.grad).coalesce()
            rows, values = grad._indices()._data[0], grad._values()._data
            if values.size == 0:
                continue
            exp_avg, exp_avg_sq = state["exp_avg"]._data, state["exp_avg_sq"]._data
            # torch's order: the moments' increments from the old rows, then the new rows as old + increment
            old_avg, old_avg_sq = exp_avg[rows], exp_avg_sq[rows]
            avg_increment = (values - old_avg) * (1 - beta1)
            avg_sq_increment = (values * values - old_avg_sq) * (1 - beta2)
            exp_avg[rows] += avg_increment
            exp_avg_sq[rows] += avg_sq_increment
            numer = avg_increment + old_avg
            denom = np.sqrt(avg_sq_increment + old_avg_sq) + eps
            step = state["step"]
            step_size = lr * math.sqrt(1 - beta2 ** step) / (1 - beta1 ** step)
            p._data[rows] += -step_size * (numer / denom)
