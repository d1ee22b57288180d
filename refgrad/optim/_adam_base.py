"""What the Adam family (Adam, AdamW, Adamax, NAdam, RAdam) shares: torch's checks of their common hyperparameters,
their scalar state (the step count), and the moves every member makes the same way (the gradient with maximize and
weight decay applied, the running averages updated as torch's lerp_ / mul_().addcmul_() do).

Rounding as torch's: a hyperparameter given as a number stays a Python float and one given as a 0-d tensor becomes a
NumPy scalar of its dtype, so that the scalar arithmetic before an update (step sizes, bias corrections) promotes
and rounds as torch's on numbers and 0-d tensors does (NumPy's NEP 50 rules: a float32 lr tensor over a Python
float gives a float32; over a float64 tensor, a float64). Where a scalar meets an array it goes in as a Python
float, which NumPy casts to the array's dtype as torch casts a scalar to the tensor's.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor
from ._running import addcdiv_, decay_squares_, lerp_  # noqa: F401 (the Adam family takes them from here too)
from .optimizer import check_lr

__all__ = ["as_number", "check_adam_hyperparameters", "scalar_state", "gradient", "lerp_",
           "decay_squares_", "addcdiv_", "restore_older_state"]


def as_number(value) -> float | np.floating:
    """A hyperparameter as a number: a Python float if given as a number, a NumPy scalar of its dtype if given as a
    0-d refgrad tensor (or the 0-d array a loaded state_dict holds), so that it promotes as torch's 0-d tensor."""
    dtype = getattr(value, "dtype", None)
    if dtype is not None and np.dtype(dtype).kind == "f":
        return np.dtype(dtype).type(value.item())
    return float(value.item()) if hasattr(value, "item") else float(value)


def check_adam_hyperparameters(lr, betas, eps, weight_decay) -> None:
    """torch's checks, in torch's order and with its messages, of the options every Adam-family optimizer takes."""
    check_lr(lr)
    if not 0.0 <= as_number(eps):
        raise ValueError(f"Invalid epsilon value: {eps}")
    for index in (0, 1):
        if not 0.0 <= as_number(betas[index]) < 1.0:
            raise ValueError(f"Invalid beta parameter at index {index}: {betas[index]}")
    if not 0.0 <= as_number(weight_decay):
        raise ValueError(f"Invalid weight_decay value: {weight_decay}")


def scalar_state(value: float, fused=None) -> Tensor:
    """A 0-d state entry as torch keeps ``step`` (and NAdam's ``mu_product``): float64 when the default dtype is
    float64 (unless ``fused``: torch's fused kernels count in float32), float32 otherwise, whatever the parameter's
    dtype."""
    dtype = dtypes.float64 if dtypes.get_default_dtype() == dtypes.float64 and not fused else dtypes.float32
    return Tensor(np.array(value, dtype=dtype))


def gradient(p: Tensor, group: dict, lr: float, weight_decay: float, decoupled: bool = False) -> np.ndarray:
    """The gradient the update uses: negated under ``maximize``; with weight decay λ ≠ 0 either λ·θ added to it
    (L2, the default) or, ``decoupled``, θ itself shrunk in place by (1 − lr·λ) and the gradient left alone."""
    grad = p.grad._data
    if group["maximize"]:
        grad = -grad
    if weight_decay != 0:
        if decoupled:
            p._data *= float(1 - lr * weight_decay)
        else:
            grad = grad + float(weight_decay) * p._data
    return grad


def restore_older_state(optimizer, group_defaults: dict, scalar_keys: tuple = ("step",)) -> None:
    """What torch's __setstate__ does for a state_dict saved by an older torch: options it lacks take their defaults,
    and a scalar state entry saved as a number (``step`` before torch 1.12) becomes a 0-d tensor."""
    for group in optimizer.param_groups:
        for name, default in group_defaults.items():
            group.setdefault(name, default)
        for p in group["params"]:
            state = optimizer.state.get(p)
            for key in scalar_keys if state else ():
                if not isinstance(state[key], Tensor):
                    state[key] = scalar_state(float(state[key]), fused=group.get("fused"))
