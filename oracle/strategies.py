"""Hypothesis strategies for op inputs: shapes, broadcastable shape sets, dims, and arrays whose values lie
inside an op's domain. Public: the inputs of your own function's checks (``oracle.check``) are built from these.

Every element of an array is drawn on its own (no repeated fill value), so ties appear only where a
strategy asks for them (see ``with_ties``), and stay out of the way of numerical derivatives otherwise.

    import oracle.strategies as S

    S.arrays(np.float64, S.shapes(), S.REAL)              # any shape (0-d and size-0 included), values in (-3, 3)
    S.arrays(np.float64, S.shapes(min_dims=1), S.POSITIVE)  # at least 1-d, values in (0.1, 4): log, sqrt
    S.arrays(np.float64, (4, 3), S.Domain(-1, 1, avoid=(0.0,), margin=0.05))   # fixed shape, kept off a kink at 0
    S.broadcastable_shapes(2).flatmap(lambda ss: st.tuples(*(S.arrays(np.float64, s) for s in ss)))  # (a, b)
    lambda dtype: S.arrays(dtype, S.shapes(), S.REAL)       # a strategy per dtype, as oracle.check accepts too
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

__all__ = ["MAX_ELEMENTS", "NONZERO", "POSITIVE", "PROBABILITY", "REAL", "UNIT_OPEN", "Domain", "arrays",
           "broadcastable_shapes", "dim_sets", "dims", "index_arrays", "nonempty_shapes", "shapes", "values",
           "with_ties"]

MAX_ELEMENTS = 48  # keeps a full numerical Jacobian cheap


@dataclass(frozen=True)
class Domain:
    """Open interval (low, high) that an input's values are drawn from, optionally kept ``margin`` away
    from listed points (poles or kinks that numerical derivatives must not straddle)."""

    low: float = -3.0
    high: float = 3.0
    avoid: tuple = ()
    margin: float = 0.0


REAL = Domain()
POSITIVE = Domain(0.1, 4.0)
UNIT_OPEN = Domain(-0.95, 0.95)  # asin, acos, atanh
PROBABILITY = Domain(0.05, 0.95)  # logit
NONZERO = Domain(-3.0, 3.0, avoid=(0.0,), margin=0.1)


def shapes(min_dims: int = 0, max_dims: int = 4, min_side: int = 0, max_side: int = 5,
           max_elements: int = MAX_ELEMENTS) -> st.SearchStrategy[tuple]:
    """Shapes including 0-d, size-0 and size-1 dims, capped in element count."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side, max_side=max_side).filter(
        lambda s: int(np.prod(s)) <= max_elements) if min_dims > 0 else st.one_of(
        st.just(()), hnp.array_shapes(min_dims=1, max_dims=max_dims, min_side=min_side, max_side=max_side).filter(
            lambda s: int(np.prod(s)) <= max_elements))


def nonempty_shapes(min_dims: int = 0, max_dims: int = 4, max_side: int = 5) -> st.SearchStrategy[tuple]:
    """Shapes with at least one element (every side >= 1)."""
    return shapes(min_dims, max_dims, 1, max_side)


def broadcastable_shapes(n: int, min_dims: int = 0, max_dims: int = 4, min_side: int = 0,
                         max_side: int = 4) -> st.SearchStrategy[tuple]:
    """n shapes that broadcast together (each may drop leading dims or have size-1 dims)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=n, min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                                             max_side=max_side).map(lambda bs: tuple(bs.input_shapes)).filter(
        lambda ss: int(np.prod(np.broadcast_shapes(*ss))) <= MAX_ELEMENTS)


def dims(ndim: int) -> st.SearchStrategy[int]:
    """A valid dim for a tensor of ndim dims, negative ones included (0-d tensors accept -1 and 0)."""
    n = max(ndim, 1)
    return st.integers(-n, n - 1)


def dim_sets(ndim: int) -> st.SearchStrategy:
    """None, one dim, or a tuple of distinct dims (each possibly negative)."""
    if ndim == 0:
        return st.sampled_from([None, 0, -1])
    tuples = st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True).flatmap(
        lambda ds: st.tuples(*[st.sampled_from([d, d - ndim]) for d in ds]))
    return st.one_of(st.none(), dims(ndim), tuples)


def _elements(dtype: np.dtype, domain: Domain) -> st.SearchStrategy[float]:
    width = 32 if dtype == np.float32 else 64
    # bounds rounded inwards to the dtype so that the interval stays open and representable
    low = float(np.nextafter(np.float32(domain.low), np.float32(np.inf))) if width == 32 else domain.low
    high = float(np.nextafter(np.float32(domain.high), np.float32(-np.inf))) if width == 32 else domain.high
    values = st.floats(low, high, width=width, exclude_min=True, exclude_max=True,
                       allow_nan=False, allow_subnormal=False)
    if domain.avoid:
        values = values.filter(lambda v: all(abs(v - p) >= domain.margin for p in domain.avoid))
    return values


def arrays(dtype, shape: tuple, domain: Domain = REAL) -> st.SearchStrategy[np.ndarray]:
    """A float array of that dtype with each element drawn from domain; shape is a tuple or a strategy of them
    (``shapes()``, ``nonempty_shapes()``)."""
    dtype = np.dtype(dtype)
    return hnp.arrays(dtype, shape, elements=_elements(dtype, domain), fill=st.nothing())


def values(dtype, shape: tuple, source) -> st.SearchStrategy[np.ndarray]:
    """Arrays from a Domain (values inside an interval) or from a pool of values (exact kinks and ties)."""
    return arrays(dtype, shape, source) if isinstance(source, Domain) else with_ties(dtype, shape, tuple(source))


def with_ties(dtype, shape: tuple, pool: tuple = (-1.0, 0.0, 0.5, 2.0)) -> st.SearchStrategy[np.ndarray]:
    """Arrays drawn from a few values, so that ties (max, min, sort) and exact kinks occur."""
    return hnp.arrays(np.dtype(dtype), shape, elements=st.sampled_from(pool), fill=st.nothing())


def index_arrays(shape: tuple, high: int) -> st.SearchStrategy[np.ndarray]:
    """int64 indices in [0, high)."""
    return hnp.arrays(np.int64, shape, elements=st.integers(0, max(high - 1, 0)), fill=st.nothing())
