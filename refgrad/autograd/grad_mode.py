"""Grad modes (torch.autograd.grad_mode): no_grad, enable_grad, set_grad_enabled, inference_mode, and the
forward-mode switch. Each is a context manager and a decorator; the flags they switch are refgrad._grad_state's.

Differences from torch: refgrad has no "inference tensors". Tensors made inside inference_mode are ordinary
tensors outside the graph (as under no_grad), so the restrictions torch puts on them (no requires_grad_(), no
in-place update outside inference mode, not usable in a recorded graph) do not apply. A decorated generator
function runs its body outside the mode (torch enters the mode at each resumption). Decorating something that is
not callable (``no_grad(3)``) is a TypeError at once, where torch returns a function that fails when called.
"""
from __future__ import annotations

import functools

from .._grad_state import state as _state


def is_grad_enabled() -> bool:
    """torch.is_grad_enabled."""
    return _state["grad"]


def is_inference_mode_enabled() -> bool:
    """torch.is_inference_mode_enabled."""
    return _state["inference"]


def _switch(grad: bool, inference: bool) -> None:
    _state["grad"], _state["inference"], _state["record"] = grad, inference, grad and not inference


class _DecoratorContextManager:
    """A context manager that also decorates a function: each call runs inside a fresh copy (``clone()``)."""

    def __call__(self, fn):
        if not callable(fn):
            raise TypeError(f"{type(self).__name__} decorates a function, got {type(fn).__name__}")

        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with self.clone():
                return fn(*args, **kwargs)

        return wrapper

    def clone(self):
        return type(self)()

    def __exit__(self, *exc) -> None:
        _switch(*self.prev)


class _NoParamDecoratorContextManager(_DecoratorContextManager):
    """Also decorates without parentheses: ``@no_grad`` as well as ``@no_grad()``, as torch 2.x."""

    def __new__(cls, orig_func=None):
        return super().__new__(cls) if orig_func is None else cls()(orig_func)


class no_grad(_NoParamDecoratorContextManager):
    """torch.no_grad: ops run inside record no graph."""

    def __enter__(self) -> None:
        self.prev = _state["grad"], _state["inference"]
        _switch(False, _state["inference"])


class enable_grad(_NoParamDecoratorContextManager):
    """torch.enable_grad: re-enables grad mode inside a no_grad region (inside inference_mode, is_grad_enabled()
    is True but nothing is recorded, as in torch)."""

    def __enter__(self) -> None:
        self.prev = _state["grad"], _state["inference"]
        _switch(True, _state["inference"])


class set_grad_enabled(_DecoratorContextManager):
    """torch.set_grad_enabled: takes effect at the call (so a plain call switches the mode for good); a ``with``
    block restores the previous mode on exit; as a decorator it leaves the mode as it was and switches it only
    while the decorated function runs."""

    def __init__(self, mode: bool) -> None:
        if not isinstance(mode, bool):
            raise TypeError(f"set_grad_enabled(): argument 'enabled' (position 1) must be bool, not "
                            f"{type(mode).__name__}")
        self.mode, self.prev = mode, (_state["grad"], _state["inference"])
        _switch(mode, _state["inference"])

    def __call__(self, fn):
        _switch(*self.prev)  # decorating is not entering: undo what construction did
        return super().__call__(fn)

    def __enter__(self) -> None:
        pass  # already switched at construction

    def clone(self) -> set_grad_enabled:
        return type(self)(self.mode)


class inference_mode(_DecoratorContextManager):
    """torch.inference_mode: like no_grad, and ``is_inference_mode_enabled()`` is True inside; nothing is recorded
    inside even under enable_grad. ``inference_mode(False)`` (or ``mode=False``) turns it off again and enables
    grad mode, as torch's. Decorates with or without parentheses."""

    def __new__(cls, mode=True):
        return super().__new__(cls) if isinstance(mode, bool) else cls()(mode)

    def __init__(self, mode: bool = True) -> None:
        self.mode = mode

    def __enter__(self) -> None:
        self.prev = _state["grad"], _state["inference"]
        _switch(not self.mode, self.mode)

    def clone(self) -> inference_mode:
        return type(self)(self.mode)


class _ForwardAD:
    mode: bool

    def __enter__(self):
        self.prev, _state["forward_ad"] = _state["forward_ad"], self.mode

    def __exit__(self, *exc):
        _state["forward_ad"] = self.prev


class forward_ad_enabled(_ForwardAD):
    """Ops propagate tangents inside (refgrad.func.jvp's pass)."""

    mode = True


class forward_ad_disabled(_ForwardAD):
    """Stops tangent propagation while a jvp rule itself runs (one level of forward mode)."""

    mode = False
