"""Reductions over dims: forward in NumPy, vjp by expanding the cotangent back over the reduced dims."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .common import as_tensor_arg, cast, wrap_dims


def keepdim_shape(shape: tuple, dims: tuple) -> tuple:
    """The shape a reduction over dims has with keepdim=True."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


class Sum(Function):
    def forward(ctx, x, dims, keepdim):
        return np.sum(x, axis=dims, keepdims=keepdim)

    def vjp(ctx, g):
        (x,) = ctx.inputs
        return g.reshape(keepdim_shape(x.shape, ctx.dims)).expand(x.shape) if not ctx.keepdim else g.expand(x.shape)

    def jvp(ctx, dx):
        return dx.sum(dim=ctx.dims, keepdim=ctx.keepdim)


def sum(input, dim=None, keepdim: bool = False, *, dtype=None):
    """torch.sum. Integer and bool inputs sum to int64, as in torch."""
    x = as_tensor_arg(input)
    if dtype is not None:
        x = cast(x, dtype)
    elif x.dtype.kind in "biu":
        x = cast(x, np.int64)
    dims = wrap_dims(None if dim == () or dim == [] else dim, x.ndim)
    return Sum.apply(x, dims=dims, keepdim=keepdim)


__all__ = ["sum"]
TENSOR_METHODS = __all__
