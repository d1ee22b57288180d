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


class Sub(Function):
    def forward(ctx, a, b):
        return np.subtract(a, b)

    def vjp(ctx, g):
        return g, -g

    def jvp(ctx, da, db):
        return da - db


class Div(Function):
    def forward(ctx, a, b):
        return np.true_divide(a, b)

    def vjp(ctx, g):
        a, b = ctx.inputs
        return g / b, -g * ctx.out / b

    def jvp(ctx, da, db):
        a, b = ctx.inputs
        return (da - ctx.out * db) / b


class Pow(Function):
    """a ** b. As in torch, d/da is 0 wherever b == 0 (no 0·inf at a == 0, and constant there, so its own
    derivative is 0 too), and d/db is 0 wherever a == 0."""

    def forward(ctx, a, b):
        return np.power(a, b)

    def vjp(ctx, g):
        a, b = ctx.inputs
        return g * _d_dbase(a, b), g * ctx.out * _log_or_zero(a)

    def jvp(ctx, da, db):
        a, b = ctx.inputs
        return da * _d_dbase(a, b) + db * ctx.out * _log_or_zero(a)


def _d_dbase(a, b):
    return where_mask(b.detach()._data != 0, b * a ** (b - 1), 0.0)


def _log_or_zero(a):
    """log(a) where a != 0, else 0: the factor d(a**b)/db = a**b·log(a) contributes nothing at a == 0."""
    from .unary import log

    safe = a.detach()._data != 0
    return log(where_mask(safe, a, 1.0)) * safe


def where_mask(mask: np.ndarray, a, fill):
    """a where mask else fill, differentiable in a (mask is a constant)."""
    from ..tensor import Tensor

    return a * Tensor(mask.astype(a.dtype)) + Tensor(np.where(mask, 0, fill).astype(a.dtype))


def add(input, other, *, alpha=1):
    """torch.add: input + alpha * other."""
    a, b = elementwise_operands(input, other)
    return Add.apply(a, b if alpha == 1 else mul(b, alpha))


def sub(input, other, *, alpha=1):
    """torch.sub: input - alpha * other."""
    a, b = elementwise_operands(input, other)
    if a.dtype.kind == "b":
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    return Sub.apply(a, b if alpha == 1 else mul(b, alpha))


def mul(input, other):
    """torch.mul"""
    return Mul.apply(*elementwise_operands(input, other))


def div(input, other, *, rounding_mode=None):
    """torch.div: true division (integers give the default float dtype), or rounding_mode 'trunc'/'floor'."""
    if rounding_mode is None:
        return Div.apply(*elementwise_operands(input, other, float_only=True))
    if rounding_mode not in ("trunc", "floor"):
        raise ValueError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                         f"'{rounding_mode}'")
    from .unary import floor, trunc

    a, b = elementwise_operands(input, other)
    if a.dtype.kind in "iu":
        if np.any(b._data == 0):
            raise RuntimeError("ZeroDivisionError")
        q = np.floor_divide(a._data, b._data)
        if rounding_mode == "trunc":
            q = q + ((q < 0) & (np.remainder(a._data, b._data) != 0))
        from ..tensor import Tensor

        return Tensor(q.astype(a.dtype))
    return (trunc if rounding_mode == "trunc" else floor)(Div.apply(a, b))


def true_divide(input, other):
    """torch.true_divide (an alias of div)."""
    return div(input, other)


def pow(input, exponent):
    """torch.pow: tensor ** tensor, tensor ** scalar or scalar ** tensor."""
    a, b = elementwise_operands(input, exponent)
    if a.dtype.kind in "iu" and np.any(b._data < 0):
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    return Pow.apply(a, b)


__all__ = ["add", "sub", "mul", "div", "true_divide", "pow"]
TENSOR_METHODS = __all__
INPLACE_METHODS = __all__
