"""Elementwise functions of three tensors: where, lerp, addcmul, addcdiv (broadcasting, torch's promotion).

The other families' piecewise derivatives select under a constant mask with ``ops.choose.choose``.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import dtypes
from ..arguments import argument_error, as_tensor_arg, tensor_or_number_arg
from ..autograd import Function
from ..registry import public
from ..tensor import Tensor
from .choose import select
from .common import broadcast_shapes, cast, elementwise_operands, is_scalar


class Where(Function):
    """where(condition, a, b); condition is a bool tensor and gets no gradient."""
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((), (0,), (0,))  # a's and b's gradients read the condition alone

    def forward(ctx, cond, a, b):
        return select(cond, a, b)

    def vjp(ctx, g):
        cond = ctx.inputs[0]
        zero = Tensor(np.zeros((), g.dtype))
        return None, Where.apply(cond, g, zero), Where.apply(cond, zero, g)

    def jvp(ctx, dcond, da, db):
        return Where.apply(ctx.inputs[0], da, db)


_NO_ARGUMENT = object()


def _where_method(self, condition, other):
    """Tensor.where(condition, other) == where(condition, self, other)."""
    return where(condition, self, other)


@public(method=_where_method)
def where(condition, input=_NO_ARGUMENT, other=_NO_ARGUMENT):
    """torch.where(condition, input, other): input where condition else other.

    condition must be a bool tensor (a uint8 one is taken with torch's deprecation warning); input and other are
    tensors or Python numbers, promoted together as torch does (condition takes no part in the promotion).
    torch.where(condition) alone is nonzero(condition, as_tuple=True)."""
    cond = as_tensor_arg(condition, "condition", 1, "where")
    if input is _NO_ARGUMENT and other is _NO_ARGUMENT:
        return tuple(Tensor(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(cond._data)))
    if input is _NO_ARGUMENT or other is _NO_ARGUMENT:
        raise TypeError("where() takes condition alone, or condition, input and other (got "
                        f"{'other' if input is _NO_ARGUMENT else 'input'} without the other)")
    if cond.dtype == dtypes.uint8:
        warnings.warn("where received a uint8 condition tensor. This behavior is deprecated and will be removed in a "
                      "future version of PyTorch. Use a boolean condition instead.", UserWarning, stacklevel=2)
        cond = Tensor(cond._data.astype(bool))
    elif cond.dtype != dtypes.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{dtypes.scalar_type_name(cond.dtype)}")
    a, b = elementwise_operands(tensor_or_number_arg(input, "input", 2, "where"),
                                tensor_or_number_arg(other, "other", 3, "where"))
    broadcast_shapes(cond.shape, a.shape, b.shape)
    return Where.apply(cond, a, b)


# ---- lerp ------------------------------------------------------------------------------------------------
def _lerp_forward(a, e, w):
    """torch's lerp kernel: start + w·(end - start) for |w| < 0.5, else end + (w - 1)·(end - start), the last
    step one fused multiply-add (emulated exactly for float32 by computing it in float64)."""
    small = np.abs(w) < 0.5
    diff = e - a
    coeff = np.where(small, w, w - np.asarray(1, w.dtype))
    base = np.where(small, a, e)
    if a.dtype == np.float32:
        return (coeff.astype(np.float64) * diff.astype(np.float64) + base).astype(np.float32)
    return base + coeff * diff


class Lerp(Function):
    """lerp(start, end, weight) with a tensor weight."""
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((2,), (2,), (0, 1, 2))  # start's and end's gradients read the weight; the weight's reads start and end
    # (and torch keeps the weight for it too: a weight modified in place refuses its own gradient there)

    def forward(ctx, a, e, w):
        return _lerp_forward(a, e, w)

    def vjp(ctx, g):
        a, e, w = ctx.inputs
        need_a, need_e, need_w = ctx.needs_input_grad
        return (g * (1 - w) if need_a else None), (g * w if need_e else None), (g * (e - a) if need_w else None)

    def jvp(ctx, da, de, dw):
        a, e, w = ctx.inputs
        return da * (1 - w) + de * w + dw * (e - a)


class LerpScalar(Function):
    """lerp(start, end, weight) with a Python-number weight."""
    saves = ()  # backward reads shapes only

    def forward(ctx, a, e, weight):
        return _lerp_forward(a, e, np.asarray(weight, a.dtype))

    def vjp(ctx, g):
        return g * (1.0 - ctx.weight), g * ctx.weight

    def jvp(ctx, da, de):
        return da * (1.0 - ctx.weight) + de * ctx.weight


@public(method=True, inplace=True)
def lerp(input, end, weight):
    """torch.lerp: input + weight·(end - input), weight a number or a tensor.

    As in torch, input, end and a tensor weight must share one floating dtype (no promotion)."""
    a, e = as_tensor_arg(input, "input", 1, "lerp"), as_tensor_arg(end, "end", 2, "lerp")
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"lerp_kernel\" not implemented for '{dtypes.scalar_type_name(a.dtype)}'")
    if e.dtype != a.dtype:
        raise RuntimeError(f"expected dtype {a.dtype} for `end` but got dtype {e.dtype}")
    if isinstance(weight, (Tensor, np.ndarray)):
        w = as_tensor_arg(weight, "weight", 3, "lerp")
        if w.ndim == 0:  # torch takes a 0-d weight of any dtype, converted to input's
            w = cast(w, a.dtype)
        if w.dtype != a.dtype:
            raise RuntimeError(f"expected dtype {a.dtype} for `weight` but got dtype {w.dtype}")
        broadcast_shapes(a.shape, e.shape, w.shape)
        return Lerp.apply(a, e, w)
    if not is_scalar(weight):
        raise argument_error("lerp", "weight", 3, "Tensor or Number", weight)
    broadcast_shapes(a.shape, e.shape)
    return LerpScalar.apply(a, e, weight=float(weight))


# ---- addcmul / addcdiv -----------------------------------------------------------------------------------
def _value(value, dt: np.dtype, fn: str):
    """The scalar multiplier of addcmul/addcdiv, in the result dtype (torch casts it: 2.5 -> 2 for ints)."""
    if isinstance(value, Tensor) and value.numel() == 1:  # torch takes a one-element tensor as a number
        value = value.item()
    if not is_scalar(value):
        raise TypeError(f"{fn}(): argument 'value' must be Number, not {type(value).__name__}")
    return np.asarray(value).astype(dt).item()


# torch's addcmul kernel is one fused multiply-add, fma(value·t1, t2, input): the product is not rounded before the
# sum, so inf + max·(-max) is inf, not nan. NumPy has no fma; a dtype with twice the significand emulates it (a
# float32 product is exact in float64), and long double narrows the gap for float64 where it is wider (x86: 64 bits
# of significand and a wider exponent, so the product cannot overflow).
_LONGDOUBLE_IS_WIDER = np.finfo(np.longdouble).nmant > np.finfo(np.float64).nmant
_FMA_DTYPE = {np.dtype(np.float16): np.float64, np.dtype(np.float32): np.float64,
              np.dtype(np.float64): np.longdouble if _LONGDOUBLE_IS_WIDER else None}


def _fused_multiply_add(x, y, z):
    """x·y + z with one rounding (to within a rounding of the wider dtype), in x's dtype."""
    wide = _FMA_DTYPE.get(x.dtype)
    if wide is None:  # integers, bool, and float64 where long double is no wider
        return x * y + z
    return (x.astype(wide) * y.astype(wide) + z.astype(wide)).astype(x.dtype)


class Addcmul(Function):
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((), (2,), (1,))  # a's gradient reads neither factor, each factor's reads the other

    def forward(ctx, a, t1, t2, value):
        return _fused_multiply_add(np.asarray(value, a.dtype) * t1, t2, a)

    def vjp(ctx, g):
        _, t1, t2 = ctx.inputs
        v = ctx.value
        need_a, need_t1, need_t2 = ctx.needs_input_grad
        return (g if need_a else None), (g * (t2 * v) if need_t1 else None), (g * (t1 * v) if need_t2 else None)

    def jvp(ctx, da, d1, d2):
        _, t1, t2 = ctx.inputs
        return da + (d1 * t2 + t1 * d2) * ctx.value


class Addcdiv(Function):
    saves = ("inputs",)  # backward reads only the inputs
    reads = ((2,), (2,), (1, 2))  # t1's gradient reads t2, t2's reads both; torch keeps t2 for a's too

    def forward(ctx, a, t1, t2, value):
        v = np.asarray(value, a.dtype)
        # division by 0 and inf/inf are values (inf, nan), as in torch
        return a + v * t1 / t2

    def vjp(ctx, g):
        _, t1, t2 = ctx.inputs
        v = ctx.value
        need_a, need_t1, need_t2 = ctx.needs_input_grad
        return ((g if need_a else None), (g * (v / t2) if need_t1 else None),
                (-g * (v * t1 / (t2 * t2)) if need_t2 else None))

    def jvp(ctx, da, d1, d2):
        _, t1, t2 = ctx.inputs
        return da + (d1 / t2 - t1 * d2 / (t2 * t2)) * ctx.value


def _three(fn, input, tensor1, tensor2):
    xs = [as_tensor_arg(x, n, i + 1, fn) for i, (x, n) in enumerate(((input, "input"), (tensor1, "tensor1"),
                                                                  (tensor2, "tensor2")))]
    dt = dtypes.result_type(*xs)
    broadcast_shapes(*(x.shape for x in xs))
    return [cast(x, dt) for x in xs], xs


@public(method=True, inplace=True)
def addcmul(input, tensor1, tensor2, *, value=1):
    """torch.addcmul: input + value·tensor1·tensor2 (value cast to the result dtype, as torch does)."""
    (a, t1, t2), _ = _three("addcmul", input, tensor1, tensor2)
    return Addcmul.apply(a, t1, t2, value=_value(value, a.dtype, "addcmul"))


@public(method=True, inplace=True)
def addcdiv(input, tensor1, tensor2, *, value=1):
    """torch.addcdiv: input + value·tensor1/tensor2. Integer tensor1 and tensor2 together are refused, as in
    torch."""
    (a, t1, t2), (_, r1, r2) = _three("addcdiv", input, tensor1, tensor2)
    if r1.dtype.kind in "iub" and r2.dtype.kind in "iub":
        raise RuntimeError(
            "Integer division with addcdiv is no longer supported, and in a future  release addcdiv will perform "
            "a true division of tensor1 and tensor2. The historic addcdiv behavior can be implemented as "
            "(input + value * torch.trunc(tensor1 / tensor2)).to(input.dtype) for integer inputs and as "
            "(input + value * tensor1 / tensor2) for float inputs. The future addcdiv behavior is just the latter "
            "implementation: (input + value * tensor1 / tensor2), for all dtypes. "
            f"(got tensor1 {r1.dtype}, tensor2 {r2.dtype})")
    return Addcdiv.apply(a, t1, t2, value=_value(value, a.dtype, "addcdiv"))


