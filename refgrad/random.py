"""A NumPy-backed global generator: manual_seed, rand, randn, randint and their *_like forms.

refgrad draws from ``numpy.random.Generator`` (PCG64), so seeds reproduce refgrad runs but do not
reproduce torch's random streams.
"""
from __future__ import annotations

import numpy as np

from . import dtypes
from .tensor import Tensor, _size


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


def manual_seed(seed: int) -> Generator:
    return default_generator.manual_seed(seed)


def initial_seed() -> int:
    return default_generator.initial_seed()


def _rng(generator) -> np.random.Generator:
    return (generator or default_generator).rng


def _float_dtype(dtype) -> np.dtype:
    dtype = dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)
    if dtype.kind != "f":
        raise RuntimeError(f"expected a floating point dtype for a continuous distribution, got {dtype}")
    return dtype


def rand(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Uniform on [0, 1)."""
    return Tensor(_rng(generator).random(_size(size)).astype(_float_dtype(dtype)), requires_grad=requires_grad)


def randn(*size, generator=None, dtype=None, device=None, requires_grad: bool = False) -> Tensor:
    """Standard normal."""
    return Tensor(_rng(generator).standard_normal(_size(size)).astype(_float_dtype(dtype)),
                  requires_grad=requires_grad)


def randint(low, high=None, size=None, generator=None, dtype=None, device=None) -> Tensor:
    """torch.randint(high, size) or torch.randint(low, high, size): integers in [low, high), int64."""
    if size is None:
        low, high, size = 0, low, high
    if high is None or size is None:
        raise TypeError("randint() missing required arguments: expected randint(low=0, high, size)")
    if high <= low:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got from={low} >= to={high}")
    dtype = dtypes.int64 if dtype is None else dtypes.to_dtype(dtype)
    return Tensor(_rng(generator).integers(low, high, _size((size,))).astype(dtype))


def rand_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return rand(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randn_like(input: Tensor, dtype=None, requires_grad: bool = False) -> Tensor:
    return randn(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad)


def randperm(n: int, generator=None, dtype=None, device=None) -> Tensor:
    return Tensor(_rng(generator).permutation(n).astype(dtypes.int64 if dtype is None else dtypes.to_dtype(dtype)))
