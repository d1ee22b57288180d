"""Specs for refgrad/nn/functional/activation.py: relu and the other activations, softmax, log_softmax, softmin.

Every argument torch accepts is drawn, each one sometimes left out (torch's default); values are drawn on a
domain that reaches past each function's kinks (hardsigmoid's and hardswish's ±3, softplus's threshold), and the
numerical checks exclude the points within a step of a kink. ``kink_cases`` put inputs exactly at each kink for
the parameters drawn (a hardtanh bound, a threshold, ±lambd, softplus's threshold/beta, 0 for the elu family,
±3), with NaN and ±inf beside them, so that torch's choice of subgradient there is compared at the point itself.
Parameters used as kink points are exactly representable in float32, so the kink is the same in both dtypes.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import FORWARD_ONLY, Case, OpSpec
from ..tolerances import Tol

NAN, INF = float("nan"), float("inf")
WIDE = S.Domain(-5.0, 5.0)  # past hardsigmoid's and hardswish's kinks at ±3
# below -4, the float32 derivative of gelu(approximate='tanh') is 0.5·(1 + t) + 0.5·x·(1 - t²)·u with t near -1:
# two terms of ~1e-5 cancelling to ~2e-6, each carrying the ~6e-8 rounding of t amplified by |x|·u, so torch's
# float32 value (scalar and vectorized kernels differ there too) and refgrad's are both ~1e-6 from the float64
# truth: a comparison no tolerance can judge. Measured on a grid: above -4 they agree within 5.8e-7
GELU = S.Domain(-4.0, 5.0)
# exactly representable parameters, so a kink point drawn from them is the kink in float32 and float64 alike
BOUNDS = st.sampled_from([-2.0, -1.0, -0.5, 0.0, 0.25, 1.0, 1.5])
SLOPES = st.sampled_from([0.01, 0.0, 0.2, -0.5, 1.5])
# float32-exact: torch's celu backward forms its input scale as 1/float(alpha) (derivatives.yaml's
# alpha.toFloat()), so for an alpha float32 does not hold, such as 0.3, torch's float64 gradient is off by up to
# |x/alpha|·6e-8 relative (its forward uses 1/alpha in double); refgrad does not copy that
ALPHAS = st.sampled_from([1.0, 0.5, 2.0, 0.375])
# the elu family (alpha = 1) and softsign are C1 but not C2 at 0: central differences there have an O(h) error
# that no kink test sees; the kink cases check x = 0 itself
NOT_ZERO = S.Domain(-3.0, 3.0, avoid=(0.0,), margin=0.01)
LAMBDAS = st.sampled_from([0.5, 0.0, 0.25, 1.5])
BETAS = st.sampled_from([1.0, 0.5, 2.0, 4.0])
THRESHOLDS = st.sampled_from([20.0, 1.0, 2.0, -1.0, 0.5])


def _kwargs(**optional) -> st.SearchStrategy[dict]:
    """Keyword arguments, each one drawn or left out (torch's default)."""
    return st.fixed_dictionaries({}, optional=optional)


def drawn(kwargs: st.SearchStrategy[dict] = st.just({}), domain: S.Domain = S.REAL, kinks=None):
    """f(x, **kwargs): x of any shape (0-d and size-0 included) from domain, kwargs drawn. kinks(kwargs): points
    that depend on the parameters drawn, which x is kept 0.01 away from (an element closer is moved 0.02 up)."""

    def away(kw, x):
        for k in kinks(kw) if kinks is not None else ():
            x = np.where(np.abs(x - k) < 0.01, x + 0.02, x).astype(x.dtype)
        return Case((x,), kw)

    def cases(dtype):
        return st.tuples(kwargs, S.shapes().flatmap(lambda s: S.arrays(dtype, s, domain))).map(lambda kx: away(*kx))

    return cases


def at_kinks(kwargs: st.SearchStrategy[dict], points, nan: bool = True):
    """f(x, **kwargs) with x drawn from points(kwargs), the exact kinks for those parameters, and ±inf and (unless
    torch's own kernels disagree there, see NAN_SPLIT) NaN."""

    def cases(dtype):
        def for_kwargs(kw):
            pool = tuple(points(kw)) + (INF, -INF) + ((NAN,) if nan else ())
            return S.shapes().flatmap(lambda s: S.with_ties(dtype, s, pool)).map(lambda x: Case((x,), kw))

        return kwargs.flatmap(for_kwargs)

    return cases


def _hardtanh_kwargs():
    """min_val <= max_val: both given, or one of them (the other at its default), or neither."""
    both = st.tuples(BOUNDS, BOUNDS).map(lambda b: {"min_val": min(b), "max_val": max(b)})
    only_min = BOUNDS.filter(lambda b: b <= 1.0).map(lambda b: {"min_val": b})
    only_max = BOUNDS.filter(lambda b: b >= -1.0).map(lambda b: {"max_val": b})
    return st.one_of(st.just({}), both, only_min, only_max)


def _hardtanh_points(kw):
    lo, hi = kw.get("min_val", -1.0), kw.get("max_val", 1.0)
    return (lo, hi, -0.0, 0.0, lo - 0.5, hi + 0.5, (lo + hi) / 2)


def _threshold_kwargs():
    return st.fixed_dictionaries({"threshold": BOUNDS, "value": st.sampled_from([0.0, -1.0, 2.5])})


def _softshrink_cases(dtype):
    """softshrink of x·0 is -0.0 for a negative x inside (-lambd, lambd) in torch's scalar kernel and 0.0 in its
    vectorized one (refgrad: -0.0, the scalar kernel's x·0): the extremes check compares signed zeros, so the
    negative values inside the interval are drawn as their positive mirror images."""

    def mirror(case):
        (x,), kw = case.args, case.kwargs
        lambd = kw.get("lambd", 0.5)
        return Case((np.where((x < 0) & (x > -lambd), -x, x).astype(x.dtype),), kw)

    return drawn(_kwargs(lambd=LAMBDAS), kinks=_shrink_kinks)(dtype).map(mirror)


def _shrink_kinks(kw):
    """±lambd: with lambd = 0 the shrinks are the identity but at 0 itself, where torch's derivative is 0: a kink
    no numerical test can see, so the regular cases stay away from it (the kink cases check it)."""
    lambd = kw.get("lambd", 0.5)
    return (lambd, -lambd)


def _shrink_points(kw):
    lambd = kw.get("lambd", 0.5)
    return (lambd, -lambd, 0.0, 2.0, -2.0)


def _softplus_points(kw):
    beta, threshold = kw.get("beta", 1.0), kw.get("threshold", 20.0)
    return (threshold / beta, -threshold / beta, 0.0, -1.0, 1.0)  # threshold/beta is exact: beta a power of 2


# torch's scalar kernels (tensors under one vector's width, and the tail of longer ones) and its vectorized kernels
# give different gradients at NaN for these: hardtanh/relu6, hardshrink and softshrink 1 / 0, elu/selu/celu and
# hardswish scale / NaN. refgrad takes the scalar kernels' answer (NaN goes where torch's comparisons send it),
# so NaN stays out of their extremes and kink pools
NAN_SPLIT = {"nan": "torch's gradient at NaN differs between its scalar and vectorized kernels (by the tensor's "
                    "size and the element's position): see NAN_SPLIT"}
ELU_POINTS = (-0.0, 0.0, -1.0, 1.0)
RELU6_POINTS = (0.0, -0.0, 6.0, -1.0, 3.0, 7.0)
HARD_POINTS = (-3.0, 3.0, 0.0, -4.0, 4.0, -1.5)
HARDSIGMOID_TOL = Tol(3.1e-8, 1e-13, reason="torch's float64 hardsigmoid_backward multiplies by 1/6 rounded to "
                                            "float32 (0.1666666716337204, 2.98e-8 relative off); refgrad's is 1/6")


def _softmax_cases(offset: bool = False):
    """dim drawn over every valid value, negative ones included; dtype None or float64 (a cast before the op).

    offset: the logits are c + x with one c in (-100, 100) per case and x in (-3, 3): exp(c) over- or underflows
    (e^100 > float32's max, e^-100 < its smallest normal), so this checks the max subtraction. The spread stays
    that of REAL: a spread wide enough that a probability lies within 1e-4 of 1 makes (g - Σ g·s)·s cancel to
    far below its rounding error (torch's formula is the same), which no componentwise comparison can judge."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            shape = draw(S.shapes())
            x = draw(S.arrays(dtype, shape, S.REAL))
            if offset:
                x = np.asarray(x + dtype.type(draw(st.floats(-100, 100).map(lambda c: float(np.float32(c))))), dtype)
            kwargs = {"dim": draw(S.dims(len(shape)))}
            if draw(st.booleans()):
                kwargs["dtype"] = draw(st.sampled_from([None, np.dtype(np.float64)]))
            return Case((x,), kwargs)

        return draw_case()

    return cases


def _glu_cases(dtype):
    """A dim of even size (0 included) along which to halve, the others any; dim given or left at -1."""

    @st.composite
    def draw_case(draw):
        shape = list(draw(S.shapes(min_dims=1, max_elements=24)))
        dim = draw(S.dims(len(shape)))
        shape[dim] = 2 * draw(st.integers(0, 2))
        x = draw(S.arrays(dtype, tuple(shape)))
        return Case((x,), draw(_kwargs(dim=st.just(dim))) if dim == -1 else {"dim": dim})

    return draw_case()


def _prelu_cases(pool=None):
    """input 0-d, 1-D (one channel) or (N, C, ...); weight 0-d or 1 element, or one slope per channel."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            shape = draw(S.shapes(max_elements=36))
            channels = shape[1] if len(shape) >= 2 else 1
            weight_shape = draw(st.sampled_from([(), (1,), (channels,)]))
            # off the kink at 0 (kept for the kink cases): a slope near 1 hides it from the numerical kink test
            x = draw(S.values(dtype, shape, pool if pool is not None else NOT_ZERO))
            return Case((x, draw(S.arrays(dtype, weight_shape, S.Domain(-1.0, 1.0)))))

        return draw_case()

    return cases


def _rrelu_kwargs(training=st.sampled_from([False]), fixed: bool = False):
    """lower <= upper, both given or both left at their defaults (equal when fixed: training then draws that one
    slope, in torch too); training=True given when drawn, False left out."""
    if fixed:
        return BOUNDS.map(lambda b: {"lower": b / 4, "upper": b / 4, "training": True})
    bounds = st.one_of(st.just({}), st.tuples(BOUNDS, BOUNDS).map(lambda b: {"lower": min(b) / 4,
                                                                           "upper": max(b) / 4}))
    return st.tuples(bounds, training).map(lambda bt: {**bt[0], "training": True} if bt[1] else bt[0])


SEED = 20260   # the seed the training variant's refgrad side draws its slopes from, every call


def _seeded_rrelu(*args, **kwargs):
    """refgrad's rrelu re-seeded before each call: the same slopes for every call on one shape."""
    import refgrad

    refgrad.manual_seed(SEED)
    return refgrad.nn.functional.rrelu(*args, **kwargs)


def _torch_twin_of_seeded_rrelu(x, lower=1.0 / 8, upper=1.0 / 3, training=False):
    """What _seeded_rrelu must compute, in torch: x·noise, noise the slopes refgrad's seeded generator draws (one
    per element, uniform in [lower, upper)) where x <= 0, 1 elsewhere (NaN included)."""
    import torch

    import refgrad

    refgrad.manual_seed(SEED)
    draws = refgrad.rand(tuple(x.shape), dtype=np.float64).numpy()
    slopes = torch.from_numpy(np.asarray(lower + (upper - lower) * draws))
    return x * torch.where(x <= 0, slopes.to(x.dtype), torch.ones((), dtype=x.dtype))


SPECS = [
    OpSpec("nn.functional.relu", C.unary(S.REAL), kink_cases=C.ties()),
    OpSpec("nn.functional.relu_", C.unary(S.REAL), checks=FORWARD_ONLY, notes="in place, outside any graph"),
    OpSpec("nn.functional.softmax", _softmax_cases()),
    OpSpec("nn.functional.softmax", _softmax_cases(offset=True), variant="offset"),
    OpSpec("nn.functional.log_softmax", _softmax_cases()),
    OpSpec("nn.functional.log_softmax", _softmax_cases(offset=True), variant="offset"),
    OpSpec("nn.functional.softmin", _softmax_cases()),
    OpSpec("nn.functional.softmin", _softmax_cases(offset=True), variant="offset"),
    OpSpec("nn.functional.glu", _glu_cases),
    OpSpec("nn.functional.prelu", _prelu_cases(), kink_cases=_prelu_cases((0.0, -0.0, -1.0, 1.0))),
    # rrelu: training=False is deterministic; training=True with lower == upper too (every slope is that one
    # value, in torch as well); with lower < upper refgrad's draws are compared with a torch twin fed the same
    # draws, and refgrad's derivatives with numerical ones (tests/test_activation.py checks the distribution)
    OpSpec("nn.functional.rrelu", drawn(_rrelu_kwargs()), kink_cases=at_kinks(_rrelu_kwargs(), lambda kw: ELU_POINTS)),
    OpSpec("nn.functional.rrelu", drawn(_rrelu_kwargs(st.just(True), fixed=True)), variant="fixed_slope",
           kink_cases=at_kinks(_rrelu_kwargs(st.just(True), fixed=True), lambda kw: ELU_POINTS)),
    OpSpec("nn.functional.rrelu", drawn(_rrelu_kwargs(st.just(True))), variant="seeded", ref=_seeded_rrelu,
           torch=_torch_twin_of_seeded_rrelu, checks=("forward", "vjp_numeric", "jvp")),
    OpSpec("nn.functional.rrelu_", drawn(_rrelu_kwargs()), checks=FORWARD_ONLY, notes="in place"),
    # piecewise linear, kinks at each boundary
    OpSpec("nn.functional.relu6", drawn(domain=S.Domain(-1.0, 7.0)), extreme_skip=NAN_SPLIT,
           kink_cases=at_kinks(st.just({}), lambda kw: RELU6_POINTS, nan=False)),
    OpSpec("nn.functional.hardtanh", drawn(_hardtanh_kwargs()), extreme_skip=NAN_SPLIT,
           kink_cases=at_kinks(_hardtanh_kwargs(), _hardtanh_points, nan=False)),
    OpSpec("nn.functional.hardtanh_", drawn(_hardtanh_kwargs()), checks=FORWARD_ONLY, notes="in place"),
    OpSpec("nn.functional.leaky_relu", drawn(_kwargs(negative_slope=SLOPES)),
           kink_cases=at_kinks(_kwargs(negative_slope=SLOPES), lambda kw: (0.0, -0.0, -1.0, 1.0))),
    OpSpec("nn.functional.leaky_relu_", drawn(_kwargs(negative_slope=SLOPES)), checks=FORWARD_ONLY, notes="in place"),
    OpSpec("nn.functional.threshold", drawn(_threshold_kwargs()),
           kink_cases=at_kinks(_threshold_kwargs(), lambda kw: (kw["threshold"], 0.0, -0.0, 2.0, -2.0))),
    OpSpec("nn.functional.threshold_", drawn(_threshold_kwargs()), checks=FORWARD_ONLY, notes="in place"),
    OpSpec("nn.functional.hardshrink", drawn(_kwargs(lambd=LAMBDAS), kinks=_shrink_kinks), extreme_skip=NAN_SPLIT,
           kink_cases=at_kinks(_kwargs(lambd=LAMBDAS), _shrink_points, nan=False)),
    OpSpec("nn.functional.softshrink", _softshrink_cases,
           extreme_skip={**NAN_SPLIT, "-0.0": "softshrink(-0.0) is -0.0 in torch's scalar kernel, 0.0 in its "
                                              "vectorized one: see _softshrink_cases"},
           kink_cases=at_kinks(_kwargs(lambd=LAMBDAS), _shrink_points, nan=False)),
    # exponential linear units: the kink at 0
    OpSpec("nn.functional.elu", drawn(_kwargs(alpha=ALPHAS), NOT_ZERO), extreme_skip=NAN_SPLIT,
           kink_cases=at_kinks(_kwargs(alpha=ALPHAS), lambda kw: ELU_POINTS, nan=False)),
    OpSpec("nn.functional.elu_", drawn(_kwargs(alpha=ALPHAS)), checks=FORWARD_ONLY, notes="in place"),
    OpSpec("nn.functional.selu", drawn(domain=NOT_ZERO), extreme_skip=NAN_SPLIT,
           kink_cases=at_kinks(st.just({}), lambda kw: ELU_POINTS, nan=False)),
    OpSpec("nn.functional.selu_", drawn(), checks=FORWARD_ONLY, notes="in place"),
    OpSpec("nn.functional.celu", drawn(_kwargs(alpha=ALPHAS), NOT_ZERO), extreme_skip=NAN_SPLIT,
           kink_cases=at_kinks(_kwargs(alpha=ALPHAS), lambda kw: ELU_POINTS, nan=False)),
    OpSpec("nn.functional.celu_", drawn(_kwargs(alpha=ALPHAS)), checks=FORWARD_ONLY, notes="in place"),
    # smooth
    OpSpec("nn.functional.logsigmoid", drawn(), kink_cases=at_kinks(st.just({}), lambda kw: (0.0, -0.0, 1.0))),
    OpSpec("nn.functional.logsigmoid", drawn(domain=S.Domain(-1e4, 1e4)), variant="large",
           checks=("forward", "vjp_torch")),
    OpSpec("nn.functional.softplus", drawn(_kwargs(beta=BETAS, threshold=THRESHOLDS)),
           kink_cases=at_kinks(_kwargs(beta=BETAS, threshold=THRESHOLDS), _softplus_points)),
    OpSpec("nn.functional.softplus", drawn(_kwargs(beta=BETAS, threshold=THRESHOLDS), S.Domain(-1e4, 1e4)),
           variant="large", checks=("forward", "vjp_torch")),
    OpSpec("nn.functional.softsign", drawn(domain=NOT_ZERO),
           kink_cases=at_kinks(st.just({}), lambda kw: (0.0, -0.0, 1.0))),
    OpSpec("nn.functional.tanhshrink", drawn()),
    OpSpec("nn.functional.silu", drawn(domain=WIDE)),
    OpSpec("nn.functional.mish", drawn(domain=WIDE)),
    OpSpec("nn.functional.gelu", drawn(_kwargs(approximate=st.sampled_from(["none", "tanh"])), GELU),
           extreme_skip={"-0.0": "torch's float32 gelu(-0.0) is -0.0 from its scalar kernel, 0.0 from its vectorized "
                                 "one (refgrad: -0.0, x·0.5·(1 + erf(x/√2)))",
                         "-huge": "torch's float32 gelu(-max) is -0.0 from its scalar kernel, 0.0 from its vectorized "
                                  "one (refgrad: -0.0)",
                         # seen on an Intel Xeon (AVX-512), whatever ATEN_CPU_CAPABILITY says; an AMD EPYC's torch
                         # gave inf and max, as refgrad does
                         "inf": "torch's float32 gelu(inf) is inf from its scalar kernel (one element) and nan from "
                                "its vectorized one on some CPUs (refgrad: inf)",
                         "max": "torch's float32 gelu(max) is max from its scalar kernel (one element) and inf from "
                                "its vectorized one on some CPUs (refgrad: max)"}),
    OpSpec("nn.functional.hardsigmoid", drawn(domain=WIDE), kink_cases=at_kinks(st.just({}), lambda kw: HARD_POINTS),
           checks=("forward", "vjp_torch", "vjp_numeric", "jvp"),  # torch has no double backward for hardsigmoid
           tolerances={("vjp_torch", "float64"): HARDSIGMOID_TOL, ("kinks", "float64"): HARDSIGMOID_TOL}),
    OpSpec("nn.functional.hardswish", drawn(domain=WIDE), extreme_skip=NAN_SPLIT,
           kink_cases=at_kinks(st.just({}), lambda kw: HARD_POINTS, nan=False)),
]

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------


# ---- bad inputs (moved from tests/test_linalg_errors.py; each run in torch and refgrad by test_ops) ---------
ERRORS = {
    "nn.functional.relu": (
        C.bad("relu_bool", C.ones(2, dtype=np.bool), says="Boolean inputs not supported for relu"),
        C.bad("relu_list", [1.0, 2.0], says="list"),
    ),
    "nn.functional.softmax": (
        C.bad("softmax_int", C.ones(2, 3, dtype=np.int64), 1, says="'Long'"),
        C.bad(
            "softmax_dim_range",
            C.ones(2, 3),
            2,
            says="Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        C.bad("softmax_dim_type", C.ones(2, 3), "a", says="str"),
    ),
    "nn.functional.log_softmax": (
        C.bad("log_softmax_int", C.ones(2, 3, dtype=np.int64), 1, says="'Long'"),
        C.bad("log_softmax_dim_range", C.ones(2, 3), -3, says="but got -3)"),
    ),
}
ERRORS["nn.functional.relu_"] = (C.bad("number", 1.5, says="float"),)


# ---- bad inputs of the other activations: dtypes torch has no kernel for, bad parameters, bad shapes -----------
X = C.ones(2, 3)
LONGS = C.ints(1, -2)
BOOLS = C.bools(True, False)


def _no_int(kernel: str) -> tuple:
    return (C.bad("int", LONGS, says=(kernel, "'Long'")), C.bad("bool", BOOLS, says=(kernel, "'Bool'")),
            C.bad("list", [1.0], says="list"))


ERRORS.update({
    "nn.functional.relu6": (C.bad("bool", BOOLS, says="Bool inputs not supported for hardtanh"),
                            C.bad("list", [1.0], says="list")),
    "nn.functional.hardtanh": (C.bad("bool", BOOLS, says="Bool inputs not supported for hardtanh"),
                               C.bad("min_above_max", X, 2.0, 1.0, says="min_val cannot be greater than max_val"),
                               C.bad("min_val_str", X, "a", says=("min_val", "str"))),
    "nn.functional.leaky_relu": (*_no_int("leaky_relu_cpu"),
                                 C.bad("slope_str", X, "a", says=("negative_slope", "str"))),
    "nn.functional.threshold": (C.bad("bool", BOOLS, 0.0, 1.0, says=("threshold_cpu", "'Bool'")),
                                C.bad("value_str", X, 0.0, "a", says=("value", "str")),
                                C.bad("list", [1.0], 0.0, 1.0, says="list")),
    "nn.functional.elu": (*_no_int("elu_cpu"), C.bad("alpha_str", X, "a", says=("alpha", "str"))),
    "nn.functional.selu": _no_int("elu_cpu"),
    "nn.functional.celu": (*_no_int("elu_cpu"), C.bad("alpha_zero", X, 0.0, says="alpha cannot be 0 for CELU")),
    "nn.functional.hardshrink": (*_no_int("hardshrink_cpu"), C.bad("lambd_str", X, "a", says=("lambd", "str"))),
    "nn.functional.softshrink": (*_no_int("softshrink_check"),
                                 C.bad("negative_lambd", X, -1.0, says=("lambda must be in range [0, 3.40282e+38]",
                                                                        "Float", "-1")),
                                 C.bad("negative_lambd_double", C.ones(2, dtype=np.float64), -0.5,
                                       says=("[0, 1.79769e+308]", "Double", "-0.5"))),
    "nn.functional.logsigmoid": _no_int("log_sigmoid_cpu"),
    "nn.functional.softplus": (*_no_int("softplus_cpu"), C.bad("beta_str", X, beta="a", says=("beta", "str"))),
    "nn.functional.softsign": (C.bad("bool", BOOLS, says="'Bool'"), C.bad("list", [1.0], says="abs")),
    "nn.functional.tanhshrink": (C.bad("bool", BOOLS, says="Subtraction, the `-` operator, with a bool tensor"),
                                 C.bad("list", [1.0], says="tanh")),
    "nn.functional.silu": _no_int("silu_cpu"),
    "nn.functional.mish": _no_int("mish_cpu"),
    "nn.functional.hardsigmoid": _no_int("hardsigmoid_cpu"),
    "nn.functional.hardswish": _no_int("hardswish_cpu"),
    "nn.functional.gelu": (*_no_int("GeluKernelImpl"),
                           C.bad("approximate", X, approximate="erf", says="approximate argument must be either none "
                                                                           "or tanh")),
    "nn.functional.softmin": (C.bad("int", C.ones(2, 3, dtype=np.int64), 1, says="'Long'"),
                              C.bad("dim_range", X, 2, says="Dimension out of range (expected to be in range of "
                                                              "[-2, 1], but got 2)")),
    "nn.functional.glu": (C.bad("odd", X, 1, says="Halving dimension must be even, but dimension 1 is size 3"),
                          C.bad("odd_negative_dim", X, -1, says="dimension 1 is size 3"),
                          C.bad("scalar", np.array(1.0, np.float32), says="glu does not support scalars"),
                          C.bad("int", C.ones(2, 4, dtype=np.int64), says=("glu_cpu", "'Long'")),
                          C.bad("dim_range", C.ones(2, 4), 2, says="Dimension out of range"),
                          C.bad("dim_str", C.ones(2, 4), "a", says=("dim", "str"))),
    "nn.functional.prelu": (C.bad("channels", C.ones(2, 3), C.ones(2), says=("parameter numbers = 2",
                                                                            "channel size = 3")),
                            C.bad("one_d_channels", C.ones(3), C.ones(3), says=("parameter numbers = 3",
                                                                                "channel size = 1")),
                            C.bad("weight_2d", C.ones(2, 3), C.ones(3, 1), says="but got: ndim = 2"),
                            C.bad("dtypes", C.ones(2, 3), C.ones(1, dtype=np.float64), says=("Float", "Double")),
                            C.bad("int", C.ints(1, 2), C.ints(1), says=("prelu_cpu", "'Long'")),
                            C.bad("list", [1.0], C.ones(1), says="list")),
    "nn.functional.rrelu": (C.bad("bounds", X, 0.5, 0.1, says="Lower bound should be less than or equal to the upper "
                                                             "bound"),
                            C.bad("bounds_training", X, 0.5, 0.1, True, says="Lower bound should be less"),
                            C.bad("int", LONGS, says=("leaky_relu_cpu", "'Long'")),
                            C.bad("int_training", LONGS, training=True, says=("rrelu_with_noise", "'Long'")),
                            C.bad("lower_str", X, "a", says=("lower", "str"))),
})
