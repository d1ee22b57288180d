"""Elementwise functions of one tensor: forward in NumPy beside the derivative ``d_x(ctx, v)`` = v·f'(x) in
refgrad ops, from which the Elementwise base derives both vjp and jvp (see refgrad/autograd/bases.py).

dtypes follow torch: the transcendental functions lift integer and bool inputs to the default float dtype;
neg, abs, sign, square, floor, ceil, round and trunc keep integer dtypes (square lifts bool to int64); bool is
refused where torch refuses it (neg, abs, floor, ceil, round, trunc, frac) and frac refuses integers.

Derivatives are torch's formulas, written with ``ctx.out`` where that is cheaper (exp, sqrt, tanh, sigmoid...).
At the points where a function is not differentiable they take torch's values: abs'(0) = 0, sign' = floor' =
ceil' = round' = trunc' = 0, frac' = 1, and 1/0 = ±inf where torch's formula divides by zero (sqrt, rsqrt, log,
reciprocal, ... at 0). erf and erfc are computed in plain NumPy (NumPy has neither), see ``_erf.py``.
"""
from __future__ import annotations

import math
import numbers
import operator

import numpy as np

from .. import dtypes
from ..autograd.bases import Elementwise, identity, zero
from ..registry import public
from ..tensor import Tensor
from ._erf import TWO_OVER_SQRT_PI, erf_array, erfc_array
from .choose import choose, select
from .common import as_tensor_arg, into_temporary

_LN2 = math.log(2.0)
_LN10 = math.log(10.0)


# ---- helpers --------------------------------------------------------------------------------------------
def _floating(input) -> Tensor:
    """The argument of a function with a floating result: integer and bool tensors become the default float
    dtype, as torch's unary float ops do."""
    x = as_tensor_arg(input)
    if x.dtype.kind in "fc":
        return x
    return Tensor(x._data.astype(dtypes.get_default_dtype()))


def _refuse(op: str, x: Tensor, kinds: str) -> None:
    """torch's NotImplementedError for a dtype an op has no kernel for."""
    if x.dtype.kind in kinds:
        name = dtypes.scalar_type_name(x.dtype)
        raise NotImplementedError(f'"{op}" not implemented for \'{name}\' (input dtype {x.dtype})')


def _copy(x: Tensor) -> Tensor:
    """floor/ceil/round/trunc of an integer tensor: a new tensor with the same values."""
    return Tensor(x._data.copy())


def _const(array: np.ndarray, like: Tensor) -> Tensor:
    """A constant (mask, sign) in like's dtype: multiplying by it keeps a vjp differentiable."""
    return Tensor(np.asarray(array, dtype=like.dtype))


def _sign_array(a: np.ndarray) -> np.ndarray:
    """torch.sign on an ndarray: sign(nan) = 0 (NumPy says nan) and sign(-0.0) = +0."""
    if a.dtype.kind == "b":
        return a.copy()
    s = np.sign(a)
    if a.dtype.kind == "f":
        s = np.add(s, 0, out=s) if type(s) is np.ndarray else s + 0  # + 0 turns -0.0 into +0.0
        nan = np.isnan(s)
        if nan.any():  # (NaN is rare: no pass to select around it where there is none)
            s = select(nan, s.dtype.type(0), s)
    return s


# ---- sign, magnitude, powers ------------------------------------------------------------------------------
class Neg(Elementwise):
    saves = ()  # backward reads shapes only

    def forward(ctx, x):
        return np.negative(x)

    def d_x(ctx, v):
        return -v


class Abs(Elementwise):
    """abs'(x) = sign(x): 0 at 0 (and at nan), as torch, whose backward saves x to take its sign (so a forward
    under no_grad is the absolute value alone)."""
    saves = ("inputs",)

    def forward(ctx, x):
        return np.abs(x)

    def d_x(ctx, v):
        return v * _const(_sign_array(ctx.inputs[0]._data), v)


class Sign(Elementwise):
    saves = ()  # backward reads shapes only

    def forward(ctx, x):
        return _sign_array(x)

    d_x = zero


class Square(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.square(x)

    def d_x(ctx, v):  # torch's g·(2·x), one array
        twice = ctx.inputs[0] * 2
        return into_temporary(twice, operator.mul, twice, v)


class Sqrt(Elementwise):
    """sqrt'(x) = 1/(2 sqrt(x)): +inf at 0 and -inf at -0.0, as torch."""
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return np.sqrt(x)

    def d_x(ctx, v):  # torch's g / (2·out), one array
        twice = ctx.out * 2
        return into_temporary(twice, operator.truediv, v, twice)


class Rsqrt(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return 1 / np.sqrt(x)

    def d_x(ctx, v):
        y = ctx.out
        return -0.5 * v * (y * y * y)


class Reciprocal(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return 1 / x

    def d_x(ctx, v):  # torch's -g·(out·out), one array
        y = ctx.out
        slope = y * y
        slope = into_temporary(slope, operator.mul, slope, v)
        return into_temporary(slope, operator.neg, slope)


# ---- exponentials and logarithms --------------------------------------------------------------------------
class Exp(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return np.exp(x)

    def d_x(ctx, v):
        return v * ctx.out


class Exp2(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return np.exp2(x)

    def d_x(ctx, v):
        return v * ctx.out * _LN2


class Expm1(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return np.expm1(x)

    def d_x(ctx, v):
        return v * (ctx.out + 1)


class Log(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.log(x)

    def d_x(ctx, v):
        return v / ctx.inputs[0]


class Log2(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.log2(x)

    def d_x(ctx, v):
        return v / (ctx.inputs[0] * _LN2)


class Log10(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.log10(x)

    def d_x(ctx, v):
        return v / (ctx.inputs[0] * _LN10)


class Log1p(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.log1p(x)

    def d_x(ctx, v):
        return v / (ctx.inputs[0] + 1)


# ---- trigonometric and hyperbolic -------------------------------------------------------------------------
class Sin(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.sin(x)

    def d_x(ctx, v):
        return v * cos(ctx.inputs[0])


class Cos(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.cos(x)

    def d_x(ctx, v):
        return v * -sin(ctx.inputs[0])


class Tan(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return np.tan(x)

    def d_x(ctx, v):
        return v * (1 + ctx.out * ctx.out)


class Asin(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.arcsin(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return v * rsqrt(1 - x * x)


class Acos(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.arccos(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return v * -rsqrt(1 - x * x)


class Atan(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.arctan(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return v / (x * x + 1)


class Sinh(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.sinh(x)

    def d_x(ctx, v):
        return v * cosh(ctx.inputs[0])


class Cosh(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.cosh(x)

    def d_x(ctx, v):
        return v * sinh(ctx.inputs[0])


class Tanh(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return np.tanh(x)

    def d_x(ctx, v):
        return TanhBackward.apply(v, ctx.out)


class TanhBackward(Elementwise):
    """tanh's vjp g·(1 - y²) as one op (torch's tanh_backward): one recorded op and one NumPy expression, whose
    temporaries NumPy reuses, rather than three ops each making an array. Differentiable: linear in g, and
    d/dy = -2·y·g."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, g, y):
        slope = np.asarray(np.square(y))  # one array, written over (a ufunc makes a 0-d result a NumPy scalar)
        np.subtract(1, slope, out=slope)
        if g.shape != slope.shape or g.dtype != slope.dtype:
            return g * slope
        return np.multiply(g, slope, out=slope)

    def d_g(ctx, v):
        return TanhBackward.apply(v, ctx.inputs[1])

    def d_y(ctx, v):
        g, y = ctx.inputs
        return v * g * (-2 * y)


class Asinh(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.arcsinh(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return v * rsqrt(x * x + 1)


class Acosh(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.arccosh(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return v * rsqrt(x * x - 1)


class Atanh(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return np.arctanh(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return v / (1 - x * x)


# ---- sigmoid, logit, erf ----------------------------------------------------------------------------------
class Sigmoid(Elementwise):
    saves = ("out",)  # backward reads only the output

    def forward(ctx, x):
        return 1 / (1 + np.exp(-x))

    def d_x(ctx, v):
        return SigmoidBackward.apply(v, ctx.out)


class SigmoidBackward(Elementwise):
    """sigmoid's vjp g·(1 - y)·y as one op (torch's sigmoid_backward), as TanhBackward. Linear in g, and
    d/dy = g·(1 - 2·y)."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, g, y):
        return g * (1 - y) * y

    def d_g(ctx, v):
        return SigmoidBackward.apply(v, ctx.inputs[1])

    def d_y(ctx, v):
        g, y = ctx.inputs
        return v * g * (1 - 2 * y)


class Logit(Elementwise):
    """log(x / (1 - x)), x first clamped to [eps, 1 - eps] when eps >= 0 (bounds in x's dtype, as torch).

    Derivative 1/(x(1 - x)), selected as torch does (torch.where): with eps, 0 outside [eps, 1 - eps] (the
    bounds themselves are inside); without (or with eps < 0), nan outside [0, 1] (the forward is nan there
    too). Its own derivative then follows torch's too, nan where x(1 - x) = 0 outside the bounds included.

    Where torch's kernels disagree with each other, refgrad takes one of their answers: at x = -0.0 (no eps) the
    derivative is 1/(-0.0) = -inf, as from torch's vectorized kernel and create_graph formula (its scalar
    kernel, used for tensors of a few elements, gives +inf); at x = nan with eps it gives 0, as those two
    (the scalar kernel gives nan);
    with eps < 0 it follows torch's backward kernels (nan outside [0, 1]), not the create_graph formula,
    which clamps to [eps, 1 - eps] like a positive eps.
    """

    def forward(ctx, x, *, eps):
        if eps is not None and eps >= 0:
            lo, hi = _logit_bounds(x.dtype, eps)
            x = np.where(x < lo, lo, np.where(x > hi, hi, x))  # (np.where: x is seldom beyond eps, its branch predicts)
        return np.log(x / (1 - x))

    def d_x(ctx, v):
        x = ctx.inputs[0]
        a = x._data
        if ctx.eps is not None and ctx.eps >= 0:
            lo, hi = _logit_bounds(a.dtype, ctx.eps)
            return choose((a >= lo) & (a <= hi), v / (x * (1 - x)), 0.0)
        return choose((a >= 0) & (a <= 1), v / (x * (1 - x)), np.nan)


def _logit_bounds(dtype, eps):
    one, lo = dtype.type(1), dtype.type(eps)
    return lo, one - lo


class Erf(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return erf_array(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return TWO_OVER_SQRT_PI * exp(-(x * x)) * v


class Erfc(Elementwise):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x):
        return erfc_array(x)

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return -TWO_OVER_SQRT_PI * exp(-(x * x)) * v


# ---- rounding ---------------------------------------------------------------------------------------------
class Floor(Elementwise):
    saves = ()  # backward reads shapes only

    def forward(ctx, x):
        return np.floor(x)

    d_x = zero


class Ceil(Elementwise):
    saves = ()  # backward reads shapes only

    def forward(ctx, x):
        return np.ceil(x)

    d_x = zero


class Trunc(Elementwise):
    saves = ()  # backward reads shapes only

    def forward(ctx, x):
        return np.trunc(x)

    d_x = zero


class Round(Elementwise):
    """Half to even. With decimals d, torch's recipe in x's dtype: rint(x·10^d)/10^d for d >= 0, and
    rint(x/10^-d)·10^-d for d < 0 (so a 10^|d| that overflows the dtype gives nan, as torch)."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, *, decimals):
        if decimals == 0:
            return np.rint(x)
        scale = np.power(np.float64(10.0), decimals if decimals > 0 else -decimals).astype(x.dtype)
        if decimals > 0:
            return np.rint(x * scale) / scale
        return np.rint(x / scale) * scale

    d_x = zero


class Frac(Elementwise):
    saves = ()  # backward reads shapes only

    def forward(ctx, x):
        return x - np.trunc(x)

    d_x = identity


# ---- public functions -------------------------------------------------------------------------------------
@public(aliases=("negative",), method=True, inplace=True)
def neg(input):
    """torch.neg: -input. Bool tensors are refused, as torch."""
    x = as_tensor_arg(input)
    if x.dtype.kind == "b":
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")
    return Neg.apply(x)


@public(aliases=("absolute",), method=True, inplace=True)
def abs(input):
    """torch.abs: integers keep their dtype; abs'(0) = 0."""
    x = as_tensor_arg(input)
    _refuse("abs", x, "b")
    return Abs.apply(x)


@public(method=True, inplace=True)
def sign(input):
    """torch.sign: -1, 0 or 1 in input's dtype (bool stays bool); sign(nan) = 0 as torch; gradient 0."""
    return Sign.apply(as_tensor_arg(input))


@public(method=True, inplace=True)
def square(input):
    """torch.square: input * input; integers keep their dtype, bool becomes int64 (torch's pow(x, 2))."""
    x = as_tensor_arg(input)
    if x.dtype.kind == "b":
        x = Tensor(x._data.astype(dtypes.int64))
    return Square.apply(x)


@public(method=True, inplace=True)
def sqrt(input):
    """torch.sqrt"""
    return Sqrt.apply(_floating(input))


@public(method=True, inplace=True)
def rsqrt(input):
    """torch.rsqrt: 1 / sqrt(input)."""
    return Rsqrt.apply(_floating(input))


@public(method=True, inplace=True)
def reciprocal(input):
    """torch.reciprocal: 1 / input (integers give the default float dtype)."""
    return Reciprocal.apply(_floating(input))


@public(method=True, inplace=True)
def exp(input):
    """torch.exp"""
    return Exp.apply(_floating(input))


@public(method=True, inplace=True, also=("special.exp2",))
def exp2(input):
    """torch.exp2: 2 ** input."""
    return Exp2.apply(_floating(input))


@public(method=True, inplace=True, also=("special.expm1",))
def expm1(input):
    """torch.expm1: exp(input) - 1, accurate near 0."""
    return Expm1.apply(_floating(input))


@public(method=True, inplace=True)
def log(input):
    """torch.log"""
    return Log.apply(_floating(input))


@public(method=True, inplace=True)
def log2(input):
    """torch.log2"""
    return Log2.apply(_floating(input))


@public(method=True, inplace=True)
def log10(input):
    """torch.log10"""
    return Log10.apply(_floating(input))


@public(method=True, inplace=True, also=("special.log1p",))
def log1p(input):
    """torch.log1p: log(1 + input), accurate near 0."""
    return Log1p.apply(_floating(input))


@public(method=True, inplace=True)
def sin(input):
    """torch.sin"""
    return Sin.apply(_floating(input))


@public(method=True, inplace=True)
def cos(input):
    """torch.cos"""
    return Cos.apply(_floating(input))


@public(method=True, inplace=True)
def tan(input):
    """torch.tan"""
    return Tan.apply(_floating(input))


@public(method=True, inplace=True)
def asin(input):
    """torch.asin"""
    return Asin.apply(_floating(input))


@public(method=True, inplace=True)
def acos(input):
    """torch.acos"""
    return Acos.apply(_floating(input))


@public(method=True, inplace=True)
def atan(input):
    """torch.atan"""
    return Atan.apply(_floating(input))


@public(method=True, inplace=True)
def sinh(input):
    """torch.sinh"""
    return Sinh.apply(_floating(input))


@public(method=True, inplace=True)
def cosh(input):
    """torch.cosh"""
    return Cosh.apply(_floating(input))


@public(method=True, inplace=True, also=("nn.functional.tanh",))
def tanh(input):
    """torch.tanh"""
    return Tanh.apply(_floating(input))


@public(method=True, inplace=True)
def asinh(input):
    """torch.asinh"""
    return Asinh.apply(_floating(input))


@public(method=True, inplace=True)
def acosh(input):
    """torch.acosh"""
    return Acosh.apply(_floating(input))


@public(method=True, inplace=True)
def atanh(input):
    """torch.atanh"""
    return Atanh.apply(_floating(input))


@public(method=True, inplace=True, also=("special.expit", "nn.functional.sigmoid"))
def sigmoid(input):
    """torch.sigmoid: 1 / (1 + exp(-input))."""
    return Sigmoid.apply(_floating(input))


@public(method=True, inplace=True, also=("special.logit",))
def logit(input, eps=None):
    """torch.logit: log(p / (1 - p)), p = input clamped to [eps, 1 - eps] when eps is given and >= 0
    (a negative eps clamps nothing, as torch)."""
    x = _floating(input)
    if isinstance(eps, Tensor) and eps.numel() == 1:
        eps = float(eps.item())
    if eps is not None and not isinstance(eps, numbers.Real):
        raise TypeError(f"logit(): argument 'eps' must be float, not {type(eps).__name__}")
    return Logit.apply(x, eps=None if eps is None else float(eps))


@public(method=True, inplace=True, also=("special.erf",))
def erf(input):
    """torch.erf (NumPy has none: computed here, see _erf.py)."""
    return Erf.apply(_floating(input))


@public(method=True, inplace=True, also=("special.erfc",))
def erfc(input):
    """torch.erfc: 1 - erf(input), with full relative accuracy where it is tiny (large input)."""
    return Erfc.apply(_floating(input))


@public(method=True, inplace=True)
def floor(input):
    """torch.floor: integers are returned unchanged (a copy), bool refused; gradient 0."""
    x = as_tensor_arg(input)
    _refuse("floor", x, "b")
    return _copy(x) if x.dtype.kind in "iu" else Floor.apply(x)


@public(method=True, inplace=True)
def ceil(input):
    """torch.ceil: integers are returned unchanged (a copy), bool refused; gradient 0."""
    x = as_tensor_arg(input)
    _refuse("ceil", x, "b")
    return _copy(x) if x.dtype.kind in "iu" else Ceil.apply(x)


@public(method=True, inplace=True)
def trunc(input):
    """torch.trunc: integers are returned unchanged (a copy), bool refused; gradient 0."""
    x = as_tensor_arg(input)
    _refuse("trunc", x, "b")
    return _copy(x) if x.dtype.kind in "iu" else Trunc.apply(x)


@public(method=True, inplace=True)
def round(input, *, decimals=None):
    """torch.round: half to even, optionally to ``decimals`` decimal places (negative: to tens, hundreds...).

    decimals=None (not given) is torch's round(input): integers are returned unchanged. Given (even 0), it is
    torch's round(input, decimals=...), which has no integer kernel: integer tensors are refused, as torch.
    Gradient 0.
    """
    x = as_tensor_arg(input)
    if decimals is not None and (not isinstance(decimals, (int, np.integer)) or isinstance(decimals, bool)):
        raise TypeError(f"round(): argument 'decimals' must be int, not {type(decimals).__name__}")
    _refuse("round", x, "b" if decimals is None else "biu")
    if x.dtype.kind in "iu":
        return _copy(x)
    return Round.apply(x, decimals=0 if decimals is None else int(decimals))


@public(method=True, inplace=True)
def frac(input):
    """torch.frac: input - trunc(input), sign of input kept; floating inputs only, as torch; gradient 1."""
    x = as_tensor_arg(input)
    _refuse("frac", x, "biu")
    return Frac.apply(x)
