"""Factories: torch.tensor, zeros, ones, full, arange, linspace, eye and their *_like forms."""
from __future__ import annotations

import builtins
import math

import numpy as np

from . import dtypes
from .tensor import Tensor, _size


def _infer_dtype(data) -> np.dtype:
    """torch.tensor's inference: Python floats -> default dtype, ints -> int64, bools -> bool;
    ndarrays and tensors keep theirs."""
    if isinstance(data, Tensor):
        return data.dtype
    if isinstance(data, np.ndarray | np.generic):
        return data.dtype
    arr = np.asarray(data)
    if arr.dtype.kind == "f":
        return dtypes.get_default_dtype()
    if arr.dtype.kind in "iu":
        return dtypes.int64
    if arr.dtype.kind == "b":
        return dtypes.bool
    raise TypeError(f"Could not infer dtype of {type(data).__name__} (array kind {arr.dtype.kind!r})")


def tensor(data, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.tensor: always copies ``data``."""
    dtype = dtypes.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    src = data._data if isinstance(data, Tensor) else data
    with np.errstate(over="ignore"):  # 1e308 as float32 is inf, silently, as in torch
        return Tensor(np.array(src, dtype=dtype), requires_grad=requires_grad)


def as_tensor(data, dtype=None, device=None) -> Tensor:
    """torch.as_tensor: shares memory with an ndarray of the right dtype."""
    if isinstance(data, Tensor) and (dtype is None or dtypes.to_dtype(dtype) == data.dtype):
        return data
    dtype = dtypes.to_dtype(dtype) if dtype is not None else _infer_dtype(data)
    return Tensor(np.asarray(data._data if isinstance(data, Tensor) else data, dtype=dtype))


def from_numpy(array: np.ndarray) -> Tensor:
    if not isinstance(array, np.ndarray):
        raise TypeError(f"expected np.ndarray (got {type(array).__name__})")
    return Tensor(array)


def _dtype(dtype) -> np.dtype:
    return dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)


def zeros(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(_size(size), _dtype(dtype)), requires_grad=requires_grad)


def ones(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(_size(size), _dtype(dtype)), requires_grad=requires_grad)


def empty(*size, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.empty(_size(size), _dtype(dtype)), requires_grad=requires_grad)


def full(size, fill_value, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.full: without dtype, the fill value's type decides (float -> default, int -> int64)."""
    if dtype is None:
        dtype = _infer_dtype(fill_value)
    return Tensor(np.full(_size((size,)), fill_value, dtypes.to_dtype(dtype)), requires_grad=requires_grad)


def zeros_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.zeros(input.shape, dtype or input.dtype), requires_grad=requires_grad)


def ones_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.ones(input.shape, dtype or input.dtype), requires_grad=requires_grad)


def empty_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.empty(input.shape, dtype or input.dtype), requires_grad=requires_grad)


def full_like(input: Tensor, fill_value, dtype=None, requires_grad: bool = False) -> Tensor:
    return Tensor(np.full(input.shape, fill_value, dtype or input.dtype), requires_grad=requires_grad)


def arange(start, end=None, step=1, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.arange: int64 when start, end and step are all integers, else the default float dtype."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if (end - start) * step < 0:
        raise RuntimeError(f"upper bound and larger bound inconsistent with step sign (start={start}, end={end}, "
                           f"step={step})")
    if dtype is None:
        ints = all(isinstance(v, (builtins.int, np.integer)) for v in (start, end, step))
        dtype = dtypes.int64 if ints else dtypes.get_default_dtype()
    n = max(0, math.ceil((end - start) / step))
    return Tensor((start + step * np.arange(n, dtype=np.float64)).astype(dtypes.to_dtype(dtype))
                  if dtypes.to_dtype(dtype).kind == "f" else np.arange(start, end, step, dtype=dtypes.to_dtype(dtype)),
                  requires_grad=requires_grad)


def linspace(start, end, steps: int, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if steps < 0:
        raise RuntimeError(f"number of steps must be non-negative, got {steps}")
    return Tensor(np.linspace(start, end, steps, dtype=np.float64).astype(_dtype(dtype)), requires_grad=requires_grad)


def eye(n: int, m: int | None = None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    if n < 0 or (m is not None and m < 0):
        raise RuntimeError(f"n and m must be non-negative, got n={n}, m={m}")
    return Tensor(np.eye(n, m, dtype=_dtype(dtype)), requires_grad=requires_grad)
