"""Comparisons, logical and bitwise ops, and the NaN/inf tests: no gradients; results are bool tensors (or, for
the bitwise ops, the promoted integer dtype; for equal/allclose, Python bools).

Operands are promoted as torch does before comparing (an int tensor against 2.5 compares in the default float
dtype; a float32 tensor against 0.1 compares with float32(0.1)), and broadcast with torch's message.
"""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..arguments import as_tensor_arg, tensor_or_number_arg
from ..registry import public
from ..tensor import Tensor
from .common import binary_operands, broadcast_shapes, elementwise_operands


def _compare(fn: str, ufunc, input, other) -> Tensor:
    a, b = elementwise_operands(as_tensor_arg(input, "input", 1, fn), tensor_or_number_arg(other, "other", 2, fn))
    with np.errstate(invalid="ignore"):
        return Tensor(np.asarray(ufunc(a._data, b._data)))


@public(method=True, inplace=True)
def eq(input, other):
    """torch.eq: input == other elementwise (other a tensor or a number)."""
    return _compare("eq", np.equal, input, other)


@public(method=True, inplace=True)
def ne(input, other):
    """torch.ne"""
    return _compare("ne", np.not_equal, input, other)


@public(method=True, inplace=True)
def lt(input, other):
    """torch.lt"""
    return _compare("lt", np.less, input, other)


@public(method=True, inplace=True)
def le(input, other):
    """torch.le"""
    return _compare("le", np.less_equal, input, other)


@public(method=True, inplace=True)
def gt(input, other):
    """torch.gt"""
    return _compare("gt", np.greater, input, other)


@public(method=True, inplace=True)
def ge(input, other):
    """torch.ge"""
    return _compare("ge", np.greater_equal, input, other)


# ---- logical ------------------------------------------------------------------------------------------
def _logical(fn: str, ufunc, input, other) -> Tensor:
    a, b = as_tensor_arg(input, "input", 1, fn), as_tensor_arg(other, "other", 2, fn)
    broadcast_shapes(a.shape, b.shape)
    return Tensor(np.asarray(ufunc(a._data != 0, b._data != 0)))


@public(method=True, inplace=True)
def logical_and(input, other):
    """torch.logical_and: nonzero (NaN included) is True; any dtypes; the result is bool."""
    return _logical("logical_and", np.logical_and, input, other)


@public(method=True, inplace=True)
def logical_or(input, other):
    """torch.logical_or"""
    return _logical("logical_or", np.logical_or, input, other)


@public(method=True, inplace=True)
def logical_xor(input, other):
    """torch.logical_xor"""
    return _logical("logical_xor", np.logical_xor, input, other)


@public(method=True, inplace=True)
def logical_not(input):
    """torch.logical_not"""
    return Tensor(np.asarray(as_tensor_arg(input, "input", 1, "logical_not")._data == 0))


# ---- nan / inf tests --------------------------------------------------------------------------------------
@public(method=True)
def isnan(input):
    """torch.isnan (False everywhere for integer and bool tensors)."""
    x = as_tensor_arg(input, "input", 1, "isnan")
    return Tensor(np.isnan(x._data) if x.dtype.kind == "f" else np.zeros(x.shape, bool))


@public(method=True)
def isinf(input):
    """torch.isinf"""
    x = as_tensor_arg(input, "input", 1, "isinf")
    return Tensor(np.isinf(x._data) if x.dtype.kind == "f" else np.zeros(x.shape, bool))


@public(method=True)
def isfinite(input):
    """torch.isfinite"""
    x = as_tensor_arg(input, "input", 1, "isfinite")
    return Tensor(np.isfinite(x._data) if x.dtype.kind == "f" else np.ones(x.shape, bool))


# ---- bitwise (the operators & | ^ ~) ----------------------------------------------------------------------
def _bitwise(fn: str, ufunc, input, other) -> Tensor:
    a, b = binary_operands(input, other, fn)
    if a.dtype.kind == "f":
        raise NotImplementedError(f"\"{fn}_cpu\" not implemented for '{dtypes.scalar_type_name(a.dtype)}'")
    return Tensor(np.asarray(ufunc(a._data, b._data)).astype(a.dtype))


@public(method=True, inplace=True)
def bitwise_and(input, other):
    """torch.bitwise_and (the & operator): integer and bool tensors (and numbers); floats are refused."""
    return _bitwise("bitwise_and", np.bitwise_and, input, other)


@public(method=True, inplace=True)
def bitwise_or(input, other):
    """torch.bitwise_or (|)"""
    return _bitwise("bitwise_or", np.bitwise_or, input, other)


@public(method=True, inplace=True)
def bitwise_xor(input, other):
    """torch.bitwise_xor (^)"""
    return _bitwise("bitwise_xor", np.bitwise_xor, input, other)


@public(method=True, inplace=True)
def bitwise_not(input):
    """torch.bitwise_not (~): logical not on bool, two's complement on integers.

    Difference: ``~x`` on a float tensor raises NotImplementedError here (the error of torch.bitwise_not);
    torch's operator raises TypeError."""
    x = as_tensor_arg(input, "input", 1, "bitwise_not")
    if x.dtype.kind == "f":
        raise NotImplementedError(f"\"bitwise_not_cpu\" not implemented for '{dtypes.scalar_type_name(x.dtype)}'")
    return Tensor(np.invert(x._data))


# ---- whole-tensor comparisons -----------------------------------------------------------------------------
@public(method=True)
def equal(input, other) -> bool:
    """torch.equal: True when both have the same shape and the same values (compared after promotion, so
    dtypes may differ; NaN is never equal)."""
    a, b = as_tensor_arg(input, "input", 1, "equal"), as_tensor_arg(other, "other", 2, "equal")
    if a.shape != b.shape:
        return False
    a, b = elementwise_operands(a, b)
    return bool(np.array_equal(a._data, b._data))


@public(method=True)
def isclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False):
    """torch.isclose: |input - other| <= atol + rtol·|other| (or exactly equal; NaNs equal when equal_nan).

    As in torch, both must have the same dtype; the test runs in that dtype (integers and bools in the
    default float dtype)."""
    a, b = as_tensor_arg(input, "input", 1, "isclose"), as_tensor_arg(other, "other", 2, "isclose")
    if a.dtype != b.dtype:
        raise RuntimeError(f"{dtypes.scalar_type_name(a.dtype)} did not match {dtypes.scalar_type_name(b.dtype)} "
                           f"(isclose of {a.dtype} and {b.dtype})")
    for name, v in (("rtol", rtol), ("atol", atol)):
        if v < 0:
            raise RuntimeError(f"{name} must be greater than or equal to zero, but got {v}")
    broadcast_shapes(a.shape, b.shape)
    x, y = a._data, b._data
    with np.errstate(all="ignore"):
        close = x == y
        if equal_nan and a.dtype.kind == "f":
            close = close | (np.isnan(x) & np.isnan(y))
        if rtol == 0 and atol == 0:
            return Tensor(np.asarray(close))
        ct = a.dtype if a.dtype.kind == "f" else dtypes.get_default_dtype()
        xf, yf = x.astype(ct), y.astype(ct)
        allowed = np.asarray(atol, ct) + np.abs(np.asarray(rtol, ct) * yf)
        actual = np.abs(xf - yf) if a.dtype.kind == "f" else np.abs(x.astype(np.int64) - y.astype(np.int64))
        close = close | (np.isfinite(actual) & (actual <= allowed))
    return Tensor(np.asarray(close))


@public(method=True)
def allclose(input, other, rtol: float = 1e-05, atol: float = 1e-08, equal_nan: bool = False) -> bool:
    """torch.allclose: isclose(...).all() as a Python bool."""
    return bool(np.all(isclose(input, other, rtol, atol, equal_nan)._data))
