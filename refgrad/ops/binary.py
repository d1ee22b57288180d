"""Elementwise functions of two tensors (with broadcasting and torch's type promotion)."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .common import elementwise_operands


class Add(Function):
    def forward(ctx, a, b):
        return np.add(a, b)

    def vjp(ctx, g):
        return g, g

    def jvp(ctx, da, db):
        return da + db


class Mul(Function):
    def forward(ctx, a, b):
        return np.multiply(a, b)

    def vjp(ctx, g):
        a, b = ctx.inputs
        return g * b, g * a

    def jvp(ctx, da, db):
        a, b = ctx.inputs
        return da * b + a * db


def add(input, other, *, alpha=1):
    """torch.add: input + alpha * other."""
    a, b = elementwise_operands(input, other)
    return Add.apply(a, b if alpha == 1 else mul(b, alpha))


def mul(input, other):
    """torch.mul"""
    return Mul.apply(*elementwise_operands(input, other))


__all__ = ["add", "mul"]
TENSOR_METHODS = __all__
INPLACE_METHODS = __all__
