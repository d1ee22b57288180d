"""Activation functions: relu, softmax, log_softmax (torch.nn.functional, also torch.<name> and Tensor methods).

softmax and log_softmax subtract the max along ``dim`` before exponentiating (no overflow), and their vjp/jvp
are closed forms in the output: softmax' g = (g - Σ g·s) · s, log_softmax' g = g - exp(out) · Σ g.
"""
from __future__ import annotations

import warnings

import numpy as np

from ...autograd import Function
from ...dtypes import scalar_type_name
from ...ops.common import as_tensor_arg, cast, wrap_dim
from ...registry import public
from ...tensor import Tensor


class Relu(Function):
    """max(x, 0) as torch computes it: 0 where x < 0, else x itself (NaN stays NaN, -0 stays -0). The derivative
    is torch's threshold_backward: 0 where the output is <= 0 (also at the kink), else 1 (1 at NaN too)."""

    saves = ("out",)

    def forward(ctx, x):
        return np.where(x < 0, x.dtype.type(0), x)

    def vjp(ctx, g):
        return g * _positive(ctx.out)

    def jvp(ctx, dx):
        return dx * _positive(ctx.out)


def _positive(out: Tensor) -> Tensor:
    """The constant mask "not out <= 0": 0 at the kink x == 0 and 1 at NaN, as torch's threshold_backward."""
    return Tensor((~(out._data <= 0)).astype(out.dtype))


class Softmax(Function):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x, dim):
        with np.errstate(invalid="ignore", over="ignore"):
            e = np.exp(x - x.max(axis=dim, keepdims=True, initial=-np.inf))
            return e / e.sum(axis=dim, keepdims=True)

    def vjp(ctx, g):
        s = ctx.out
        return (g - (g * s).sum(dim=ctx.dim, keepdim=True)) * s

    def jvp(ctx, dx):
        s = ctx.out
        return (dx - (dx * s).sum(dim=ctx.dim, keepdim=True)) * s


class LogSoftmax(Function):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x, dim):
        with np.errstate(invalid="ignore", over="ignore", divide="ignore"):
            shifted = x - np.max(x, axis=dim, keepdims=True, initial=-np.inf)
            return shifted - np.log(np.exp(shifted).sum(axis=dim, keepdims=True))

    def vjp(ctx, g):
        return g - ctx.out.exp() * g.sum(dim=ctx.dim, keepdim=True)

    def jvp(ctx, dx):
        return dx - (ctx.out.exp() * dx).sum(dim=ctx.dim, keepdim=True)


@public(namespace="nn.functional", also=("relu",), method=True, inplace=True)
def relu(input, inplace: bool = False):
    """torch.nn.functional.relu (also torch.relu, Tensor.relu). inplace=True is Tensor.relu_: refgrad does not
    record in-place ops in the graph, so it is refused where a gradient would flow through it."""
    x = as_tensor_arg(input)
    if inplace:
        return relu_(x)
    if x.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return Relu.apply(x)


@public(namespace="nn.functional", also=("relu_",))
def relu_(input):
    """torch.nn.functional.relu_ / torch.relu_: relu in place (under no_grad, or on tensors outside a graph)."""
    x = as_tensor_arg(input)
    if x.dtype.kind == "b":
        raise RuntimeError("Boolean inputs not supported for relu")
    return x._inplace(lambda t: Relu.apply(t))


def _softmax_dim(name: str, ndim: int, dim, stacklevel: int) -> int:
    if dim is None:  # torch's legacy implicit dim, with its deprecation warning
        warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call to include dim=X "
                      f"as an argument.", UserWarning, stacklevel=stacklevel)
        return 0 if ndim in (0, 1, 3) else 1
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' (position 2) must be int, not {type(dim).__name__}")
    return dim


def _softmax_like(fn, name: str, input, dim, dtype, stacklevel) -> Tensor:
    if stacklevel is not None and not isinstance(stacklevel, int):  # torch.softmax(x, dim, dtype): 3rd is dtype
        dtype, stacklevel = stacklevel, 3
    x = as_tensor_arg(input)
    d = wrap_dim(_softmax_dim(name, x.ndim, dim, stacklevel + 1), x.ndim)
    if dtype is not None:
        x = cast(x, dtype)
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{name}_lastdim_kernel_impl" not implemented for \'{scalar_type_name(x.dtype)}\'')
    if x.ndim == 0:  # one element: work on a 1-vector
        return fn.apply(x.reshape(1), dim=0).reshape(())
    return fn.apply(x, dim=d)


@public(namespace="nn.functional", also=("softmax",), method=True)
def softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """torch.nn.functional.softmax (also torch.softmax, Tensor.softmax): exp(x) / Σ exp(x) along dim.

    dtype casts the input first (as torch). dim=None is torch's deprecated implicit choice (0 for 0-, 1- and
    3-D inputs, else 1) with its warning; refgrad accepts it in the torch.* and method forms too."""
    return _softmax_like(Softmax, "softmax", input, dim, dtype, _stacklevel)


@public(namespace="nn.functional", also=("log_softmax",), method=True)
def log_softmax(input, dim=None, _stacklevel: int = 3, dtype=None):
    """torch.nn.functional.log_softmax (also torch.log_softmax, Tensor.log_softmax): x - logsumexp(x) along dim,
    computed as (x - max) - log Σ exp(x - max). dtype and dim=None as in softmax."""
    return _softmax_like(LogSoftmax, "log_softmax", input, dim, dtype, _stacklevel)
