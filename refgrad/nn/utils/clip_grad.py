"""refgrad.nn.utils.clip_grad: mirrors torch.nn.utils.clip_grad (clip_grad_norm_, clip_grad_value_, get_total_norm,
clip_grads_with_norm_ and the deprecated clip_grad_norm).

The norms are torch's composition: each tensor's ``linalg.vector_norm`` of order ``norm_type``, then the
vector_norm of those norms stacked (so mixed float32/float64 gradients give a float64 total, as torch's stack
promotes; and an order-0 "norm" counts the tensors with a nonzero element, as torch's does). Gradients are scaled
and clamped in place, under no_grad. ``foreach`` is accepted for torch's signature and changes no result: refgrad
has one (CPU, NumPy) implementation; it only picks which of torch's two messages the inf norm of an empty tensor
raises. Deliberate differences: torch groups the per-tensor norms by (device, dtype) before stacking, which can
reorder the final sum of a mixed-dtype list (rounding only); an element that is not a tensor raises a TypeError
naming its type (torch: an AttributeError about ``.device``).
"""
from __future__ import annotations

import math
import types
import warnings
from collections.abc import Iterable

from ...autograd import no_grad
from ...creation import tensor as _new_tensor
from ...ops.binary import clamp
from ...ops.reduction import vector_norm
from ...ops.shape import stack
from ...tensor import Tensor
from ..modules.module import _typename

__all__ = ["clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]

# the total norm is non-finite: torch's message, verbatim
_NONFINITE = ("The total norm of order {} for gradients from `parameters` is non-finite, so it cannot be clipped. "
              "To disable this error and scale the gradients by the non-finite norm anyway, set "
              "`error_if_nonfinite=False`")


def _as_list(tensors) -> list:
    """A single tensor as a one-element list; any other iterable (a generator too) consumed into a list."""
    return [tensors] if isinstance(tensors, Tensor) else list(tensors)


def _grads(parameters: list) -> list[Tensor]:
    """The gradients of the parameters that have one (a parameter without ``.grad`` is skipped, as torch)."""
    return [p.grad for p in parameters if p.grad is not None]


def get_total_norm(tensors: Tensor | Iterable[Tensor], norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """torch.nn.utils.get_total_norm: the ``norm_type``-norm of the tensors viewed as one vector (the norm of their
    norms), a 0-d tensor outside the graph; ``tensor(0.)`` of the default dtype for no tensors. ``norm_type`` may be
    ``'inf'``. With ``error_if_nonfinite``, a nan or infinite total raises torch's RuntimeError."""
    tensors = _as_list(tensors)
    norm_type = float(norm_type)
    with no_grad():
        if not tensors:
            return _new_tensor(0.0)
        for t in tensors:
            if not isinstance(t, Tensor):
                raise TypeError(f"get_total_norm: expected Tensors, got an element of type {_typename(t)}")
        if norm_type == math.inf and foreach is not False and any(t.numel() == 0 for t in tensors):
            # torch's default path (_foreach_norm on CPU) words this error its own way; foreach=False gets
            # vector_norm's, as torch's single-tensor path
            raise RuntimeError("_foreach_norm cannot compute the infinity norm on an empty tensor because the "
                               "operation does not have an identity")
        total = vector_norm(stack([vector_norm(t, norm_type) for t in tensors]), norm_type)
    if error_if_nonfinite and not math.isfinite(total.item()):
        raise RuntimeError(_NONFINITE.format(norm_type))
    return total


def clip_grads_with_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, total_norm: Tensor,
                          foreach: bool | None = None) -> None:
    """torch.nn.utils.clip_grads_with_norm_: scales every gradient in place by
    ``min(max_norm / (total_norm + 1e-6), 1)`` (torch's ``clip_coef_clamped``: gradients are only ever scaled down;
    a negative max_norm flips their sign, a nan one makes them nan, as torch's). ``total_norm`` is a tensor, as
    get_total_norm returns."""
    grads = _grads(_as_list(parameters))
    max_norm = float(max_norm)
    if not grads:
        return
    if not isinstance(total_norm, Tensor):
        raise TypeError(f"clip_grads_with_norm_: total_norm must be a Tensor (as get_total_norm returns), got "
                        f"{_typename(total_norm)}")
    with no_grad():
        clip_coef_clamped = clamp(max_norm / (total_norm + 1e-6), max=1.0)
        for grad in grads:  # one in-place multiply per gradient tensor, by the coefficient in its own dtype
            grad.mul_(clip_coef_clamped.to(grad.dtype))


def clip_grad_norm_(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """torch.nn.utils.clip_grad_norm_: get_total_norm of the parameters' gradients, then clip_grads_with_norm_ with
    it; returns the total norm (before clipping). Parameters without a gradient are skipped; an empty generator
    warns as torch's."""
    if isinstance(parameters, Tensor):
        parameters = [parameters]
    else:
        is_generator = isinstance(parameters, types.GeneratorType)
        parameters = list(parameters)  # a generator is read once, for both steps
        if is_generator and not parameters:
            warnings.warn("`parameters` is an empty generator, no gradient clipping will occur.", stacklevel=2)
    total_norm = get_total_norm(_grads(parameters), norm_type, error_if_nonfinite, foreach)
    clip_grads_with_norm_(parameters, max_norm, total_norm, foreach)
    return total_norm


def clip_grad_norm(parameters: Tensor | Iterable[Tensor], max_norm: float, norm_type: float = 2.0,
                   error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """torch.nn.utils.clip_grad_norm: deprecated (a FutureWarning, as torch's) in favour of clip_grad_norm_."""
    warnings.warn("`nn.utils.clip_grad_norm` is now deprecated in favor of `nn.utils.clip_grad_norm_`.",
                  FutureWarning, stacklevel=2)
    return clip_grad_norm_(parameters, max_norm, norm_type, error_if_nonfinite, foreach)


def clip_grad_value_(parameters: Tensor | Iterable[Tensor], clip_value: float, foreach: bool | None = None) -> None:
    """torch.nn.utils.clip_grad_value_: clamps every gradient in place to [-clip_value, clip_value], as torch's
    clamp_min_ then clamp_max_ (so a negative clip_value sets every element to clip_value; nan stays nan)."""
    parameters = _as_list(parameters)
    clip_value = float(clip_value)
    with no_grad():
        for grad in _grads(parameters):
            grad.clamp_min_(-clip_value)
            grad.clamp_max_(clip_value)
