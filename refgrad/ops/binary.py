"""Elementwise functions of two tensors (with broadcasting and torch's type promotion).

Derivatives that are piecewise (maximum, clamp, pow's special points, ...) follow torch's formulas exactly,
including which of them select with ``where`` (a masked-out branch gives exactly 0, even where it is inf or
nan) and which multiply by a factor (0·inf = nan), so that gradients at kinks, ties and poles are torch's.
Forwards run under ``np.errstate(all="ignore")``: inf and nan results are values here, as in torch.
"""
from __future__ import annotations

import operator

import numpy as np

from .._rows import ROW_BUFFER, rowwise
from ..arguments import argument_error, as_tensor_arg, tensor_or_number_arg
from ..autograd import Function
from ..autograd.bases import Elementwise, identity, zero
from ..autograd.function import sum_to
from ..dtypes import scalar_type_name
from ..registry import public
from ..tensor import Tensor
from .choose import choose, select
from .common import binary_operands, elementwise_operands, into_cotangent, into_temporary, is_scalar


def _not_implemented(kernel: str, dtype) -> NotImplementedError:
    return NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(dtype)}'")


def _two_tensors(fn: str, input, other, float_only: bool = False) -> list[Tensor]:
    """Both operands must be tensors (torch.maximum(x, 2) is a TypeError, as in torch)."""
    return elementwise_operands(as_tensor_arg(input, "input", 1, fn), as_tensor_arg(other, "other", 2, fn),
                                float_only=float_only)


def _check_int_divisor(b: Tensor) -> None:
    if b.dtype.kind in "iu" and np.any(b._data == 0):
        raise RuntimeError(f"ZeroDivisionError (integer division by zero: the {b.dtype} divisor of shape "
                           f"{list(b.shape)} has {int(np.count_nonzero(b._data == 0))} zero(s))")


def where_mask(mask: np.ndarray, a, fill):
    """a where mask else fill, differentiable in a (mask is a constant), computed as a·mask + fill·(1 - mask):
    unlike ``choose``, an inf or nan in a leaks into the masked-out places (0·inf = nan). Kept for its callers
    in reduction.py until they move to ``choose``, which has torch's where/masked_fill semantics."""
    return a * Tensor(mask.astype(a.dtype)) + Tensor(np.where(mask, 0, fill).astype(a.dtype))


# ---- add, sub, mul, div ----------------------------------------------------------------------------------
class Add(Elementwise):
    """a + alpha·b."""
    saves = ()  # backward reads shapes only

    def forward(ctx, a, b, *, alpha):
        if alpha != 1:
            b = np.asarray(alpha, a.dtype) * b
        return rowwise(np.add, a, b) if a.size > ROW_BUFFER or b.size > ROW_BUFFER else np.add(a, b)

    d_a = identity

    def d_b(ctx, v):
        return v if ctx.alpha == 1 else _summed_to(v, ctx.inputs[1]) * ctx.alpha


class Sub(Elementwise):
    """a - alpha·b."""
    saves = ()  # backward reads shapes only

    def forward(ctx, a, b, *, alpha):
        if alpha != 1:
            b = np.asarray(alpha, a.dtype) * b
        return rowwise(np.subtract, a, b) if a.size > ROW_BUFFER or b.size > ROW_BUFFER else np.subtract(a, b)

    d_a = identity

    def d_b(ctx, v):
        v = _summed_to(v, ctx.inputs[1])
        return -v if ctx.alpha == 1 else v * -ctx.alpha


def _summed_to(v, b):
    """v summed back to b's shape before it is scaled, so x - x.mean() negates one number, not an x-sized array
    of them (the engine would sum the same values afterwards)."""
    return v if v.shape == b.shape else sum_to(v, b.shape)


class Mul(Elementwise):
    saves = ("inputs",)
    reads = ((1,), (0,))  # a's gradient reads b, b's reads a

    def forward(ctx, a, b):
        return rowwise(np.multiply, a, b) if a.size > ROW_BUFFER or b.size > ROW_BUFFER else np.multiply(a, b)

    def d_a(ctx, v):
        return v * ctx.inputs[1]

    def d_b(ctx, v):
        return ctx.inputs[0] * v

    def vjp(ctx, g):
        a, b = ctx.inputs
        if a is b:  # x * x: 2·g·x for the one input, one array
            ga = into_cotangent(g, operator.mul, g, a)
            return into_temporary(ga, operator.mul, ga, 2), None
        need_a, need_b = ctx.needs_input_grad  # (g's last read may write into it)
        if need_b:
            return (g * b if need_a else None), into_cotangent(g, operator.mul, g, a)
        return into_cotangent(g, operator.mul, g, b), None


class Div(Elementwise):
    """a / b. torch's d/db is -g·((a/b)/b), recomputing a/b as torch does: the output is not kept for a
    backward that seldom needs it (x / c needs only d/da), and the chain costs one array."""
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((1,), (0, 1))  # a's gradient reads b, b's reads both

    def forward(ctx, a, b):
        return rowwise(np.true_divide, a, b) if a.size > ROW_BUFFER or b.size > ROW_BUFFER else np.true_divide(a, b)

    def d_a(ctx, v):
        return v / ctx.inputs[1]

    def d_b(ctx, v):
        a, b = ctx.inputs
        q = a / b
        q = into_temporary(q, operator.truediv, q, b)
        q = into_temporary(q, operator.mul, q, v)
        return into_temporary(q, operator.neg, q)

    def jvp(ctx, da, db):  # torch's forward formula: one division, not the sum of the two terms
        return (da - db * ctx.out) / ctx.inputs[1]


class DivRounded(Elementwise):
    """div(a, b, rounding_mode='floor' | 'trunc') on floats: piecewise constant, so both gradients are zero
    (torch returns zeros, not g·0). 'floor' is Python's floor division (NumPy's floor_divide is the same
    algorithm as torch's: fmod, then snap to the nearest integer); 'trunc' is trunc(a / b)."""
    saves = ()  # backward reads shapes only

    def forward(ctx, a, b, *, mode):
        return np.floor_divide(a, b) if mode == "floor" else np.trunc(np.true_divide(a, b))

    d_a = d_b = zero


class FloorDivide(DivRounded):
    """torch.floor_divide: the values of div(rounding_mode='floor'), but, as in torch, no derivative."""
    saves = ()  # backward reads shapes only

    def vjp(ctx, g):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")

    def jvp(ctx, da, db):
        raise RuntimeError("derivative for aten::floor_divide is not implemented")


def _int_div(a: Tensor, b: Tensor, mode: str) -> Tensor:
    """Integer floor / trunc division, exact (no float round trip); a zero divisor raises like torch."""
    if a.dtype.kind == "b":
        raise _not_implemented(f"div_{mode}_cpu", a.dtype)
    _check_int_divisor(b)
    q = np.floor_divide(a._data, b._data)
    if mode == "trunc":  # floor rounds a negative inexact quotient down; trunc rounds it up
        q = q + ((q < 0) & (np.remainder(a._data, b._data) != 0))
    return Tensor(q.astype(a.dtype))


def _alpha(alpha, dt: np.dtype):
    if type(alpha) is int:  # the usual alpha=1 (a bool is not an int here), valid for every dtype
        return alpha
    if isinstance(alpha, Tensor) and alpha.numel() == 1:  # torch takes a one-element tensor as a number
        alpha = alpha.item()
    if not is_scalar(alpha):
        raise TypeError(f"add(): argument 'alpha' must be Number, not {type(alpha).__name__}")
    if isinstance(alpha, (bool, np.bool_)) and dt.kind != "b":
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if dt.kind in "iub" and isinstance(alpha, (float, np.floating)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating point number.")
    return alpha


@public(method=True, inplace=True)
def add(input, other, *, alpha=1):
    """torch.add: input + alpha·other."""
    a, b = binary_operands(input, other, "add")
    return Add.apply(a, b, alpha=_alpha(alpha, a._data.dtype))


def refuse_bool_subtraction(input, other) -> None:
    """torch refuses a subtraction with a bool operand (tensor or Python bool), whatever the other one is."""
    first = input._data.dtype.kind == "b" if type(input) is Tensor else _bool_like(input)
    second = other._data.dtype.kind == "b" if type(other) is Tensor else _bool_like(other)
    if first and second:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not supported. "
                           "Use the `^` or `logical_xor()` operator instead.")
    if first or second:
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. If you are trying to "
                           "invert a mask, use the `~` or `logical_not()` operator instead.")


def _bool_like(x) -> bool:
    """A Python or NumPy bool, or an array of bools (a Python int or float answers at once)."""
    return type(x) not in (int, float) and (isinstance(x, bool | np.bool_) or getattr(x, "dtype", None) == np.bool_)


@public(method=True, inplace=True)
def sub(input, other, *, alpha=1):
    """torch.sub: input - alpha·other. A bool operand is refused, as in torch."""
    a, b = binary_operands(input, other, "sub", refuse=refuse_bool_subtraction)
    return Sub.apply(a, b, alpha=_alpha(alpha, a._data.dtype))


@public(method=True, inplace=True)
def mul(input, other):
    """torch.mul"""
    a, b = binary_operands(input, other, "mul")
    return Mul.apply(a, b)


@public(method=True, inplace=True)
def div(input, other, *, rounding_mode=None):
    """torch.div: true division (integer operands give the default float dtype), or rounding_mode 'trunc' /
    'floor' (the promoted dtype kept; integer division by zero raises, as in torch)."""
    if rounding_mode is None:
        a, b = binary_operands(input, other, "div", float_only=True)
        return Div.apply(a, b)
    input = tensor_or_number_arg(input, "input", 1, "div")  # the operands' checks come before rounding_mode's
    other = tensor_or_number_arg(other, "other", 2, "div")
    if rounding_mode not in ("trunc", "floor"):
        raise RuntimeError(f"div expected rounding_mode to be one of None, 'trunc', or 'floor' but found "
                           f"'{rounding_mode}'")
    a, b = elementwise_operands(input, other)
    if a.dtype.kind != "f":
        return _int_div(a, b, rounding_mode)
    return DivRounded.apply(a, b, mode=rounding_mode)


@public(method=True, inplace=True)
def true_divide(input, other):
    """torch.true_divide (an alias of div without rounding_mode)."""
    return div(input, other)


@public(method=True, inplace=True)
def floor_divide(input, other):
    """torch.floor_divide: div(rounding_mode='floor'); torch defines no derivative for it, nor does refgrad
    (backward through it raises)."""
    a, b = binary_operands(input, other, "floor_divide")
    if a.dtype.kind != "f":
        return _int_div(a, b, "floor")
    return FloorDivide.apply(a, b, mode="floor")


# ---- pow ------------------------------------------------------------------------------------------------
def _int_pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer a ** b as torch computes it: a negative exponent gives 1 / a ** |b| truncated (0 unless a is
    ±1); overflow wraps."""
    neg = b < 0
    out = np.power(a, np.where(neg, 0, b))
    at_neg = np.where(a == 1, 1, np.where(a == -1, np.where(b % 2 == 0, 1, -1), 0))
    return np.where(neg, at_neg, out).astype(np.result_type(a, b))


class Pow(Elementwise):
    """a ** b with torch's derivative formulas:
    d/da = where(b == 0, 0, g·(b·a^(b-1)))           (no 0·inf at a == 0 when b == 0)
    d/db = g·where(a == 0 & b >= 0, 0, a^b·log(a))  (0 at a == 0 unless b < 0, where it is ±inf)."""

    def forward(ctx, a, b):
        return np.power(a, b) if a.dtype.kind == "f" else _int_pow(a, b)

    def d_a(ctx, v):
        a, b = ctx.inputs
        return _pow_d_base(v, a, b)

    def d_b(ctx, v):
        a, b = ctx.inputs
        return v * _pow_d_exp(a, b, ctx.out)

    def jvp(ctx, da, db):
        a, b = ctx.inputs
        # as in torch's forward AD, an input without a tangent adds nothing (not 0·nan where a < 0 for d/db)
        if a._tangent is None:
            return Pow.d_b(ctx, db)
        if b._tangent is None:
            return Pow.d_a(ctx, da)
        return Pow.d_a(ctx, da) + Pow.d_b(ctx, db)


class PowScalar(Elementwise):
    """tensor ** number. torch computes some exponents with their own kernels (0.5: sqrt, so (-0)**0.5 = -0;
    -0.5: 1/sqrt; -1: 1/x; 2, 3, -2: products), which decide signed zeros and infinities; so does this.
    torch's derivative: zeros for exponent 0, else g·(e·a^(e-1)) (itself a tensor ** number)."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, *, exponent):
        e = exponent
        if a.dtype.kind != "f":
            return _int_pow(a, np.asarray(e, a.dtype))
        special = _POW_KERNELS.get(e)
        return special(a) if special is not None else np.power(a, np.asarray(e, a.dtype))

    def d_a(ctx, v):
        """torch's g·(e·a^(e-1)), written into the one array a^(e-1) (2·a for a square). For e = -1 that is
        -1/(a·a) in one division (negating is exact, so the same value as torch's -1·(1/(a·a)))."""
        a, e = ctx.inputs[0], ctx.exponent
        if e == 0:
            return Tensor(np.zeros(np.broadcast_shapes(v.shape, a.shape), v.dtype))
        if e == 2:
            slope = a * 2
        elif e == -1:
            slope = PowScalar.apply(a, exponent=2.0)
            slope = into_temporary(slope, operator.truediv, -1, slope)
        else:
            slope = PowScalar.apply(a, exponent=e - 1)
            slope = into_temporary(slope, operator.mul, slope, e)
        return into_temporary(slope, operator.mul, slope, v)


class SqrtPow(PowScalar):
    """tensor ** 0.5, which saves its output rather than its input: torch's slope 0.5·a^-0.5, a^-0.5 being
    1/sqrt(a), is 0.5/out in one division (halving is exact: the same value), where recomputing the root from
    the input would cost a second square root."""
    saves = ("out",)  # backward reads only the output

    def d_a(ctx, v):
        slope = 0.5 / ctx.out
        return into_temporary(slope, operator.mul, slope, v)


def _reciprocal(a, out=None):
    """1 / a (NumPy's reciprocal ufunc is slower than the division); a Python 1.0 keeps a's dtype."""
    return np.divide(1.0, a, out=out)


def _in_place(fn, first, *operands):
    """fn(first, *operands) written into first, a fresh array (a ufunc makes a 0-d result a NumPy scalar)."""
    first = np.asarray(first)
    return fn(first, *operands, out=first)


# the exponents torch computes with their own kernels (see PowScalar), each making one fresh array
_POW_KERNELS = {
    0: np.ones_like, 1: np.copy, 2: np.square, 3: lambda a: _in_place(np.multiply, np.square(a), a),
    0.5: np.sqrt, -0.5: lambda a: _in_place(_reciprocal, np.sqrt(a)), -1: _reciprocal,
    -2: lambda a: _in_place(_reciprocal, np.square(a)),
}


def _pow_d_base(g, a, b):
    return choose(b._data == 0, 0, g * (b * a ** (b - 1)))


def _pow_d_exp(a, b, out):
    from .unary import log

    return choose((a._data == 0) & (b._data >= 0), 0, out * log(a))


@public(method=True, inplace=True)
def pow(input, exponent):
    """torch.pow: tensor ** tensor, tensor ** number or number ** tensor.

    Integer tensors to a negative *number* exponent raise as in torch; a negative integer *tensor* exponent
    gives torch's truncated result (0 unless the base is ±1)."""
    if type(input) is Tensor and type(exponent) in (int, float) and input._data.dtype.kind == "f":
        # a float tensor to a Python number (x ** 2, x ** 0.5): no promotion, no operand to wrap
        return (SqrtPow if exponent == 0.5 else PowScalar).apply(input, exponent=float(exponent))
    input = tensor_or_number_arg(input, "input", 1, "pow")
    exponent = tensor_or_number_arg(exponent, "exponent", 2, "pow")
    if not isinstance(input, (Tensor, np.ndarray)) and not isinstance(exponent, (Tensor, np.ndarray)):
        raise argument_error("pow", "exponent", 2, "Tensor", exponent)
    a, b = elementwise_operands(input, exponent)
    if a.dtype.kind == "b":
        raise _not_implemented("pow", a.dtype)
    if a.dtype.kind in "iu" and is_scalar(exponent) and exponent < 0:
        raise RuntimeError("Integers to negative integer powers are not allowed.")
    if is_scalar(exponent):
        e = np.asarray(exponent).item()
        if a.dtype.kind == "f":
            return (SqrtPow if e == 0.5 else PowScalar).apply(a, exponent=float(e))
        return PowScalar.apply(a, exponent=e)
    return Pow.apply(a, b)


# ---- maximum, minimum, fmax, fmin -------------------------------------------------------------------------
class Maximum(Elementwise):
    """NaN-propagating maximum. torch: d/da = where(a == b, g/2, g) masked to 0 where a < b (and the mirror
    for b): a tie splits the gradient 0.5 / 0.5; a NaN gives both operands g.

    The jvp weighs the tangents by multiplying (0·inf = nan where the losing side's tangent is inf, as torch's
    forward formula other_t + w·(self_t - other_t)), rather than adding the masked d_a and d_b."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, b):
        return np.maximum(a, b)

    def d_a(ctx, v):
        a, b = (t._data for t in ctx.inputs)
        return choose(a < b, 0, choose(a == b, v / 2, v))

    def d_b(ctx, v):
        a, b = (t._data for t in ctx.inputs)
        return choose(a > b, 0, choose(a == b, v / 2, v))

    def jvp(ctx, da, db):
        a, b = (t._data for t in ctx.inputs)
        return _weighted(da, db, *_tie_weights(a < b, a > b, a == b))


class Minimum(Elementwise):
    """NaN-propagating minimum: Maximum's mirror."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, b):
        return np.minimum(a, b)

    def d_a(ctx, v):
        a, b = (t._data for t in ctx.inputs)
        return choose(a > b, 0, choose(a == b, v / 2, v))

    def d_b(ctx, v):
        a, b = (t._data for t in ctx.inputs)
        return choose(a < b, 0, choose(a == b, v / 2, v))

    def jvp(ctx, da, db):
        a, b = (t._data for t in ctx.inputs)
        return _weighted(da, db, *_tie_weights(a > b, a < b, a == b))


def _tie_weights(a_loses, b_loses, tie):
    wa = np.where(tie, 0.5, np.where(a_loses, 0.0, 1.0))
    wb = np.where(tie, 0.5, np.where(b_loses, 0.0, 1.0))
    return wa, wb


def _weighted(da, db, wa, wb):
    """da·wa + db·wb for constant weights (the tangent version of a vjp's masks)."""
    return da * Tensor(wa.astype(da.dtype)) + db * Tensor(wb.astype(db.dtype))


class Fmax(Elementwise):
    """NaN-ignoring maximum. torch: a gets g where a >= b or b is NaN, b gets it elsewhere (a tie goes to a).
    The jvp weighs by multiplying, as Maximum's."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, b):
        return np.fmax(a, b)

    def d_a(ctx, v):
        return choose(_fmax_takes_a(ctx), v, 0)

    def d_b(ctx, v):
        return choose(_fmax_takes_a(ctx), 0, v)

    def jvp(ctx, da, db):
        take_a = _fmax_takes_a(ctx)
        return _weighted(da, db, take_a * 1.0, ~take_a * 1.0)


def _fmax_takes_a(ctx):
    a, b = (t._data for t in ctx.inputs)
    return (a >= b) | np.isnan(b)


class Fmin(Elementwise):
    """NaN-ignoring minimum: Fmax's mirror."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, b):
        return np.fmin(a, b)

    def d_a(ctx, v):
        return choose(_fmin_takes_a(ctx), v, 0)

    def d_b(ctx, v):
        return choose(_fmin_takes_a(ctx), 0, v)

    def jvp(ctx, da, db):
        take_a = _fmin_takes_a(ctx)
        return _weighted(da, db, take_a * 1.0, ~take_a * 1.0)


def _fmin_takes_a(ctx):
    a, b = (t._data for t in ctx.inputs)
    return (a <= b) | np.isnan(b)


@public(method=True)
def maximum(input, other):
    """torch.maximum (NaN propagates; both arguments tensors, as in torch)."""
    return Maximum.apply(*_two_tensors("maximum", input, other))


@public(method=True)
def minimum(input, other):
    """torch.minimum (NaN propagates)."""
    return Minimum.apply(*_two_tensors("minimum", input, other))


@public(method=True)
def fmax(input, other):
    """torch.fmax (a NaN operand is ignored)."""
    return Fmax.apply(*_two_tensors("fmax", input, other))


@public(method=True)
def fmin(input, other):
    """torch.fmin (a NaN operand is ignored)."""
    return Fmin.apply(*_two_tensors("fmin", input, other))


# ---- atan2, hypot, xlogy, logaddexp ---------------------------------------------------------------------
class Atan2(Function):
    """atan2(a, b). torch: with r = where(a² + b² == 0, 0, 1/(a² + b²)), d/da = g·b·r, d/db = g·(-a)·r, so
    the gradient at (0, 0) is 0. (Not an Elementwise: vjp and jvp each compute r once for both inputs.)"""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, b):
        return np.arctan2(a, b)

    def vjp(ctx, g):
        a, b = ctx.inputs
        r = _atan2_recip(a, b)
        return g * b * r, g * -a * r

    def jvp(ctx, da, db):
        a, b = ctx.inputs
        return (da * b - db * a) * _atan2_recip(a, b)


def _atan2_recip(a, b):
    d = a * a + b * b
    return choose(d._data == 0, 0, 1 / d)


class Hypot(Elementwise):
    """hypot(a, b); torch's d/da = g·a / hypot (nan at (0, 0))."""
    reads = ((0,), (1,))  # each input's gradient reads that input (and the output)

    def forward(ctx, a, b):
        return np.hypot(a, b)

    def d_a(ctx, v):
        return v * ctx.inputs[0] / ctx.out

    def d_b(ctx, v):
        return v * ctx.inputs[1] / ctx.out

    def jvp(ctx, da, db):  # torch's forward formula: one division, not the sum of the two terms
        a, b = ctx.inputs
        return (da * a + db * b) / ctx.out


class Xlogy(Elementwise):
    """x·log(y), 0 where x == 0 (unless y is NaN). torch: d/dx = xlogy(g, y) masked to 0 where x == 0 and
    y <= 0; d/dy = g·x / y (nan at x == y == 0)."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, y):
        return np.where(np.isnan(y), np.nan, np.where(x == 0, 0, x * np.log(y))).astype(x.dtype)

    def d_x(ctx, v):
        x, y = ctx.inputs
        return choose((x._data == 0) & (y._data <= 0), 0, Xlogy.apply(*elementwise_operands(v, y)))

    def d_y(ctx, v):
        x, y = ctx.inputs
        return v * x / y


class Logaddexp(Elementwise):
    """log(exp(a) + exp(b)); torch's d/da = g / (1 + exp(b - a)) (nan where a == b == ±inf)."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, b):
        return np.logaddexp(a, b)

    def d_a(ctx, v):
        from .unary import exp

        a, b = ctx.inputs
        return v / (1 + exp(b - a))

    def d_b(ctx, v):
        from .unary import exp

        a, b = ctx.inputs
        return v / (1 + exp(a - b))


@public(method=True, inplace=True)
def atan2(input, other):
    """torch.atan2(input, other) = atan(input / other) in the right quadrant; integers give the default float."""
    return Atan2.apply(*_two_tensors("atan2", input, other, float_only=True))


@public(method=True, inplace=True)
def hypot(input, other):
    """torch.hypot: sqrt(input² + other²), floating dtypes only (as in torch)."""
    a, b = _two_tensors("hypot", input, other)
    if a.dtype.kind != "f":
        raise _not_implemented("hypot_cpu", a.dtype)
    return Hypot.apply(a, b)


@public(method=True, inplace=True, also=("special.xlogy",))
def xlogy(input, other):
    """torch.xlogy: input·log(other), 0 where input == 0; either argument (not both) may be a number."""
    if not isinstance(input, (Tensor, np.ndarray)) and not isinstance(other, (Tensor, np.ndarray)):
        raise argument_error("xlogy", "other", 2, "Tensor", other)
    x, y = binary_operands(input, other, "xlogy", float_only=True)
    return Xlogy.apply(x, y)


@public(method=True)
def logaddexp(input, other):
    """torch.logaddexp: log(exp(input) + exp(other)), floating dtypes only."""
    a, b = _two_tensors("logaddexp", input, other)
    if a.dtype.kind != "f":
        raise _not_implemented("logaddexp_cpu", a.dtype)
    return Logaddexp.apply(a, b)


# ---- fmod, remainder -------------------------------------------------------------------------------------
class Fmod(Elementwise):
    """C fmod (the sign of a). torch: d/da = g, d/db = -g·div(a, b, rounding_mode='trunc')."""
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((), (0, 1))  # a's gradient reads neither, b's both

    def forward(ctx, a, b):
        return np.fmod(a, b)

    d_a = identity

    def d_b(ctx, v):
        a, b = ctx.inputs
        return -v * DivRounded.apply(a, b, mode="trunc")


class Remainder(Elementwise):
    """Python's modulo (the sign of b). torch: d/da = g, d/db = -g·div(a, b, rounding_mode='floor')."""
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((), (0, 1))  # a's gradient reads neither, b's both

    def forward(ctx, a, b):
        if a.dtype.kind != "f":
            return np.remainder(a, b)
        m = np.fmod(a, b)  # torch's algorithm, so that the sign of a zero result is torch's too
        return np.where((m != 0) & ((b < 0) != (m < 0)), m + b, m)

    d_a = identity

    def d_b(ctx, v):
        a, b = ctx.inputs
        return -v * DivRounded.apply(a, b, mode="floor")


@public(method=True, inplace=True)
def fmod(input, other):
    """torch.fmod: input - trunc(input / other)·other; other may be a number. Integer division by zero raises."""
    a, b = elementwise_operands(as_tensor_arg(input, "input", 1, "fmod"),
                                tensor_or_number_arg(other, "other", 2, "fmod"))
    if a.dtype.kind == "b":
        raise _not_implemented("fmod_cpu", a.dtype)
    _check_int_divisor(b)
    return Fmod.apply(a, b)


class RemainderScalarTensor(Remainder):
    """remainder(number, tensor): torch defines no derivative for this overload (nor, so, for ``2 % x``)."""
    saves = ()  # backward reads shapes only

    def vjp(ctx, g):
        raise RuntimeError("derivative for aten::remainder is not implemented")

    def jvp(ctx, da, db):
        raise RuntimeError("derivative for aten::remainder is not implemented")


@public(method=True, inplace=True)
def remainder(input, other):
    """torch.remainder: input - floor(input / other)·other (Python's %); either side may be a number.
    As in torch, remainder(number, tensor) has no derivative (backward through it raises)."""
    a, b = binary_operands(input, other, "remainder")
    if a.dtype.kind == "b":
        raise _not_implemented("remainder_cpu", a.dtype)
    _check_int_divisor(b)
    return (RemainderScalarTensor if is_scalar(input) else Remainder).apply(a, b)


# ---- clamp ----------------------------------------------------------------------------------------------
def _bounded(limited: np.ndarray, x: np.ndarray) -> np.ndarray:
    """np.maximum/np.minimum of x and a bound, keeping x where the two compare equal: torch's clamp replaces x
    only where it is strictly beyond the bound, so clamp(-0.0, min=0.0) stays -0.0 (NumPy's tie picks the
    bound's zero). NaN in either operand still gives NaN (NaN never equals x)."""
    return select(limited == x, x, limited)


class Clamp(Elementwise):
    """min(max(x, lo), hi) with tensor bounds, NaN-propagating. torch's gradients:
    x: where(x >= lo & x <= hi)   lo: where(x < lo & lo < hi)   hi: where(x > hi | hi < lo)
    so a value at a bound passes 1 to x, and with lo > hi the whole gradient goes to hi."""

    def forward(ctx, x, lo, hi):
        above_lo = _bounded(np.maximum(x, lo), x)
        return _bounded(np.minimum(above_lo, hi), above_lo)

    def d_x(ctx, v):
        x, lo, hi = (t._data for t in ctx.inputs)
        return choose((x >= lo) & (x <= hi), v, 0)

    def d_lo(ctx, v):
        x, lo, hi = (t._data for t in ctx.inputs)
        return choose((x < lo) & (lo < hi), v, 0)

    def d_hi(ctx, v):
        x, lo, hi = (t._data for t in ctx.inputs)
        return choose((x > hi) | (hi < lo), v, 0)


class ClampMin(Elementwise):
    """max(x, lo): x gets g where x >= lo, lo where x < lo."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, lo):
        return _bounded(np.maximum(x, lo), x)

    def d_x(ctx, v):
        x, lo = (t._data for t in ctx.inputs)
        return choose(x >= lo, v, 0)

    def d_lo(ctx, v):
        x, lo = (t._data for t in ctx.inputs)
        return choose(x < lo, v, 0)


class ClampMax(Elementwise):
    """min(x, hi): x gets g where x <= hi, hi where x > hi."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, x, hi):
        return _bounded(np.minimum(x, hi), x)

    def d_x(ctx, v):
        x, hi = (t._data for t in ctx.inputs)
        return choose(x <= hi, v, 0)

    def d_hi(ctx, v):
        x, hi = (t._data for t in ctx.inputs)
        return choose(x > hi, v, 0)


def _bound(fn: str, value, name: str, pos: int):
    return None if value is None else tensor_or_number_arg(value, name, pos, fn)


@public(aliases=("clip",), method=True, inplace=True)
def clamp(input, min=None, max=None):
    """torch.clamp: min(max(input, min), max); min and max are numbers or tensors (broadcast), either may be
    None but not both. The result dtype is torch's promotion of input and the bounds."""
    x = as_tensor_arg(input, "input", 1, "clamp")
    lo, hi = _bound("clamp", min, "min", 2), _bound("clamp", max, "max", 3)
    if lo is None and hi is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    if hi is None:
        return ClampMin.apply(*elementwise_operands(x, lo))
    if lo is None:
        return ClampMax.apply(*elementwise_operands(x, hi))
    return Clamp.apply(*elementwise_operands(x, lo, hi))


@public(method=True, inplace=True)
def clamp_min(input, min):
    """torch.clamp_min"""
    if min is None:
        raise TypeError("clamp_min(): argument 'min' must be Tensor or Number, not NoneType")
    return clamp(input, min=min)


@public(method=True, inplace=True)
def clamp_max(input, max):
    """torch.clamp_max"""
    if max is None:
        raise TypeError("clamp_max(): argument 'max' must be Tensor or Number, not NoneType")
    return clamp(input, max=max)
