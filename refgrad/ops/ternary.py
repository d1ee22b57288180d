"""Elementwise functions of three tensors: where, lerp, addcmul, addcdiv (broadcasting, torch's promotion).

The other families' piecewise derivatives select under a constant mask with ``ops.choose.choose``.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..autograd import Function
from ..registry import public
from ..tensor import Tensor
from .common import broadcast_shapes, cast, elementwise_operands, is_scalar


class Where(Function):
    """where(condition, a, b); condition is a bool tensor and gets no gradient."""
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, cond, a, b):
        return np.where(cond, a, b)

    def vjp(ctx, g):
        cond = ctx.inputs[0]
        zero = Tensor(np.zeros((), g.dtype))
        return None, Where.apply(cond, g, zero), Where.apply(cond, zero, g)

    def jvp(ctx, dcond, da, db):
        return Where.apply(ctx.inputs[0], da, db)


def _type_error(fn: str, name: str, pos: int, x, want: str = "Tensor"):
    return TypeError(f"{fn}(): argument '{name}' (position {pos}) must be {want}, not {type(x).__name__}")


def _tensor(fn: str, x, name: str, pos: int) -> Tensor:
    if isinstance(x, Tensor):
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    raise _type_error(fn, name, pos, x)


def _where_method(self, condition, other):
    """Tensor.where(condition, other) == where(condition, self, other)."""
    return where(condition, self, other)


@public(method=_where_method)
def where(condition, input, other):
    """torch.where(condition, input, other): input where condition else other.

    condition must be a bool tensor; input and other are tensors or Python numbers, promoted together as
    torch does (condition takes no part in the promotion). The one-argument form torch.where(condition)
    is nonzero(condition, as_tuple=True) and is not provided here."""
    cond = _tensor("where", condition, "condition", 1)
    if cond.dtype != dtypes.bool:
        raise RuntimeError(f"where expected condition to be a boolean tensor, but got a tensor with dtype "
                           f"{_torch_name(cond.dtype)}")
    for x, name, pos in ((input, "input", 2), (other, "other", 3)):
        if not isinstance(x, (Tensor, np.ndarray)) and not is_scalar(x):
            raise _type_error("where", name, pos, x, "Tensor or Number")
    a, b = elementwise_operands(input, other)
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

    def forward(ctx, a, e, w):
        return _lerp_forward(a, e, w)

    def vjp(ctx, g):
        a, e, w = ctx.inputs
        return g * (1 - w), g * w, g * (e - a)

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
    a, e = _tensor("lerp", input, "input", 1), _tensor("lerp", end, "end", 2)
    if a.dtype.kind != "f":
        raise NotImplementedError(f"\"lerp_kernel\" not implemented for '{_torch_name(a.dtype)}'")
    if e.dtype != a.dtype:
        raise RuntimeError(f"expected dtype {a.dtype} for `end` but got dtype {e.dtype}")
    if isinstance(weight, (Tensor, np.ndarray)):
        w = _tensor("lerp", weight, "weight", 3)
        if w.ndim == 0:  # torch takes a 0-d weight of any dtype, converted to input's
            w = cast(w, a.dtype)
        if w.dtype != a.dtype:
            raise RuntimeError(f"expected dtype {a.dtype} for `weight` but got dtype {w.dtype}")
        broadcast_shapes(a.shape, e.shape, w.shape)
        return Lerp.apply(a, e, w)
    if not is_scalar(weight):
        raise _type_error("lerp", "weight", 3, weight, "Tensor or Number")
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


class Addcmul(Function):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, t1, t2, value):
        v = np.asarray(value, a.dtype)
        return a + v * t1 * t2

    def vjp(ctx, g):
        _, t1, t2 = ctx.inputs
        v = ctx.value
        return g, g * (t2 * v), g * (t1 * v)

    def jvp(ctx, da, d1, d2):
        _, t1, t2 = ctx.inputs
        return da + (d1 * t2 + t1 * d2) * ctx.value


class Addcdiv(Function):
    saves = ("inputs",)  # backward reads only the inputs

    def forward(ctx, a, t1, t2, value):
        v = np.asarray(value, a.dtype)
        return a + v * t1 / t2

    def vjp(ctx, g):
        _, t1, t2 = ctx.inputs
        v = ctx.value
        return g, g * (v / t2), -g * (v * t1 / (t2 * t2))

    def jvp(ctx, da, d1, d2):
        _, t1, t2 = ctx.inputs
        return da + (d1 / t2 - t1 * d2 / (t2 * t2)) * ctx.value


def _three(fn, input, tensor1, tensor2):
    xs = [_tensor(fn, x, n, i + 1) for i, (x, n) in enumerate(((input, "input"), (tensor1, "tensor1"),
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


_TORCH_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half", "int64": "Long", "int32": "Int",
                "int16": "Short", "int8": "Char", "uint8": "Byte", "bool": "Bool"}


def _torch_name(dt) -> str:
    """torch's C-level dtype name, as it appears in its messages ('Float', 'Long', ...)."""
    return _TORCH_NAMES.get(np.dtype(dt).name, np.dtype(dt).name)
