"""refgrad.nn.modules.activation: mirrors torch.nn.modules.activation (every activation but MultiheadAttention,
which lives in attention.py). Each module holds its function's arguments and calls its F.* form; repr as torch's."""
from __future__ import annotations

import warnings

from .. import functional as F
from .. import init
from .module import Module
from .utils import new_parameter

__all__ = ["Threshold", "ReLU", "RReLU", "Hardtanh", "ReLU6", "Sigmoid", "Hardsigmoid", "Tanh", "SiLU", "Mish",
           "Hardswish", "ELU", "CELU", "SELU", "GLU", "GELU", "Hardshrink", "LeakyReLU", "LogSigmoid", "Softplus",
           "Softshrink", "PReLU", "Softsign", "Tanhshrink", "Softmin", "Softmax", "Softmax2d", "LogSoftmax"]

# F.softmax's _stacklevel from a module's forward: the implicit-dim warning then names the line that called the
# module (warn <- _softmax_dim <- _softmax_like <- F.softmax <- forward <- Module.__call__ <- the caller)
_MODULE_STACKLEVEL = 5


def _inplace_suffix(inplace: bool, first: bool = False) -> str:
    """torch's repr of an inplace flag: shown only when True (', inplace=True' after other fields)."""
    if not inplace:
        return ""
    return "inplace=True" if first else ", inplace=True"


class _Stateless(Module):
    """An activation without arguments (Sigmoid, Tanh, ...): torch's Module.__init__ refuses any argument."""

    _function = None

    def forward(self, input):
        return type(self)._function(input)


class _Inplace(Module):
    """An activation whose only argument is ``inplace`` (ReLU, SELU, SiLU, ...), shown in the repr when True."""

    _function = None
    _show_inplace = True  # Hardsigmoid and Hardswish have no extra_repr in torch

    def __init__(self, inplace: bool = False):
        super().__init__()
        self.inplace = inplace

    def forward(self, input):
        return type(self)._function(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return _inplace_suffix(self.inplace, first=True) if self._show_inplace else ""


class Threshold(Module):
    """torch.nn.Threshold(threshold, value, inplace=False): input where input > threshold, else value."""

    def __init__(self, threshold: float, value: float, inplace: bool = False):
        super().__init__()
        self.threshold, self.value, self.inplace = threshold, value, inplace

    def forward(self, input):
        return F.threshold(input, self.threshold, self.value, self.inplace)

    def extra_repr(self) -> str:
        return f"threshold={self.threshold}, value={self.value}{_inplace_suffix(self.inplace)}"


class ReLU(_Inplace):
    """torch.nn.ReLU(inplace=False): F.relu."""

    _function = staticmethod(F.relu)


class RReLU(Module):
    """torch.nn.RReLU(lower=1/8, upper=1/3, inplace=False): F.rrelu with ``self.training``: a random slope per
    element in [lower, upper) in training, the mean slope (lower + upper)/2 in eval mode."""

    def __init__(self, lower: float = 1.0 / 8, upper: float = 1.0 / 3, inplace: bool = False):
        super().__init__()
        self.lower, self.upper, self.inplace = lower, upper, inplace

    def forward(self, input):
        return F.rrelu(input, self.lower, self.upper, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"lower={self.lower}, upper={self.upper}{_inplace_suffix(self.inplace)}"


class Hardtanh(Module):
    """torch.nn.Hardtanh(min_val=-1.0, max_val=1.0, inplace=False, min_value=None, max_value=None): input clamped
    to [min_val, max_val]. min_value / max_value are torch's deprecated spellings (a FutureWarning, then they
    replace min_val / max_val); max_val <= min_val is torch's AssertionError."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False,
                 min_value: float | None = None, max_value: float | None = None):
        super().__init__()
        if min_value is not None:
            warnings.warn("keyword argument `min_value` is deprecated and renamed to `min_val`", FutureWarning,
                          stacklevel=2)
            min_val = min_value
        if max_value is not None:
            warnings.warn("keyword argument `max_value` is deprecated and renamed to `max_val`", FutureWarning,
                          stacklevel=2)
            max_val = max_value
        self.min_val, self.max_val, self.inplace = min_val, max_val, inplace
        if not self.max_val > self.min_val:
            raise AssertionError(f"max_val ({self.max_val}) must be greater than min_val ({self.min_val})")

    def forward(self, input):
        return F.hardtanh(input, self.min_val, self.max_val, self.inplace)

    def extra_repr(self) -> str:
        return f"min_val={self.min_val}, max_val={self.max_val}{_inplace_suffix(self.inplace)}"


class ReLU6(Hardtanh):
    """torch.nn.ReLU6(inplace=False): Hardtanh(0.0, 6.0); repr shows only the inplace flag."""

    def __init__(self, inplace: bool = False):
        super().__init__(0.0, 6.0, inplace)

    def extra_repr(self) -> str:
        return _inplace_suffix(self.inplace, first=True)


class Sigmoid(_Stateless):
    """torch.nn.Sigmoid(): F.sigmoid."""

    _function = staticmethod(F.sigmoid)


class Hardsigmoid(_Inplace):
    """torch.nn.Hardsigmoid(inplace=False): F.hardsigmoid; torch's repr does not show inplace."""

    _function = staticmethod(F.hardsigmoid)
    _show_inplace = False


class Tanh(_Stateless):
    """torch.nn.Tanh(): F.tanh."""

    _function = staticmethod(F.tanh)


class SiLU(_Inplace):
    """torch.nn.SiLU(inplace=False): F.silu."""

    _function = staticmethod(F.silu)


class Mish(_Inplace):
    """torch.nn.Mish(inplace=False): F.mish."""

    _function = staticmethod(F.mish)


class Hardswish(_Inplace):
    """torch.nn.Hardswish(inplace=False): F.hardswish; torch's repr does not show inplace."""

    _function = staticmethod(F.hardswish)
    _show_inplace = False


class ELU(Module):
    """torch.nn.ELU(alpha=1.0, inplace=False): F.elu."""

    def __init__(self, alpha: float = 1.0, inplace: bool = False):
        super().__init__()
        self.alpha, self.inplace = alpha, inplace

    def forward(self, input):
        return F.elu(input, self.alpha, self.inplace)

    def extra_repr(self) -> str:
        return f"alpha={self.alpha}{_inplace_suffix(self.inplace)}"


class CELU(ELU):
    """torch.nn.CELU(alpha=1.0, inplace=False): F.celu (alpha=0 is F's error, at the call, as torch's)."""

    def forward(self, input):
        return F.celu(input, self.alpha, self.inplace)


class SELU(_Inplace):
    """torch.nn.SELU(inplace=False): F.selu."""

    _function = staticmethod(F.selu)


class GLU(Module):
    """torch.nn.GLU(dim=-1): F.glu, the first half of input along dim times the sigmoid of the second."""

    def __init__(self, dim: int = -1):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return F.glu(input, self.dim)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class GELU(Module):
    """torch.nn.GELU(approximate='none'): F.gelu (an unknown approximate is F's error, at the call, as torch's)."""

    def __init__(self, approximate: str = "none"):
        super().__init__()
        self.approximate = approximate

    def forward(self, input):
        return F.gelu(input, approximate=self.approximate)

    def extra_repr(self) -> str:
        return f"approximate={self.approximate!r}"


class Hardshrink(Module):
    """torch.nn.Hardshrink(lambd=0.5): F.hardshrink; repr shows the bare lambd, as torch's."""

    def __init__(self, lambd: float = 0.5):
        super().__init__()
        self.lambd = lambd

    def forward(self, input):
        return F.hardshrink(input, self.lambd)

    def extra_repr(self) -> str:
        return f"{self.lambd}"


class Softshrink(Hardshrink):
    """torch.nn.Softshrink(lambd=0.5): F.softshrink (a negative lambd is F's error, at the call, as torch's)."""

    def forward(self, input):
        return F.softshrink(input, self.lambd)


class LeakyReLU(Module):
    """torch.nn.LeakyReLU(negative_slope=0.01, inplace=False): F.leaky_relu."""

    def __init__(self, negative_slope: float = 1e-2, inplace: bool = False):
        super().__init__()
        self.negative_slope, self.inplace = negative_slope, inplace

    def forward(self, input):
        return F.leaky_relu(input, self.negative_slope, self.inplace)

    def extra_repr(self) -> str:
        return f"negative_slope={self.negative_slope}{_inplace_suffix(self.inplace)}"


class LogSigmoid(_Stateless):
    """torch.nn.LogSigmoid(): F.logsigmoid."""

    _function = staticmethod(F.logsigmoid)


class Softplus(Module):
    """torch.nn.Softplus(beta=1.0, threshold=20.0): F.softplus."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0):
        super().__init__()
        self.beta, self.threshold = beta, threshold

    def forward(self, input):
        return F.softplus(input, self.beta, self.threshold)

    def extra_repr(self) -> str:
        return f"beta={self.beta}, threshold={self.threshold}"


class PReLU(Module):
    """torch.nn.PReLU(num_parameters=1, init=0.25, device=None, dtype=None): F.prelu with a learnt slope ``weight``
    of shape (num_parameters,): one shared slope, or one per channel (dim 1 of the input). reset_parameters fills
    it with ``init``, as torch's."""

    def __init__(self, num_parameters: int = 1, init: float = 0.25, device=None, dtype=None):
        super().__init__()
        self.num_parameters, self.init = num_parameters, init
        self.weight = new_parameter(num_parameters, device=device, dtype=dtype)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init.constant_(self.weight, self.init)

    def forward(self, input):
        return F.prelu(input, self.weight)

    def extra_repr(self) -> str:
        return f"num_parameters={self.num_parameters}"


class Softsign(_Stateless):
    """torch.nn.Softsign(): F.softsign."""

    _function = staticmethod(F.softsign)


class Tanhshrink(_Stateless):
    """torch.nn.Tanhshrink(): F.tanhshrink."""

    _function = staticmethod(F.tanhshrink)


class _SoftmaxLike(Module):
    """Softmax, Softmin and LogSoftmax: F.<function>(input, dim). dim=None is torch's legacy implicit choice (0 for
    0-, 1- and 3-D inputs, else 1) with its deprecation warning, raised at the line that called the module."""

    _function = None

    def __init__(self, dim: int | None = None):
        super().__init__()
        self.dim = dim

    def forward(self, input):
        return type(self)._function(input, self.dim, _stacklevel=_MODULE_STACKLEVEL)

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmin(_SoftmaxLike):
    """torch.nn.Softmin(dim=None): F.softmin."""

    _function = staticmethod(F.softmin)


class Softmax(_SoftmaxLike):
    """torch.nn.Softmax(dim=None): F.softmax."""

    _function = staticmethod(F.softmax)


class LogSoftmax(_SoftmaxLike):
    """torch.nn.LogSoftmax(dim=None): F.log_softmax."""

    _function = staticmethod(F.log_softmax)


class Softmax2d(Module):
    """torch.nn.Softmax2d(): softmax over the channels (dim -3) of a (C, H, W) or (N, C, H, W) input; any other
    rank is torch's ValueError."""

    def forward(self, input):
        if input.dim() not in (3, 4):
            raise ValueError(f"Softmax2d: expected input to be 3D or 4D, got {input.dim()}D instead")
        return F.softmax(input, -3, _stacklevel=_MODULE_STACKLEVEL)
