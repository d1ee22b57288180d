"""Specs for refgrad/ops/unary.py.

Domains keep the numerical checks well conditioned: logarithms, sqrt and rsqrt on positive values away from 0,
asin/acos/atanh inside (-1, 1) with a margin, acosh above 1, tan away from its poles at ±pi/2 (on (-1.4, 1.4)
its condition number |x (1 + tan^2 x) / tan x| stays below 8), reciprocal away from 0, logit inside (0, 1).
Functions with jumps (floor, round, ...) are drawn anywhere: points within a step of a jump are detected and
excluded by the numerical checks.

``kink_cases`` put values exactly where torch has to choose: abs and sign at 0, the rounding functions at
integers and half-integers (and at decimal ties with ``decimals``), logit at its eps bounds, and the points
where a derivative is infinite or nan (sqrt, rsqrt, log... at 0 and below; asin, acos, atanh at ±1; acosh at
1), so that the inf/nan pattern of the gradient is compared with torch's too.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec

NAN, INF = float("nan"), float("inf")

# torch's second derivative of abs is a ZeroTensor, which oracle.checks cannot turn into an ndarray yet
# (Tensor.numpy() refuses it without force=True): tests/test_unary_errors.py compares it with torch instead

LOG1P = S.Domain(-0.9, 3.0)
TAN = S.Domain(-1.4, 1.4)
ACOSH = S.Domain(1.1, 4.0)
ERF = S.Domain(-5.0, 5.0)  # covers the polynomial of erf (|x| < 2) and every Chebyshev piece of refgrad's erfc
ERFC_TAIL = S.Domain(5.0, 27.0)  # erfc down to 5e-319 (the subnormals): its relative accuracy where 1-erf fails
# with eps, values outside [eps, 1 - eps] are clamped. Kept 1e-100 away from 0: below 1e-154, x^2 (1 - x)^2
# underflows in torch's second derivative (-g x'/(x (1 - x))^2 with g = 0 outside the bounds) giving 0/0 = nan
LOGIT_CLAMPED = S.Domain(-0.5, 1.5, avoid=(0.0,), margin=1e-100)
ROUNDING = S.Domain(-30.0, 30.0)

# exact kink and singular points (every value representable in float32)
JUMPS = (-2.5, -2.0, -1.5, -1.0, -0.5, -0.0, 0.0, 0.5, 1.0, 1.5, 2.5, 3.0, INF, -INF, NAN)
AT_ZERO = (-1.5, -0.0, 0.0, 0.5, 2.0, INF, NAN)
BELOW_ZERO = (-1.0, -0.0, 0.0, 1.0, 4.0, INF, -INF, NAN)  # sqrt, rsqrt, log, log2, log10, reciprocal
UNIT_EDGES = (-2.0, -1.0, -0.5, 0.0, 0.5, 1.0, 2.0, NAN)  # asin, acos, atanh
# x·10^d exactly halfway between integers for some decimals d in [-2, 3]
DECIMAL_TIES = (0.25, -0.75, 0.125, 0.375, -0.0625, 2.5, -0.5, 25.0, -35.0, 150.0, 250.0, 0.0)


def at(pool, **kwargs):
    """x drawn from exactly these values."""
    return C.ties(pool=pool, **kwargs)


def round_decimals(dtype):
    return C.with_kwargs(C.unary(ROUNDING), decimals=st.integers(-2, 3))(dtype)


def round_decimal_ties(dtype):
    # 40 and ±400: 10^d overflows float32 (and float64): torch then gives nan, so must refgrad
    return C.with_kwargs(at(DECIMAL_TIES), decimals=st.sampled_from([-400, -2, -1, 0, 1, 2, 3, 40, 400]))(dtype)


def logit_eps(dtype):
    return C.with_kwargs(C.unary(LOGIT_CLAMPED), eps=st.sampled_from([1e-6, 0.05, 0.1, 0.25]))(dtype)


def logit_no_clamp(dtype):
    # a negative eps clamps nothing, as None
    return C.with_kwargs(C.unary(S.PROBABILITY), eps=st.sampled_from([None, -0.5]))(dtype)


def logit_eps_bounds(dtype):
    """x at eps and 1 - eps (as torch forms them, in x's dtype) and one ulp either side; 0, 1, outside.
    eps = 0.0203 is one where dtype(1) - dtype(eps) != dtype(1 - eps) in float32."""
    dtype = np.dtype(dtype)

    def for_eps(eps):
        t = dtype.type
        lo = t(eps)
        hi = t(1) - lo
        # no nan: torch's gradient at nan with eps is nan from its scalar kernel (small tensors) but 0 from its
        # vectorized kernel and its create_graph formula; refgrad gives 0
        pool = (lo, hi, np.nextafter(lo, t(-1)), np.nextafter(lo, t(2)), np.nextafter(hi, t(-1)),
                np.nextafter(hi, t(2)), 0.0, 1.0, 0.5, -0.5, 1.5)
        pool = tuple(float(p) for p in pool)
        return S.shapes().flatmap(lambda s: S.with_ties(dtype, s, pool)).map(lambda x: Case((x,), {"eps": eps}))

    return st.sampled_from([0.0, 1e-6, 0.0203, 0.1, 0.25, 0.6]).flatmap(for_eps)


def logit_edges(dtype):
    # no -0.0 here: torch's own gradient at -0.0 is +inf or -inf depending on the tensor's size (its scalar
    # and vectorized kernels differ); refgrad follows the sign of 1/(x(1 - x))
    return C.with_kwargs(at((-0.5, 0.0, 0.25, 0.5, 1.0, 1.5, NAN)), eps=st.sampled_from([None, -0.5]))(dtype)


SPECS = [
    # sign, magnitude, powers
    OpSpec("neg", C.unary()),
    OpSpec("abs", C.unary(), kink_cases=at(AT_ZERO)),
    OpSpec("sign", C.unary(), kink_cases=at(AT_ZERO + (-INF,))),
    OpSpec("square", C.unary()),
    OpSpec("sqrt", C.unary(S.POSITIVE), kink_cases=at(BELOW_ZERO)),
    OpSpec("rsqrt", C.unary(S.POSITIVE), kink_cases=at(BELOW_ZERO)),
    OpSpec("reciprocal", C.unary(S.NONZERO), kink_cases=at(BELOW_ZERO)),
    # exponentials and logarithms
    OpSpec("exp", C.unary()),
    OpSpec("exp2", C.unary()),
    OpSpec("expm1", C.unary()),
    OpSpec("log", C.unary(S.POSITIVE), kink_cases=at(BELOW_ZERO)),
    OpSpec("log2", C.unary(S.POSITIVE), kink_cases=at(BELOW_ZERO)),
    OpSpec("log10", C.unary(S.POSITIVE), kink_cases=at(BELOW_ZERO)),
    OpSpec("log1p", C.unary(LOG1P), kink_cases=at((-2.0, -1.0, -0.5, -0.0, 0.0, 1.0, INF, NAN))),
    # trigonometric and hyperbolic
    OpSpec("sin", C.unary()),
    OpSpec("cos", C.unary()),
    OpSpec("tan", C.unary(TAN)),
    OpSpec("asin", C.unary(S.UNIT_OPEN), kink_cases=at(UNIT_EDGES)),
    OpSpec("acos", C.unary(S.UNIT_OPEN), kink_cases=at(UNIT_EDGES)),
    OpSpec("atan", C.unary()),
    OpSpec("sinh", C.unary()),
    OpSpec("cosh", C.unary()),
    OpSpec("tanh", C.unary()),
    OpSpec("asinh", C.unary()),
    OpSpec("acosh", C.unary(ACOSH), kink_cases=at((-1.0, 0.5, 1.0, 2.0, INF, NAN))),
    OpSpec("atanh", C.unary(S.UNIT_OPEN), kink_cases=at(UNIT_EDGES)),
    # sigmoid, logit, erf
    OpSpec("sigmoid", C.unary(), kink_cases=at((-INF, -0.0, 0.0, INF, NAN))),
    OpSpec("logit", logit_no_clamp, kink_cases=logit_edges,
           extreme_skip={"-0.0": "torch's own gradient of logit at -0.0 is +inf or -inf by the tensor's size (its "
                                 "scalar and vectorized kernels differ): see logit_edges"}),
    OpSpec("logit", logit_eps, variant="eps", kink_cases=logit_eps_bounds,
           extreme_skip={"nan": "torch's gradient of logit at nan with eps is nan from its scalar kernel, 0 from its "
                                "vectorized one: see logit_eps_bounds"}),
    OpSpec("erf", C.unary(ERF), kink_cases=at((-INF, -0.0, 0.0, 0.5, -0.5, 7.0, INF, NAN))),
    OpSpec("erfc", C.unary(ERF), kink_cases=at((-INF, -0.0, 0.0, 0.5, -0.5, 7.0, 28.0, INF, NAN))),
    OpSpec("erfc", C.unary(ERFC_TAIL), variant="tail", checks=("forward", "vjp_torch")),
    # rounding
    OpSpec("floor", C.unary(ROUNDING), kink_cases=at(JUMPS)),
    OpSpec("ceil", C.unary(ROUNDING), kink_cases=at(JUMPS)),
    OpSpec("round", C.unary(ROUNDING), kink_cases=at(JUMPS)),
    OpSpec("round", round_decimals, variant="decimals", kink_cases=round_decimal_ties),
    OpSpec("trunc", C.unary(ROUNDING), kink_cases=at(JUMPS)),
    OpSpec("frac", C.unary(ROUNDING), kink_cases=at(JUMPS)),
]

# ---- bad inputs: a non-tensor input (every op), bool and integer tensors where torch has no kernel ----------
BOOLS = C.bools(True, False)


def _errors(op: str) -> tuple:
    cases = [C.bad("float_input", 1.5, says="float"), C.bad("list_input", [1.5], says="list")]
    if op in ("neg", "abs", "floor", "ceil", "trunc", "round", "frac"):
        cases.append(C.bad("bool", BOOLS, says=("bool", "logical_not") if op == "neg" else ("'Bool'", "bool")))
    if op == "frac":
        cases += [C.bad(f"{dt}", C.ints(1, 2, dtype=dt), says=(name, dt))
                  for dt, name in (("int64", "'Long'"), ("int32", "'Int'"), ("uint8", "'Byte'"), ("int8", "'Char'"))]
    if op == "round":
        # round(int) is the identity, but the decimals overload (even decimals=0) has no integer kernel
        cases += [C.bad(f"int_decimals_{d}", C.ints(15, 25), decimals=d, says="'Long'") for d in (0, 1, -1)]
        cases += [C.bad(f"decimals_{name}", np.array([1.25], np.float32), decimals=v, says=("decimals", name))
                  for v, name in ((1.0, "float"), (True, "bool"), ("1", "str"))]
        cases.append(C.bad("decimals_positional", np.array([1.25], np.float32), 1))
    if op == "logit":
        cases += [C.bad(f"eps_{name}", np.array([0.25], np.float32), eps=v, says=("eps", name))
                  for v, name in (("0.1", "str"), ([0.1], "list"))]
    return tuple(cases)


ERRORS = {spec.op: _errors(spec.op) for spec in SPECS}

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------
