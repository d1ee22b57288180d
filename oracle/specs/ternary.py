"""Specs for refgrad/ops/ternary.py: where, lerp, addcmul, addcdiv."""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec

VALUES = st.sampled_from([1, 0.5, -2.0])  # addcmul / addcdiv value=


def masks(shape):
    return hnp.arrays(np.bool_, shape, elements=st.booleans(), fill=st.nothing())


def where_cases(dtype):
    """where(condition, input, other), all three broadcast together; the condition gets no gradient."""
    return S.broadcastable_shapes(3).flatmap(lambda ss: st.tuples(masks(ss[0]), S.arrays(dtype, ss[1]),
                                                                  S.arrays(dtype, ss[2]))).map(Case)


def where_scalar_cases(dtype):
    """where(condition, x, number) and where(condition, number, x)."""

    def build(ss):
        return st.tuples(masks(ss[0]), S.arrays(dtype, ss[1]), st.sampled_from([0.0, -1.5, 2]), st.booleans())

    return S.broadcastable_shapes(2).flatmap(build).map(
        lambda t: Case((t[0], t[1], t[2]) if t[3] else (t[0], t[2], t[1])))


def lerp_scalar_cases(dtype):
    """lerp(start, end, number): weights on both sides of torch's 0.5 switch between its two formulas."""
    return C.binary()(dtype).flatmap(
        lambda c: st.sampled_from([-0.5, 0.25, 0.5, 0.75, 1.5, 2]).map(lambda w: Case((*c.args, w))))


SPECS = [
    OpSpec("where", where_cases),
    OpSpec("where", where_scalar_cases, variant="scalar", checks=("forward", "vjp_torch")),
    OpSpec("Tensor.where", where_cases, ref=lambda c, x, y: x.where(c, y), torch=lambda c, x, y: x.where(c, y)),
    OpSpec("lerp", C.nary(S.REAL, S.REAL, S.Domain(-1.0, 2.0))),
    OpSpec("lerp", lerp_scalar_cases, variant="scalar_weight"),
    OpSpec("addcmul", C.with_kwargs(C.nary(S.REAL, S.REAL, S.REAL), value=VALUES)),
    OpSpec("addcdiv", C.with_kwargs(C.nary(S.REAL, S.REAL, S.NONZERO), value=VALUES)),
]
