"""Reductions over dims: sum, mean, prod, amax/amin, max/min, logsumexp, var/std, norm (and
linalg.vector_norm), argmax/argmin.

Forward in NumPy; every vjp expands the cotangent back over the reduced dims and is written in refgrad ops
(double backward works). Subgradients follow torch at the very points where the function has none:

- amax/amin, and max()/min() without a dim, split the gradient evenly among the tied elements;
- max(dim)/min(dim) send all of it to the returned index, the first occurrence (argmax/argmin agree);
- prod's vjp is a product of exclusive cumulative products from both sides: exact with one zero or more;
- norms: p=2 at the zero vector gives 0; p=1 uses sign(0) = 0; inf-norm ties split evenly;
- std where the variance is 0 gives 0; var/std with no degrees of freedom give inf/nan like torch.

Forwards are quiet (inf and nan are values, never NumPy warnings) and accumulate as torch's CPU kernels do:
float16 in float32 (sum, mean, var/std, norms, logsumexp), float32 var/std in float64, each result rounded once.
"""
from __future__ import annotations

import builtins
import math
import numbers
import warnings
from collections import namedtuple

import numpy as np

from .. import dtypes
from .._grad_state import state as _grad_state
from ..autograd import Function
from ..autograd.function import sum_to  # noqa: F401 - the engine's, where it sums gradients back to shape
from ..registry import public
from ..tensor import Tensor
from .choose import choose
from .common import accumulation_dtype, as_tensor_arg, cast, wrap_dim, wrap_dims
from .scan import exclusive_cumprod
from .shape import Expand, broadcast_view, clone

# torch.return_types.max / min: a tuple with .values and .indices
max_return_type = namedtuple("max", ["values", "indices"])
min_return_type = namedtuple("min", ["values", "indices"])


def keepdim_shape(shape: tuple, dims: tuple) -> tuple:
    """The shape a reduction over dims has with keepdim=True."""
    return tuple([1 if i in dims else s for i, s in enumerate(shape)])


def _reduce_dims(dim, ndim: int, name: str) -> tuple:
    """torch's dim argument of a reduction (None, an int, or a tuple/list of ints; () means all dims) ->
    sorted non-negative dims. A 0-d tensor accepts dims 0 and -1 and reduces nothing."""
    if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
        return tuple(range(ndim))
    if type(dim) is int:  # x.mean(0), x.sum(-1): the usual one dim
        d = wrap_dim(dim, ndim)  # (checked on a 0-d tensor too, which takes 0 and -1 and reduces nothing)
        return (d,) if ndim else ()
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer, tuple, list)):
        raise TypeError(f"{name}(): argument 'dim' must be tuple of ints, not {type(dim).__name__}")
    if isinstance(dim, (tuple, list)):
        for d in dim:
            if isinstance(d, bool) or not isinstance(d, (int, np.integer)):
                raise TypeError(f"{name}(): argument 'dim' must be tuple of ints, but found element of type "
                                f"{type(d).__name__}")
    dims = wrap_dims(dim, ndim)
    return dims if ndim else ()


def _int_dim(dim, ndim: int, name: str) -> int:
    if isinstance(dim, bool) or not isinstance(dim, (int, np.integer)):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return wrap_dim(dim, ndim)


def _expand_back(g: Tensor, shape: tuple, dims: tuple, keepdim: bool) -> Tensor:
    """A reduction's cotangent (or output) broadcast back over the reduced dims to the input's shape. Where no graph
    is recorded (a first-order backward), a bare tensor over the read-only view: nothing would read an Expand node."""
    if not _grad_state["record"]:
        return Tensor._over(_expand_data(g._data, shape, dims, keepdim))
    if not keepdim and dims != tuple(range(len(dims))):  # reduced leading dims need no reshape to broadcast
        g = g.reshape(keepdim_shape(shape, dims))
    return Expand.apply(g, shape=shape)


def _expand_data(a: np.ndarray, shape: tuple, dims: tuple, keepdim: bool) -> np.ndarray:
    return broadcast_view(a if keepdim or a.ndim == 0 else a.reshape(keepdim_shape(shape, dims)), shape)


def _sum(x: Tensor, dims: tuple, keepdim: bool) -> Tensor:
    return Sum.apply(x, dims=dims, keepdim=keepdim)


def _empty_reduction_error(name: str, shape: tuple, given) -> None:
    """amax/max/argmax have no identity: reducing over a size-0 dim is an IndexError naming that dim as the
    caller wrote it (the first such one, in the caller's order)."""
    for d in (given if isinstance(given, (tuple, list)) else (given,)):
        if shape[wrap_dim(d, len(shape))] == 0:
            raise IndexError(f"{name}(): Expected reduction dim {d} to have non-zero size.")


# ---- primitives ---------------------------------------------------------------------------------------------
class Sum(Function):
    saves = ()  # backward reads shapes only

    def forward(ctx, x, dims, keepdim):
        acc = accumulation_dtype(x.dtype)  # bool stays bool (sum(dtype=bool))
        total = np.add.reduce(x, axis=dims, dtype=acc, keepdims=keepdim)
        return total if acc is x.dtype else total.astype(x.dtype)

    def vjp(ctx, g):
        return _expand_back(g, ctx.inputs[0].shape, ctx.dims, ctx.keepdim)

    def jvp(ctx, dx):
        return _sum(dx, ctx.dims, ctx.keepdim)


def summed_products(dims: tuple, *arrays: np.ndarray, dtype=None) -> np.ndarray:
    """Σ over ``dims`` of the arrays' elementwise product (one array: its sum), the dims kept as dims of 1, in
    ``dtype`` (None: the arrays'). One einsum: it reads the arrays and writes only the sums, where a product array to
    reduce costs a pass more (1.94 against 1.44 ms for softmax's row sums over (8, 4, 128, 128) float64), and it sums
    a row 1.3-1.9x as fast as np.sum (measured over norm-sized float64 inputs), in its own order."""
    every = _SUBSCRIPTS[:arrays[0].ndim]
    kept = "".join([c for i, c in enumerate(every) if i not in dims])
    total = np.einsum(",".join([every] * len(arrays)) + "->" + kept, *arrays, dtype=dtype)
    return np.reshape(total, [1 if i in dims else n for i, n in enumerate(arrays[0].shape)])


_SUBSCRIPTS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def mean_array(x: np.ndarray, dims: tuple, keepdim: bool, n: int) -> np.ndarray:
    """Mean's forward on an array: the sum in the accumulation dtype, / n, in x's dtype (also what a NumPy vjp that
    must match a recorded mean calls, so that both round alike)."""
    acc = accumulation_dtype(x.dtype)
    total = np.add.reduce(x, axis=dims, dtype=acc, keepdims=keepdim)  # (np.sum is this, behind a wrapper)
    if type(total) is np.ndarray:
        total = np.divide(total, acc.type(n), out=total)
    else:  # a full mean's NumPy scalar: its own division (a ufunc call on a scalar costs 7k instructions more)
        total = total / acc.type(n)
    return total if acc is x.dtype else total.astype(x.dtype)  # (a full mean is a NumPy scalar: astype costs 8k)


class Mean(Function):
    """sum / n (an empty reduction is 0/0 = nan, as in torch)."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, dims, keepdim, n):
        return mean_array(x, dims, keepdim, n)

    def vjp(ctx, g):
        data, n = g._data, ctx.n
        if not _grad_state["record"] and n and data.dtype.itemsize >= 4:
            # Div's own division (g and n in g's dtype) without its bookkeeping: 25k of the 122k instructions of
            # x.mean(0)'s backward on a 4×4 (float16 keeps the op: n may overflow its range, handled quietly there)
            scaled = np.true_divide(data, np.asarray(n, data.dtype))
            return Tensor._over(_expand_data(scaled, ctx.inputs[0].shape, ctx.dims, ctx.keepdim))
        return _expand_back(g / n, ctx.inputs[0].shape, ctx.dims, ctx.keepdim)  # a view: no array of g/n

    def jvp(ctx, dx):
        with np.errstate(invalid="ignore"):  # an empty reduction: 0/0 = nan, as the value
            return _sum(dx, ctx.dims, ctx.keepdim) / ctx.n


class Prod(Function):
    """Product along one dim. d(prod)/dx_i = Π_{j<i} x_j · Π_{j>i} x_j. As torch's prod_backward: prod / x_i
    when the input holds no zero at all (so an inf element gets inf/inf = nan, as torch's), else exclusive
    cumulative products from both sides (differentiable scans), exact with one zero or several."""

    def forward(ctx, x, dim, keepdim, everything=False):
        zeros = int(np.count_nonzero(x == 0))
        ctx.has_zero = zeros > 0
        # torch's prod() over everything gives a zero gradient outright when two elements are 0 (each product of
        # the others holds a 0): not 0·inf = nan where inf elements are among the others
        ctx.all_products_zero = everything and zeros > 1
        return np.prod(x, axis=dim, keepdims=keepdim)

    def vjp(ctx, g):
        return _expand_back(g, ctx.inputs[0].shape, (ctx.dim,), ctx.keepdim) * _others_product(ctx)

    def jvp(ctx, dx):
        return _sum(dx * _others_product(ctx), (ctx.dim,), ctx.keepdim)


def _others_product(ctx) -> Tensor:
    x, d = ctx.inputs[0], ctx.dim
    if ctx.all_products_zero:
        return Tensor(np.zeros(x.shape, x.dtype))
    if not ctx.has_zero:
        return _expand_back(ctx.out, x.shape, (d,), ctx.keepdim) / x
    return exclusive_cumprod(x, d) * exclusive_cumprod(x, d, reverse=True)


class Extremum(Function):
    """amax/amin over dims (and max()/min() over everything). The gradient is split evenly among the elements
    equal to the result (torch's amax rule: a NaN result matches nothing, so its slice gets 0/0 = nan);
    ``nan_ties``: max()/min() instead split it among the NaNs when the result is NaN (torch's
    evenly_distribute_backward). The ties are found when a gradient is asked for, from the saved input and output
    (torch saves both too): a forward under no_grad costs the reduction alone."""
    saves = ("inputs", "out")

    def forward(ctx, x, dims, keepdim, largest, nan_ties=False):
        return (np.maximum if largest else np.minimum).reduce(x, axis=dims, keepdims=keepdim)  # (np.amax, unwrapped)

    def vjp(ctx, g):
        tied, count = _ties(ctx)
        return _expand_back(g / Tensor(count), ctx.inputs[0].shape, ctx.dims, ctx.keepdim) * Tensor(tied)

    def jvp(ctx, dx):
        tied, count = _ties(ctx)
        return _sum(dx * Tensor(tied), ctx.dims, ctx.keepdim) / Tensor(count)


def _ties(ctx) -> tuple:
    """Extremum's ties: a mask (in x's dtype) of the elements equal to the result, and their count per result (in
    the output's shape): torch divides by the count (g / 3 and g · (1/3) can differ in the last bit), so that g is
    divided before it is broadcast back."""
    x = ctx.inputs[0]._data
    out = ctx.out._data.reshape(keepdim_shape(x.shape, ctx.dims))
    tied = x == out
    if ctx.nan_ties:
        tied = np.where(np.isnan(out), np.isnan(x), tied)
    return tied.astype(x.dtype), np.sum(tied, axis=ctx.dims, keepdims=ctx.keepdim).astype(x.dtype)


class TakeAlongDim(Function):
    """x at the given index along dim (max(dim)/min(dim) values): the gradient goes to that one index."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, dim, index, keepdim):
        out = np.take_along_axis(x, index, axis=dim)
        ctx.onehot = (np.arange(x.shape[dim]).reshape([-1 if i == dim else 1 for i in range(x.ndim)])
                      == index).astype(x.dtype)
        return out if keepdim else np.squeeze(out, axis=dim)

    def vjp(ctx, g):
        return _expand_back(g, ctx.inputs[0].shape, (ctx.dim,), ctx.keepdim) * Tensor(ctx.onehot)

    def jvp(ctx, dx):
        return _sum(dx * Tensor(ctx.onehot), (ctx.dim,), ctx.keepdim)


class LogSumExp(Function):
    """log Σ exp(x), shifted by the slice's max (by 0 where that max is ±inf, so that an all -inf slice
    gives -inf and a +inf gives +inf, as in torch). d/dx = exp(x - out)."""

    def forward(ctx, x, dims, keepdim):
        acc = x.astype(accumulation_dtype(x.dtype), copy=False)
        m = np.amax(acc, axis=dims, keepdims=True, initial=-np.inf)
        m = np.where(np.isinf(m), 0, m).astype(acc.dtype)
        out = (np.log(np.sum(np.exp(acc - m), axis=dims, keepdims=True)) + m).astype(x.dtype, copy=False)
        return out if keepdim else np.squeeze(out, axis=dims)

    def vjp(ctx, g):
        return _expand_back(g, ctx.inputs[0].shape, ctx.dims, ctx.keepdim) * _softmax_weights(ctx)

    def jvp(ctx, dx):
        return _sum(dx * _softmax_weights(ctx), ctx.dims, ctx.keepdim)


def _softmax_weights(ctx) -> Tensor:
    x = ctx.inputs[0]
    with np.errstate(invalid="ignore"):  # an all -inf slice: -inf - -inf = NaN, as in torch
        return (x - _expand_back(ctx.out, x.shape, ctx.dims, ctx.keepdim)).exp()


class Var(Function):
    """Σ(x - mean)² / max(0, n - correction), and with ``root`` its square root (std), accumulated as torch's
    CPU kernel: float16 in float32, float32 in float64, and rounded once at the end, so that a float32 std of
    [1e20, -1e20] is 1.41e20 although its variance overflows float32.

    vjp: 2/(n - correction)·g·(x - mean), as torch's var_backward, including where n - correction <= 0:
    with a dim given that factor is used as is (negative, or inf at 0); with no dim (or a 0-d input) torch
    returns g·(nan where x == mean, else +inf), and so does this (``whole``). std's is torch's std_backward:
    var's with g / (2·std), that factor 0 where std == 0 (no 1/0)."""

    def forward(ctx, x, dims, keepdim, correction, whole, name, root=False):
        n = math.prod(x.shape[d] for d in dims)
        ctx.dof = n - correction
        if ctx.dof <= 0:  # stacklevel: the user's call -> var -> _variance -> apply -> quiet's wrapper -> here
            warnings.warn(f"{name}(): degrees of freedom is <= 0. Correction should be strictly less than the "
                          f"reduction factor (input numel divided by output numel).", UserWarning, stacklevel=6)
        acc = x.astype(accumulation_dtype(x.dtype, float32_to_float64=True), copy=False)
        mean = np.sum(acc, axis=dims, keepdims=True) / n if n else np.full(keepdim_shape(x.shape, dims), np.nan)
        out = np.sum((acc - mean) ** 2, axis=dims, keepdims=keepdim) / builtins.max(ctx.dof, 0)
        if ctx.dof <= 0 and whole:
            ctx.no_dof_slope = np.where(x == mean.astype(x.dtype), np.nan, np.inf).astype(x.dtype)
        return np.asarray(np.sqrt(out) if root else out).astype(x.dtype, copy=False)

    def vjp(ctx, g):
        if ctx.root:
            g = g * _half_inverse(ctx.out)
        return _expand_back(g, ctx.inputs[0].shape, ctx.dims, ctx.keepdim) * _var_slope(ctx)

    def jvp(ctx, dx):
        dv = _sum(dx * _var_slope(ctx), ctx.dims, ctx.keepdim)
        return dv * _half_inverse(ctx.out) if ctx.root else dv


def _var_slope(ctx) -> Tensor:
    x = ctx.inputs[0]
    if ctx.dof <= 0 and ctx.whole:
        return Tensor(ctx.no_dof_slope)
    with np.errstate(divide="ignore"):
        # inf where no degree of freedom is left, as torch; a Python float, which never widens x's dtype
        scale = float(np.float64(2.0) / np.float64(ctx.dof))
    centred = x - Mean.apply(x, dims=ctx.dims, keepdim=True, n=math.prod(x.shape[d] for d in ctx.dims))
    return centred * scale


def _half_inverse(out: Tensor) -> Tensor:
    """1 / (2·out), and 0 where out == 0."""
    from .binary import where_mask

    nonzero = out._data != 0
    return 0.5 / where_mask(nonzero, out, 1.0) * Tensor(nonzero.astype(out.dtype))


class VectorNorm(Function):
    """(Σ|x|^p)^(1/p) over dims; p = 0 counts nonzeros, ±inf take max/min |x|. Its vjp is torch's
    norm_backward case by case (see _norm_grad)."""

    def forward(ctx, x, ord, dims, keepdim):
        acc = accumulation_dtype(x.dtype)
        if ord == 0:
            out = np.sum(x != 0, axis=dims, keepdims=keepdim)
        elif ord == 2:  # the squares summed as they are made, without an array of them (or of |x|)
            out = np.sqrt(summed_products(dims, x, x, dtype=acc))
            if not keepdim:
                out = out.reshape([n for i, n in enumerate(out.shape) if i not in dims])
        else:
            a = np.abs(x).astype(acc, copy=False)
            if ord == math.inf:
                out = np.amax(a, axis=dims, keepdims=keepdim, initial=0)
            elif ord == -math.inf:
                out = np.amin(a, axis=dims, keepdims=keepdim)
            elif ord == 1:
                out = np.sum(a, axis=dims, keepdims=keepdim)
            else:
                out = np.sum(a ** a.dtype.type(ord), axis=dims, keepdims=keepdim) ** a.dtype.type(1 / ord)
        return np.asarray(out).astype(x.dtype, copy=False)

    def vjp(ctx, g):
        if ctx.ord == 0:
            return None  # torch: no gradient at all (the count is piecewise constant)
        return _norm_grad(ctx, _expand_back(g, ctx.inputs[0].shape, ctx.dims, ctx.keepdim))

    def jvp(ctx, dx):
        if ctx.ord == 0:
            return Tensor(np.zeros(ctx.out.shape, ctx.out.dtype))
        ones = Tensor(np.ones(ctx.inputs[0].shape, ctx.out.dtype))
        return _sum(dx * _norm_grad(ctx, ones), ctx.dims, ctx.keepdim)


def _norm_grad(ctx, g: Tensor) -> Tensor:
    """g·d‖x‖/dx for g already expanded to x's shape, as torch's norm_backward defines it at every point:
    p=1: sgn(x); p=2: x/‖x‖ (0 where ‖x‖ = 0); ±inf: sgn(x) split evenly among the |x| equal to ‖x‖ or NaN;
    p<1: sgn(x)|x|^(p-1)·‖x‖^(1-p) (0 where x = 0); 1<p<2: sgn(x)|x|^(p-1)/‖x‖^(p-1); p>2: x|x|^(p-2)/‖x‖^(p-1)
    (0 where ‖x‖ = 0; x's own sign at x = ±0). torch's sgn(nan) is 0, so a NaN element gets 0 for p=1, ±inf."""
    from .binary import where_mask

    x, p = ctx.inputs[0], ctx.ord
    if p == 2:  # torch's g·(x/‖x‖), the quotient set to +0 where the norm is 0 before g multiplies it (an inf or nan
        # g gives nan there, a negative g -0, as torch's): one broadcast division and one product over x's shape
        out = ctx.out
        nonzero = out._data != 0
        every = bool(nonzero.all())
        quotient = x / _expand_back(out if every else where_mask(nonzero, out, 1.0), x.shape, ctx.dims, ctx.keepdim)
        if not every:
            quotient = choose(_expand_data(nonzero, x.shape, ctx.dims, ctx.keepdim), quotient, 0.0)
        return g * quotient
    xd = x._data
    nd = _expand_data(ctx.out._data, x.shape, ctx.dims, ctx.keepdim)
    with np.errstate(invalid="ignore"):
        sgn = np.nan_to_num(np.sign(xd), nan=0.0)
    if p == 1:
        return g * Tensor(sgn)
    if math.isinf(p):
        with np.errstate(invalid="ignore", divide="ignore"):
            tied = (np.abs(xd) == nd) | np.isnan(xd)
            weights = sgn * tied / np.sum(tied, axis=ctx.dims, keepdims=True)
        return g * Tensor(weights.astype(x.dtype))
    norm = _expand_back(ctx.out, x.shape, ctx.dims, ctx.keepdim)
    norm_nonzero = nd != 0
    if p > 2:  # x·|x|^(p-2): no pole at 0, and a zero keeps its sign (as torch)
        abs_pow = x * x.abs() ** (p - 2)
    else:
        x_nonzero = xd != 0
        # sgn(x)·|x|^(p-1), 0 where x == 0 (the base is made 1 there first: no 0^negative anywhere)
        abs_pow = where_mask(x_nonzero, x * Tensor(sgn), 1.0) ** (p - 1) * Tensor((sgn * x_nonzero).astype(x.dtype))
    if p < 1:
        return abs_pow * g * norm ** (1 - p)
    scale = g / where_mask(norm_nonzero, norm, 1.0) ** (p - 1) * Tensor(norm_nonzero.astype(x.dtype))
    return abs_pow * scale


# ---- public functions ---------------------------------------------------------------------------------------
@public(method=True)
def sum(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.sum. Integer and bool inputs sum to int64; ``dtype`` casts the input first, as in torch."""
    x = as_tensor_arg(input)
    if dtype is not None:
        x = cast(x, dtype)
    elif x.dtype.kind in "biu":
        x = cast(x, np.int64)
    return _sum(x, _reduce_dims(dim, x.ndim, "sum"), keepdim)


@public(method=True)
def mean(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.mean: floating inputs (or a floating ``dtype``, which casts the input first) only."""
    x = as_tensor_arg(input)
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype)
        if dtype.kind != "f":
            raise RuntimeError(f"mean(): could not infer output dtype. Optional dtype must be either a floating "
                               f"point or complex dtype. Got: {dtypes.scalar_type_name(dtype)}")
        x = cast(x, dtype)
    elif x.dtype.kind != "f":
        raise RuntimeError(f"mean(): could not infer output dtype. Input dtype must be either a floating point or "
                           f"complex dtype. Got: {dtypes.scalar_type_name(x.dtype)}")
    dims = _reduce_dims(dim, x.ndim, "mean")
    shape = x._data.shape
    n = x._data.size if len(dims) == len(shape) else math.prod([shape[d] for d in dims])
    return Mean.apply(x, dims=dims, keepdim=keepdim, n=n)


@public(method=True)
def prod(input, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.prod: over everything, or over one int dim (torch takes no tuple here). Integer and bool inputs
    multiply in int64; ``dtype`` casts the input first."""
    x = as_tensor_arg(input)
    if dim is None and keepdim:
        raise TypeError("prod(): argument 'dim' must be int, not NoneType")
    d = None if dim is None else _int_dim(dim, x.ndim, "prod")
    if dtype is not None:
        x = cast(x, dtype)
    elif x.dtype.kind in "biu":
        x = cast(x, np.int64)
    if x.ndim == 0:  # the product of x alone: torch's prod_backward passes the cotangent (no x / x = nan at inf)
        return clone(x)
    if d is None:
        out = Prod.apply(x.reshape(-1), dim=0, keepdim=False, everything=True)
        return out.reshape(x.shape) if keepdim else out
    return Prod.apply(x, dim=d, keepdim=keepdim)


def _extremum(name: str, x: Tensor, dim, keepdim: bool, largest: bool, nan_ties: bool = False) -> Tensor:
    dims = _reduce_dims(dim, x.ndim, name)
    if x.numel() == 0:
        if dim is None or dim == () or dim == []:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                               f"the reduction dim with the 'dim' argument.")
        _empty_reduction_error(name, x.shape, dim)
    return Extremum.apply(x, dims=dims, keepdim=keepdim, largest=largest, nan_ties=nan_ties)


@public(method=True)
def amax(input, dim=(), keepdim: bool = False) -> Tensor:
    """torch.amax: the gradient is split evenly among tied maxima."""
    return _extremum("amax", as_tensor_arg(input), dim, keepdim, True)


@public(method=True)
def amin(input, dim=(), keepdim: bool = False) -> Tensor:
    """torch.amin: the gradient is split evenly among tied minima."""
    return _extremum("amin", as_tensor_arg(input), dim, keepdim, False)


def _max_min(name: str, input, dim, keepdim, other):
    largest = name == "max"
    x = as_tensor_arg(input)
    if isinstance(dim, (Tensor, np.ndarray)):  # max(input, other) given positionally
        dim, other = None, dim if other is None else other
    if other is not None:
        if dim is not None or keepdim is not None or not isinstance(other, (Tensor, np.ndarray)):
            raise TypeError(f"{name}() received an invalid combination of arguments: use {name}(input), "
                            f"{name}(input, dim, keepdim=False) or {name}(input, other) with a Tensor other "
                            f"(got other of type {type(other).__name__})")
        return _elementwise_extremum("maximum" if largest else "minimum", x, other)
    if dim is None:
        if keepdim is not None:
            raise TypeError(f"{name}() received an invalid combination of arguments: keepdim needs a dim")
        if x.numel() == 0:
            raise RuntimeError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0. Specify "
                               f"the reduction dim with the 'dim' argument.")
        return Extremum.apply(x, dims=tuple(range(x.ndim)), keepdim=False, largest=largest, nan_ties=True)
    d = _int_dim(dim, x.ndim, name)
    keepdim = bool(keepdim)
    if x.ndim == 0:
        values, indices = _max_min(name, x.reshape(1), 0, False, None)
        return (max_return_type if largest else min_return_type)(values.reshape(()), indices.reshape(()))
    _empty_reduction_error(name, x.shape, d)
    index = (np.argmax if largest else np.argmin)(x._data, axis=d)  # first occurrence, NaN first, as torch
    index = np.expand_dims(index, d)
    values = TakeAlongDim.apply(x, dim=d, index=index, keepdim=keepdim)
    indices = Tensor((index if keepdim else np.squeeze(index, axis=d)).astype(np.int64))
    return (max_return_type if largest else min_return_type)(values, indices)


def _elementwise_extremum(name: str, a: Tensor, b) -> Tensor:
    """max(input, other) is torch.maximum (min: torch.minimum): the binary family's op."""
    from . import binary

    return getattr(binary, name)(a, b)


@public(method=True)
def max(input, dim=None, keepdim=None, *, other=None):
    """torch.max in its three forms: max(input) -> 0-d tensor (gradient split evenly among ties);
    max(input, dim, keepdim=False) -> (values, indices), all of the gradient to the first maximal index;
    max(input, other) -> torch.maximum(input, other)."""
    return _max_min("max", input, dim, keepdim, other)


@public(method=True)
def min(input, dim=None, keepdim=None, *, other=None):
    """torch.min in its three forms (see max)."""
    return _max_min("min", input, dim, keepdim, other)


@public(method=True, also=("special.logsumexp",))
def logsumexp(input, dim, keepdim: bool = False) -> Tensor:
    """torch.logsumexp (stable; integer inputs are computed in the default float dtype)."""
    x = as_tensor_arg(input)
    if x.dtype.kind != "f":
        x = cast(x, dtypes.get_default_dtype())
    if dim is None:
        raise TypeError("logsumexp(): argument 'dim' must be tuple of ints, not NoneType")
    if isinstance(dim, (tuple, list)) and len(dim) == 0 and x.ndim and not keepdim:
        # torch 2.x reduces everything for dim=() but then fails to write the 0-d result
        raise RuntimeError(f"output with shape [] doesn't match the broadcast shape {[1] * x.ndim}")
    return LogSumExp.apply(x, dims=_reduce_dims(dim, x.ndim, "logsumexp"), keepdim=keepdim)


def _correction(name: str, unbiased, correction):
    if unbiased is not None and correction is not None:
        raise TypeError(f"{name}() received an invalid combination of arguments: unbiased and correction "
                        f"cannot both be given (unbiased={unbiased}, correction={correction})")
    if correction is None:
        return 1 if unbiased is None else int(bool(unbiased))
    if not isinstance(correction, numbers.Real):
        raise TypeError(f"{name}(): argument 'correction' must be Number, not {type(correction).__name__}")
    return correction


def _variance(name: str, input, dim, unbiased, keepdim, correction, root=False) -> Tensor:
    x = as_tensor_arg(input)
    if isinstance(dim, bool):  # var(input, unbiased)
        dim, unbiased = None, dim if unbiased is None else unbiased
    c = _correction(name, unbiased, correction)
    if x.dtype.kind != "f":
        raise RuntimeError(f"std and var only support floating point and complex dtypes (got {x.dtype})")
    whole = x.ndim == 0 or dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0)
    return Var.apply(x, dims=_reduce_dims(dim, x.ndim, name), keepdim=bool(keepdim), correction=c, whole=whole,
                     name=name, root=root)


@public(method=True)
def var(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """torch.var: var(input, dim=None, *, correction=1, keepdim=False), and the legacy
    var(input, dim, unbiased, keepdim) / var(input, unbiased) forms.

    Deliberate difference: with dim=() (or []) torch 2.13 reduces over every dim in the forward but its
    backward treats the reduction as one of n = 1 element (gradient ±inf for correction=1, n times too large
    for correction=0). refgrad's gradient is that of the value it returns, the same as with dim=None."""
    return _variance("var", input, dim, unbiased, keepdim, correction)


@public(method=True)
def std(input, dim=None, unbiased=None, keepdim: bool = False, *, correction=None) -> Tensor:
    """torch.std (same forms as var): sqrt(var), with a 0 gradient where the std is 0, as torch. With dim=()
    the gradient is that of the value returned (torch's is not; see var)."""
    return _variance("std", input, dim, unbiased, keepdim, correction, root=True)


def _ord_text(ord) -> str:
    return str(ord) if not (isinstance(ord, float) and ord.is_integer()) else str(int(ord))


@public(namespace="linalg")
def vector_norm(x, ord=2, dim=None, keepdim: bool = False, *, dtype=None) -> Tensor:
    """torch.linalg.vector_norm: floating inputs; ``dtype`` casts the input first (never narrowing)."""
    x = as_tensor_arg(x, "x")
    if isinstance(ord, bool) or not isinstance(ord, numbers.Real):
        raise TypeError(f"linalg_vector_norm(): argument 'ord' (position 2) must be Number, not "
                        f"{type(ord).__name__}")
    if x.dtype.kind != "f":
        raise RuntimeError(f"linalg.vector_norm: Expected a floating point or complex tensor as input. Got "
                           f"{dtypes.scalar_type_name(x.dtype)}")
    if dtype is not None:
        dtype = dtypes.to_dtype(dtype)
        if dtype.kind != "f":
            raise RuntimeError(f"linalg.vector_norm: dtype should be floating point or complex, but got "
                               f"{dtypes.scalar_type_name(dtype)}")
        if dtype.itemsize < x.dtype.itemsize:
            raise RuntimeError(f"linalg.vector_norm: the dtype of the input ({dtypes.scalar_type_name(x.dtype)}) "
                               "should be convertible without narrowing to the specified dtype "
                               f"({dtypes.scalar_type_name(dtype)})")
        x = cast(x, dtype)
    dims = _reduce_dims(dim, x.ndim, "linalg.vector_norm")
    if (ord < 0 or ord == math.inf) and x.numel() == 0:
        if dim is None or (isinstance(dim, (tuple, list)) and len(dim) == 0):
            raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm on an empty tensor "
                               f"because the operation does not have an identity")
        for d in dims:
            if x.shape[d] == 0:
                raise RuntimeError(f"linalg.vector_norm cannot compute the {_ord_text(ord)} norm on the dimension "
                                   f"{d} because this dimension is empty and the operation does not have an "
                                   f"identity")
    return VectorNorm.apply(x, ord=float(ord), dims=dims, keepdim=bool(keepdim))


@public(method=True)
def norm(input, p="fro", dim=None, keepdim: bool = False, dtype=None) -> Tensor:
    """torch.norm: a vector norm over dim (all dims when None) for numeric p; 'fro' is the 2-norm over at
    most two dims. 'nuc' (a matrix norm through the SVD) is not implemented."""
    x = as_tensor_arg(input)
    if p is None:
        p = "fro"
    if isinstance(p, str):
        if p == "nuc":
            raise NotImplementedError("norm(p='nuc'): the nuclear norm (a matrix norm) is not implemented in "
                                      "refgrad; use p='fro' or a numeric p")
        if p != "fro":
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if isinstance(dim, (tuple, list)) and len(dim) > 2:
            raise RuntimeError(f"linalg.matrix_norm: dim must be a 2-tuple. Got {' '.join(map(str, dim))}")
        p = 2
    return vector_norm(x, p, dim, keepdim, dtype=dtype)


def _arg_extremum(name: str, input, dim, keepdim: bool) -> Tensor:
    x = as_tensor_arg(input)
    if x.dtype.kind == "b":
        raise RuntimeError(f"{name}(): does not support bool input")
    fn = np.argmax if name == "argmax" else np.argmin
    if dim is None:
        if x.numel() == 0:
            raise IndexError(f"{name}(): Expected reduction dim to be specified for input.numel() == 0.")
        index = np.asarray(fn(x._data.reshape(-1)))
        return Tensor(index.reshape((1,) * x.ndim if keepdim else ()).astype(np.int64))
    d = _int_dim(dim, x.ndim, name)
    if x.ndim == 0:
        return Tensor(np.zeros((), np.int64))
    _empty_reduction_error(name, x.shape, d)
    index = fn(x._data, axis=d, keepdims=bool(keepdim))
    return Tensor(np.asarray(index, np.int64))


@public(method=True)
def argmax(input, dim=None, keepdim: bool = False) -> Tensor:
    """torch.argmax: the first maximal index (over the flattened input when dim is None)."""
    return _arg_extremum("argmax", input, dim, keepdim)


@public(method=True)
def argmin(input, dim=None, keepdim: bool = False) -> Tensor:
    """torch.argmin: the first minimal index (over the flattened input when dim is None)."""
    return _arg_extremum("argmin", input, dim, keepdim)
