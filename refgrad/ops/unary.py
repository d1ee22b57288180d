"""Elementwise functions of one tensor: forward in NumPy, vjp and jvp in refgrad ops, side by side."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .common import as_tensor_arg


class Neg(Function):
    def forward(ctx, x):
        return np.negative(x)

    def vjp(ctx, g):
        return -g

    def jvp(ctx, dx):
        return -dx


class Exp(Function):
    def forward(ctx, x):
        return np.exp(x)

    def vjp(ctx, g):
        return g * ctx.out

    def jvp(ctx, dx):
        return dx * ctx.out


def neg(input):
    """torch.neg"""
    return Neg.apply(as_tensor_arg(input))


def exp(input):
    """torch.exp"""
    return Exp.apply(as_tensor_arg(input))


__all__ = ["neg", "exp"]
TENSOR_METHODS = __all__
INPLACE_METHODS = __all__
