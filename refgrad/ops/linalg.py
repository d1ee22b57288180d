"""Products of tensors. One primitive (batched Matmul); 1-D cases are views of it, as in torch."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .common import as_tensor_arg


class Matmul(Function):
    """(..., n, k) @ (..., k, m) with broadcast batch dims."""

    def forward(ctx, a, b):
        return np.matmul(a, b)

    def vjp(ctx, g):
        a, b = ctx.inputs
        return g @ b.mT, a.mT @ g

    def jvp(ctx, da, db):
        a, b = ctx.inputs
        return da @ b + a @ db


def matmul(input, other):
    """torch.matmul: 1-D operands are lifted to a row / a column and the added dim removed after."""
    a, b = _same_dtype(as_tensor_arg(input), as_tensor_arg(other, "other"))
    if a.ndim == 0 or b.ndim == 0:
        raise RuntimeError(f"both arguments to matmul need to be at least 1D, but they are {a.ndim}D and {b.ndim}D")
    k_a, k_b = a.shape[-1], b.shape[-2] if b.ndim > 1 else b.shape[0]
    if k_a != k_b:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({'x'.join(map(str, a.shape))} and "
                           f"{'x'.join(map(str, b.shape))})")
    a2 = a.unsqueeze(0) if a.ndim == 1 else a
    b2 = b.unsqueeze(-1) if b.ndim == 1 else b
    try:
        np.broadcast_shapes(a2.shape[:-2], b2.shape[:-2])
    except ValueError:
        raise RuntimeError(
            f"matmul: batch dimensions of {list(a.shape)} and {list(b.shape)} do not broadcast") from None
    out = Matmul.apply(a2, b2)
    if b.ndim == 1:
        out = out.squeeze(-1)
    if a.ndim == 1:
        out = out.squeeze(-2 if b.ndim > 1 else -1)
    return out


def _same_dtype(a, b):
    """torch's matmul does not promote: mixed dtypes are an error naming both."""
    if a.dtype != b.dtype:
        raise RuntimeError(f"expected both operands to have the same dtype, but got {a.dtype} and {b.dtype}")
    return a, b


__all__ = ["matmul"]
TENSOR_METHODS = __all__
