"""Specs for refgrad/ops/comparison.py: comparisons, logical, bitwise and NaN/inf tests, equal/isclose/allclose,
and the operators == != < <= > >= & | ^ ~. No gradients: forward only (exact agreement of bool results).

Values come from small pools (ties, signed zeros, ±inf, NaN), so that equality and the NaN rules are exercised;
integer and bool operands check torch's promotion before comparing.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import cases as C
from .. import strategies as S
from ..spec import FORWARD_ONLY, Case, OpSpec
from .binary import inplace_pair

NAN, INF = float("nan"), float("inf")
POOL = (-1.0, -0.0, 0.0, 0.5, 2.0, INF, -INF, NAN)
SCALARS = (0, 0.5, -1, 2.0, True, INF)


def ints(shape, low=-3, high=3):
    return hnp.arrays(np.int64, shape, elements=st.integers(low, high), fill=st.nothing())


def bools(shape):
    return hnp.arrays(np.bool_, shape, elements=st.booleans(), fill=st.nothing())


def any_array(dtype, shape):
    """A float array from the pool, an int64 array or a bool array."""
    return st.one_of(S.with_ties(dtype, shape, POOL), ints(shape), bools(shape))


def compare_cases(dtype):
    """(float tensor, float/int/bool tensor) broadcast together, or (tensor, Python number)."""
    tensors = S.broadcastable_shapes(2).flatmap(lambda ss: st.tuples(
        st.one_of(S.with_ties(dtype, ss[0], POOL), ints(ss[0])), any_array(dtype, ss[1]))).map(Case)
    scalars = st.tuples(S.shapes().flatmap(lambda s: any_array(dtype, s)), st.sampled_from(SCALARS)).map(Case)
    return st.one_of(tensors, scalars)


def logical_cases(dtype):
    return S.broadcastable_shapes(2).flatmap(lambda ss: st.tuples(any_array(dtype, ss[0]),
                                                                  any_array(dtype, ss[1]))).map(Case)


def unary_cases(dtype):
    return S.shapes().flatmap(lambda s: any_array(dtype, s)).map(lambda x: Case((x,)))


def integral(shape):
    return st.one_of(ints(shape, -9, 9), bools(shape))


def bitwise_cases(dtype):
    """int64 / bool tensors (mixed: bool & int promotes to int64), or a tensor and an int/bool number."""
    tensors = S.broadcastable_shapes(2).flatmap(lambda ss: st.tuples(integral(ss[0]), integral(ss[1]))).map(Case)
    scalars = st.tuples(S.shapes().flatmap(integral), st.sampled_from([3, -1, True, False]), st.booleans()).map(
        lambda t: Case((t[1], t[0]) if t[2] else (t[0], t[1])))
    return st.one_of(tensors, scalars)


def equal_cases(dtype):
    """Same values (a copy, or the same values as another dtype), different values, or different shapes."""

    def from_a(a):
        other = st.one_of(st.just(a.copy()), st.just(a.astype(np.float64 if dtype == np.float32 else np.float32)),
                          S.with_ties(dtype, a.shape, POOL), S.shapes().flatmap(lambda s: S.with_ties(dtype, s, POOL)))
        return other.map(lambda b: Case((a, b)))

    return S.shapes().flatmap(lambda s: S.with_ties(dtype, s, (-1.0, 0.0, 2.0, NAN))).flatmap(from_a)


def close_cases(dtype):
    """b = a + a small multiple of a tolerance, around the isclose boundary; NaN/inf in places; every kwarg."""

    def build(ss):
        noise = hnp.arrays(np.dtype(dtype), ss[1], elements=st.sampled_from([0.0, 1e-9, -3e-6, 2e-5, 1e-3]),
                           fill=st.nothing())
        return st.tuples(S.with_ties(dtype, ss[0], (1.0, -2.0, 0.0, INF, NAN)), noise)

    kwargs = st.fixed_dictionaries({}, optional={"rtol": st.sampled_from([0.0, 1e-5, 1e-3]),
                                                 "atol": st.sampled_from([0.0, 1e-8, 1e-4]),
                                                 "equal_nan": st.booleans()})
    pairs = S.broadcastable_shapes(2).flatmap(build).map(lambda t: (t[0], np.asarray(t[0] + t[1], dtype)))
    return st.tuples(pairs, kwargs).map(lambda t: Case(t[0], t[1]))


def compare_operators(a, b):
    return a == b, a != b, a < b, a <= b, a > b, a >= b, 0.5 < a, 2 == a, a >= -1


def bitwise_operators(a, b):
    return a & b, a | b, a ^ b, ~a, ~b, a & True, 3 | a, False ^ b


def inplace_comparisons(a, b):
    outs = []
    for name in ("eq_", "ne_", "lt_", "le_", "gt_", "ge_", "logical_and_", "logical_or_", "logical_xor_"):
        t = a * 1
        getattr(t, name)(b)
        outs.append(t)
    t = a * 1
    t.logical_not_()
    return (*outs, t)


def forward_spec(op, cases, **kw):
    return OpSpec(op, cases, checks=FORWARD_ONLY, **kw)


SPECS = [
    *[forward_spec(op, compare_cases) for op in ("eq", "ne", "lt", "le", "gt", "ge")],
    *[forward_spec(op, logical_cases) for op in ("logical_and", "logical_or", "logical_xor")],
    *[forward_spec(op, unary_cases) for op in ("logical_not", "isnan", "isinf", "isfinite")],
    *[forward_spec(op, bitwise_cases) for op in ("bitwise_and", "bitwise_or", "bitwise_xor")],
    forward_spec("bitwise_not", lambda dt: S.shapes().flatmap(integral).map(lambda x: Case((x,)))),
    forward_spec("equal", equal_cases),
    forward_spec("isclose", close_cases),
    forward_spec("allclose", close_cases),
    forward_spec("eq", compare_cases, variant="operators", ref=compare_operators, torch=compare_operators),
    forward_spec("bitwise_and", lambda dt: S.broadcastable_shapes(2).flatmap(
        lambda ss: st.tuples(integral(ss[0]), integral(ss[1]))).map(Case), variant="operators",
        ref=bitwise_operators, torch=bitwise_operators),
    forward_spec("eq", inplace_pair(), variant="inplace", ref=inplace_comparisons, torch=inplace_comparisons),
]

# ---- bad inputs ----------------------------------------------------------------------------------------
BROADCAST = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
F2, F23, F4, B = C.ones(2), C.ones(2, 3), C.ones(4), C.bools(True, False)
ERRORS = {
    "eq": (C.bad("broadcast", F23, F4, says=BROADCAST), C.bad("non_tensor_input", [1.0], F2, says="list")),
    "lt": (C.bad("broadcast", F23, F4, says=BROADCAST),),
    "logical_and": (C.bad("broadcast", F23, F4, says=BROADCAST),
                    C.bad("number", B, 1, says=("logical_and()", "int"))),
    "logical_not": (C.bad("number", 1.5, says="float"),),
    "bitwise_and": (C.bad("broadcast", np.ones((2, 3), np.int64), np.ones(4, np.int64), says=BROADCAST),
                    C.bad("floats", F2, F2, says=("bitwise_and", "Float"))),
    "bitwise_or": (C.bad("float_number", B, 2.5, says=("bitwise_or", "Float")),),
    "bitwise_not": (C.bad("floats", F2, says=("bitwise_not", "Float")),),
    "isnan": (C.bad("number", 2.0, says=("isnan()", "float")),),
    "equal": (C.bad("number", F2, 1, says=("equal()", "int")),),
    "isclose": (C.bad("number", F2, 1.0, says=("isclose()", "float")),
                C.bad("dtypes", F2, F2.astype(np.float64), says="Float did not match Double")),
    "allclose": (C.bad("dtypes", F2, C.ints(5, -7), says="Float did not match Long"),),
}

ERRORS.update({
    **{op: (C.bad("broadcast", F23, F4, says=BROADCAST),) for op in ("ne", "le", "gt", "ge", "logical_or",
                                                                      "logical_xor")},
    **{op: (C.bad("number", 1.5, says=(f"{op}()", "float")),) for op in ("isinf", "isfinite")},
    "bitwise_xor": (C.bad("floats", F2, F2, says=("bitwise_xor", "Float")),),
})
