"""A NumPy-backed global generator: manual_seed, rand, randn, randint and their *_like forms.

refgrad draws from ``numpy.random.Generator`` (PCG64), so seeds reproduce refgrad runs but do not
reproduce torch's random streams.
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .arguments import argument_error, as_tensor_arg, dtype_arg, int_arg, new_size_arg, size_keyword
from .registry import public
from .tensor import Tensor


@public
class Generator:
    """torch.Generator's seeding interface over a NumPy PCG64 generator."""

    def __init__(self, device=None):
        self._seed = int(np.random.SeedSequence().entropy % (2**63))
        self.rng = np.random.default_rng(self._seed)

    def manual_seed(self, seed: int) -> Generator:
        self._seed = int(seed)
        self.rng = np.random.default_rng(self._seed)
        return self

    def initial_seed(self) -> int:
        return self._seed


default_generator = Generator()


@public
def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


@public
def initial_seed() -> int:
    return default_generator.initial_seed()


def _rng(generator) -> np.random.Generator:
    return (generator or default_generator).rng


def _float_dtype(dtype, kernel: str) -> np.dtype:
    """A continuous distribution's dtype: floating only (torch's NotImplementedError names its kernel)."""
    dtype = dtype_arg(dtype, dtypes.get_default_dtype())
    if dtype.kind != "f":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{dtypes.scalar_type_name(dtype)}'")
    return dtype


@public
def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """torch.rand: uniform on [0, 1)."""
    shape = new_size_arg(size, "rand", keyword=size_keyword(kw, "rand"))
    dtype = _float_dtype(dtype, "check_uniform_bounds")
    return Tensor(_rng(generator).random(shape).astype(dtype), requires_grad=requires_grad)


@public
def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False, **kw) -> Tensor:
    """torch.randn: standard normal."""
    shape = new_size_arg(size, "randn", keyword=size_keyword(kw, "randn"))
    dtype = _float_dtype(dtype, "normal_kernel_cpu")
    return Tensor(_rng(generator).standard_normal(shape).astype(dtype), requires_grad=requires_grad)


@public
def randint(low=None, high=None, size=None, generator=None, dtype=None, device=None,
            requires_grad: bool = False) -> Tensor:
    """torch.randint(high, size) or randint(low, high, size): integers in [low, high), int64 by default. size is
    a sequence (randint(3, 2) is torch's TypeError); the bounds must fit the dtype."""
    if size is None and high is not None and low is not None:  # randint(high, size)
        low, high, size = 0, low, high
    elif low is None:  # randint(high=..., size=...)
        low = 0
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: expected randint(high, size) or "
                        f"randint(low, high, size) (got low={low}, high={high}, size={size})")
    low, high = int_arg(low, "low", 1, "randint"), int_arg(high, "high", 2, "randint")
    if not isinstance(size, (tuple, list)):
        raise argument_error("randint", "size", 2, "tuple of ints", size)
    shape = new_size_arg((size,), "randint")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dtype = dtype_arg(dtype, dtypes.int64)
    if dtype.kind in "iub":
        lowest, highest = (0, 1) if dtype.kind == "b" else (int(np.iinfo(dtype).min), int(np.iinfo(dtype).max))
        if low < lowest:
            raise RuntimeError(f"from is out of bounds for {dtypes.scalar_type_name(dtype)} (from={low})")
        if high - 1 > highest:
            raise RuntimeError(f"to - 1 is out of bounds for {dtypes.scalar_type_name(dtype)} (to={high})")
    return Tensor(_rng(generator).integers(low, high, shape).astype(dtype), requires_grad=requires_grad)


@public
def rand_like(input, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    x = as_tensor_arg(input, "input", 1, "rand_like")
    return rand(x.shape, dtype=dtype_arg(dtype, x.dtype), requires_grad=requires_grad)


@public
def randn_like(input, dtype=None, device=None, requires_grad: bool = False, memory_format=None) -> Tensor:
    x = as_tensor_arg(input, "input", 1, "randn_like")
    return randn(x.shape, dtype=dtype_arg(dtype, x.dtype), requires_grad=requires_grad)


@public
def randperm(n, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """torch.randperm: a random permutation of 0..n-1 (int64 by default; n - 1 must fit the dtype)."""
    n = int_arg(n, "n", 1, "randperm")
    if n < 0:
        raise RuntimeError(f"Trying to create tensor with negative dimension {n}: [{n}]")
    dtype = dtype_arg(dtype, dtypes.int64)
    if dtype.kind == "b":
        raise NotImplementedError("\"randperm\" not implemented for 'Bool'")
    if n:
        dtypes.checked_scalar(n - 1, dtype)
    return Tensor(_rng(generator).permutation(n).astype(dtype), requires_grad=requires_grad)
