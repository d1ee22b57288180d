"""Cumulative ops along one dim: cumsum, cumprod, logcumsumexp.

Their vjps and jvps are scans again. cumsum's vjp is a reversed cumsum. cumprod's and logcumsumexp's are
first-order linear recurrences h_k = a_k·h_{k-1} + b_k, solved by ``linear_recurrence``: a log-depth
doubling scan written in refgrad ops, so that

- cumprod's gradient is exact where the input has zeros (nothing is divided by it there, as torch's is; with
  no zero at all it is torch's reversed_cumsum(out·g) / x, whose NaN and inf placement is torch's),
- logcumsumexp's weights are exp(y_j - y_k) <= 1 (no overflow for large inputs), and
- the vjp is itself differentiable (double backward).

As torch's CPU kernels do, float32 scans accumulate in float64 (float16 ones in float32) and round once at the
end. Forwards are quiet: inf and nan are values, never NumPy warnings.
"""
from __future__ import annotations

import numpy as np

from ..autograd import Function
from ..dtypes import scalar_type_name
from ..registry import public
from ..tensor import Tensor
from .choose import choose
from .common import accumulation_dtype, as_tensor_arg, cast, wrap_dim
from .shape import clone


def _accumulate(fn, x: np.ndarray, dim: int, reverse: bool) -> np.ndarray:
    """fn.accumulate along dim (reversed: from the end), float16 accumulated in float32 and float32 in float64,
    like torch's CPU kernels."""
    acc = x.astype(accumulation_dtype(x.dtype, float32_to_float64=True), copy=False)
    if reverse:
        acc = np.flip(acc, dim)
    with np.errstate(all="ignore"):
        out = fn.accumulate(acc, axis=dim)
        return (np.flip(out, dim) if reverse else out).astype(x.dtype, copy=False)


def _edge(shape: tuple, dim: int, last: bool, dtype) -> np.ndarray:
    """1 at the first (or last) position along dim, 0 elsewhere."""
    mask = np.zeros(shape, dtype)
    index = [slice(None)] * len(shape)
    index[dim] = -1 if last else 0
    if shape[dim]:
        mask[tuple(index)] = 1
    return mask


# ---- private primitives -------------------------------------------------------------------------------------
class Shift(Function):
    """out[k] = x[k - steps] along dim, ``fill`` where k - steps falls outside: (affine) linear, its adjoint the
    reversed shift. Filling with a constant, rather than adding it after a zero fill, keeps the sign of a -0."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, dim, steps, fill=0):
        out = np.full_like(x, fill)
        n = x.shape[dim]
        if abs(steps) < n:
            src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
            if steps >= 0:
                dst[dim], src[dim] = slice(steps, None), slice(0, n - steps)
            else:
                dst[dim], src[dim] = slice(0, n + steps), slice(-steps, None)
            out[tuple(dst)] = x[tuple(src)]
        return out

    def vjp(ctx, g):
        return shift(g, ctx.dim, -ctx.steps)

    def jvp(ctx, dx):
        return shift(dx, ctx.dim, ctx.steps)


def shift(x: Tensor, dim: int, steps: int, fill=0) -> Tensor:
    return x if steps == 0 else Shift.apply(x, dim=dim, steps=steps, fill=fill)


def linear_recurrence(a: Tensor, b: Tensor, dim: int, reverse: bool = False) -> Tensor:
    """h with h_k = a_k·h_{k-1} + b_k and h_{-1} = 0 along dim (reverse: h_k = a_k·h_{k+1} + b_k, h_n = 0).

    Doubling scan (Hillis–Steele): after the step of stride s, B_k = Σ_{j in (k-2s, k]} b_j·Π_{j<i<=k} a_i and
    A_k = Π_{i in (k-2s, k]} a_i; ceil(log2 n) steps of refgrad mul/add/shift, no division. Positions whose
    window reaches before the start hold a wrong A_k, but it only ever multiplies the zeros shifted in there.
    """
    n = b.shape[dim]
    step = -1 if reverse else 1
    s = 1
    while s < n:
        b = b + a * shift(b, dim, step * s)
        if 2 * s < n:
            a = a * shift(a, dim, step * s)
        s *= 2
    return b


class Cumsum(Function):
    """Cumulative sum along dim; ``reverse`` sums from the end (cumsum's vjp)."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, dim, reverse):
        out = _accumulate(np.add, x, dim, reverse)
        if out.dtype.kind == "f":
            out += 0.0  # torch's running sum starts from +0.0, so it is never -0.0 (NumPy's starts from x[0])
        return out

    def vjp(ctx, g):
        return Cumsum.apply(g, dim=ctx.dim, reverse=not ctx.reverse)

    def jvp(ctx, dx):
        return Cumsum.apply(dx, dim=ctx.dim, reverse=ctx.reverse)


class Cumprod(Function):
    """Cumulative product along dim (``reverse``: from the end). With E_k the product of the elements before
    position k (``exclusive``), dy_k/dx_i = E_i·Π_{i<j<=k} x_j for i <= k, so

        vjp: grad_i = E_i·S_i with S_i = g_i + x_{i+1}·S_{i+1}   (a backward recurrence)
        jvp: t_k = x_k·t_{k-1} + E_k·dx_k                        (a forward recurrence)

    neither of which divides by x. In a slice (along dim) that holds no zero, torch's cumprod_backward and jvp
    divide instead (vjp: reversed_cumsum(y·g) / x, jvp: y·cumsum(dx / x)), so an inf element gets inf/inf = nan
    and an overflowing y gives inf: so do these, slice by slice, to place NaN and inf as torch does. Along a dim
    of size 1 torch's gradient is the cotangent itself (no division)."""

    def forward(ctx, x, dim, reverse):
        ctx.slice_has_zero = (x == 0).any(axis=dim, keepdims=True)
        return _accumulate(np.multiply, x, dim, reverse)

    def vjp(ctx, g):
        x, d, r = ctx.inputs[0], ctx.dim, ctx.reverse
        if x.shape[d] <= 1:
            return g
        dividing = Cumsum.apply(ctx.out * g, dim=d, reverse=not r) / x
        if not ctx.slice_has_zero.any():
            return dividing
        return choose(ctx.slice_has_zero, _cumprod_vjp_with_zeros(x, ctx.out, g, d, r), dividing)

    def jvp(ctx, dx):
        x, d, r = ctx.inputs[0], ctx.dim, ctx.reverse
        if x.shape[d] <= 1:
            return dx
        dividing = ctx.out * Cumsum.apply(dx / x, dim=d, reverse=r)
        if not ctx.slice_has_zero.any():
            return dividing
        exact = linear_recurrence(x, dx * _exclusive_from_inclusive(ctx.out, d, r), d, reverse=r)
        return choose(ctx.slice_has_zero, exact, dividing)


def _cumprod_vjp_with_zeros(x: Tensor, y: Tensor, g: Tensor, dim: int, reverse: bool) -> Tensor:
    """cumprod's vjp in a slice holding zeros, as torch's cumprod_backward computes it, which decides where NaN and
    inf land: positions before the first zero divide (reversed_cumsum(y·g) / x over them only), the first zero z1
    gets y_{z1-1}·Σ_{z1<=k<z2} g_k·Π_{z1<i<=k} x_i (z2 the second zero), and positions after it get 0."""
    zeros_so_far = _accumulate(np.add, (x._data == 0).astype(np.int64), dim, reverse)
    before, segment = zeros_so_far == 0, zeros_so_far == 1
    first_zero = segment & (x._data == 0)
    before_part = Cumsum.apply(choose(before, y * g, 0), dim=dim, reverse=not reverse) / choose(before, x, 1)
    running = Cumprod.apply(choose(segment & ~first_zero, x, 1), dim=dim, reverse=reverse)
    # summed over the whole slice as torch sums it, g zeroed outside the segment first: past the second zero the
    # running product may be inf, and its 0·inf = nan lands in the sum as in torch's
    segment_sum = (running * choose(segment, g, 0)).sum(dim, keepdim=True)
    at_first_zero = _exclusive_from_inclusive(y, dim, reverse) * segment_sum
    return choose(before, before_part, choose(first_zero, at_first_zero, 0))


def _exclusive_from_inclusive(y: Tensor, dim: int, reverse: bool) -> Tensor:
    """Π of the elements strictly before each position, from the inclusive cumulative product y. (Adding the
    edge's 1 to a zero-filled shift makes every zero +0, which is the sign torch's cumprod_backward gives the
    positions after a zero.)"""
    return shift(y, dim, -1 if reverse else 1) + Tensor(_edge(y.shape, dim, reverse, y.dtype))


def exclusive_cumprod(x: Tensor, dim: int, reverse: bool = False) -> Tensor:
    """E_k = Π_{j<k} x_j along dim (reverse: Π_{j>k}); 1 at the first (last) position. Used by prod's vjp. The
    1 is filled in by the shift, so that a product that is -0 stays -0, as torch's prod_backward."""
    return shift(Cumprod.apply(x, dim=dim, reverse=reverse), dim, -1 if reverse else 1, fill=1)


class Logcumsumexp(Function):
    """y_k = log Σ_{j<=k} exp(x_j), accumulated pairwise with logaddexp (stable). With w_jk = exp(x_j - y_k):

        vjp: grad_i = exp(x_i - y_i)·T_i,   T_i = g_i + exp(y_i - y_{i+1})·T_{i+1}
        jvp: t_k = exp(y_{k-1} - y_k)·t_{k-1} + exp(x_k - y_k)·dx_k

    y is non-decreasing, so every factor exp(y_i - y_{i+1}) <= 1 and nothing overflows. Where y is infinite
    on both sides (after a +inf element, or among leading -inf ones) that factor is inf - inf: it is taken as 1,
    so that only the positions whose own weight exp(x_i - y_i) is inf - inf get NaN, as in torch (a +inf
    element, leading -inf entries), and the positions before a +inf element keep their finite gradient. A 0-d
    input is the identity (gradient 1 even at -inf, as torch, which returns the cotangent unchanged there)."""

    def forward(ctx, x, dim):
        return x.copy() if x.ndim == 0 else _accumulate(np.logaddexp, x, dim, False)

    def vjp(ctx, g):
        x, y, d = ctx.inputs[0], ctx.out, ctx.dim
        if x.ndim == 0:
            return g
        with np.errstate(invalid="ignore"):  # -inf - -inf at leading -inf entries: NaN, as in torch
            decay = _decay(y, _neighbour(y, d, -1))
            return (x - y).exp() * linear_recurrence(decay, g, d, reverse=True)

    def jvp(ctx, dx):
        x, y, d = ctx.inputs[0], ctx.out, ctx.dim
        if x.ndim == 0:
            return dx
        with np.errstate(invalid="ignore"):
            decay = _decay(_neighbour(y, d, 1), y)
            return linear_recurrence(decay, (x - y).exp() * dx, d)


def _decay(earlier: Tensor, later: Tensor) -> Tensor:
    """exp(earlier - later) for the running log-sums y, 1 where both are the same infinity (see Logcumsumexp)."""
    same_infinity = np.isinf(earlier._data) & (earlier._data == later._data)
    if not same_infinity.any():
        return (earlier - later).exp()
    return choose(same_infinity, 0.0, earlier - later).exp()


def _neighbour(y: Tensor, dim: int, steps: int) -> Tensor:
    """y shifted by steps along dim, the edge position left holding its own (constant) value so that the
    factor exp(y - neighbour) is exp(0) there rather than an overflow (it multiplies a zero anyway)."""
    edge = _edge(y.shape, dim, steps < 0, bool)
    return shift(y, dim, steps) + Tensor(np.where(edge, y._data, 0).astype(y.dtype))


# ---- public functions ---------------------------------------------------------------------------------------
def _scan_dim(dim, ndim: int, name: str) -> int:
    if not isinstance(dim, (int, np.integer)) or isinstance(dim, bool):
        raise TypeError(f"{name}(): argument 'dim' must be int, not {type(dim).__name__}")
    return wrap_dim(dim, ndim)


def _scan(fn, x: Tensor, dim: int, **params) -> Tensor:
    """Applies a scan primitive; a 0-d tensor is scanned as one element."""
    if x.ndim == 0:
        return fn.apply(x.reshape(1), dim=0, **params).reshape(())
    return fn.apply(x, dim=dim, **params)


def _integer_to_int64(x: Tensor, dtype) -> Tensor:
    """torch's cumsum/cumprod: dtype casts the input first; integer and bool inputs accumulate in int64."""
    if dtype is not None:
        return cast(x, dtype)
    return cast(x, np.int64) if x.dtype.kind in "biu" else x


def _inplace_scan(name: str, primitive: type[Function]):
    """What x.cumsum_(dim) / x.cumprod_(dim) compute: the scan in x's own dtype (no int64 accumulation, as an
    in-place result keeps x's dtype); torch refuses a dtype argument other than x's, and non-empty bool
    tensors of one dimension or more (its kernel has no bool version)."""

    def inplace(input, dim: int, *, dtype=None) -> Tensor:
        if dtype is not None and np.dtype(dtype) != input.dtype:
            raise RuntimeError(f"Bad in-place call: input tensor dtype {scalar_type_name(input.dtype)} and output "
                               f"tensor dtype {scalar_type_name(dtype)} should match")
        if input.dtype.kind == "b" and input.ndim > 0 and input.numel() > 0:  # torch copies 0-d and empty ones
            raise NotImplementedError(f'"{name}_out_cpu" not implemented for \'Bool\'')
        return _scan(primitive, input, _scan_dim(dim, input.ndim, name), reverse=False)

    return inplace


@public(method=True, inplace=_inplace_scan("cumsum", Cumsum))
def cumsum(input, dim: int, *, dtype=None) -> Tensor:
    """torch.cumsum"""
    x = as_tensor_arg(input)
    d = _scan_dim(dim, x.ndim, "cumsum")
    x = _integer_to_int64(x, dtype)
    if x.ndim == 0:  # torch copies a 0-d input (a -0.0 stays -0.0: no running sum from +0.0)
        return clone(x)
    return _scan(Cumsum, x, d, reverse=False)


@public(method=True, inplace=_inplace_scan("cumprod", Cumprod))
def cumprod(input, dim: int, *, dtype=None) -> Tensor:
    """torch.cumprod. Its gradient is exact where the input has zeros (no division by the input)."""
    x = as_tensor_arg(input)
    d = _scan_dim(dim, x.ndim, "cumprod")
    return _scan(Cumprod, _integer_to_int64(x, dtype), d, reverse=False)


@public(method=True)
def logcumsumexp(input, dim: int) -> Tensor:
    """torch.logcumsumexp (floating inputs only, as in torch)."""
    x = as_tensor_arg(input)
    d = _scan_dim(dim, x.ndim, "logcumsumexp")
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"logcumsumexp_out_cpu" not implemented for \'{scalar_type_name(x.dtype)}\'')
    return Logcumsumexp.apply(x, dim=d)
