"""Grad mode (torch.no_grad / enable_grad / set_grad_enabled) and the forward-mode switch."""
from __future__ import annotations

import functools

from .._grad_state import state as _state


def is_grad_enabled() -> bool:
    return _state["grad"]


class _GradMode:
    mode: bool

    def __enter__(self):
        self.prev, _state["grad"] = _state["grad"], self.mode
        return self

    def __exit__(self, *exc):
        _state["grad"] = self.prev

    def __call__(self, fn):  # also usable as a decorator, like torch's
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            with type(self)():
                return fn(*args, **kwargs)

        return wrapper


class no_grad(_GradMode):
    """Ops run inside record no graph (torch.no_grad)."""

    mode = False


class enable_grad(_GradMode):
    """Re-enables graph recording inside a no_grad region (torch.enable_grad)."""

    mode = True


class set_grad_enabled(_GradMode):
    """Like torch.set_grad_enabled: takes effect at the call, and a ``with`` block restores the old mode."""

    def __init__(self, mode: bool):
        self.mode = bool(mode)
        self.prev, _state["grad"] = _state["grad"], self.mode

    def __enter__(self):
        return self


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
