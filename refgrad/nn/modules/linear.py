"""refgrad.nn.modules.linear: mirrors torch.nn.modules.linear (Identity, Linear, Bilinear)."""
from __future__ import annotations

import math

from .. import functional as F
from .. import init
from .module import Module
from .utils import init_like_linear, new_parameter

__all__ = ["Identity", "Linear", "Bilinear"]


class Identity(Module):
    """torch.nn.Identity(*args, **kwargs): returns its input; the arguments are accepted and ignored."""

    def __init__(self, *args, **kwargs):
        super().__init__()

    def forward(self, input):
        return input


class Linear(Module):
    """torch.nn.Linear(in_features, out_features, bias=True, device=None, dtype=None): y = x Wᵀ + b, W of shape
    (out_features, in_features). Initialized as torch's: W ~ kaiming_uniform_(a=√5), i.e. U(-1/√in, 1/√in), and
    b ~ U(-1/√in, 1/√in)."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True, device=None, dtype=None):
        super().__init__()
        self.in_features, self.out_features = in_features, out_features
        self.weight = new_parameter(out_features, in_features, device=device, dtype=dtype)
        if bias:
            self.bias = new_parameter(out_features, device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        init_like_linear(self.weight, self.bias)

    def forward(self, input):
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, bias={self.bias is not None}"


class Bilinear(Module):
    """torch.nn.Bilinear(in1_features, in2_features, out_features, bias=True, device=None, dtype=None):
    y_k = x1ᵀ W_k x2 + b_k, W of shape (out_features, in1_features, in2_features). Initialized as torch's: W and b ~
    U(-1/√in1_features, 1/√in1_features)."""

    def __init__(self, in1_features: int, in2_features: int, out_features: int, bias: bool = True, device=None,
                 dtype=None):
        super().__init__()
        self.in1_features, self.in2_features, self.out_features = in1_features, in2_features, out_features
        self.weight = new_parameter(out_features, in1_features, in2_features, device=device, dtype=dtype)
        if bias:
            self.bias = new_parameter(out_features, device=device, dtype=dtype)
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        if self.in1_features <= 0:
            raise ValueError(f"in1_features must be > 0, but got (in1_features={self.in1_features})")
        bound = 1 / math.sqrt(self.weight.shape[1])
        init.uniform_(self.weight, -bound, bound)
        if self.bias is not None:
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input1, input2):
        return F.bilinear(input1, input2, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in1_features={self.in1_features}, in2_features={self.in2_features}, "
                f"out_features={self.out_features}, bias={self.bias is not None}")
