"""Specs for refgrad/ops/binary.py: arithmetic, pow, maximum/minimum/fmax/fmin, atan2/hypot/xlogy/logaddexp,
fmod/remainder, clamp; plus the Python operators (+ - * / // % **, reflected and in-place) and scalar promotion.

Kink cases put values exactly where torch's derivative formulas branch (ties, bounds, zeros, multiples of the
divisor, ±inf, NaN), drawn from small pools so that coincidences are the rule there.
"""
import numpy as np
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from .. import cases as C
from .. import strategies as S
from ..spec import FORWARD_ONLY, Case, OpSpec, RarelyDrawn

NAN, INF = float("nan"), float("inf")
TIES = (-1.0, 0.0, 0.5, 2.0)
COMPARE_POOL = (-1.0, 0.0, 0.5, 2.0, NAN)  # maximum & co: ties, and NaN on either side
DIVISOR = (-3.0, -2.0, -0.5, 2.0, 3.0)  # fmod / remainder: numerators below are exact multiples of some of these
NUMERATOR = (-4.0, -3.0, -1.5, -0.0, 0.0, 1.0, 2.0, 3.0, 6.0)
SIGNED_ZEROS = (-1.0, -0.0, 0.0, 1.0)  # atan2 / hypot at the origin and on the axes


def with_scalar(domain: S.Domain, scalars, left: bool = False):
    """f(x, c) (or f(c, x) with left=True): a tensor and a Python number."""

    def cases(dtype):
        return st.tuples(S.shapes().flatmap(lambda s: S.arrays(dtype, s, domain)), st.sampled_from(scalars)).map(
            lambda xc: Case((xc[1], xc[0]) if left else xc))

    return cases


def int_array(shape, low=-6, high=6, nonzero=False):
    ints = st.integers(low, high).filter(lambda v: v != 0) if nonzero else st.integers(low, high)
    return hnp.arrays(np.int64, shape, elements=ints, fill=st.nothing())


def int_pair(nonzero_b=False):
    """Two int64 tensors (any float dtype asked for is ignored): integer kernels and their promotion."""

    def cases(dtype):
        return S.broadcastable_shapes(2).flatmap(lambda ss: st.tuples(
            int_array(ss[0]), int_array(ss[1], nonzero=nonzero_b))).map(lambda ab: Case(ab))

    return cases


def inplace_pair(domain_a=S.REAL, domain_b=S.REAL):
    """a, b where b broadcasts to a's shape (the rule of in-place ops)."""

    def shapes_ab():
        return S.shapes().flatmap(lambda s: st.tuples(st.just(s), st.lists(st.booleans(), min_size=len(s),
                                                                          max_size=len(s)), st.integers(0, len(s))))

    def cases(dtype):
        def build(t):
            s, ones, drop = t
            sb = tuple(1 if o else n for n, o in zip(s, ones))[drop:]
            return st.tuples(S.arrays(dtype, s, domain_a), S.arrays(dtype, sb, domain_b))

        return shapes_ab().flatmap(build).map(lambda ab: Case(ab))

    return cases


# ---- clamp ----------------------------------------------------------------------------------------------
CLAMP_LO, CLAMP_HI = -0.5, 1.0
AWAY_FROM_BOUNDS = S.Domain(-3.0, 3.0, avoid=(CLAMP_LO, CLAMP_HI), margin=0.05)


def clamp_numbers(dtype):
    """clamp(x, min, max) with number bounds (either may be None, not both), x away from the bounds."""
    bounds = st.sampled_from([(CLAMP_LO, CLAMP_HI), (CLAMP_LO, None), (None, CLAMP_HI), (CLAMP_HI, CLAMP_LO),
                              (0, 1)])
    return st.tuples(S.shapes().flatmap(lambda s: S.arrays(dtype, s, AWAY_FROM_BOUNDS)), bounds).map(
        lambda t: Case((t[0],), {k: v for k, v in zip(("min", "max"), t[1]) if v is not None}))


def grid(dtype, shape, offset: float):
    """Values 0.25·k + offset + jitter (jitter in [0, 0.02)): arrays drawn with different offsets (0.03, 0.11,
    0.19) never come within 0.06 of each other, so clamp's bounds never (nearly) tie with x or each other."""
    cast = np.dtype(dtype).type
    values = st.tuples(st.integers(-12, 11), st.floats(0, 0.02, exclude_max=True)).map(
        lambda t: float(cast(0.25 * t[0] + offset + t[1])))
    return hnp.arrays(np.dtype(dtype), shape, elements=values, fill=st.nothing())


def _torch_clamp_backward_ok(ss) -> bool:
    """torch's clamp backward with both bounds tensors fails ("output with shape [] doesn't match the
    broadcast shape [3]") unless x broadcast with either bound already has the full broadcast shape: those
    shapes are left out here (refgrad handles them)."""
    full = np.broadcast_shapes(*ss)
    return np.broadcast_shapes(ss[0], ss[1]) == full == np.broadcast_shapes(ss[0], ss[2])


def clamp_tensors(dtype):
    """clamp(x, min=tensor, max=tensor), broadcastable; either bound may be None (then only the other)."""
    which = st.sampled_from(["both", "min", "max"])

    def build(w):
        n = 3 if w == "both" else 2
        shapes = S.broadcastable_shapes(n)
        if w == "both":
            shapes = shapes.filter(_torch_clamp_backward_ok)
        offsets = (0.03, 0.11, 0.19)
        return shapes.flatmap(lambda ss: st.tuples(*[grid(dtype, s, o) for s, o in zip(ss, offsets)])).map(
            lambda xs: Case((xs[0],), dict(zip(["min", "max"] if w == "both" else [w], xs[1:]))))

    return which.flatmap(build)


def clamp_kinks(dtype):
    """x and both bounds from one pool: values exactly at a bound, min == max, and min > max. Bounds are both
    numbers or both tensors (torch's clamp takes no mixture as keywords)."""
    pool = (-1.0, 0.0, 0.5, 2.0)

    def numbers(x):
        bounds = st.tuples(st.sampled_from([None, *pool]), st.sampled_from([None, *pool])).filter(
            lambda b: b != (None, None))
        return bounds.map(lambda b: Case((x,), {k: v for k, v in zip(("min", "max"), b) if v is not None}))

    with_numbers = S.shapes().flatmap(lambda s: S.with_ties(dtype, s, pool)).flatmap(numbers)
    with_tensors = S.broadcastable_shapes(3).filter(_torch_clamp_backward_ok).flatmap(
        lambda ss: st.tuples(*[S.with_ties(dtype, s, pool) for s in ss])).map(
        lambda xs: Case((xs[0],), {"min": xs[1], "max": xs[2]}))
    return st.one_of(with_numbers, with_tensors)


def clamp_one(kw):
    """clamp_min(x, bound) / clamp_max(x, bound) with a number or a tensor bound."""

    def cases(dtype):
        number = S.shapes().flatmap(lambda s: S.arrays(dtype, s, AWAY_FROM_BOUNDS)).map(
            lambda x: Case((x, CLAMP_LO if kw == "min" else CLAMP_HI)))
        tensor = S.broadcastable_shapes(2).flatmap(lambda ss: st.tuples(grid(dtype, ss[0], 0.03),
                                                                       grid(dtype, ss[1], 0.11))).map(Case)
        return st.one_of(number, tensor)

    return cases


def clamp_one_kinks(dtype):
    return st.one_of(C.binary(TIES)(dtype), S.shapes().flatmap(lambda s: S.with_ties(dtype, s, TIES)).flatmap(
        lambda x: st.sampled_from(TIES).map(lambda c: Case((x, c)))))


# ---- pow ------------------------------------------------------------------------------------------------
def pow_integer_exponents(dtype):
    """Any-sign base (kept away from 0: negative exponents), tensor exponents with integer values."""

    def build(ss):
        exps = hnp.arrays(np.dtype(dtype), ss[1], elements=st.sampled_from([-2.0, -1.0, 0.0, 1.0, 2.0, 3.0]),
                            fill=st.nothing())
        return st.tuples(S.arrays(dtype, ss[0], S.NONZERO), exps).map(lambda ab: Case(ab))

    return S.broadcastable_shapes(2).flatmap(build)


POW_BASES = (-2.0, -1.0, -0.0, 0.0, 0.5, 2.0)
POW_EXPONENTS = (-1.0, 0.0, 0.5, 1.0, 2.0)  # with a negative base, 0.5 gives nan (as in torch)

alpha_kw = lambda: {"alpha": st.sampled_from([2, -1.5, 0.5])}
# torch computes a + alpha·b with one rounding (a fused multiply-add): with b the smallest subnormal, alpha·b
# underflows to ±0 there only after the addition (0 - 0.5·5e-324 is -0.0), in refgrad before it (+0.0). Rounding,
# not a rule either side could be held to
FUSED_ALPHA = {"subnormal": "torch fuses a + alpha·b into one rounding; alpha·subnormal's zero sign differs"}
# torch's maximum(0.0, -0.0) (and minimum, fmax, fmin) returns the first operand from its scalar kernel and the
# second from its vectorized one (tensors of 20 elements and more): the sign of a tie of zeros is no rule to hold
ZERO_TIES = {"-0.0": "torch's sign of maximum/minimum(0.0, -0.0) depends on the tensor's size (its kernels differ)"}
# likewise clamp_min/clamp_max with a tensor bound: below 8 float64 elements a tie keeps x, from 8 on the bound
CLAMP_ZERO_TIES = {"-0.0": "torch's clamp_min/clamp_max of a 0.0/-0.0 tie keeps x below 8 float64 elements and the "
                           "tensor bound from 8 on (its kernels differ)"}
LIGHT = ("forward", "vjp_torch")  # variants whose primitive is fully checked by another spec of the op


def operators(a, b):
    """The Python operators with gradients, tensors and scalars on either side. Every output's cotangent adds
    into the gradients of a and b, so b stays 0.5 away from 0 (OPERAND_B): float32 rounding of that sum scales
    with its largest term (1.5/b² for 1.5 / b), which must not dwarf the result."""
    return a + b, a - b, a * b, a / b, a % b, 2 - a, 2.5 * a, 1.5 / b, 2 ** a, (a * a + 0.5) ** b, b ** 2, \
        (b * b) ** 1.5


OPERAND_B = S.Domain(-3.0, 3.0, avoid=(0.0,), margin=0.5)


def int_operators(a, b):
    """Integer tensors: promotion of / and of float scalars, and the integer kernels (b is nonzero)."""
    return (a + b, a - b, a * b, a / b, a // b, a % b, a * 2.5, a + 1.5, 7 // b, -7 % b, a ** (b * b), 2 ** a,
            a ** 2, b / 2)


def inplace_operators(a, b):
    """+= -= *= /= %= //= **= on fresh copies of a (b broadcasts to a, as in-place ops require)."""
    outs = []
    for op in ("+", "-", "*", "/", "%", "//", "**"):
        t = a * 1
        if op == "+":
            t += b
        elif op == "-":
            t -= b
        elif op == "*":
            t *= b
        elif op == "/":
            t /= b
        elif op == "%":
            t %= b
        elif op == "//":
            t //= b
        else:
            t **= b
        outs.append(t)
    return tuple(outs)


SPECS = [
    # ---- arithmetic ---------------------------------------------------------------------------------
    OpSpec("add", C.binary()),
    OpSpec("add", C.with_kwargs(C.binary(), **alpha_kw()), variant="alpha", extreme_skip=FUSED_ALPHA),
    OpSpec("add", with_scalar(S.REAL, (2, -1.5, True)), variant="scalar", checks=LIGHT),
    OpSpec("sub", C.binary()),
    OpSpec("sub", C.with_kwargs(C.binary(), **alpha_kw()), variant="alpha", checks=LIGHT,
           extreme_skip=FUSED_ALPHA),
    OpSpec("sub", with_scalar(S.REAL, (2, -1.5), left=True), variant="scalar_left", checks=LIGHT),
    OpSpec("mul", C.binary()),
    OpSpec("div", C.binary(S.REAL, S.NONZERO)),
    OpSpec("div", C.binary(S.REAL, S.NONZERO, rounding_mode="floor"), variant="floor", checks=LIGHT,
           kink_cases=C.binary(NUMERATOR, DIVISOR, rounding_mode="floor")),
    OpSpec("div", C.binary(S.REAL, S.NONZERO, rounding_mode="trunc"), variant="trunc", checks=LIGHT,
           kink_cases=C.binary(NUMERATOR, DIVISOR, rounding_mode="trunc")),
    OpSpec("div", int_pair(nonzero_b=True), checks=FORWARD_ONLY, variant="int_rounding",
           ref=lambda a, b: [__import__("refgrad").div(a, b, rounding_mode=m) for m in (None, "floor", "trunc")],
           torch=lambda a, b: [__import__("torch").div(a, b, rounding_mode=m) for m in (None, "floor", "trunc")]),
    OpSpec("true_divide", C.binary(S.REAL, S.NONZERO), checks=LIGHT),
    OpSpec("floor_divide", C.binary(S.REAL, S.NONZERO), checks=FORWARD_ONLY,
           notes="torch defines no derivative for floor_divide"),
    OpSpec("floor_divide", C.binary(NUMERATOR, DIVISOR), checks=FORWARD_ONLY, variant="exact_multiples"),
    # ---- pow ----------------------------------------------------------------------------------------
    OpSpec("pow", C.binary(S.POSITIVE, S.REAL), kink_cases=C.binary(POW_BASES, POW_EXPONENTS)),
    OpSpec("pow", pow_integer_exponents, variant="int_exponent", grad_args=(0,)),
    OpSpec("pow", with_scalar(S.NONZERO, (-2, -1, 0, 1, 2, 3)), variant="scalar_exponent",
           kink_cases=lambda dt: S.shapes().flatmap(lambda s: S.with_ties(dt, s, POW_BASES)).flatmap(
               lambda x: st.sampled_from([-2, -1, -0.5, 0, 0.5, 1, 2, 2.5]).map(lambda c: Case((x, c))))),
    # x ** 0.3 in float32 at x = max: torch's 0-d kernel powers with the double exponent, its vectorized kernel and
    # refgrad round it to float32 first (1.1e-6 relative, ln(x)·1.2e-8): within the float64 truth's rule
    OpSpec("pow", with_scalar(S.POSITIVE, (0.5, -0.5, 2.5, 0.3)), variant="fractional_scalar_exponent",
           checks=LIGHT),
    OpSpec("pow", with_scalar(S.REAL, (0.5, 2.0, 3), left=True), variant="scalar_base",
           kink_cases=lambda dt: S.shapes().flatmap(lambda s: S.with_ties(dt, s, POW_EXPONENTS)).flatmap(
               lambda x: st.sampled_from([0.0, 0, 1, 2.0, -2.0]).map(lambda c: Case((c, x))))),
    # ---- maximum & co -------------------------------------------------------------------------------
    OpSpec("maximum", C.binary(), kink_cases=C.binary(COMPARE_POOL), extreme_skip=ZERO_TIES),
    OpSpec("minimum", C.binary(), kink_cases=C.binary(COMPARE_POOL), extreme_skip=ZERO_TIES),
    OpSpec("fmax", C.binary(), kink_cases=C.binary(COMPARE_POOL), extreme_skip=ZERO_TIES),
    OpSpec("fmin", C.binary(), kink_cases=C.binary(COMPARE_POOL), extreme_skip=ZERO_TIES),
    # ---- atan2, hypot, xlogy, logaddexp -------------------------------------------------------------
    OpSpec("atan2", C.binary(S.REAL, S.NONZERO), kink_cases=C.binary(SIGNED_ZEROS)),
    OpSpec("hypot", C.binary(S.NONZERO, S.REAL), kink_cases=C.binary(SIGNED_ZEROS)),
    OpSpec("xlogy", C.binary(S.REAL, S.POSITIVE),
           kink_cases=C.binary((0.0, -0.0, 1.0, -2.0), (0.0, -1.0, 1.0, 2.0, NAN))),
    OpSpec("xlogy", with_scalar(S.POSITIVE, (0.0, 2.0, -1.5), left=True), variant="scalar_left", checks=LIGHT),
    OpSpec("logaddexp", C.binary(), kink_cases=C.binary((-INF, -1.0, 0.0, 2.0, INF))),
    # ---- fmod, remainder ----------------------------------------------------------------------------
    OpSpec("fmod", C.binary(S.REAL, S.NONZERO), kink_cases=C.binary(NUMERATOR, DIVISOR)),
    OpSpec("fmod", with_scalar(S.REAL, (1.5, -2)), variant="scalar", checks=LIGHT),
    OpSpec("remainder", C.binary(S.REAL, S.NONZERO), kink_cases=C.binary(NUMERATOR, DIVISOR)),
    OpSpec("remainder", with_scalar(S.NONZERO, (2.5, -3), left=True), variant="scalar_left", checks=FORWARD_ONLY,
           notes="torch defines no derivative for remainder(number, tensor)"),
    OpSpec("remainder", int_pair(nonzero_b=True), checks=FORWARD_ONLY, variant="int",
           ref=lambda a, b: (__import__("refgrad").remainder(a, b), __import__("refgrad").fmod(a, b)),
           torch=lambda a, b: (__import__("torch").remainder(a, b), __import__("torch").fmod(a, b))),
    # ---- clamp --------------------------------------------------------------------------------------
    OpSpec("clamp", clamp_numbers, variant="numbers", kink_cases=clamp_kinks),
    OpSpec("clamp", clamp_tensors, variant="tensors", extreme_skip={"-0.0": (
        "at a tie of ±0.0 with a tensor bound of the other sign, torch's vectorized kernel returns the bound and its "
        "scalar kernel (a 1-element x) returns x: torch disagrees with itself, refgrad returns x")}),
    OpSpec("clamp_min", clamp_one("min"), kink_cases=clamp_one_kinks, extreme_skip=CLAMP_ZERO_TIES),
    OpSpec("clamp_max", clamp_one("max"), kink_cases=clamp_one_kinks, extreme_skip=CLAMP_ZERO_TIES),
    # ---- Python operators (one callable for refgrad and torch) ---------------------------------------
    OpSpec("add", C.binary(S.REAL, OPERAND_B), variant="operators", ref=operators, torch=operators,
           checks=(*LIGHT, "double_backward")),
    OpSpec("add", int_pair(nonzero_b=True), variant="int_operators", checks=FORWARD_ONLY, ref=int_operators,
           torch=int_operators),
    OpSpec("add", inplace_pair(S.POSITIVE, S.NONZERO), variant="inplace_operators", checks=FORWARD_ONLY,
           ref=inplace_operators, torch=inplace_operators),
]

# ---- bad inputs: torch's exception class, refgrad's message naming the sizes, dtypes or values ------------
BROADCAST = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"
F23, F4, F2, I, B = C.ones(2, 3), C.ones(4), C.ones(2), C.ints(5, -7), C.bools(True, False)
ERRORS = {
    "add": (C.bad("broadcast", F23, F4, says=BROADCAST),
            C.bad("float_alpha_ints", I, I, alpha=2.5,
                  says=("integral input tensors", "alpha must not be a floating point number")),
            C.bad("string_other", F2, "a", says="str"),
            C.bad("non_tensor_input", [1.0, 2.0], F2, says="list"),
            C.bad("shape_mismatch_rank3", C.ones(2, 3, 4), C.ones(3, 3), says=("(4)", "(3)"))),
    "sub": (C.bad("bool_alpha_floats", F2, F2, alpha=True, says="Boolean alpha"),
            C.bad("bools", B, B, says=("Subtraction", "bool tensors")),
            C.bad("broadcast", F23, F4, says=BROADCAST)),
    "mul": (C.bad("broadcast", F23, F4, says=BROADCAST), C.bad("string_other", F2, "x", says="str")),
    "div": (C.bad("broadcast_floor", F23, F4, rounding_mode="floor", says=BROADCAST),
            C.bad("rounding_mode", C.ones(3), 2, rounding_mode="round", says="'round'"),
            C.bad("trunc_int_zero", I, C.ints(1, 0), rounding_mode="trunc", says="ZeroDivisionError")),
    "true_divide": (C.bad("broadcast", F23, F4, says=BROADCAST),),
    "floor_divide": (C.bad("int_zero", I, 0, says="ZeroDivisionError"),
                     C.bad("bools", B, B, says=("div_floor", "Bool"))),
    "pow": (C.bad("broadcast", F23, F4, says=BROADCAST),
            C.bad("int_negative_number", I, -1, says="Integers to negative integer powers are not allowed"),
            C.bad("bools", B, B, says=("pow", "Bool"))),
    "maximum": (C.bad("broadcast", F23, F4, says=BROADCAST),
                C.bad("number", F2, 2, says=("maximum()", "'other'", "Tensor", "int"))),
    "minimum": (C.bad("number", F2, 2.5, says=("minimum()", "'other'", "float")),),
    "fmax": (C.bad("number_first", 2, F2, says=("fmax()", "'input'", "int")),),
    "fmin": (C.bad("broadcast", F23, F4, says=BROADCAST),),
    "atan2": (C.bad("broadcast", F23, F4, says=BROADCAST), C.bad("number", F2, 2.0, says=("atan2()", "float"))),
    "hypot": (C.bad("number", F2, 2.0, says=("hypot()", "float")), C.bad("ints", I, I, says=("hypot", "Long"))),
    "xlogy": (C.bad("two_numbers", 2, 3, says=("xlogy()", "int")), C.bad("broadcast", F23, F4, says=BROADCAST)),
    "logaddexp": (C.bad("number", F2, 2, says=("logaddexp()", "int")),
                  C.bad("ints", I, I, says=("logaddexp", "Long"))),
    "fmod": (C.bad("int_zero", I, 0, says="ZeroDivisionError"), C.bad("number_first", 2, F2, says=("fmod()", "int")),
             C.bad("bools", B, B, says=("fmod", "Bool"))),
    "remainder": (C.bad("int_zero", I, 0, says="ZeroDivisionError"),
                  C.bad("bools", B, B, says=("remainder", "Bool"))),
    "clamp": (C.bad("tensor_bound_broadcast", F23, min=F4, says=BROADCAST),
              C.bad("no_bounds", C.ones(3), says="At least one of 'min' or 'max' must not be None"),
              C.bad("both_none", C.ones(3), None, None, says="At least one of 'min' or 'max'"),
              C.bad("string_bound", C.ones(3), "a", says="str")),
    "clamp_min": (C.bad("broadcast", F23, F4, says=BROADCAST),),
    "clamp_max": (C.bad("string_bound", F2, "a", says="str"),),
}

# ---- refgrad defects the extremes and variant checks found (strict xfails; remove an entry once fixed) ------
# torch's vectorized fmod/remainder kernels (tensors of 8 float64 / 16 float32 elements or more) compute
# x - trunc(x / y)·y and give nan wherever x / y overflows; its scalar kernel, like refgrad (np.fmod), is exact
_VECTOR_MOD = ("torch's vectorized fmod/remainder (>= 8 float64 or 16 float32 elements) gives nan where x / y "
               "overflows (x = max, y subnormal or |y| < 1); its scalar kernel and refgrad give the exact "
               "remainder, e.g. fmod(max, subnormal) = 0.0, right: max is a multiple of the subnormal")
# torch's one rounding of a + alpha·b (fused) keeps max + 2·(-max) at -max; refgrad rounds alpha·b first (-inf)
_UNFUSED_ALPHA = RarelyDrawn("refgrad rounds alpha·b before adding a, torch fuses a + alpha·b into one rounding: "
                             "alpha·b overflows in refgrad where the fused result is finite (max + 2·(-max): -inf in "
                             "refgrad, -max in torch)")
KNOWN_FAILURES = {
    "add[alpha]": {"extremes": _UNFUSED_ALPHA},
    # drawn by the thorough profile's examples: x (3, 3, 1, 1) · y = max, y's gradient Σ g·x
    "mul": {("extremes", "float32"): RarelyDrawn(
        "the gradient of a broadcast operand sums its terms: two -max-sized terms overflow to -inf in refgrad's "
        "(pairwise) order before meeting an inf term (nan), where torch's order meets the inf first (inf, the "
        "float64 value)")},
    "sub[alpha]": {"extremes": _UNFUSED_ALPHA},
    # float32 too, but its 16-element kernel is not reached by the ci profile's examples (the thorough profile's are)
    "fmod": {("extremes", "float64"): _VECTOR_MOD, ("extremes", "float32"): RarelyDrawn(_VECTOR_MOD)},
    "remainder": {("extremes", "float64"): _VECTOR_MOD, ("extremes", "float32"): RarelyDrawn(_VECTOR_MOD)},
    "remainder[scalar_left]": {("extremes", "float32"): _VECTOR_MOD + " (here remainder(-3, subnormal): -0.0)",
                               ("extremes", "float64"): RarelyDrawn(_VECTOR_MOD)},
    "add[operators]": {"extremes": RarelyDrawn(_VECTOR_MOD + " (here the % operator: max % subnormal)")},
    "add[inplace_operators]": {("extremes", "float64"): _VECTOR_MOD + " (here max %= 0.4427: exact 0.4368)"},
}
