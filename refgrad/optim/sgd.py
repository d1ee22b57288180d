"""SGD: mirrors torch.optim.SGD."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_lr, dense_grad, scalar

__all__ = ["SGD"]


class SGD(Optimizer):
    r"""torch.optim.SGD(params, lr=1e-3, momentum=0, dampening=0, weight_decay=0, nesterov=False, *, maximize=False,
    foreach=None, differentiable=False, fused=None): stochastic gradient descent, with momentum.

    For each parameter θ with gradient g, at step t (γ = lr, μ = momentum, τ = dampening, λ = weight_decay):

        g ← −g                          if maximize
        g ← g + λ θ                     if λ ≠ 0
        if μ ≠ 0:
            b ← g                       at the first step (the momentum buffer starts as the gradient itself)
            b ← μ b + (1 − τ) g         afterwards
            g ← g + μ b                 if nesterov, else g ← b
        θ ← θ − γ g

    Nesterov momentum needs μ > 0 and τ = 0. A sparse gradient (Embedding(sparse=True)) is applied as its dense
    equivalent. ``foreach``/``fused`` choose torch's kernels and change nothing here.
    """

    accepts_sparse_grads = True

    def __init__(self, params, lr=1e-3, momentum: float = 0, dampening: float = 0, weight_decay=0,
                 nesterov: bool = False, *, maximize: bool = False, foreach=None, differentiable: bool = False,
                 fused=None):
        check_lr(lr)
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, {"lr": lr, "momentum": momentum, "dampening": dampening,
                                  "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                                  "foreach": foreach, "differentiable": differentiable, "fused": fused})

    def _update(self, group: dict, params: list) -> None:
        # Each line rounds as torch's single-tensor step does, with as few full-size temporaries as that allows (one
        # per parameter without weight decay or nesterov): at a million values a step is bound by memory traffic.
        # Temporaries are made with out= so that a 0-d parameter's stay arrays (NumPy returns scalars otherwise).
        lr, momentum, dampening = scalar(group["lr"]), group["momentum"], group["dampening"]
        weight_decay = scalar(group["weight_decay"])
        for p in params:
            theta = p._data
            g = dense_grad(p)
            owned = False  # whether g is a temporary of this step, free to be overwritten
            if weight_decay != 0:
                # (±g) + λθ, as λθ ± g: the same sum, one temporary
                decayed = np.multiply(theta, weight_decay, out=np.empty_like(theta))
                g = np.subtract(decayed, g, out=decayed) if group["maximize"] else np.add(decayed, g, out=decayed)
                owned = True
            elif group["maximize"]:
                g, owned = np.negative(g, out=np.empty_like(theta)), True
            if momentum != 0:
                state = self.state[p]
                buf = state.get("momentum_buffer")
                if buf is None:
                    buf = state["momentum_buffer"] = Tensor(np.array(g))
                else:
                    buf._data *= momentum
                    buf._data += g if dampening == 0 else (1 - dampening) * g  # (1 − 0)·g is g exactly
                if group["nesterov"]:
                    step = np.multiply(buf._data, momentum, out=np.empty_like(theta))
                    g, owned = np.add(step, g, out=step), True
                else:
                    g, owned = buf._data, False
            theta -= np.multiply(g, lr, out=g if owned else None)  # θ + (−γ)·g, as torch's add_(g, alpha=−γ)
