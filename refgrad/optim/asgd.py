"""ASGD: mirrors torch.optim.ASGD."""
from __future__ import annotations

import numpy as np

from ..tensor import Tensor
from .optimizer import Optimizer, check_lr, dense_grad, scalar, scalar_dtype, step_count

__all__ = ["ASGD"]


class ASGD(Optimizer):
    r"""torch.optim.ASGD(params, lr=1e-2, lambd=1e-4, alpha=0.75, t0=1e6, weight_decay=0, foreach=None,
    maximize=False, differentiable=False, capturable=False): averaged stochastic gradient descent; SGD with a
    decaying step size and a running average of the iterates from step t0 on.

    For each parameter θ with gradient g (γ = lr, λ = lambd, α = alpha, w = weight_decay); η starts at γ, μ at 1 and
    the average a at 0. At step t = 1, 2, ... of this parameter:

        g ← −g                          if maximize
        g ← g + w θ                     if w ≠ 0
        θ ← θ (1 − λ η) − η g
        a ← θ                           if μ = 1, else a ← a + μ (θ − a)
        η ← γ / (1 + λ γ t)^α
        μ ← 1 / max(1, t − t0)

    State per parameter: "step", "eta" (η), "mu" (μ), "ax" (a, the averaged parameters). As torch's, η and μ are
    0-d tensors in the default scalar dtype (float32 unless the default dtype is float64), so they are rounded to it
    even for float64 parameters; a loaded state keeps them in the parameter's dtype (as torch's load_state_dict casts
    them), while new values are still rounded through the scalar dtype unless lr is a tensor.
    ``capturable``/``foreach`` choose torch's kernels and change nothing here (torch's step refuses capturable=True
    for CPU tensors; refgrad accepts it).
    """

    def __init__(self, params, lr=1e-2, lambd: float = 1e-4, alpha: float = 0.75, t0: float = 1e6,
                 weight_decay: float = 0, foreach=None, maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False):
        check_lr(lr)
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        super().__init__(params, {"lr": lr, "lambd": lambd, "alpha": alpha, "t0": t0, "weight_decay": weight_decay,
                                  "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                                  "capturable": capturable})

    def _update(self, group: dict, params: list) -> None:
        lr, lambd, alpha, t0 = scalar(group["lr"]), group["lambd"], group["alpha"], group["t0"]
        weight_decay = group["weight_decay"]
        # torch computes the new η as a Python number (made a tensor of the default scalar dtype) unless lr has a
        # dtype of its own (a tensor, or an array as a loaded state_dict holds it), which the new η then keeps
        new_value_dtype = group["lr"].dtype if hasattr(group["lr"], "dtype") else scalar_dtype()
        for p in params:
            state = self.state[p]
            if not state:
                state["step"] = step_count()
                state["eta"] = Tensor(np.array(lr, scalar_dtype()))
                state["mu"] = Tensor(np.ones((), scalar_dtype()))
                state["ax"] = Tensor(np.zeros_like(p._data))
            theta, grad = p._data, dense_grad(p)
            if group["maximize"]:
                grad = -grad
            state["step"]._data += 1
            if weight_decay != 0:
                grad = grad + weight_decay * theta
            eta, mu, ax = state["eta"]._data, state["mu"]._data, state["ax"]._data
            eta_value = float(eta)
            theta *= 1 - lambd * eta_value  # the decay term
            theta += -eta_value * grad
            if float(mu) != 1:
                ax += (theta - ax) * mu
            else:
                ax[...] = theta
            step = float(state["step"]._data)
            eta[...] = np.array(lr / ((1 + lambd * lr * step) ** alpha), new_value_dtype)
            mu[...] = np.array(1 / max(1, step - t0), scalar_dtype())
