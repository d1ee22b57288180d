"""Case builders shared by the spec files: the common shapes of an op's arguments."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from . import strategies as S
from .spec import SAME_MESSAGE, Case, ErrorCase


def unary(domain: S.Domain = S.REAL, shapes=None, **kwargs):
    """f(x, **kwargs) with x of any shape (0-d and size-0 included) drawn from domain."""
    shapes = shapes if shapes is not None else S.shapes()
    return lambda dtype: shapes.flatmap(lambda s: S.arrays(dtype, s, domain)).map(lambda x: Case((x,), dict(kwargs)))


def binary(domain_a=S.REAL, domain_b=None, **kwargs):
    """f(a, b) with broadcastable shapes; each operand's values from a Domain, or from a tuple pool of exact
    values (kinks, ties) as kink_cases want."""
    return nary(domain_a, domain_b if domain_b is not None else domain_a, **kwargs)


def nary(*domains, **kwargs):
    """f(x1, ..., xn) with broadcastable shapes, xi drawn from domains[i] (a Domain or a tuple pool)."""

    def cases(dtype):
        return S.broadcastable_shapes(len(domains)).flatmap(lambda ss: st.tuples(
            *[S.values(dtype, s, d) for s, d in zip(ss, domains)])).map(lambda xs: Case(xs, dict(kwargs)))

    return cases


def with_kwargs(base, **kwarg_strategies):
    """Adds kwargs drawn from strategies (each a strategy, or a function of the first array's ndim)."""

    def cases(dtype):
        def add(case):
            ndim = case.leaves()[0].ndim if case.leaves() else 0
            drawn = {k: (v(ndim) if callable(v) and not isinstance(v, st.SearchStrategy) else v)
                     for k, v in kwarg_strategies.items()}
            return st.fixed_dictionaries(drawn).map(lambda kw: Case(case.args, {**case.kwargs, **kw}))

        return base(dtype).flatmap(add)

    return cases


def ties(shapes=None, pool=(-1.0, 0.0, 0.5, 2.0), **kwargs):
    """f(x) with x drawn from a few values: exact kinks and ties, for the kinks check."""
    shapes = shapes if shapes is not None else S.shapes()
    return lambda dtype: shapes.flatmap(lambda s: S.with_ties(dtype, s, pool)).map(lambda x: Case((x,), dict(kwargs)))


# ---- bad inputs (OpSpec.error_cases) ----------------------------------------------------------------------
def bad(id: str, *args, says=(), **kwargs) -> ErrorCase:
    """ErrorCase(id, args, kwargs): ``says`` is the fragment (or fragments) refgrad's message must contain, or
    SAME_MESSAGE."""
    return ErrorCase(id, args, kwargs, (says,) if isinstance(says, str) and says != SAME_MESSAGE else says)


def ones(*shape, dtype=np.float32) -> np.ndarray:
    """torch.ones(*shape): float32 unless told."""
    return np.ones(shape, dtype)


def ints(*values, dtype=np.int64) -> np.ndarray:
    return np.array(values, dtype)


def bools(*values) -> np.ndarray:
    return np.array(values, bool)
