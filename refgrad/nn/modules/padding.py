"""refgrad.nn.modules.padding: mirrors torch.nn.modules.padding. Each module holds ``padding`` (an int expanded to
all 2·N sides, or a tuple/list kept as a tuple, as torch's; its length is F.pad's to check at the call) and calls
F.pad with its mode: constant (ConstantPad, ZeroPad: any input rank that has N dims to pad), reflect and
replicate (N+1- or N+2-D inputs, F.pad's errors), circular (N+1- or N+2-D, else torch's ValueError)."""
from __future__ import annotations

from .. import functional as F
from .module import Module
from .utils import _ntuple

__all__ = [f"{kind}Pad{n}d" for kind in ("Constant", "Zero", "Reflection", "Replication", "Circular")
           for n in (1, 2, 3)]


class _PadNd(Module):
    """padding as torch keeps it: an int repeated 2·N times (left, right, top, bottom, front, back), a sequence
    as a tuple."""

    _dims = 0  # N: the trailing dims padded
    _mode = ""

    def __init__(self, padding):
        super().__init__()
        self.padding = _ntuple(2 * self._dims, "_padding")(padding)

    def forward(self, input):
        return F.pad(input, self.padding, self._mode)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ConstantPadNd(_PadNd):
    _mode = "constant"

    def __init__(self, padding, value: float):
        super().__init__(padding)
        self.value = value

    def forward(self, input):
        return F.pad(input, self.padding, "constant", self.value)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, value={self.value}"


class _ZeroPadNd(_ConstantPadNd):
    """ConstantPad with value 0.0; its repr shows the padding only, as torch's."""

    def __init__(self, padding):
        super().__init__(padding, 0.0)

    def extra_repr(self) -> str:
        return f"{self.padding}"


class _ReflectionPadNd(_PadNd):
    _mode = "reflect"


class _ReplicationPadNd(_PadNd):
    _mode = "replicate"


class _CircularPadNd(_PadNd):
    _mode = "circular"

    def forward(self, input):
        if input.dim() not in (self._dims + 1, self._dims + 2):
            raise ValueError(f"expected {self._dims + 1}D or {self._dims + 2}D input (got {input.dim()}D input)")
        return super().forward(input)


class ConstantPad1d(_ConstantPadNd):
    """torch.nn.ConstantPad1d(padding, value): F.pad(input, padding, 'constant', value) of the last dim."""

    _dims = 1


class ConstantPad2d(_ConstantPadNd):
    """torch.nn.ConstantPad2d(padding, value): F.pad(input, padding, 'constant', value) of the last 2 dims."""

    _dims = 2


class ConstantPad3d(_ConstantPadNd):
    """torch.nn.ConstantPad3d(padding, value): F.pad(input, padding, 'constant', value) of the last 3 dims."""

    _dims = 3


class ZeroPad1d(_ZeroPadNd):
    """torch.nn.ZeroPad1d(padding): F.pad with zeros of the last dim."""

    _dims = 1


class ZeroPad2d(_ZeroPadNd):
    """torch.nn.ZeroPad2d(padding): F.pad with zeros of the last 2 dims."""

    _dims = 2


class ZeroPad3d(_ZeroPadNd):
    """torch.nn.ZeroPad3d(padding): F.pad with zeros of the last 3 dims."""

    _dims = 3


class ReflectionPad1d(_ReflectionPadNd):
    """torch.nn.ReflectionPad1d(padding): F.pad(input, padding, 'reflect') of the last dim."""

    _dims = 1


class ReflectionPad2d(_ReflectionPadNd):
    """torch.nn.ReflectionPad2d(padding): F.pad(input, padding, 'reflect') of the last 2 dims."""

    _dims = 2


class ReflectionPad3d(_ReflectionPadNd):
    """torch.nn.ReflectionPad3d(padding): F.pad(input, padding, 'reflect') of the last 3 dims."""

    _dims = 3


class ReplicationPad1d(_ReplicationPadNd):
    """torch.nn.ReplicationPad1d(padding): F.pad(input, padding, 'replicate') of the last dim."""

    _dims = 1


class ReplicationPad2d(_ReplicationPadNd):
    """torch.nn.ReplicationPad2d(padding): F.pad(input, padding, 'replicate') of the last 2 dims."""

    _dims = 2


class ReplicationPad3d(_ReplicationPadNd):
    """torch.nn.ReplicationPad3d(padding): F.pad(input, padding, 'replicate') of the last 3 dims."""

    _dims = 3


class CircularPad1d(_CircularPadNd):
    """torch.nn.CircularPad1d(padding): F.pad(input, padding, 'circular') of the last dim."""

    _dims = 1


class CircularPad2d(_CircularPadNd):
    """torch.nn.CircularPad2d(padding): F.pad(input, padding, 'circular') of the last 2 dims."""

    _dims = 2


class CircularPad3d(_CircularPadNd):
    """torch.nn.CircularPad3d(padding): F.pad(input, padding, 'circular') of the last 3 dims."""

    _dims = 3
