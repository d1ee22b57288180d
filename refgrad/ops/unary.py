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


class Log(Function):
    def forward(ctx, x):
        return np.log(x)

    def vjp(ctx, g):
        return g / ctx.inputs[0]

    def jvp(ctx, dx):
        return dx / ctx.inputs[0]


class Floor(Function):
    def forward(ctx, x):
        return np.floor(x)

    def vjp(ctx, g):
        return g * 0

    def jvp(ctx, dx):
        return dx * 0


class Trunc(Function):
    def forward(ctx, x):
        return np.trunc(x)

    def vjp(ctx, g):
        return g * 0

    def jvp(ctx, dx):
        return dx * 0


def neg(input):
    """torch.neg"""
    return Neg.apply(as_tensor_arg(input))


def exp(input):
    """torch.exp"""
    return Exp.apply(as_tensor_arg(input))




def log(input):
    """torch.log"""
    return Log.apply(as_tensor_arg(input))


def floor(input):
    """torch.floor"""
    x = as_tensor_arg(input)
    return x.clone() if x.dtype.kind in "iub" else Floor.apply(x)


def trunc(input):
    """torch.trunc"""
    x = as_tensor_arg(input)
    return x.clone() if x.dtype.kind in "iub" else Trunc.apply(x)


__all__ = ["neg", "exp", "log", "floor", "trunc"]
TENSOR_METHODS = __all__
INPLACE_METHODS = __all__
