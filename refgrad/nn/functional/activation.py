"""Activation functions (torch.nn.functional, also torch.<name> and Tensor methods where torch has them).

Each elementwise activation with a fused kernel in torch is one ``Elementwise`` primitive: its forward is torch's
formula in NumPy (the same branches, so NaN, ±inf and signed zeros come out as torch's), its derivative ``d_x`` is
torch's backward formula in refgrad ops, so it differentiates again. At a kink the derivative is torch's choice
there, selected by a constant mask with ``choose`` (the unchosen branch gets exactly 0): relu6/hardtanh 0 at
both bounds, leaky_relu the slope at 0, elu/selu/celu the exponential branch at 0, threshold 0 at the
threshold, hard/softshrink 0 at ±lambd, hardsigmoid 0 and hardswish 0 / 1 at -3 / 3; NaN takes the branch
torch's comparison sends it to. Where torch's double backward is a formula of its own (logsigmoid, softplus,
gelu), the first derivative is a primitive too (``_LogSigmoidSlope``, ``_SoftplusSlope``, ``_GeluSlope``) whose
derivative is that formula. softsign, tanhshrink and softmin are compositions, as in torch; glu and prelu are
primitives whose vjps are torch's backward formulas in refgrad ops (the order of glu's products, prelu's mixed
second derivatives). rrelu's training mode draws its slopes from refgrad's generator.

softmax and log_softmax subtract the max along ``dim`` before exponentiating (no overflow), and their vjp/jvp
are closed forms in the output: softmax' g = (g - Σ g·s) · s (one primitive, SoftmaxGrad), log_softmax' g =
g - exp(out) · Σ g.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..._grad_state import state as _grad_state
from ..._rows import rowwise
from ...arguments import int_arg, number_arg
from ...autograd import Function
from ...autograd.bases import Elementwise, Linear
from ...autograd.donated import overwritable
from ...autograd.function import quiet
from ...dtypes import scalar_type_name
from ...ops._erf import erf_array
from ...ops.choose import choose, select
from ...ops.common import as_tensor_arg, cast, wrap_dim
from ...ops.reduction import summed_products
from ...ops.shape import cat, narrow
from ...ops.unary import exp, log1p, sigmoid, tanh
from ...random import Generator, rand
from ...registry import public
from ...tensor import Tensor


class Relu(Function):
    """max(x, 0) as torch computes it: 0 where x < 0, else x itself (NaN stays NaN, -0 stays -0). The derivative
    is torch's threshold_backward: 0 where the output is <= 0 (also at the kink), else 1 (1 at NaN too)."""

    saves = ("out",)

    def forward(ctx, x):
        if x.dtype in _MAXIMUM_KEEPS_X_ON_TIES:  # one SIMD pass, where select's bit selection takes three
            return np.maximum(x.dtype.type(0), x)
        return select(x < 0, x.dtype.type(0), x)

    def vjp(ctx, g):
        if not _grad_state["record"] and not _grad_state["forward_ad"]:
            # a first-order backward: the selection alone, without an op's bookkeeping (11k of the 60k instructions
            # of a (16, 64) relu's backward), as nothing would read its node or tangent (select is quiet). An output
            # is >= 0 or NaN, so "not <= 0" is "!= 0": g where it passes, in one pass less
            return Tensor._over(select(ctx.out._data != 0, g._data, g._data.dtype.type(0)))
        return _ZeroWhere.apply(g, mask=_blocked(ctx.out))

    def jvp(ctx, dx):
        return _ZeroWhere.apply(dx, mask=_blocked(ctx.out))


def _maximum_keeps_x_on_ties(dtype: np.dtype) -> bool:
    """Whether np.maximum(0, x) gives x itself where x is -0 (0 where x < 0, NaN where x is NaN: NumPy's documented
    rules), so that it is relu exactly. NumPy returns its second operand on a tie for float32 and float64 but its
    first for float16 (NumPy 2.4, AVX-512); its SIMD loops and their scalar tails may differ, so this probes both,
    contiguous and strided, once per dtype."""
    negative_zeros = np.full(67, -0.0, dtype)
    return all(np.signbit(np.maximum(dtype.type(0), z)).all() for z in (negative_zeros, negative_zeros[::3]))


_MAXIMUM_KEEPS_X_ON_TIES = frozenset(
    dt for dt in map(np.dtype, (np.float32, np.float64)) if _maximum_keeps_x_on_ties(dt))


class _ZeroWhere(Linear):
    """g with exact zeros where the constant bool ``mask`` is True, else g (an inf or nan there gives 0 too): relu's
    vjp as one op of one input, as torch's threshold_backward, where choose(mask, 0, g) makes the 0 a tensor and
    records two. Linear in g: its vjp is itself (and its jvp, by the base)."""
    saves = ()  # backward reads the mask only
    params = ("mask",)

    def forward(ctx, g, mask):
        return select(mask, g.dtype.type(0), g)

    def vjp(ctx, v):
        return _ZeroWhere.apply(v, mask=ctx.mask)


def _blocked(out: Tensor) -> np.ndarray:
    """The constant mask "out <= 0", where no gradient passes: True at the kink x == 0 and False at NaN, as torch's
    threshold_backward (which selects, so an inf or nan cotangent where the input is <= 0 still gives 0)."""
    return out._data <= 0


def exp_shifted(x: np.ndarray, top: np.ndarray) -> np.ndarray:
    """exp(x - top), top being x's max along a dim, kept as a dim of 1: softmax's numerator, in one new array."""
    e = rowwise(np.subtract, x, top)
    return np.exp(e, out=e)


class Softmax(Function):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x, dim):
        e = exp_shifted(x, np.maximum.reduce(x, axis=dim, keepdims=True, initial=-np.inf))
        return rowwise(np.true_divide, e, np.add.reduce(e, axis=dim, keepdims=True), out=e)

    def vjp(ctx, g):
        return SoftmaxGrad.apply(g, ctx.out, dim=ctx.dim, overwrite=overwritable(g))

    def jvp(ctx, dx):
        return SoftmaxGrad.apply(dx, ctx.out, dim=ctx.dim)  # softmax's Jacobian is symmetric


class SoftmaxGrad(Function):
    """(g - Σ g·s)·s along ``dim``: softmax's vjp (and jvp) at the output s, as torch's _softmax_backward_data
    computes it, one primitive instead of four ops (softmax's and attention's safe softmax's). Its own vjp and jvp
    are refgrad ops, so gradients of any order follow: with c = Σ g·s, ∂/∂g is the same map, and the vjp in s is
    u·(g - c) - g·Σ u·s. ``overwrite``: written into g, a cotangent that backward donated (autograd/donated.py)."""

    saves = ("inputs",)

    def forward(ctx, g, s, dim, overwrite=False):
        out = rowwise(np.subtract, g, _row_dot(g, s, dim), out=g if overwrite else None)
        out *= s
        return out

    def vjp(ctx, u):
        g, s = ctx.inputs
        grad_g = SoftmaxGrad.apply(u, s, dim=ctx.dim) if ctx.needs_input_grad[0] else None
        grad_s = None
        if ctx.needs_input_grad[1]:
            c = (g * s).sum(dim=ctx.dim, keepdim=True)
            grad_s = u * (g - c) - g * (u * s).sum(dim=ctx.dim, keepdim=True)
        return grad_g, grad_s

    def jvp(ctx, dg, ds):
        g, s = ctx.inputs
        c = (g * s).sum(dim=ctx.dim, keepdim=True)
        return SoftmaxGrad.apply(dg, s, dim=ctx.dim) + ds * (g - c) - s * (g * ds).sum(dim=ctx.dim, keepdim=True)


def _row_dot(g: np.ndarray, s: np.ndarray, dim: int) -> np.ndarray:
    """Σ g·s along dim, kept as a dim of 1: float32 / float64 in one einsum pass (summed_products), in its own order
    as torch's kernel sums in its own; float16 in float32, as torch accumulates it."""
    if g.dtype in (np.float32, np.float64) and g.dtype == s.dtype and g.ndim <= 52:  # (einsum's subscripts)
        return summed_products((dim,), g, s)
    return np.add.reduce(np.multiply(g, s, dtype=np.promote_types(g.dtype, np.float32)), axis=dim,
                         keepdims=True).astype(g.dtype, copy=False)


class LogSoftmax(Function):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x, dim):
        shifted = rowwise(np.subtract, x, np.maximum.reduce(x, axis=dim, keepdims=True, initial=-np.inf))
        return rowwise(np.subtract, shifted, np.log(np.add.reduce(np.exp(shifted), axis=dim, keepdims=True)),
                       out=shifted)

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
    if x._data.dtype.kind == "b":
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


def _softmax_like(fn, name: str, input, dim, dtype, stacklevel, negate: bool = False) -> Tensor:
    """fn (Softmax or LogSoftmax) along dim of input cast to dtype; of -input for softmin (negate)."""
    if stacklevel is not None and not isinstance(stacklevel, int):  # torch.softmax(x, dim, dtype): 3rd is dtype
        dtype, stacklevel = stacklevel, 3
    x = as_tensor_arg(input)
    d = wrap_dim(_softmax_dim(name, x.ndim, dim, stacklevel + 1), x.ndim)
    if negate:  # torch's softmin: (-input).softmax(dim, dtype=dtype), so negated before the cast
        x = -x
    if dtype is not None:
        x = cast(x, dtype)
    if x.dtype.kind != "f":
        kernel = "log_softmax" if fn is LogSoftmax else "softmax"
        raise NotImplementedError(f'"{kernel}_lastdim_kernel_impl" not implemented for \'{scalar_type_name(x.dtype)}\'')
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


@public(namespace="nn.functional")
def softmin(input, dim=None, _stacklevel: int = 3, dtype=None):
    """torch.nn.functional.softmin: softmax(-input) along dim (dtype casts -input first, dim=None is torch's
    deprecated implicit choice with its warning, as softmax)."""
    return _softmax_like(Softmax, "softmin", input, dim, dtype, _stacklevel, negate=True)


# ---- shared helpers -----------------------------------------------------------------------------------------
def _float_input(input, kernel: str) -> Tensor:
    """The tensor argument of an activation that has floating kernels only: torch's NotImplementedError, naming
    its kernel, for integer and bool tensors."""
    x = as_tensor_arg(input)
    if x.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for \'{scalar_type_name(x.dtype)}\'')
    return x


def _composite_input(input, attribute: str) -> Tensor:
    """The argument of an activation torch writes in Python as ``input.<attribute>()``: anything that is neither
    a tensor nor an ndarray fails there with torch's AttributeError."""
    if isinstance(input, (Tensor, np.ndarray)):
        return as_tensor_arg(input)
    raise AttributeError(f"'{type(input).__name__}' object has no attribute '{attribute}'")


def _in_dtype(dtype: np.dtype, *values) -> list[float]:
    """Scalar arguments as torch's float kernels use them: rounded to the input's dtype (then a Python float
    again, so that refgrad ops keep a float32 tensor float32)."""
    return [float(dtype.type(v)) for v in values]


# ---- piecewise linear: relu6, hardtanh, leaky_relu, threshold, hardshrink, softshrink -------------------------
class Hardtanh(Elementwise):
    """clamp(x, min_val, max_val), x kept where it equals a bound (-0.0 stays -0.0) and NaN kept; derivative as
    torch's hardtanh_backward: 0 at and beyond the bounds, 1 strictly inside and at NaN."""

    saves = ()  # backward reads the mask saved by forward

    def forward(ctx, x, *, min_val, max_val):
        lo, hi = (x.dtype.type(v) for v in (min_val, max_val))
        ctx.outside = (x <= lo) | (x >= hi)
        at_least_lo = select(x < lo, lo, x)  # min(max(x, lo), hi), as torch's clamp (also for lo > hi)
        return select(at_least_lo > hi, hi, at_least_lo)

    def d_x(ctx, v):
        return choose(ctx.outside, 0, v)


class LeakyRelu(Elementwise):
    """x where x > 0, else x·negative_slope; derivative 1 / negative_slope (the slope at 0 and at NaN, as torch)."""

    saves = ()  # backward reads the mask saved by forward

    def forward(ctx, x, *, negative_slope):
        ctx.positive = x > 0
        slope = x.dtype.type(negative_slope)
        scaled = x * slope
        if 0 < slope <= 1:  # then x·slope is below x where x > 0, above it where x < 0, and the same bits at ±0
            # and NaN: leaky_relu is the larger of the two, one pass
            return np.maximum(x, scaled, out=scaled) if type(scaled) is np.ndarray else np.maximum(x, scaled)
        return select(ctx.positive, x, scaled)

    def d_x(ctx, v):
        return choose(ctx.positive, v, v * _in_dtype(v.dtype, ctx.negative_slope)[0])


class Threshold(Elementwise):
    """value where x <= threshold, else x (NaN kept); derivative 0 at and below the threshold (torch's
    threshold_backward), 1 above it and at NaN."""

    saves = ()  # backward reads the mask saved by forward

    def forward(ctx, x, *, threshold, value):
        th, val = (x.dtype.type(v) for v in (threshold, value))
        ctx.replaced = x <= th
        return select(ctx.replaced, val, x)

    def d_x(ctx, v):
        return choose(ctx.replaced, 0, v)


class Hardshrink(Elementwise):
    """0 where -lambd <= x <= lambd, else x; derivative 0 on that closed interval, 1 outside it and at NaN."""

    saves = ()  # backward reads the mask saved by forward

    def forward(ctx, x, *, lambd):
        lam = x.dtype.type(lambd)
        ctx.zeroed = (x >= -lam) & (x <= lam)
        return select(ctx.zeroed, x.dtype.type(0), x)

    def d_x(ctx, v):
        return choose(ctx.zeroed, 0, v)


class Softshrink(Elementwise):
    """x - lambd above lambd, x + lambd below -lambd, x·0 between (so -0.0 for a negative x, as torch); derivative
    0 on the closed interval [-lambd, lambd] (torch's softshrink_backward), 1 outside it and at NaN."""

    saves = ()  # backward reads the mask saved by forward

    def forward(ctx, x, *, lambd):
        lam = x.dtype.type(lambd)
        ctx.zeroed = (x >= -lam) & (x <= lam)
        return select(x > lam, x - lam, select(x < -lam, x + lam, x * 0))

    def d_x(ctx, v):
        return choose(ctx.zeroed, 0, v)


# ---- exponential linear units: elu, selu, celu ----------------------------------------------------------------
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def _elu_coefficients(dtype: np.dtype, alpha: float, scale: float, input_scale: float) -> list[float]:
    """torch's elu kernel constants, formed in the input's dtype: negcoef = alpha·scale, poscoef = scale,
    negiptcoef = input_scale."""
    t = dtype.type
    return [float(c) for c in (t(alpha) * t(scale), t(scale), t(input_scale))]


class Elu(Elementwise):
    """torch's elu kernel, behind elu, selu and celu: expm1(x·input_scale)·alpha·scale for x <= 0, x·scale
    above. Derivative torch's elu_backward: input_scale·alpha·scale·exp(x·input_scale) for x <= 0 (so alpha·scale
    ·input_scale at 0), scale above and at NaN; its own derivative is 0 at x = 0, as torch's."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, *, alpha, scale, input_scale):
        negcoef, poscoef, negiptcoef = _elu_coefficients(x.dtype, alpha, scale, input_scale)
        return select(x <= 0, np.expm1(x * negiptcoef) * negcoef, x * poscoef)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        negcoef, poscoef, negiptcoef = _elu_coefficients(x.dtype, ctx.alpha, ctx.scale, ctx.input_scale)
        # exp only of the x < 0 side, x = 0 elsewhere: exp(x) of a large positive x would be inf, and its zero
        # cotangent times inf a NaN in the second derivative; and the second derivative is torch's
        # elu_double_backward, which is 0 at x = 0 itself (its mask is x < 0)
        x_negative = choose(x._data < 0, x, 0)
        return choose(x._data <= 0, v * negiptcoef * negcoef * exp(x_negative * negiptcoef), v * poscoef)


# ---- smooth: logsigmoid, softplus, silu, mish, gelu -----------------------------------------------------------
class LogSigmoid(Elementwise):
    """min(x, 0) - log1p(exp(-|x|)), as torch's log_sigmoid kernel: no overflow for any x (-inf at -inf, 0 at inf)."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def d_x(ctx, v):
        return v * _LogSigmoidSlope.apply(ctx.inputs[0])


class _LogSigmoidSlope(Elementwise):
    """logsigmoid'(x) = sigmoid(-x) as torch's log_sigmoid_backward forms it: with z = exp(-|x|), 1 - z/(1 + z)
    for x < 0, z/(1 + z) otherwise (finite everywhere, NaN at NaN). Its derivative is torch's
    log_sigmoid_double_backward, (sigmoid(x) - 1)·sigmoid(x)."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        z = np.exp(-np.abs(x))
        s = z / (1 + z)
        return select(x < 0, 1 - s, s)

    def d_x(ctx, v):
        s = sigmoid(ctx.inputs[0])
        return v * (s - 1) * s


class Softplus(Elementwise):
    """log1p(exp(beta·x))/beta, and x itself where beta·x > threshold (torch's linear regime: no overflow)."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, *, beta, threshold):
        b, th = (x.dtype.type(v) for v in (beta, threshold))
        xb = x * b
        # (np.where, not select: past the threshold is rare, so its branch predicts, where select costs three passes)
        return np.where(xb > th, x, np.log1p(np.exp(xb)) / b)

    def d_x(ctx, v):
        return v * _SoftplusSlope.apply(ctx.inputs[0], beta=ctx.beta, threshold=ctx.threshold)


class _SoftplusSlope(Elementwise):
    """softplus'(x) as torch's softplus_backward: 1 where beta·x > threshold, else z/(z + 1) with z = exp(beta·x).
    Its derivative is torch's softplus_double_backward: beta·sigmoid'(beta·x) where beta·x < threshold (strictly:
    0 at the threshold itself, as torch), else 0."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, *, beta, threshold):
        b, th = (x.dtype.type(v) for v in (beta, threshold))
        xb = x * b
        z = np.exp(xb)
        return np.where(xb > th, x.dtype.type(1), z / (z + 1))  # (np.where: as softplus's forward)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        beta, threshold = _in_dtype(x.dtype, ctx.beta, ctx.threshold)
        s = sigmoid(x * beta)
        return choose(x._data * x.dtype.type(beta) < threshold, v * (1 - s) * s, 0) * beta


class Silu(Elementwise):
    """x / (1 + exp(-x)), as torch's silu kernel; derivative s·(1 + x·(1 - s)) with s = sigmoid(x), as torch's
    silu_backward (NaN at ±inf, as torch)."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return x / (1 + np.exp(-x))

    def d_x(ctx, v):
        x = ctx.inputs[0]
        if (not _grad_state["record"] and not _grad_state["forward_ad"] and v._data.shape == x._data.shape
                and v._data.dtype == x._data.dtype and x._data.dtype.char in "fd"):
            # a first-order backward: the same operations, in NumPy (float16's ops round in float32 first: not here)
            return Tensor._over(_silu_backward(v._data, x._data))
        s = sigmoid(x)
        return v * s * (1 + x * (1 - s))


@quiet  # (exp(-x) overflows to inf for a very negative x, silently, as in a forward)
def _silu_backward(g: np.ndarray, x: np.ndarray) -> np.ndarray:
    """g·s·(1 + x·(1 - s)), s = 1 / (1 + exp(-x)): Silu's derivative as its refgrad ops compute it, to the bit, written
    into two arrays instead of an op and an array per step."""
    s, slope = np.empty_like(x), np.empty_like(x)  # (arrays, also for a 0-d x: a ufunc would make NumPy scalars)
    np.negative(x, out=s)
    np.exp(s, out=s)
    np.add(s, 1, out=s)
    np.divide(1, s, out=s)  # sigmoid(x), as refgrad's sigmoid computes it
    np.subtract(1, s, out=slope)
    np.multiply(slope, x, out=slope)
    np.add(slope, 1, out=slope)
    np.multiply(g, s, out=s)
    return np.multiply(s, slope, out=s)


class Mish(Elementwise):
    """x·tanh(log1p(exp(x))), as torch's mish kernel (no linear regime: exp overflows to inf, tanh(inf) = 1);
    derivative t + x·s·(1 - t²) with t = tanh(softplus(x)), s = sigmoid(x), as torch's mish_backward."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return x * np.tanh(np.log1p(np.exp(x)))

    def d_x(ctx, v):
        x = ctx.inputs[0]
        s, t = sigmoid(x), tanh(log1p(exp(x)))
        return v * (t + x * s * (1 - t * t))


_SQRT1_2 = 0.7071067811865476  # M_SQRT1_2
_GELU_PDF = 0.3989422804014327  # M_2_SQRTPI·M_SQRT1_2·0.5 = 1/sqrt(2 pi): the standard normal density at 0
_GELU_TANH_BETA = 0.7978845608028654  # M_SQRT2·M_2_SQRTPI·0.5 = sqrt(2/pi)
_GELU_TANH_KAPPA = 0.044715


class Gelu(Elementwise):
    """torch's gelu kernel: x·0.5·(1 + erf(x/√2)) (approximate='none'), or 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715
    x³))) ('tanh'). Its derivative is ``_GeluSlope`` times v, which reuses the erf (or tanh) of this forward
    rather than computing it again."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, *, approximate):
        t = x.dtype.type
        if approximate == "tanh":
            ctx.shared = np.tanh(t(_GELU_TANH_BETA) * (x + t(_GELU_TANH_KAPPA) * (x * x * x)))
            return t(0.5) * x * (1 + ctx.shared)
        ctx.shared = erf_array(x * t(_SQRT1_2))
        return x * t(0.5) * (1 + ctx.shared)

    def d_x(ctx, v):
        return v * _GeluSlope.apply(ctx.inputs[0], approximate=ctx.approximate, shared=ctx.shared)


class _GeluSlope(Elementwise):
    """gelu'(x) as torch's gelu_backward forms it, from the erf(x/√2) (or tanh of the inner term) its forward
    computed (``shared``): cdf + x·pdf with cdf = 0.5·(1 + erf(x/√2)), pdf = exp(-x²/2)/√(2π) ('none'), or
    0.5·(1 + t) + 0.5·x·(1 - t²)·√(2/π)·(1 + 3·0.044715·x²) ('tanh'). Its derivative, gelu'', is the derivative
    of that formula (torch's gelu_double_backward): pdf·(2 - x²), or (1 - t²)·(u - x·t·u² + 3·√(2/π)·0.044715·x²)
    with u = √(2/π)·(1 + 3·0.044715·x²), written in refgrad ops."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, *, approximate, shared):
        t = x.dtype.type
        half = t(0.5)
        if approximate == "tanh":
            inner_derivative = t(_GELU_TANH_BETA) * (1 + t(3 * _GELU_TANH_KAPPA) * (x * x))
            return half * (1 + shared) + half * x * (1 - shared * shared) * inner_derivative
        pdf = np.exp(t(-0.5) * x * x) * t(_GELU_PDF)
        return half * (1 + shared) + x * pdf

    def d_x(ctx, v):
        x = ctx.inputs[0]
        x_sq = x * x
        if ctx.approximate == "tanh":
            tanh_inner = tanh(_GELU_TANH_BETA * (x + _GELU_TANH_KAPPA * (x_sq * x)))
            u = _GELU_TANH_BETA * (1 + 3 * _GELU_TANH_KAPPA * x_sq)
            return v * (1 - tanh_inner * tanh_inner) * (u - x * tanh_inner * (u * u) + 3 * _GELU_TANH_BETA *
                                                         _GELU_TANH_KAPPA * x_sq)
        return v * (exp(-0.5 * x_sq) * _GELU_PDF) * (2 - x_sq)


# ---- hard sigmoid and hard swish --------------------------------------------------------------------------------
class Hardsigmoid(Elementwise):
    """min(max(x + 3, 0), 6) / 6; derivative 1/6 strictly inside (-3, 3), 0 at ±3, beyond and at NaN (torch's
    hardsigmoid_backward)."""

    saves = ()  # backward reads the mask saved by forward

    def forward(ctx, x):
        ctx.inside = (x > -3) & (x < 3)
        return np.minimum(np.maximum(x + 3, x.dtype.type(0)), x.dtype.type(6)) / 6

    def d_x(ctx, v):
        # 1/6 in v's dtype. torch multiplies by 1/6 rounded to float32 in every dtype (0.1666666716337204 in
        # float64, 3e-8 off): refgrad does not copy that
        return choose(ctx.inside, v * _in_dtype(v.dtype, 1 / 6)[0], 0)


class Hardswish(Elementwise):
    """x·min(max(x + 3, 0), 6) / 6; derivative (torch's hardswish_backward) 0 at and below -3, x/3 + 1/2 strictly
    between -3 and 3, 1 from 3 on and at NaN."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return x * np.minimum(np.maximum(x + 3, x.dtype.type(0)), x.dtype.type(6)) / 6

    def d_x(ctx, v):
        x = ctx.inputs[0]
        a = x._data
        return choose(a <= -3, 0, choose(a < 3, v * (x / 3 + 0.5), v))


# ---- public functions: group 1 ------------------------------------------------------------------------------------
def _bool_refused(x: Tensor, name: str) -> Tensor:
    if x.dtype.kind == "b":
        raise RuntimeError(f"Bool inputs not supported for {name}")
    return x


@public(namespace="nn.functional")
def hardtanh(input, min_val: float = -1.0, max_val: float = 1.0, inplace: bool = False):
    """torch.nn.functional.hardtanh: clamp(input, min_val, max_val); integer tensors keep their dtype (the bounds
    truncated to it, as torch), bool is refused. inplace=True is hardtanh_."""
    min_val, max_val = number_arg(min_val, "min_val", 2, "hardtanh"), number_arg(max_val, "max_val", 3, "hardtanh")
    if min_val > max_val:
        raise ValueError("min_val cannot be greater than max_val")
    if inplace:
        return hardtanh_(input, min_val, max_val)
    return _hardtanh(input, min_val, max_val)


@public(namespace="nn.functional")
def hardtanh_(input, min_val: float = -1.0, max_val: float = 1.0):
    """torch.nn.functional.hardtanh_: hardtanh in place (under no_grad, or on tensors outside a graph). As
    torch's, it does not check min_val <= max_val (the result is then max_val everywhere but NaN)."""
    x = as_tensor_arg(input)
    return x._inplace(lambda t: _hardtanh(t, min_val, max_val, "hardtanh_"))


def _hardtanh(input, min_val, max_val, name: str = "hardtanh") -> Tensor:
    min_val, max_val = number_arg(min_val, "min_val", 2, name), number_arg(max_val, "max_val", 3, name)
    x = _bool_refused(as_tensor_arg(input), "hardtanh")
    return Hardtanh.apply(x, min_val=min_val, max_val=max_val)


@public(namespace="nn.functional")
def relu6(input, inplace: bool = False):
    """torch.nn.functional.relu6: hardtanh(input, 0, 6) (derivative 0 at 0 and at 6, as torch)."""
    return hardtanh_(input, 0.0, 6.0) if inplace else _hardtanh(input, 0.0, 6.0)


@public(namespace="nn.functional")
def leaky_relu(input, negative_slope: float = 0.01, inplace: bool = False):
    """torch.nn.functional.leaky_relu: input where > 0, else input·negative_slope (the slope is the derivative at 0,
    as torch). inplace=True is leaky_relu_."""
    if inplace:
        return leaky_relu_(input, negative_slope)
    x = _float_input(input, "leaky_relu_cpu")
    return LeakyRelu.apply(x, negative_slope=number_arg(negative_slope, "negative_slope", 2, "leaky_relu"))


@public(namespace="nn.functional")
def leaky_relu_(input, negative_slope: float = 0.01):
    """torch.nn.functional.leaky_relu_: leaky_relu in place."""
    x = as_tensor_arg(input)
    return x._inplace(lambda t: leaky_relu(t, negative_slope))


@public(namespace="nn.functional", also=("threshold",))
def threshold(input, threshold: float, value: float, inplace: bool = False):
    """torch.nn.functional.threshold (also torch.threshold): value where input <= threshold, else input. Integer
    tensors keep their dtype (threshold and value truncated to it, as torch). inplace=True is threshold_."""
    if inplace:
        return threshold_(input, threshold, value)
    return _threshold(input, threshold, value, "threshold")


@public(namespace="nn.functional", also=("threshold_",))
def threshold_(input, threshold: float, value: float):
    """torch.nn.functional.threshold_ (also torch.threshold_): threshold in place."""
    x = as_tensor_arg(input)
    return x._inplace(lambda t: _threshold(t, threshold, value, "threshold_"))


def _threshold(input, threshold, value, name: str) -> Tensor:
    threshold, value = number_arg(threshold, "threshold", 2, name), number_arg(value, "value", 3, name)
    x = as_tensor_arg(input)
    if x.dtype.kind == "b":
        raise NotImplementedError("\"threshold_cpu\" not implemented for 'Bool'")
    return Threshold.apply(x, threshold=threshold, value=value)


def _elu(input, alpha, scale, input_scale, inplace: bool) -> Tensor:
    """torch's elu kernel (elu, selu, celu and their in-place forms)."""
    if inplace:
        x = as_tensor_arg(input)
        return x._inplace(lambda t: _elu(t, alpha, scale, input_scale, False))
    x = _float_input(input, "elu_cpu")
    return Elu.apply(x, alpha=alpha, scale=scale, input_scale=input_scale)


@public(namespace="nn.functional")
def elu(input, alpha: float = 1.0, inplace: bool = False):
    """torch.nn.functional.elu: input for input > 0, alpha·expm1(input) otherwise (derivative alpha at 0, as
    torch). inplace=True is elu_."""
    return _elu(input, number_arg(alpha, "alpha", 2, "elu"), 1.0, 1.0, inplace)


@public(namespace="nn.functional")
def elu_(input, alpha: float = 1.0):
    """torch.nn.functional.elu_: elu in place."""
    return _elu(input, number_arg(alpha, "alpha", 2, "elu_"), 1.0, 1.0, True)


@public(namespace="nn.functional", also=("selu",))
def selu(input, inplace: bool = False):
    """torch.nn.functional.selu (also torch.selu): scale·elu(input, alpha) with torch's SELU constants."""
    return _elu(input, SELU_ALPHA, SELU_SCALE, 1.0, inplace)


@public(namespace="nn.functional", also=("selu_",))
def selu_(input):
    """torch.nn.functional.selu_ (also torch.selu_): selu in place."""
    return _elu(input, SELU_ALPHA, SELU_SCALE, 1.0, True)


def _celu_alpha(alpha, name: str) -> float:
    alpha = number_arg(alpha, "alpha", 2, name)
    if alpha == 0:
        raise RuntimeError("ZeroDivisionError: alpha cannot be 0 for CELU")
    return alpha


@public(namespace="nn.functional", also=("celu",))
def celu(input, alpha: float = 1.0, inplace: bool = False):
    """torch.nn.functional.celu (also torch.celu): max(0, x) + min(0, alpha·expm1(x/alpha)), torch's elu kernel
    with input_scale 1/alpha (formed in float64, then rounded to the input's dtype, as torch)."""
    alpha = _celu_alpha(alpha, "celu")
    return _elu(input, alpha, 1.0, 1.0 / alpha, inplace)


@public(namespace="nn.functional", also=("celu_",))
def celu_(input, alpha: float = 1.0):
    """torch.nn.functional.celu_ (also torch.celu_): celu in place."""
    alpha = _celu_alpha(alpha, "celu_")
    return _elu(input, alpha, 1.0, 1.0 / alpha, True)


@public(namespace="nn.functional", also=("hardshrink",), method=True)
def hardshrink(input, lambd: float = 0.5):
    """torch.nn.functional.hardshrink (also torch.hardshrink, Tensor.hardshrink): 0 on [-lambd, lambd], else
    input (a negative lambd shrinks nothing, as torch)."""
    x = _float_input(input, "hardshrink_cpu")
    return Hardshrink.apply(x, lambd=number_arg(lambd, "lambd", 2, "hardshrink"))


@public(namespace="nn.functional")
def softshrink(input, lambd: float = 0.5):
    """torch.nn.functional.softshrink: input ∓ lambd beyond ±lambd, 0 between. lambd must lie in [0, the dtype's
    max], as torch."""
    x = _float_input(input, "softshrink_check")
    lambd = number_arg(lambd, "lambd", 2, "softshrink")
    high = float(np.finfo(x.dtype).max)
    if not 0 <= lambd <= high:
        raise RuntimeError(f"lambda must be in range [0, {high:g}] for input dtype {scalar_type_name(x.dtype)}, "
                           f"but found to be {lambd:g}.")
    return Softshrink.apply(x, lambd=lambd)


# ---- public functions: group 2 ------------------------------------------------------------------------------------
@public(namespace="nn.functional")
def logsigmoid(input):
    """torch.nn.functional.logsigmoid: log(sigmoid(input)) = min(x, 0) - log1p(exp(-|x|)), finite for every
    finite input (as torch)."""
    return LogSigmoid.apply(_float_input(input, "log_sigmoid_cpu"))


@public(namespace="nn.functional")
def softplus(input, beta: float = 1.0, threshold: float = 20.0):
    """torch.nn.functional.softplus: log1p(exp(beta·x))/beta, and x itself where beta·x > threshold (torch's
    linear regime)."""
    x = _float_input(input, "softplus_cpu")
    beta = number_arg(beta, "beta", 2, "softplus")
    threshold = number_arg(threshold, "threshold", 3, "softplus")
    return Softplus.apply(x, beta=beta, threshold=threshold)


@public(namespace="nn.functional")
def softsign(input):
    """torch.nn.functional.softsign: input / (|input| + 1), composed as torch writes it (integer inputs give the
    default float dtype)."""
    x = _composite_input(input, "abs")
    return x / (x.abs() + 1)


@public(namespace="nn.functional")
def tanhshrink(input):
    """torch.nn.functional.tanhshrink: input - tanh(input), composed as torch writes it."""
    x = _composite_input(input, "tanh")
    return x - x.tanh()


def _inplace_or(fn, input, inplace: bool, kernel: str) -> Tensor:
    """fn(input), or fn's result written into input when inplace (torch's <name>_ kernels)."""
    x = _float_input(input, kernel)
    return x._inplace(lambda t: fn.apply(t)) if inplace else fn.apply(x)


@public(namespace="nn.functional")
def silu(input, inplace: bool = False):
    """torch.nn.functional.silu: input·sigmoid(input), computed as x / (1 + exp(-x)) as torch."""
    return _inplace_or(Silu, input, inplace, "silu_cpu")


@public(namespace="nn.functional")
def mish(input, inplace: bool = False):
    """torch.nn.functional.mish: input·tanh(softplus(input))."""
    return _inplace_or(Mish, input, inplace, "mish_cpu")


@public(namespace="nn.functional")
def hardsigmoid(input, inplace: bool = False):
    """torch.nn.functional.hardsigmoid: relu6(input + 3) / 6. Deliberate difference: the derivative inside
    (-3, 3) is 1/6 in the input's dtype, where torch's float64 kernel uses 1/6 rounded to float32."""
    return _inplace_or(Hardsigmoid, input, inplace, "hardsigmoid_cpu")


@public(namespace="nn.functional")
def hardswish(input, inplace: bool = False):
    """torch.nn.functional.hardswish: input·relu6(input + 3) / 6."""
    return _inplace_or(Hardswish, input, inplace, "hardswish_cpu")


@public(namespace="nn.functional")
def gelu(input, approximate: str = "none"):
    """torch.nn.functional.gelu: x·Φ(x) (approximate='none', through refgrad's erf) or its tanh approximation
    (approximate='tanh')."""
    x = _float_input(input, "GeluKernelImpl")
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    return Gelu.apply(x, approximate=approximate)


# ---- public functions: group 3 (compositions, as torch) ---------------------------------------------------------
@public(namespace="nn.functional")
def glu(input, dim: int = -1):
    """torch.nn.functional.glu: a·sigmoid(b), a and b the two halves of input along dim (of even size)."""
    x = _composite_input(input, "dim")
    if x.ndim == 0:
        raise RuntimeError("glu does not support scalars because halving size must be even")
    d = wrap_dim(int_arg(dim, "dim", 2, "glu"), x.ndim)
    if x.shape[d] % 2:
        raise RuntimeError(f"Halving dimension must be even, but dimension {d} is size {x.shape[d]}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"glu_cpu\" not implemented for '{scalar_type_name(x.dtype)}'")
    return Glu.apply(x, dim=d)


class Glu(Function):
    """a·sigmoid(b), a and b the halves of x along dim (sigmoid as torch's kernel forms it, 1/(1 + exp(-b))).
    vjp as torch's glu_backward: g·s to a, (1 - s)·s·g·a to b, multiplied in that order, so that it overflows
    exactly where torch's does (g·a first would overflow for an a near the dtype's max)."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, dim):
        a, b = np.split(x, 2, axis=dim)
        return a * (1 / (1 + np.exp(-b)))

    def vjp(ctx, g):
        a, b = _halves(ctx.inputs[0], ctx.dim)
        s = sigmoid(b)
        return cat([g * s, (1 - s) * s * g * a], dim=ctx.dim)

    def jvp(ctx, dx):
        a, b = _halves(ctx.inputs[0], ctx.dim)
        da, db = _halves(dx, ctx.dim)
        s = sigmoid(b)
        return da * s + (1 - s) * s * db * a


def _halves(x: Tensor, dim: int) -> tuple[Tensor, Tensor]:
    half = x.shape[dim] // 2
    return narrow(x, dim, 0, half), narrow(x, dim, half, half)


@public(namespace="nn.functional", also=("prelu",), method=True)
def prelu(input, weight):
    """torch.nn.functional.prelu (also torch.prelu, Tensor.prelu): input where > 0, else weight·input, weight one
    slope (0-d or 1 element) or one per channel (dim 1; a 1-D input has one channel). Gradients reach both: the
    derivative at 0 is the slope, and the weight's is Σ input·g over the non-positive inputs, as torch."""
    x, w = as_tensor_arg(input), as_tensor_arg(weight, "weight", 2)
    if w.ndim > 1:
        raise RuntimeError(f"prelu: Expected `weight` to be a scalar or 1D tensor, but got: ndim = {w.ndim}")
    if x.dtype != w.dtype:
        raise RuntimeError(f"prelu: Type promoting not supported. Got {scalar_type_name(x.dtype)} and "
                           f"{scalar_type_name(w.dtype)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"prelu_cpu\" not implemented for '{scalar_type_name(x.dtype)}'")
    channels = x.shape[1] if x.ndim >= 2 else 1
    if w.numel() != 1 and w.numel() != channels:
        raise RuntimeError(f"Mismatch of parameter numbers and input channel size. Found parameter numbers = "
                           f"{w.numel()} and channel size = {channels}.")
    slope = w.reshape(()) if w.numel() == 1 else w.reshape((channels,) + (1,) * (x.ndim - 2))
    return Prelu.apply(x, slope)


class Prelu(Function):
    """x where x > 0, else w·x (w broadcast along the channels). vjp as torch's _prelu_kernel_backward: g where
    x > 0 else w·g to x (the slope at 0, and a NaN weight never reaches a positive x), x·g where x <= 0 to w (the
    engine sums it to w's shape). Written in refgrad ops with torch's second derivatives: the mixed terms
    ∂(grad_x)/∂w and ∂(grad_w)/∂x are g where !(x >= 0), so 0 at x = 0 itself, as torch's."""

    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, w):
        ctx.positive = x > 0
        return select(ctx.positive, x, w * x)

    def vjp(ctx, g):
        x, w = ctx.inputs
        need_x, need_w = ctx.needs_input_grad
        crossing = ~(x._data >= 0)  # where the mixed second derivatives are g (NaN included), as torch
        gx = choose(ctx.positive, g, g * choose(crossing, w, w.detach())) if need_x else None
        gw = choose(ctx.positive, 0, choose(crossing, x, 0) * g) if need_w else None  # x·g, whose x is 0 at 0
        return gx, gw

    def jvp(ctx, dx, dw):
        x, w = ctx.inputs
        return choose(ctx.positive, dx, w * dx + x * dw)


# ---- public functions: group 4 (random) ---------------------------------------------------------------------------
@public(namespace="nn.functional", also=("rrelu",))
def rrelu(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, inplace: bool = False, *,
          generator: Generator | None = None):
    """torch.nn.functional.rrelu (also torch.rrelu, whose 5th positional argument is a generator, not inplace):
    randomized leaky ReLU. training=False is leaky_relu with slope (lower + upper)/2; training=True draws one slope
    per element uniformly in [lower, upper) from refgrad's generator (``generator`` or the default one; one draw
    per element, negative or not) and multiplies the inputs <= 0 by it (0 included; NaN and the positive ones
    by 1): the gradient is that same noise, as torch's rrelu_with_noise_backward. Values differ from torch's,
    whose generator refgrad does not reproduce."""
    if isinstance(inplace, Generator):  # torch.rrelu(input, lower, upper, training, generator)
        generator, inplace = inplace, False
    if inplace:
        return rrelu_(input, lower, upper, training, generator=generator)
    return _rrelu(input, lower, upper, training, generator, "rrelu")


@public(namespace="nn.functional", also=("rrelu_",))
def rrelu_(input, lower: float = 1.0 / 8, upper: float = 1.0 / 3, training: bool = False, *,
           generator: Generator | None = None):
    """torch.nn.functional.rrelu_ (also torch.rrelu_): rrelu in place."""
    x = as_tensor_arg(input)
    return x._inplace(lambda t: _rrelu(t, lower, upper, training, generator, "rrelu_"))


def _rrelu(input, lower, upper, training, generator, name: str) -> Tensor:
    lower, upper = number_arg(lower, "lower", 2, name), number_arg(upper, "upper", 3, name)
    x = as_tensor_arg(input)
    if lower > upper:
        raise RuntimeError("Lower bound should be less than or equal to the upper bound")
    if x.dtype.kind != "f":
        kernel = "rrelu_with_noise_out_cpu" if training else "leaky_relu_cpu"
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(x.dtype)}'")
    if not training:
        return LeakyRelu.apply(x, negative_slope=(lower + upper) / 2)
    slopes = lower + (upper - lower) * rand(x.shape, generator=generator, dtype=np.float64)._data
    noise = np.where(x._data <= 0, slopes, 1.0).astype(x.dtype)
    return x * Tensor(noise)
