"""Factories: torch.tensor, zeros, ones, full, arange, linspace, eye and their *_like forms.

Arguments are checked as torch's argument parser checks them (refgrad.arguments), so a wrong type, a negative
size or a value a dtype cannot hold raises torch's exception class with a message naming it.
"""
from __future__ import annotations

import math
import sys

import numpy as np

from . import dtypes
from .arguments import argument_error, as_tensor_arg, dtype_arg, int_arg, new_size_arg, number_arg, size_keyword
from .registry import public
from .tensor import Tensor

_INT64_MIN, _INT64_MAX = -(2**63), 2**63 - 1


# ---- tensor, as_tensor, from_numpy ------------------------------------------------------------------------
def _ragged_message(data) -> str | None:
    """torch's message for a nested sequence that is not rectangular, or None if it is."""
    level, dim = [data], 0
    while level:
        nested = [isinstance(x, (list, tuple)) for x in level]
        if not any(nested):
            return None
        if not all(nested):
            return f"a nested sequence mixes numbers and sequences at dim {dim}"
        expected = len(level[0])
        for x in level:
            if len(x) != expected:
                return f"expected sequence of length {expected} at dim {dim} (got {len(x)})"
        level, dim = [y for x in level for y in x], dim + 1
    return None


def _array_from_data(data, fn: str) -> np.ndarray:
    """Python data (numbers, nested sequences of them, tensors, ndarrays) -> an ndarray, with torch's errors for
    ragged nesting, non-numbers and integers beyond int64."""
    if isinstance(data, Tensor):
        return data._data
    if isinstance(data, np.ndarray | np.generic):
        return np.asarray(data)
    if isinstance(data, (str, bytes)):
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    try:
        arr = np.array(data)
    except ValueError:
        message = _ragged_message(data)
        if message is None:
            raise
        raise ValueError(f"{fn}(): {message}") from None
    if arr.dtype.kind in "fiub" or arr.dtype.kind == "O" and all(type(x) is int for x in arr.flat):
        return arr  # (uint64 or object: integers beyond int64, which only a float dtype can take)
    if arr.dtype.kind in "US":
        raise TypeError(f"new(): invalid data type '{type(np.ravel(arr)[0].item()).__name__}'")
    bad = next((x for x in np.ravel(arr) if not isinstance(x, (int, float, bool))), data) if arr.size else data
    raise RuntimeError(f"Could not infer dtype of {dtypes.type_name(bad)}")


def _infer_dtype(data, arr: np.ndarray) -> np.dtype:
    """torch.tensor's inference: Python floats -> default dtype, ints -> int64, bools -> bool; ndarrays, NumPy
    scalars and tensors keep theirs."""
    if isinstance(data, Tensor | np.ndarray | np.generic):
        return arr.dtype
    if arr.dtype.kind == "f":
        return dtypes.get_default_dtype()
    return dtypes.int64 if arr.dtype.kind in "iu" else dtypes.bool


def _check_fits(arr: np.ndarray, dtype: np.dtype) -> None:
    """torch.tensor(python_data, dtype=an integer dtype) refuses NaN, ±inf and values out of the dtype's range
    (an unsigned dtype takes negatives down to -max, modulo 2**bits), as its per-element checked conversion."""
    if dtype.kind not in "iu" or arr.dtype.kind not in "fiu" or arr.size == 0:
        return
    info = np.iinfo(dtype)
    low = -int(info.max) if dtype.kind == "u" else int(info.min)
    lo, hi = arr.min(), arr.max()
    if not (low <= lo and hi <= int(info.max)):  # False for NaN
        bad = lo if not low <= lo else hi
        raise RuntimeError(f"value cannot be converted to type {dtype.name} without overflow (value {bad.item()!r})")


def _convert(data, dtype, fn: str, copy: bool) -> np.ndarray:
    arr = _array_from_data(data, fn)
    python_data = not isinstance(data, Tensor | np.ndarray | np.generic)
    dtype = _infer_dtype(data, arr) if dtype is None else dtypes.to_dtype(dtype)
    if python_data and (arr.dtype == np.uint64 or arr.dtype.kind == "O"):  # Python ints beyond int64
        if dtype.kind != "f":
            raise ValueError(f"{fn}(): an integer in the data does not fit in int64: the data holds values from "
                             f"{min(arr.flat)} to {max(arr.flat)}, int64 holds {_INT64_MIN} to {_INT64_MAX}")
        arr = arr.astype(np.float64)
    elif python_data:
        _check_fits(arr, dtype)
    with np.errstate(over="ignore", invalid="ignore"):  # 1e308 as float32 is inf, silently, as in torch
        return np.array(arr, dtype=dtype, copy=True) if copy else np.asarray(arr, dtype=dtype)


@public
def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.tensor: always copies ``data``."""
    return Tensor(_convert(data, dtype, "tensor", copy=True), requires_grad=requires_grad)


@public
def as_tensor(data, dtype=None, device=None) -> Tensor:
    """torch.as_tensor: shares memory with a tensor or an ndarray of the right dtype."""
    if isinstance(data, Tensor) and (dtype is None or dtypes.to_dtype(dtype) == data.dtype):
        return data
    return Tensor(_convert(data, dtype, "as_tensor", copy=False))


@public
def from_numpy(array: np.ndarray) -> Tensor:
    """torch.from_numpy: a tensor sharing the array's memory; dtypes torch has no counterpart of are refused."""
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {dtypes.type_name(array)})")
    if array.dtype.newbyteorder("=") not in dtypes.SUPPORTED:
        raise TypeError(f"can't convert np.ndarray of type numpy.{array.dtype.type.__name__}. The only supported "
                        f"types are: {', '.join(sorted(d.name for d in dtypes.SUPPORTED))}.")
    if not array.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte order. Conversion "
                         f"between byte orders is currently not supported (dtype {array.dtype.str}).")
    return Tensor(array)


# ---- zeros, ones, empty, full and their *_like ------------------------------------------------------------
def _new(make, fn: str, size: tuple, kw: dict, dtype, requires_grad: bool) -> Tensor:
    shape = new_size_arg(size, fn, keyword=size_keyword(kw, fn))
    return Tensor(make(shape, dtype_arg(dtype, dtypes.get_default_dtype())), requires_grad=requires_grad)


@public
def zeros(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """torch.zeros(*size) or zeros(size) or zeros(size=...)."""
    return _new(np.zeros, "zeros", size, kw, dtype, requires_grad)


@public
def ones(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """torch.ones(*size) or ones(size) or ones(size=...)."""
    return _new(np.ones, "ones", size, kw, dtype, requires_grad)


@public
def empty(*size, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """torch.empty(*size) or empty(size) or empty(size=...): uninitialized values."""
    return _new(np.empty, "empty", size, kw, dtype, requires_grad)


def _fill_value(fill_value, fn: str):
    """full's fill value: a number, or a 0-d tensor taken as its number (torch's Scalar argument)."""
    return number_arg(fill_value, "fill_value", 2, fn)


def _filled(shape: tuple, value, dtype: np.dtype, requires_grad: bool) -> Tensor:
    return Tensor(np.full(shape, dtypes.checked_scalar(value, dtype), dtype), requires_grad=requires_grad)


@public
def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False, _fn: str = "full") -> Tensor:
    """torch.full: without dtype, the fill value's type decides (bool -> bool, int -> int64, float -> default).
    A value the dtype cannot hold (NaN into int64, 300 into uint8) raises, as in torch."""
    if not isinstance(size, (tuple, list)):
        raise argument_error(_fn, "size", 1, "tuple of ints", size)
    shape = new_size_arg((size,), _fn)
    value = _fill_value(fill_value, _fn)
    if dtype is None:
        dtype = dtypes.bool if isinstance(value, bool) else dtypes.int64 if isinstance(value, int) else None
    return _filled(shape, value, dtype_arg(dtype, dtypes.get_default_dtype()), requires_grad)


def _like(input, fn: str) -> Tensor:
    return as_tensor_arg(input, "input", 1, fn)


@public
def zeros_like(input, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    x = _like(input, "zeros_like")
    return Tensor(np.zeros(x.shape, dtype_arg(dtype, x.dtype)), requires_grad=requires_grad)


@public
def ones_like(input, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    x = _like(input, "ones_like")
    return Tensor(np.ones(x.shape, dtype_arg(dtype, x.dtype)), requires_grad=requires_grad)


@public
def empty_like(input, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    x = _like(input, "empty_like")
    return Tensor(np.empty(x.shape, dtype_arg(dtype, x.dtype)), requires_grad=requires_grad)


@public
def full_like(input, fill_value, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    x = _like(input, "full_like")
    return _filled(x.shape, _fill_value(fill_value, "full_like"), dtype_arg(dtype, x.dtype), requires_grad)


# ---- arange, linspace, eye --------------------------------------------------------------------------------
def _arange_length(start, end, step, dtype: np.dtype, given: tuple) -> int:
    """torch's arange size: for int64 in integer arithmetic on the truncated bounds, else in double on the bounds
    as given."""
    if dtype == dtypes.int64:
        sign = (step > 0) - (step < 0)
        n = (end - start + step - sign) // step  # >= 0 here: the signs agree
    else:
        given_start, given_end, given_step = given
        n = math.ceil((given_end - given_start) / given_step)
    if n > sys.maxsize:
        raise RuntimeError(f"invalid size, possible overflow? (arange from {start} to {end} by {step} has {n} "
                           f"elements)")
    return max(0, int(n))


@public
def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.arange: int64 when start, end and step are all integers, else the default float dtype. Integer
    dtypes truncate start, end and step first (a step that truncates to 0 raises), as torch."""
    if end is None:
        start, end = 0, number_arg(start, "end", 1, "arange")
    else:
        start, end = number_arg(start, "start", 1, "arange"), number_arg(end, "end", 2, "arange")
    step = number_arg(step, "step", 3, "arange")
    if dtype is None:
        ints = all(isinstance(v, int) for v in (start, end, step))  # (bools are ints, as in torch)
        dtype = dtypes.int64 if ints else dtypes.get_default_dtype()
    dtype = dtypes.to_dtype(dtype)
    if dtype == dtypes.bool:
        raise NotImplementedError("\"arange_cpu\" not implemented for 'Bool'")
    if step == 0 or step != step:
        raise RuntimeError(f"step must be nonzero (got step={step})")
    for bound in (start, end):
        if not math.isfinite(bound):
            raise RuntimeError(f"unsupported range: {start} -> {end}")
    given = (start, end, step)
    if dtype.kind != "f":  # torch's integer kernels take start, end and step as integers
        start, end, whole_step = int(start), int(end), int(step)
        if whole_step == 0:
            raise ValueError(f"step must be nonzero (step={step} truncates to 0 for dtype {dtype})")
        step = whole_step
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and lower bound inconsistent with step sign (start={start}, end={end}, "
                           f"step={step})")
    n = _arange_length(start, end, step, dtype, given)
    if dtype.kind == "f":  # computed in double, then rounded once, as torch's accumulate type does
        values = (start + step * np.arange(n, dtype=np.float64)).astype(dtype)
    else:
        values = (start + step * np.arange(n, dtype=np.int64)).astype(dtype)
    return Tensor(values, requires_grad=requires_grad)


@public
def linspace(start, end, steps, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.linspace: steps values from start to end, computed as torch's kernel does (the first half forward
    from start, the second half backward from end), in double, then cast."""
    start, end = number_arg(start, "start", 1, "linspace"), number_arg(end, "end", 2, "linspace")
    steps = int_arg(steps, "steps", 3, "linspace")
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative (got steps={steps})")
    dtype = dtype_arg(dtype, dtypes.get_default_dtype())
    if dtype == dtypes.bool:
        raise NotImplementedError("\"linspace_cpu\" not implemented for 'Bool'")
    i = np.arange(steps, dtype=np.float64)
    with np.errstate(invalid="ignore", over="ignore"):  # inf bounds give NaN, as in torch
        step = (end - start) / (steps - 1) if steps > 1 else 0.0
        values = np.where(i < max(steps // 2, 1), start + step * i, end - step * (steps - 1 - i))
        return Tensor(values.astype(dtype), requires_grad=requires_grad)


@public
def eye(n, m=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.eye: an n x m matrix (m defaults to n) with ones on the diagonal."""
    n = int_arg(n, "n", 1, "eye")
    m = n if m is None else int_arg(m, "m", 2, "eye")
    for name, value in (("n", n), ("m", m)):
        if value < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {value}")
    return Tensor(np.eye(n, m, dtype=dtype_arg(dtype, dtypes.get_default_dtype())), requires_grad=requires_grad)
