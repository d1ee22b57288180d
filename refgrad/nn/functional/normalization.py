"""Normalization functions (torch.nn.functional): layer_norm, rms_norm, normalize, batch_norm, group_norm,
instance_norm, local_response_norm.

Every mean-and-variance norm is one primitive, ``_Standardize``: (x - mean) / sqrt(var + eps) over some dims
(the biased variance), the moments accumulated in float64 for float32 inputs and handed on in the input's dtype,
the output formed as torch forms it. Its vjp is torch's closed form, rstd · (g - mean(g) - x̂ · mean(g · x̂)),
written in refgrad ops on x̂, formed afresh as (x - mean)·rstd as torch's backward kernels do, and on rstd, both
differentiable (``_InvStd`` and ``_Centered`` reuse the statistics the forward computed), so the gradient
differentiates again to any order. The affine weight and bias, and the reshapes that make group and instance norm
standardize over the right elements, are ordinary refgrad ops, but for the two norms that torch runs as one kernel
each with their affine: layer_norm with a weight and a bias (``_LayerNorm``) and batch_norm in training
(``_BatchNorm``), whose first-order vjps are torch's formulas in NumPy. rms_norm, normalize and local_response_norm
are compositions, as in torch.
"""
from __future__ import annotations

import math
import operator

import numpy as np

from ..._grad_state import state as _grad_state
from ..._rows import rowwise
from ...arguments import argument_error, as_tensor_arg, int_arg, number_arg, size_arg
from ...autograd import Function
from ...autograd.function import quiet
from ...autograd.grad_mode import no_grad
from ...dtypes import scalar_type_name
from ...ops.common import accumulation_dtype, into_temporary, wrap_dim
from ...ops.reduction import mean_array, summed_products
from ...registry import public
from ...tensor import Tensor
from .padding import pad


@np.errstate(all="ignore")  # also called outside a Function's forward (the running statistics): inf - inf is nan
def _moments(x: np.ndarray, dims: tuple):
    """(mean, biased variance) over dims, keepdim, in the accumulation dtype: float32 accumulates in float64.
    Two passes over x, each reading it once, and one array of deviations: no float64 copy of x, and the squares
    summed without an array of them."""
    acc = accumulation_dtype(x.dtype, float32_to_float64=True)
    n = max(math.prod(x.shape[d] for d in dims), 1)  # an empty group: no element reads its (arbitrary) stats
    mean = summed_products(dims, x, dtype=acc) / n
    # (float32 is widened on the way: a cast the row-long buffer would slow, see refgrad._rows)
    centered = rowwise(np.subtract, x, mean) if x.dtype == acc else np.subtract(x, mean, dtype=acc)
    return mean, summed_products(dims, centered, centered, dtype=acc) / n


def _statistics(x: np.ndarray, dims: tuple, eps: float, moments=None):
    """(mean, rstd = 1 / sqrt(var + eps)) in x's dtype, as torch's kernels hand them on: the variance rounded to
    x's dtype first, so that a float32 variance beyond float32's range is inf and its rstd 0, as torch's.
    ``moments``: _moments(x, dims) when the caller has them already (batch norm's running statistics)."""
    mean, var = _moments(x, dims) if moments is None else moments
    var = var.astype(x.dtype).astype(var.dtype)
    return mean.astype(x.dtype), (1 / np.sqrt(var + eps)).astype(x.dtype)


class _InvStd(Function):
    """rstd = 1 / sqrt(mean((x - mean)²) + eps) over ``dims`` (keepdim): the value ``rstd`` and the group means
    ``mean`` are those _Standardize's forward computed (no second pass). d rstd/dx = -rstd³·(x - mean)/n, in refgrad
    ops on the input and on this op's output, so it differentiates again."""

    def forward(ctx, x, dims, rstd, mean):
        return rstd

    def vjp(ctx, g):
        return -(g * ctx.out ** 3 / _count(ctx)) * _Centered.apply(ctx.inputs[0], dims=ctx.dims, mean=ctx.mean)

    def jvp(ctx, dx):
        spread = (dx * _Centered.apply(ctx.inputs[0], dims=ctx.dims, mean=ctx.mean)).sum(ctx.dims, keepdim=True)
        return -(ctx.out ** 3 / _count(ctx)) * spread


def _count(ctx) -> int:
    return max(math.prod(ctx.inputs[0].shape[d] for d in ctx.dims), 1)


class _Centered(Function):
    """x - mean over ``dims``, the group means ``mean`` those _Standardize's forward computed. Its Jacobian, I - 11ᵀ/n
    per group, is symmetric: the vjp and the jvp are the same centering, in refgrad ops."""

    saves = ()  # the Jacobian reads shapes only

    def forward(ctx, x, dims, mean):
        return x - mean

    def vjp(ctx, g):
        return g - g.mean(ctx.dims, keepdim=True)

    def jvp(ctx, dx):
        return dx - dx.mean(ctx.dims, keepdim=True)


class _Standardize(Function):
    """x̂ = (x - mean) · rstd over ``dims`` (rstd as _InvStd). Its Jacobian is symmetric, rstd · (I - 11ᵀ/n -
    x̂x̂ᵀ/n), so the vjp and the jvp are the same closed form, as torch's layer_norm_backward."""

    saves = ("inputs",)  # the Jacobian forms x̂ afresh (see _standardize_jacobian)

    def forward(ctx, x, dims, eps, moments=None):
        # torch's form, x · rstd + (-mean · rstd), in x's dtype: its rounding, and its inf - inf = nan where x · rstd
        # overflows
        ctx.mean, ctx.rstd = _statistics(x, dims, eps, moments)
        ctx.moments = None  # only this forward reads them
        out = rowwise(np.multiply, x, ctx.rstd)
        return rowwise(np.subtract, out, ctx.mean * ctx.rstd, out=out)

    def vjp(ctx, g):
        return _standardize_jacobian(ctx, g) if _grad_state["record"] else _standardize_backward(ctx, g._data)

    def jvp(ctx, dx):
        return _standardize_jacobian(ctx, dx)


@quiet  # (inf - inf is nan, silently, as in a forward)
def _standardize_backward(ctx, v: np.ndarray) -> Tensor:
    """_standardize_jacobian(ctx, v) where backward records no graph: the same operations in the same order, so
    the same roundings, in NumPy, without an op's bookkeeping per step (ten recorded ops), and with two arrays where
    the ops made four."""
    dims, mean, rstd, n = ctx.dims, ctx.mean, ctx.rstd, _count(ctx)
    xhat = rowwise(np.subtract, ctx.inputs[0]._data, mean)
    rowwise(np.multiply, xhat, rstd, out=xhat)
    out = rowwise(np.subtract, v, mean_array(v, dims, True, n))
    rowwise(np.multiply, xhat, mean_array(np.multiply(v, xhat), dims, True, n), out=xhat)
    np.subtract(out, xhat, out=out)
    return Tensor(rowwise(np.multiply, out, rstd, out=out))


def _standardize_jacobian(ctx, v: Tensor) -> Tensor:
    x, dims = ctx.inputs[0], ctx.dims
    rstd = _InvStd.apply(x, dims=dims, rstd=ctx.rstd, mean=ctx.mean)
    # x̂ afresh as (x - mean) · rstd, as torch's backward kernels form it, not the forward's x · rstd - mean · rstd,
    # whose rounding |x|·rstd·u the cancellation in 1 - x̂² amplifies in a nearly constant group (instance_norm of
    # [-2, -2.0625] in float64: a gradient 2.7e-13 from the exact one, torch's 1.8e-15; found by the thorough profile)
    xhat = _Centered.apply(x, dims=dims, mean=ctx.mean)
    xhat = into_temporary(xhat, operator.mul, xhat, rstd)
    # rstd · (v - mean(v) - x̂ · mean(v · x̂)), the last two steps written into the first difference's array
    centered = v - v.mean(dims, keepdim=True)
    centered = into_temporary(centered, operator.sub, centered, xhat * (v * xhat).mean(dims, keepdim=True))
    return into_temporary(centered, operator.mul, rstd, centered)


def _standardize(x: Tensor, dims: tuple, eps: float, moments=None) -> Tensor:
    return _Standardize.apply(x, dims=tuple(dims), eps=float(eps), moments=moments)


# ---- argument checks ------------------------------------------------------------------------------------------
def _float_input(fn: str, input, kernel: str) -> Tensor:
    x = as_tensor_arg(input, "input", 1, fn)
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(x.dtype)}\'')
    return x


def _optional(fn: str, value, name: str, position: int, dtype) -> Tensor | None:
    """An optional tensor argument (weight, bias, running stats) of the input's dtype, as torch's CPU kernels
    require ("mixed dtype")."""
    if value is None:
        return None
    t = as_tensor_arg(value, name, position, fn)
    if t.dtype != dtype:
        raise RuntimeError(f"mixed dtype (CPU): all inputs must share same datatype. ({fn}: input is "
                           f"{scalar_type_name(dtype)}, {name} is {scalar_type_name(t.dtype)})")
    return t


def _float_arg(fn: str, value, name: str, position: int) -> float:
    """A float argument (eps, momentum) as torch's parser takes it: a number or a 0-d tensor, not None or bool."""
    if value is None or isinstance(value, (bool, np.bool_)):
        raise argument_error(fn, name, position, "float", value)
    try:
        return float(number_arg(value, name, position, fn))
    except TypeError:
        raise argument_error(fn, name, position, "float", value) from None


def _eps(fn: str, eps, position: int) -> float:
    return _float_arg(fn, eps, "eps", position)


def _normalized_shape(fn: str, normalized_shape) -> tuple:
    """A list of ints (torch takes no single int here, unlike other size arguments)."""
    if not isinstance(normalized_shape, (tuple, list)):
        raise argument_error(fn, "normalized_shape", 2, "tuple of ints", normalized_shape)
    return size_arg((normalized_shape,), fn, "normalized_shape", 2)


def _last_dims(fn: str, x: Tensor, shape: tuple, weight, bias) -> tuple:
    """The trailing dims layer_norm / rms_norm normalize over, after torch's checks of their shapes."""
    if not shape:
        raise RuntimeError(f"Expected normalized_shape to be at least 1-dimensional, i.e., containing at least one "
                           f"element, but got normalized_shape = {list(shape)}")
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and t.shape != shape:
            raise RuntimeError(f"Expected {name} to be of same shape as normalized_shape, but got {name} of shape "
                               f"{list(t.shape)} and normalized_shape = {list(shape)}")
    if x.ndim < len(shape) or x.shape[x.ndim - len(shape):] != shape:
        star = "[*, " if fn == "layer_norm" else "[*"
        raise RuntimeError(f"Given normalized_shape={list(shape)}, expected input with shape "
                           f"{star}{', '.join(map(str, shape))}], but got input of size{list(x.shape)}")
    return tuple(range(x.ndim - len(shape), x.ndim))


def _affine(y: Tensor, weight: Tensor | None, bias: Tensor | None, channel_shape: tuple | None = None) -> Tensor:
    """y · weight + bias, the parameters reshaped to ``channel_shape`` (for a per-channel affine) when given."""
    if weight is not None:
        y = y * (weight if channel_shape is None else weight.reshape(channel_shape))
    if bias is not None:
        y = y + (bias if channel_shape is None else bias.reshape(channel_shape))
    return y


# ---- layer_norm, rms_norm, normalize -------------------------------------------------------------------------
@public(namespace="nn.functional", also=("layer_norm",))
def layer_norm(input, normalized_shape, weight=None, bias=None, eps: float = 1e-5):
    """torch.nn.functional.layer_norm (also torch.layer_norm): (x - mean) / sqrt(var + eps) · weight + bias, the
    biased mean and variance taken over the trailing ``normalized_shape`` dims (a list or tuple of ints, as
    torch; weight and bias have that shape)."""
    x = _float_input("layer_norm", input, "LayerNormKernelImpl")
    shape = _normalized_shape("layer_norm", normalized_shape)
    weight = _optional("layer_norm", weight, "weight", 3, x.dtype)
    bias = _optional("layer_norm", bias, "bias", 4, x.dtype)
    dims = _last_dims("layer_norm", x, shape, weight, bias)
    eps = _eps("layer_norm", eps, 5)
    # (float16 stays composed: einsum would sum its rows in float16, where torch and the composition use float32)
    if weight is not None and bias is not None and x._data.size and x.dtype.itemsize >= 4:
        return _LayerNorm.apply(x, weight, bias, dims=dims, eps=eps)
    return _affine(_standardize(x, dims, eps), weight, bias)


class _LayerNorm(Function):
    """layer_norm with its weight and bias, as torch's native_layer_norm: x̂ · weight + bias, x̂ as _Standardize
    forms it (x · rstd - mean · rstd) over the trailing ``dims``; the output is written in place, one array.

    vjp as torch's layer_norm_backward, with v = g · weight: to the input rstd · (v - mean(v) - x̂ · mean(v · x̂)),
    x̂ formed afresh as (x - mean) · rstd (as _Standardize's vjp forms it), to the weight Σ g · x̂ and to the bias Σ g
    over the leading dims. Where nothing records, in NumPy with the row and column sums of products taken by einsum
    (no product array): eleven passes over x-sized arrays, four of them reads, and two such arrays held at once,
    where the composition of _Standardize and the affine ops held four and recorded two nodes more. Where a graph
    is recorded (a double backward), the same gradients in refgrad ops (_Standardize's Jacobian), which
    differentiate again."""

    saves = ("inputs",)

    def forward(ctx, x, weight, bias, dims, eps):
        ctx.mean, ctx.rstd = _statistics(x, dims, eps)
        out = rowwise(np.multiply, x, ctx.rstd)
        rowwise(np.subtract, out, ctx.mean * ctx.rstd, out=out)
        np.multiply(out, weight, out=out)
        return np.add(out, bias, out=out)

    def vjp(ctx, g):
        if not _grad_state["record"]:
            return _layer_norm_backward(ctx, g._data)
        x, weight, _ = ctx.inputs
        need_x, need_w, need_b = ctx.needs_input_grad
        lead = tuple(range(x.ndim - len(ctx.dims)))

        def summed(t):  # over the leading dims (sum over none is sum over all, in torch)
            return t.sum(lead) if lead else t

        gx = _standardize_jacobian(ctx, g * weight) if need_x else None
        gw = summed(g * _standardized(ctx)) if need_w else None
        return gx, gw, (summed(g) if need_b else None)

    def jvp(ctx, dx, dw, db):
        return _standardize_jacobian(ctx, dx) * ctx.inputs[1] + _standardized(ctx) * dw + db


@quiet  # (inf - inf is nan, silently, as in a forward)
def _layer_norm_backward(ctx, g: np.ndarray) -> tuple:
    """_LayerNorm's vjp where nothing records (see _LayerNorm), on (rows, normalized elements) views."""
    x, weight, _ = ctx.inputs
    need_x, need_w, need_b = ctx.needs_input_grad
    n = weight._data.size
    rows = x._data.size // n
    g = g.reshape(rows, n)
    mean, rstd = ctx.mean.reshape(rows, 1), ctx.rstd.reshape(rows, 1)
    xhat = rowwise(np.subtract, x._data.reshape(rows, n), mean)
    rowwise(np.multiply, xhat, rstd, out=xhat)
    gw = Tensor(summed_products((0,), g, xhat).reshape(weight.shape)) if need_w else None
    gb = Tensor(np.add.reduce(g, axis=0).reshape(weight.shape)) if need_b else None
    gx = None
    if need_x:  # rstd · (v - mean(v) - x̂ · mean(v · x̂)), written into v and x̂
        v = np.multiply(g, weight._data.reshape(n))
        dot = summed_products((1,), v, xhat)
        dot /= dot.dtype.type(n)
        rowwise(np.multiply, xhat, dot, out=xhat)
        rowwise(np.subtract, v, mean_array(v, (1,), True, n), out=v)
        np.subtract(v, xhat, out=v)
        gx = Tensor(rowwise(np.multiply, v, rstd, out=v).reshape(x.shape))
    return gx, gw, gb


@public(namespace="nn.functional", also=("rms_norm",))
def rms_norm(input, normalized_shape, weight=None, eps: float | None = None):
    """torch.nn.functional.rms_norm (also torch.rms_norm): x / sqrt(mean(x²) + eps) · weight over the trailing
    ``normalized_shape`` dims; eps=None is the input dtype's machine epsilon, as torch. Composed of refgrad ops,
    as torch composes it on the CPU."""
    x = _float_input("rms_norm", input, "rms_norm")
    shape = _normalized_shape("rms_norm", normalized_shape)
    weight = _optional("rms_norm", weight, "weight", 3, x.dtype)
    dims = _last_dims("rms_norm", x, shape, weight, None)
    eps = float(np.finfo(x.dtype).eps) if eps is None else _eps("rms_norm", eps, 4)
    # composed as torch's CPU rms_norm: its rounding, and its gradient's inf · 0 = nan where x² overflows
    rstd = (x.pow(2).mean(dims, keepdim=True) + eps).rsqrt()
    return _affine(x * rstd, weight, None)


@public(namespace="nn.functional")
def normalize(input, p: float = 2.0, dim: int = 1, eps: float = 1e-12, out=None):
    """torch.nn.functional.normalize: x / max(‖x‖_p, eps) along dim, composed as torch composes it (norm, then
    clamp_min, whose gradient passes where the norm is at least eps). out= writes the result into a tensor
    outside the graph, as torch's out= does."""
    x = as_tensor_arg(input, "input", 1, "normalize")
    p = 2.0 if p is None else number_arg(p, "p", 2, "normalize")  # None: torch's norm default, the 2-norm
    dim = int_arg(dim, "dim", 3, "normalize")
    norm = x.norm(p, dim, keepdim=True)
    result = x / norm.clamp_min(_eps("normalize", eps, 4)).expand_as(x)
    if out is None:
        return result
    out = as_tensor_arg(out, "out", None, "normalize")
    with no_grad():
        return out.copy_(result.detach()) if out.shape == result.shape else _resized_out(out, result)


def _resized_out(out: Tensor, result: Tensor) -> Tensor:
    if out.numel() != 0:
        raise RuntimeError(f"normalize(): out= has shape {list(out.shape)}, the result {list(result.shape)}: refgrad "
                           f"writes into an out tensor of the result's shape (or an empty one), not resizing others")
    out._data = np.array(result._data, dtype=out.dtype)
    out._version_counter[0] += 1
    return out


# ---- batch_norm, instance_norm, group_norm --------------------------------------------------------------------
def _channel_shape(x: Tensor) -> tuple:
    """The shape a per-channel (dim 1) vector takes to broadcast against x."""
    return (x.shape[1],) + (1,) * (x.ndim - 2)


def _check_channels(channels: int, repeats: int = 1, **tensors) -> None:
    """torch's size check of the per-channel arguments ("running_mean should contain 3 elements not 4"), each
    counted ``repeats`` times (instance_norm checks its running statistics as repeated over the batch)."""
    for name, t in tensors.items():
        if t is not None and t.numel() * repeats != channels:
            raise RuntimeError(f"{name} should contain {channels} elements not {t.numel() * repeats}")


def _both_or_neither(running_mean, running_var) -> None:
    if (running_mean is None) != (running_var is None):
        raise ValueError("running_mean and running_var must either both be None or neither be None")


@np.errstate(all="ignore")  # inf and nan are values: 0 · inf = nan, as in torch's update
def _update_running(running: Tensor | None, value: np.ndarray, momentum: float) -> None:
    """running ← (1 - momentum) · running + momentum · value, in place (outside the graph, as torch)."""
    if running is None:
        return
    updated = (1 - momentum) * running._data.astype(value.dtype) + momentum * value
    running._write(updated.reshape(running.shape).astype(running.dtype))


def _batch_statistics(x: np.ndarray, dims: tuple, moments) -> tuple:
    """(mean, unbiased variance) over dims from ``moments`` (_moments(x, dims)), one value per remaining entry, in
    x's dtype: what the running statistics take in. One value per group has no unbiased variance (inf, as torch's
    n/(n - 1))."""
    mean, var = moments
    n = math.prod(x.shape[d] for d in dims)
    with np.errstate(all="ignore"):  # rounded through x's dtype, as torch's kernels hand them on (inf beyond it)
        unbiased = var.astype(x.dtype) * x.dtype.type(n / (n - 1)) if n > 1 else np.full_like(var, np.inf, x.dtype)
        mean = mean.astype(x.dtype)
    return np.squeeze(mean, dims), np.squeeze(unbiased, dims)


def _statistics_arguments(fn: str, dtype, momentum, eps, running_mean, running_var, weight, bias) -> tuple:
    """batch_norm's and instance_norm's shared arguments, checked at torch's positions."""
    return (_float_arg(fn, momentum, "momentum", 7), _eps(fn, eps, 8),
            _optional(fn, running_mean, "running_mean", 2, dtype), _optional(fn, running_var, "running_var", 3, dtype),
            _optional(fn, weight, "weight", 4, dtype), _optional(fn, bias, "bias", 5, dtype))


@public(namespace="nn.functional", also=("batch_norm",))
def batch_norm(input, running_mean, running_var, weight=None, bias=None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5):
    """torch.nn.functional.batch_norm (also torch.batch_norm): per channel (dim 1) of an (N, C, *) input.

    training: normalizes with the batch's mean and biased variance over every dim but 1, and, where given,
    updates running_mean and running_var in place: running ← (1 - momentum) · running + momentum · batch value,
    running_var taking the unbiased variance. Otherwise it normalizes with the running statistics, which must
    then be given. momentum must be a number (torch's F.batch_norm refuses None: the module's cumulative average
    passes 1 / num_batches_tracked instead). Gradients flow to input, weight and bias, never to the running
    statistics."""
    fn = "batch_norm"
    x = _float_input(fn, input, "batch_norm")
    training = bool(training)
    if training:
        if x.ndim < 2:
            wrap_dim(1, x.ndim)  # torch's IndexError: dim 1 does not exist
        values = x.shape[0] * math.prod(x.shape[2:])
        if values == 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size "
                             f"torch.Size({list(x.shape)})")
    momentum, eps, running_mean, running_var, weight, bias = _statistics_arguments(
        fn, x.dtype, momentum, eps, running_mean, running_var, weight, bias)
    if not training:
        for name, t in (("running_mean", running_mean), ("running_var", running_var)):
            if t is None:
                raise RuntimeError(f"{name} must be defined in evaluation mode")
    _both_or_neither(running_mean, running_var)
    channels = x.shape[1] if x.ndim > 1 else 0
    _check_channels(channels, running_mean=running_mean, running_var=running_var, weight=weight, bias=bias)
    dims = (0,) + tuple(range(2, x.ndim))
    if training:
        moments = _moments(x._data, dims)  # once, for the running statistics and the normalization
        if x.numel() and (running_mean is not None or running_var is not None):
            mean, unbiased = _batch_statistics(x._data, dims, moments)
            _update_running(running_mean, mean, momentum)
            _update_running(running_var, unbiased, momentum)
        return _BatchNorm.apply(x, *_weight_and_bias(x, channels, weight, bias), dims=dims, eps=eps, moments=moments)
    return _normalize_with(x, running_mean, running_var, eps, weight, bias)


class _BatchNorm(Function):
    """batch_norm in training, as torch's kernels: x · α + β per channel (dim 1), α = rstd · weight and β = bias -
    mean · α, mean and rstd the batch's over ``dims`` (as _Standardize's). weight and bias are tensors (ones and
    zeros standing for absent ones).

    vjp: torch's native_batch_norm_backward, per channel, with Σg and Σ(x - mean)·g:
    to the input (g - (Σg/n + (x - mean) · Σ(x - mean)·g · rstd²/n)) · rstd · weight (torch subtracts the two terms
    one after the other), to the weight Σ(x - mean)·g · rstd, to the bias Σg; seven passes over x-sized arrays and
    one of them allocated, where the composition of _Standardize and the affine ops took fourteen. Where a graph
    is recorded (a double backward), the same gradients in refgrad ops: _Standardize's Jacobian, which
    differentiates again."""

    saves = ("inputs",)

    def forward(ctx, x, weight, bias, dims, eps, moments):
        ctx.mean, ctx.rstd = _statistics(x, dims, eps, moments)
        ctx.moments = None  # only this forward reads them
        shape = ctx.mean.shape  # (1, C, 1, ...)
        alpha = ctx.rstd * weight.reshape(shape)
        out = rowwise(np.multiply, x, alpha)
        return rowwise(np.add, out, bias.reshape(shape) - ctx.mean * alpha, out=out)

    def vjp(ctx, g):
        if not _grad_state["record"]:
            return _batch_norm_backward(ctx, g._data)
        x, weight, _ = ctx.inputs
        need_x, need_w, need_b = ctx.needs_input_grad
        shape, dims = ctx.mean.shape, ctx.dims
        gx = _standardize_jacobian(ctx, g * weight.reshape(shape)) if need_x else None
        gw = (g * _standardized(ctx)).sum(dims) if need_w else None
        return gx, gw, (g.sum(dims) if need_b else None)

    def jvp(ctx, dx, dw, db):
        shape, weight = ctx.mean.shape, ctx.inputs[1]
        return (_standardize_jacobian(ctx, dx) * weight.reshape(shape) + _standardized(ctx) * dw.reshape(shape)
                + db.reshape(shape))


def _standardized(ctx) -> Tensor:
    """x̂ = (x - mean) · rstd of a _Standardize or _BatchNorm context, differentiable in x (mean and rstd too)."""
    x, dims = ctx.inputs[0], ctx.dims
    return _Centered.apply(x, dims=dims, mean=ctx.mean) * _InvStd.apply(x, dims=dims, rstd=ctx.rstd, mean=ctx.mean)


@quiet  # (inf - inf is nan, silently, as in a forward)
def _batch_norm_backward(ctx, g: np.ndarray) -> tuple:
    """_BatchNorm's vjp where nothing records: torch's formula (see _BatchNorm) in NumPy, in g's dtype."""
    x, weight, _ = ctx.inputs
    need_x, need_w, need_b = ctx.needs_input_grad
    dims, mean, rstd = ctx.dims, ctx.mean, ctx.rstd
    n = max(math.prod(x.shape[d] for d in dims), 1)
    centered = rowwise(np.subtract, x._data, mean)
    g_sum = np.add.reduce(g, axis=dims, keepdims=True)
    # Σ (x - mean)·g per channel in one pass, without an x-sized product (einsum over (N, C, spatial))
    per_item = (x.shape[0], x.shape[1], math.prod(x.shape[2:]))
    dot = summed_products((0, 2), centered.reshape(per_item), g.reshape(per_item)).reshape(mean.shape)
    gx = None
    if need_x:  # written into centered: (x - mean)·k + Σg/n, then g minus that, times rstd·weight
        rowwise(np.multiply, centered, dot * rstd * rstd / n, out=centered)  # the projection on x - mean
        rowwise(np.add, centered, g_sum / n, out=centered)
        np.subtract(g, centered, out=centered)
        gx = Tensor(rowwise(np.multiply, centered, rstd * weight._data.reshape(mean.shape), out=centered))
    gw = Tensor((dot * rstd).reshape(-1)) if need_w else None
    gb = Tensor(g_sum.reshape(-1)) if need_b else None
    return gx, gw, gb


def _weight_and_bias(x: Tensor, channels: int, weight: Tensor | None, bias: Tensor | None) -> tuple:
    """Per-channel weight and bias as (channels,) tensors, ones and zeros (constants) standing for absent ones."""
    weight = Tensor(np.ones(channels, x.dtype)) if weight is None else weight.reshape(channels)
    bias = Tensor(np.zeros(channels, x.dtype)) if bias is None else bias.reshape(channels)
    return weight, bias


class _NormalizeWithStatistics(Function):
    """batch_norm in evaluation, as torch's kernel: x · α + β per channel (dim 1), α = rstd · weight and β = bias -
    mean · α, with given per-channel mean and rstd (constants: no gradient flows to them, as in torch). weight
    and bias are tensors (ones and zeros standing for absent ones). vjp as torch's: g · α to the input, Σ g · (x -
    mean) · rstd to the weight, Σ g to the bias, in refgrad ops (double backward works)."""

    def forward(ctx, x, weight, bias, mean, rstd):
        shape = (-1,) + (1,) * (x.ndim - 2)
        alpha = rstd * weight
        return x * alpha.reshape(shape) + (bias - mean * alpha).reshape(shape)

    def vjp(ctx, g):
        x, weight, _ = ctx.inputs
        shape, dims = _channel_shape(x), _non_channel_dims(x)
        rstd = Tensor(ctx.rstd.reshape(shape))
        need_x, need_w, need_b = ctx.needs_input_grad
        gx = g * (weight.reshape(shape) * rstd) if need_x else None
        gw = (g * (x - Tensor(ctx.mean.reshape(shape))) * rstd).sum(dims) if need_w else None
        gb = g.sum(dims) if need_b else None
        return gx, gw, gb

    def jvp(ctx, dx, dw, db):
        x, weight, _ = ctx.inputs
        shape = _channel_shape(x)
        rstd = Tensor(ctx.rstd.reshape(shape))
        return (dx * (weight.reshape(shape) * rstd) + (x - Tensor(ctx.mean.reshape(shape))) * rstd * dw.reshape(shape)
                + db.reshape(shape))


def _non_channel_dims(x: Tensor) -> tuple:
    return (0,) + tuple(range(2, x.ndim))


def _normalize_with(x: Tensor, mean: Tensor, var: Tensor, eps: float, weight, bias) -> Tensor:
    """(x - mean) / sqrt(var + eps) · weight + bias with given per-channel statistics, as torch's evaluation."""
    acc = accumulation_dtype(x.dtype, float32_to_float64=True)
    rstd = (1 / np.sqrt(var._data.astype(acc) + eps)).astype(x.dtype).reshape(-1)
    return _NormalizeWithStatistics.apply(x, *_weight_and_bias(x, rstd.shape[0], weight, bias),
                                          mean=mean._data.reshape(-1).copy(), rstd=rstd)


@public(namespace="nn.functional", also=("instance_norm",))
def instance_norm(input, running_mean=None, running_var=None, weight=None, bias=None, use_input_stats: bool = True,
                  momentum: float = 0.1, eps: float = 1e-5):
    """torch.nn.functional.instance_norm (also torch.instance_norm): per sample and channel of an (N, C, *)
    input, over the spatial dims. use_input_stats: the instance's own mean and biased variance, and the running
    statistics (where given) updated in place with the batch averages of the instance means and unbiased
    variances, as torch; otherwise the running statistics, which must then be given."""
    fn = "instance_norm"
    x = _float_input(fn, input, "batch_norm")
    use_input_stats = bool(use_input_stats)
    if use_input_stats:
        if x.ndim < 2:
            wrap_dim(1, x.ndim)
        if math.prod(x.shape[2:]) == 1:
            raise ValueError(f"Expected more than 1 spatial element when training, got input size "
                             f"torch.Size({list(x.shape)})")
    momentum, eps, running_mean, running_var, weight, bias = _statistics_arguments(
        fn, x.dtype, momentum, eps, running_mean, running_var, weight, bias)
    if not use_input_stats and (running_mean is None or running_var is None):
        raise RuntimeError("Expected running_mean and running_var to be defined when use_input_stats is false")
    _both_or_neither(running_mean, running_var)
    channels = x.shape[1] if x.ndim > 1 else 0
    # torch checks the running statistics against N·C (it runs batch_norm on the (1, N·C, *) view)
    _check_channels(x.shape[0] * channels, x.shape[0], running_mean=running_mean, running_var=running_var)
    _check_channels(channels, weight=weight, bias=bias)
    if not use_input_stats:
        return _normalize_with(x, running_mean, running_var, eps, weight, bias)
    dims = tuple(range(2, x.ndim))
    moments = _moments(x._data, dims)  # once, for the running statistics and the normalization
    if x.numel() and (running_mean is not None or running_var is not None):
        mean, unbiased = _batch_statistics(x._data, dims, moments)
        with np.errstate(all="ignore"):  # averaged over the batch, as torch averages its (1, N·C) update
            mean, unbiased = mean.mean(axis=0), unbiased.mean(axis=0)
        _update_running(running_mean, mean, momentum)
        _update_running(running_var, unbiased, momentum)
    return _affine(_standardize(x, dims, eps, moments), weight, bias, _channel_shape(x))


@public(namespace="nn.functional", also=("group_norm",))
def group_norm(input, num_groups: int, weight=None, bias=None, eps: float = 1e-5):
    """torch.nn.functional.group_norm (also torch.group_norm): an (N, C, *) input's channels split into
    ``num_groups`` groups, each (sample, group) standardized over its channels and spatial dims, then a
    per-channel weight and bias."""
    fn = "group_norm"
    x = _float_input(fn, input, "group_norm")
    num_groups = int_arg(num_groups, "num_groups", 2, fn)
    if x.ndim < 2:
        raise RuntimeError(f"Expected at least 2 dimensions for input tensor but received {x.ndim}")
    channels = x.shape[1]
    if num_groups == 0:
        raise ZeroDivisionError("integer division or modulo by zero")
    if num_groups < 0 or channels % num_groups:
        raise RuntimeError(f"Expected number of channels in input to be divisible by num_groups, but got input of "
                           f"shape {list(x.shape)} and num_groups={num_groups}")
    # torch's F.group_norm checks the (N·C/G, G, *spatial) view as batch_norm checks its input
    viewed = [x.shape[0] * channels // num_groups, num_groups, *x.shape[2:]]
    if x.shape[0] * channels // num_groups * math.prod(x.shape[2:]) == 1:
        raise ValueError(f"Expected more than 1 value per channel when training, got input size {viewed}")
    weight = _optional(fn, weight, "weight", 3, x.dtype)
    bias = _optional(fn, bias, "bias", 4, x.dtype)
    for name, t in (("weight", weight), ("bias", bias)):
        if t is not None and (t.ndim != 1 or t.numel() != channels):
            raise RuntimeError(f"Expected {name} to be a vector of size equal to the number of channels in input, "
                               f"but got {name} of shape {list(t.shape)} and input of shape {list(x.shape)}")
    eps = _eps(fn, eps, 5)
    grouped = x.reshape((x.shape[0], num_groups, channels // num_groups * math.prod(x.shape[2:])))
    y = _standardize(grouped, (2,), eps).reshape(x.shape)
    return _affine(y, weight, bias, _channel_shape(x))


# ---- local_response_norm --------------------------------------------------------------------------------------
@public(namespace="nn.functional")
def local_response_norm(input, size: int, alpha: float = 1e-4, beta: float = 0.75, k: float = 1.0):
    """torch.nn.functional.local_response_norm: x / (k + alpha · mean of x² over a window of ``size`` channels
    (zero-padded: size // 2 before, (size - 1) // 2 after)) ** beta, for (N, C, *) inputs of 3 dims or more.
    Composed of refgrad ops as torch composes it (the window mean is an average pool counting the padding),
    with one slice per window offset."""
    fn = "local_response_norm"
    x = as_tensor_arg(input, "input", 1, fn)
    if x.ndim < 3:
        raise ValueError(f"Expected 3D or higher dimensionality input (got {x.ndim} dimensions)")
    size = int_arg(size, "size", 2, fn)
    if x.numel() == 0:
        return x
    channels = x.shape[1]
    squares = x * x
    padded = pad(squares.movedim(1, -1), (size // 2, (size - 1) // 2))
    window = padded.narrow(-1, 0, channels)
    for offset in range(1, size):
        window = window + padded.narrow(-1, offset, channels)
    div = (window.movedim(-1, 1) / size * alpha + k) ** beta
    return x / div
