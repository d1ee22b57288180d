"""Shape ops: they move elements without changing values, so each vjp moves the cotangent back."""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from .common import as_tensor_arg, wrap_dim, wrap_dims


def _shape_arg(shape) -> tuple:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return tuple(int(s) for s in shape)


class Reshape(Function):
    def forward(ctx, x, shape):
        return np.reshape(x, shape)

    def vjp(ctx, g):
        return g.reshape(ctx.inputs[0].shape)

    def jvp(ctx, dx):
        return dx.reshape(ctx.out.shape)


class Expand(Function):
    def forward(ctx, x, shape):
        return np.broadcast_to(x, shape)

    def vjp(ctx, g):
        return g  # the engine's sum_to folds the broadcast dims back

    def jvp(ctx, dx):
        return dx.expand(ctx.out.shape)


class Permute(Function):
    def forward(ctx, x, dims):
        return np.transpose(x, dims)

    def vjp(ctx, g):
        return g.permute(tuple(np.argsort(ctx.dims)))

    def jvp(ctx, dx):
        return dx.permute(ctx.dims)


def _infer_shape(shape: tuple, numel: int, in_shape: tuple) -> tuple:
    """Resolves one -1 in shape, raising torch's message when numel does not fit."""
    if shape.count(-1) > 1:
        raise RuntimeError("only one dimension can be inferred")
    known = int(np.prod([s for s in shape if s != -1]))
    if -1 in shape:
        if known == 0 or numel % known:
            raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel}")
        shape = tuple(numel // known if s == -1 else s for s in shape)
    if int(np.prod(shape)) != numel or any(s < 0 for s in shape):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {numel} (input shape {list(in_shape)})")
    return shape


def reshape(input, *shape):
    """torch.reshape"""
    x = as_tensor_arg(input)
    shape = _infer_shape(_shape_arg(shape), x.numel(), x.shape)
    return x if shape == x.shape else Reshape.apply(x, shape=shape)


def expand(input, *sizes):
    """Tensor.expand: -1 keeps a size; new leading dims may be added."""
    x = as_tensor_arg(input)
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise RuntimeError(f"expand: the number of sizes provided ({len(sizes)}) must be greater or equal to the "
                           f"number of dimensions in the tensor ({x.ndim})")
    lead = len(sizes) - x.ndim
    shape = tuple(x.shape[i - lead] if s == -1 and i >= lead else s for i, s in enumerate(sizes))
    for i in range(x.ndim):
        if x.shape[i] != 1 and x.shape[i] != shape[i + lead]:
            raise RuntimeError(f"The expanded size of the tensor ({shape[i + lead]}) must match the existing size "
                               f"({x.shape[i]}) at non-singleton dimension {i + lead}.  Target sizes: {list(sizes)}."
                               f"  Tensor sizes: {list(x.shape)}")
    if any(s < 0 for s in shape):
        raise RuntimeError(f"expand: invalid target sizes {list(sizes)} for tensor of shape {list(x.shape)}")
    return x if shape == x.shape else Expand.apply(x, shape=shape)


def unsqueeze(input, dim: int):
    """torch.unsqueeze"""
    x = as_tensor_arg(input)
    d = wrap_dim(dim, x.ndim + 1)
    return reshape(x, x.shape[:d] + (1,) + x.shape[d:])


def squeeze(input, dim=None):
    """torch.squeeze: dim None, an int or a tuple; a named dim of size != 1 is left alone."""
    x = as_tensor_arg(input)
    dims = wrap_dims(dim, x.ndim) if x.ndim else ()
    return reshape(x, tuple(s for i, s in enumerate(x.shape) if not (i in dims and s == 1)))


def permute(input, *dims):
    """torch.permute"""
    x = as_tensor_arg(input)
    dims = _shape_arg(dims)
    if len(dims) != x.ndim:
        raise RuntimeError(f"permute(sparse_coo): number of dimensions in the tensor input does not match the length "
                           f"of the desired ordering of dimensions i.e. input.dim() = {x.ndim} is not equal to "
                           f"len(dims) = {len(dims)}")
    wrapped = tuple(wrap_dim(d, x.ndim) for d in dims)
    if len(set(wrapped)) != len(wrapped):
        raise RuntimeError(f"permute(): duplicate dims are not allowed (dims={list(dims)})")
    return x if wrapped == tuple(range(x.ndim)) else Permute.apply(x, dims=wrapped)


def transpose(input, dim0: int, dim1: int):
    """torch.transpose"""
    x = as_tensor_arg(input)
    order = list(range(x.ndim))
    if x.ndim:
        d0, d1 = wrap_dim(dim0, x.ndim), wrap_dim(dim1, x.ndim)
        order[d0], order[d1] = order[d1], order[d0]
    return permute(x, tuple(order))


def broadcast_to(input, size):
    """torch.broadcast_to"""
    return expand(input, *_shape_arg((size,)))


def sum_to(g, shape: tuple):
    """Sums a broadcast gradient back to shape: the one place broadcasting is undone for every op."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    dims = tuple(range(lead)) + tuple(lead + i for i, s in enumerate(shape) if s == 1 and g.shape[lead + i] != 1)
    return g.sum(dim=dims, keepdim=True).reshape(shape) if dims else g.reshape(shape)


__all__ = ["permute", "transpose", "reshape", "unsqueeze", "squeeze", "broadcast_to"]
TENSOR_METHODS = ["permute", "transpose", "reshape", "expand", "unsqueeze", "squeeze", "broadcast_to"]
