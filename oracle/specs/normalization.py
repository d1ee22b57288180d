"""Specs for refgrad/nn/functional/normalization.py: layer_norm, rms_norm, normalize, batch_norm, group_norm,
instance_norm, local_response_norm.

Optional arguments are drawn present or absent, given positionally or by keyword, defaults included. The
running statistics of batch_norm and instance_norm are written in place by both libraries, so they travel in a
``RunningStats`` holder (not a case leaf: no gradient, no extreme values, outside the mutation check), which
the ``running_stats`` variants turn into a fresh tensor per call and return, updated, after the output: the
forward check compares the updates with torch's. tests/test_normalization.py follows them over several steps.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec

POSITIVE_VAR = S.Domain(0.2, 3.0)  # running variances
EPS = st.sampled_from([None, None, 1e-5, 1e-3, 0.5])  # None: not passed (torch's default)
MOMENTUM = st.sampled_from([None, 0.1, 0.5, 1.0, 0.0])
_ABSENT = object()


@dataclass(frozen=True)
class RunningStats:
    """A running statistic's initial values: each library's call gets its own copy as a tensor."""

    array: np.ndarray

    def __repr__(self) -> str:
        return f"RunningStats({self.array.tolist()})"


def _arguments(draw, required: tuple, optional: list) -> Case:
    """required positional args, then the optional (name, value) pairs in signature order, each (value not
    _ABSENT) passed positionally while every earlier one was, else by keyword; a None may stand for the default."""
    args, kwargs, positional = list(required), {}, True
    for name, value in optional:
        if value is _ABSENT:
            positional = False
            continue
        positional = positional and draw(st.booleans())
        if positional:
            args.append(value)
        else:
            kwargs[name] = value
    return Case(tuple(args), kwargs)


def _eps(draw):
    eps = draw(EPS)
    return _ABSENT if eps is None else eps


def _conditioned_eps(draw, x: np.ndarray, dims: tuple, center: bool = True):
    """eps drawn, except where a group is nearly constant (for rms_norm: nearly 0) and eps small: there rstd =
    1/sqrt(var + eps) reaches 316 and multiplies torch's rounding (of its float32 mean, of its backward's
    cancelling terms) into differences that compare two roundings, not two functions: float32 outputs and
    gradients 1e-6..1e-4 apart, and in float64 a double backward that torch rounds to ±2e-11 where the exact
    value (its own composed form's, and refgrad's) is 0. Such a case gets eps 0.5: float32 below a spread of 0.5,
    float64 below 1e-3 (ties)."""
    eps = _eps(draw)
    if not x.size or eps is not _ABSENT and eps >= 0.1:
        return eps
    small = 0.5 if x.dtype == np.float32 else 1e-3
    x = x.astype(np.float64)
    spread = np.sqrt(np.var(x, axis=dims) if center else np.mean(x * x, axis=dims))
    if spread.size and spread.min() < small:
        return 0.5
    return eps


def _choose_vector(draw, dtype, shape: tuple, domain=S.REAL):
    """An optional tensor argument: not passed, None (the default, given), or drawn."""
    kind = draw(st.sampled_from(["absent", "none", "drawn", "drawn"]))
    if kind == "absent":
        return _ABSENT
    if kind == "none":
        return None
    return draw(S.arrays(dtype, shape, domain))


# ---- layer_norm, rms_norm, normalize ---------------------------------------------------------------------------
def _trailing_norm_cases(rms: bool):
    """x of rank 1-4 (size-0 dims included), normalized over its last 1..ndim dims, the shape given as a list or
    a tuple; weight (and bias for layer_norm) of that shape or not; eps drawn (rms_norm's default None is the
    dtype's machine epsilon)."""

    @st.composite
    def draw_case(draw, dtype):
        shape = draw(S.shapes(1, 4, max_side=4))
        k = draw(st.integers(1, len(shape)))
        normalized = shape[len(shape) - k:]
        x = draw(S.arrays(dtype, shape))
        normalized_shape = list(normalized) if draw(st.booleans()) else tuple(normalized)
        weight = _choose_vector(draw, dtype, normalized)
        optional = [("weight", weight)]
        if not rms:  # a bias only with a weight: see _weight_and_bias (layer_norm's double backward likewise)
            bias = _choose_vector(draw, dtype, normalized)
            optional.append(("bias", bias if isinstance(weight, np.ndarray) else draw(st.sampled_from([_ABSENT,
                                                                                                     None]))))
        dims = tuple(range(len(shape) - k, len(shape)))
        eps = _conditioned_eps(draw, x, dims, center=not rms)
        optional.append(("eps", None if rms and eps is _ABSENT and draw(st.booleans()) else eps))
        return _arguments(draw, (x, normalized_shape), optional)

    return lambda dtype: draw_case(dtype)


@st.composite
def _normalize_case(draw, dtype, pool=None):
    """normalize(x, p, dim, eps): p in {2, 1, 3, inf, 0.5} on values away from 0 (the norm's kink, and the pole
    of |x|^(p-1) for p < 1), dim over every valid value; eps the default or 2.0, large enough that the clamp acts for
    some slices."""
    p = draw(st.sampled_from([2.0, 2.0, 1.0, 3.0, float("inf"), 0.5]))
    # the inf-norm of an empty slice has no identity: torch refuses it (an error case below)
    shape = draw(S.shapes(0, 4, min_side=1 if p == float("inf") else 0))
    if pool is not None:
        x = draw(S.with_ties(dtype, shape, pool))
    else:
        x = draw(S.arrays(dtype, shape, S.NONZERO))  # 0 is a kink of the norm (kink_cases draw it)
    optional = [("p", draw(st.sampled_from([_ABSENT, p]))), ("dim", draw(st.one_of(st.just(_ABSENT),
                                                                                    S.dims(len(shape))))),
                ("eps", draw(st.sampled_from([_ABSENT, 1e-12, 2.0])))]
    if optional[0][1] is _ABSENT and p != 2.0:
        optional[0] = ("p", p)
    if len(shape) < 2 and optional[1][1] is _ABSENT:  # the default dim=1 needs 2 dims
        optional[1] = ("dim", draw(S.dims(len(shape))))
    return _arguments(draw, (x,), optional)


def _normalize_ties(dtype):
    """Exact zeros (the norm's kink, the clamp at eps for an all-zero slice) and ties (p=inf)."""
    return _normalize_case(dtype, pool=(-1.0, 0.0, 0.5, 2.0))


# ---- batch_norm, instance_norm, group_norm ---------------------------------------------------------------------
def _channels_shape(draw):
    """(N, C, *spatial) of rank 2-4, N possibly 0."""
    rank = draw(st.integers(2, 4))
    n = draw(st.integers(0, 4))
    c = draw(st.integers(1, 4))
    spatial = tuple(draw(st.integers(1, 3)) for _ in range(rank - 2))
    shape = (n, c) + spatial
    return shape if int(np.prod(shape)) <= S.MAX_ELEMENTS else (2, c)


def _weight_and_bias(draw, dtype, c: int) -> list:
    """Per-channel weight and bias for batch_norm, instance_norm and group_norm: a bias only with a weight, since
    torch 2.13 fails there, a torch bug that refgrad does not copy: batch_norm's double backward raises "Expected a
    proper Tensor but got None" (layer_norm's too), group_norm's backward "tensor does not have a device" or "shape
    '[0]' is invalid".
    tests/test_normalization.py checks refgrad's gradients for a bias alone against torch's composed form."""
    weight = _choose_vector(draw, dtype, (c,))
    bias = _choose_vector(draw, dtype, (c,)) if isinstance(weight, np.ndarray) else draw(st.sampled_from([_ABSENT,
                                                                                                         None]))
    return [("weight", weight), ("bias", bias)]


def _running(draw, dtype, c: int, present: bool):
    """running_mean and running_var: both RunningStats, or both None (torch refuses one without the other)."""
    if not present:
        return None, None
    return RunningStats(draw(S.arrays(dtype, (c,)))), RunningStats(draw(S.arrays(dtype, (c,), POSITIVE_VAR)))


def _batch_norm_case(mode: str):
    """batch_norm on (N, C, *). mode "plain": training without running statistics (N · spatial > 1, as torch
    requires); "running_stats": training, both statistics given (updated in place); "eval": training=False with
    the running statistics."""

    @st.composite
    def draw_case(draw, dtype):
        training = mode != "eval"
        shape = _channels_shape(draw)
        if training and shape[0] * int(np.prod(shape[2:])) == 1:
            shape = (2,) + shape[1:]
        c = shape[1]
        x = draw(S.arrays(dtype, shape))
        rm, rv = _running(draw, dtype, c, mode != "plain")
        momentum = draw(MOMENTUM)
        dims = (0,) + tuple(range(2, len(shape)))
        optional = _weight_and_bias(draw, dtype, c) + [
            ("training", training),
            ("momentum", _ABSENT if momentum is None else momentum),
            ("eps", _conditioned_eps(draw, x, dims) if training else _eps(draw))]
        return _arguments(draw, (x, rm, rv), optional)

    return lambda dtype: draw_case(dtype)


def _instance_norm_case(mode: str):
    """instance_norm on (N, C, *), N >= 1 (torch 2.13 fails on an empty batch with a weight: "select(): index 0
    out of range") and more than one spatial element. mode "plain": no running statistics; "running_stats": both
    given, updated in place; "eval": use_input_stats=False with them."""

    @st.composite
    def draw_case(draw, dtype):
        use_input_stats = mode != "eval"
        shape = _channels_shape(draw)
        shape = (max(shape[0], 1),) + shape[1:]
        if len(shape) == 2 or int(np.prod(shape[2:])) == 1:
            shape = shape[:2] + (2,)
        c = shape[1]
        x = draw(S.arrays(dtype, shape))
        if mode == "plain":
            optional = [("running_mean", draw(st.sampled_from([_ABSENT, None]))),
                        ("running_var", draw(st.sampled_from([_ABSENT, None])))]
        else:
            rm, rv = _running(draw, dtype, c, True)
            optional = [("running_mean", rm), ("running_var", rv)]
        momentum = draw(MOMENTUM)
        dims = tuple(range(2, len(shape)))
        optional += _weight_and_bias(draw, dtype, c) + [
            ("use_input_stats", use_input_stats if mode != "plain" else draw(st.sampled_from([_ABSENT, True]))),
            ("momentum", _ABSENT if momentum is None else momentum),
            ("eps", _conditioned_eps(draw, x, dims) if use_input_stats else _eps(draw))]
        return _arguments(draw, (x,), optional)

    return lambda dtype: draw_case(dtype)


@st.composite
def _group_norm_case(draw, dtype):
    """group_norm with num_groups any divisor of C; N >= 1 (torch 2.13's backward raises "tensor does not have a
    device" on an empty batch) and more than one value per (N·C/G) group row, as torch's F.group_norm requires."""
    shape = _channels_shape(draw)
    shape = (max(shape[0], 1),) + shape[1:]
    c = shape[1]
    groups = draw(st.sampled_from([g for g in range(1, c + 1) if c % g == 0]))
    if shape[0] * c // groups * int(np.prod(shape[2:])) == 1:
        shape = (2,) + shape[1:]
    x = draw(S.arrays(dtype, shape))
    grouped = x.reshape(shape[0], groups, -1)
    optional = _weight_and_bias(draw, dtype, c) + [("eps", _conditioned_eps(draw, grouped, (2,)))]
    return _arguments(draw, (x, groups), optional)


def _with_running_stats(lib_name: str, op: str):
    """The op called with fresh tensors for its RunningStats arguments, returning (output, *updated statistics)."""

    def call(*args, **kwargs):
        if lib_name == "torch":
            import torch as lib

            def tensor(a):
                return lib.from_numpy(a.copy())
        else:
            import refgrad as lib

            def tensor(a):
                return lib.tensor(a.copy())

        made = []

        def fresh(v):
            if isinstance(v, RunningStats):
                made.append(tensor(v.array))
                return made[-1]
            return v

        out = getattr(lib.nn.functional, op)(*[fresh(a) for a in args], **{k: fresh(v) for k, v in kwargs.items()})
        return (out, *made)

    return call


# ---- local_response_norm -------------------------------------------------------------------------------------
@st.composite
def _local_response_norm_case(draw, dtype):
    """(N, C, *) of rank 3-5 (size-0 included), window sizes 1..C+2 (even and odd: asymmetric padding), alpha,
    beta and k drawn with k > 0 (the base k + alpha·mean(x²) stays positive)."""
    rank = draw(st.integers(3, 5))
    shape = draw(S.shapes(rank, rank, max_side=4))
    c = shape[1]
    x = draw(S.arrays(dtype, shape))
    size = draw(st.integers(1, c + 2))
    optional = [("alpha", draw(st.sampled_from([_ABSENT, 1e-4, 0.5, 1.0]))),
                ("beta", draw(st.sampled_from([_ABSENT, 0.75, 0.5, 1.5]))),
                ("k", draw(st.sampled_from([_ABSENT, 1.0, 2.0, 0.5])))]
    return _arguments(draw, (x, size), optional)


# the running_stats variants return the updated statistics after the output: those depend on the input but carry
# no gradient (as in torch), so the numerical-derivative checks, which differentiate every float output, leave them
# out; the updates themselves are compared with torch's by the forward check and followed in the test file
STATS_CHECKS = ("forward", "vjp_torch", "double_backward")

SPECS = [
    OpSpec("nn.functional.layer_norm", _trailing_norm_cases(rms=False)),
    OpSpec("nn.functional.rms_norm", _trailing_norm_cases(rms=True)),
    OpSpec("nn.functional.normalize", lambda dtype: _normalize_case(dtype), kink_cases=_normalize_ties),
    OpSpec("nn.functional.batch_norm", _batch_norm_case("plain")),
    OpSpec("nn.functional.batch_norm", _batch_norm_case("running_stats"), variant="running_stats",
           ref=_with_running_stats("refgrad", "batch_norm"), torch=_with_running_stats("torch", "batch_norm"),
           checks=STATS_CHECKS),
    OpSpec("nn.functional.batch_norm", _batch_norm_case("eval"), variant="eval",
           ref=_with_running_stats("refgrad", "batch_norm"), torch=_with_running_stats("torch", "batch_norm")),
    OpSpec("nn.functional.instance_norm", _instance_norm_case("plain")),
    OpSpec("nn.functional.instance_norm", _instance_norm_case("running_stats"), variant="running_stats",
           ref=_with_running_stats("refgrad", "instance_norm"),
           torch=_with_running_stats("torch", "instance_norm"), checks=STATS_CHECKS),
    OpSpec("nn.functional.instance_norm", _instance_norm_case("eval"), variant="eval",
           ref=_with_running_stats("refgrad", "instance_norm"),
           torch=_with_running_stats("torch", "instance_norm")),
    OpSpec("nn.functional.group_norm", lambda dtype: _group_norm_case(dtype)),
    OpSpec("nn.functional.local_response_norm", lambda dtype: _local_response_norm_case(dtype)),
]

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------
# Where ±max, ±inf or nan enter a group, torch's outputs and gradients follow from its kernels' inner formulas,
# which refgrad's do not copy: its float32 Welford (layer_norm, group_norm) or float sums (batch_norm) overflow to
# a nan variance where refgrad's float64-accumulated one is finite or inf (refgrad then gives 0 where torch gives
# nan); its training batch_norm output x·α + (b - mean·α) and refgrad's x·rstd - mean·rstd give zeros of opposite
# sign; its backward, built from Σg and Σg·x, turns inf·0 into nan where refgrad's closed form in x̂ gives 0. In
# evaluation refgrad's forward is torch's x·α + β, but torch's backward scales by weight·rstd in float64, finite
# where refgrad's float32 product overflows.
_STATISTICS_AT_OVERFLOW = (
    "at ±max/±inf inputs torch's nan/inf/signed-zero pattern comes from its kernels' inner formulas (Welford or "
    "float32 sums overflowing to a nan variance; x·α + (b - mean·α); a backward from Σg and Σg·x giving inf·0 = "
    "nan; evaluation's backward scale weight·rstd taken in float64), which refgrad's float64-accumulated "
    "statistics and closed-form vjp in x̂ do not reproduce")
KNOWN_FAILURES = {"nn.functional.normalize": {"extremes": (
    "the 2-norm of a max-sized vector: refgrad's sqrt of the sum of squares overflows to inf (x / inf -> nan at "
    "x = max), torch's norm kernel scales and gives max (normalize([[max]]) = 1.0)")}}
KNOWN_FAILURES |= {spec_id: {"extremes": _STATISTICS_AT_OVERFLOW} for spec_id in (
    "nn.functional.layer_norm", "nn.functional.batch_norm",
    "nn.functional.batch_norm[running_stats]", "nn.functional.batch_norm[eval]", "nn.functional.instance_norm",
    "nn.functional.instance_norm[running_stats]", "nn.functional.instance_norm[eval]", "nn.functional.group_norm")}

X = C.ones(2, 3, 4)
ERRORS = {
    "nn.functional.layer_norm": (
        C.bad("int_shape", X, 4, says=("normalized_shape", "tuple of ints", "int")),
        C.bad("shape_mismatch", X, [3], says="Given normalized_shape=[3], expected input with shape [*, 3], but got "
                                             "input of size[2, 3, 4]"),
        C.bad("empty_shape", X, [], says="Expected normalized_shape to be at least 1-dimensional"),
        C.bad("weight_shape", X, [4], weight=C.ones(3), says="Expected weight to be of same shape as "
                                                             "normalized_shape, but got weight of shape [3]"),
        C.bad("bias_shape", X, [4], bias=C.ones(2, 2), says="bias of shape [2, 2] and normalized_shape = [4]"),
        C.bad("weight_dtype", X, [4], weight=C.ones(4, dtype=np.float64), says="mixed dtype"),
        C.bad("int_input", C.ones(2, 4, dtype=np.int64), [4], says="'Long'"),
        C.bad("list_input", [1.0, 2.0], [2], says="list"),
        C.bad("eps_none", X, [4], eps=None, says="argument 'eps' (position 5) must be float, not NoneType"),
    ),
    "nn.functional.rms_norm": (
        C.bad("shape_mismatch", X, [3], says="expected input with shape [*3], but got input of size[2, 3, 4]"),
        C.bad("weight_shape", X, [4], weight=C.ones(3), says="weight of shape [3] and normalized_shape = [4]"),
        C.bad("int_input", C.ones(2, 4, dtype=np.int64), [4], says="'Long'"),
    ),
    "nn.functional.normalize": (
        C.bad("dim_range", X, dim=3, says="Dimension out of range (expected to be in range of [-3, 2], but got 3)"),
        C.bad("inf_norm_of_empty", C.ones(0, 3), p=float("inf"), dim=0, says="inf norm"),
    ),
    "nn.functional.batch_norm": (
        C.bad("one_value_per_channel", C.ones(1, 3), None, None, training=True,
              says="Expected more than 1 value per channel when training, got input size torch.Size([1, 3])"),
        C.bad("eval_needs_running_mean", X, None, None, says="running_mean must be defined in evaluation mode"),
        C.bad("eval_needs_running_var", X, C.ones(3), None, says="running_var must be defined in evaluation mode"),
        C.bad("running_mean_size", X, C.ones(4), C.ones(3), training=True,
              says="running_mean should contain 3 elements not 4"),
        C.bad("running_var_size", X, C.ones(3), C.ones(2), says="running_var should contain 3 elements not 2"),
        C.bad("weight_size", X, None, None, C.ones(4), training=True, says="weight should contain 3 elements not 4"),
        C.bad("bias_size", X, None, None, None, C.ones(1), True, says="bias should contain 3 elements not 1"),
        C.bad("momentum_none", X, None, None, training=True, momentum=None,
              says="argument 'momentum' (position 7) must be float, not NoneType"),
        C.bad("running_dtype", X, C.ones(3, dtype=np.float64), C.ones(3), says="mixed dtype"),
        C.bad("running_var_missing", X, C.ones(3), None, training=True,
              says="running_mean and running_var must either both be None or neither be None"),
        C.bad("rank_1_training", C.ones(3), None, None, training=True, says="Dimension out of range"),
        C.bad("int_input", C.ones(2, 3, dtype=np.int64), None, None, training=True, says="'Long'"),
    ),
    "nn.functional.instance_norm": (
        C.bad("one_spatial_element", C.ones(2, 3, 1), says="Expected more than 1 spatial element when training, "
                                                           "got input size torch.Size([2, 3, 1])"),
        C.bad("needs_running_stats", X, use_input_stats=False,
              says="Expected running_mean and running_var to be defined when use_input_stats is false"),
        C.bad("running_mean_size", X, C.ones(4), C.ones(4), says="running_mean should contain 6 elements not 8"),
        C.bad("weight_size", X, weight=C.ones(4), says="weight should contain 3 elements not 4"),
        C.bad("momentum_none", X, momentum=None, says="argument 'momentum' (position 7) must be float, not NoneType"),
    ),
    "nn.functional.group_norm": (
        C.bad("not_divisible", X, 2, says="Expected number of channels in input to be divisible by num_groups, but "
                                          "got input of shape [2, 3, 4] and num_groups=2"),
        C.bad("rank_1", C.ones(3), 1, says="Expected at least 2 dimensions for input tensor but received 1"),
        C.bad("weight_size", X, 3, weight=C.ones(4), says="Expected weight to be a vector of size equal to the number "
                                                          "of channels in input, but got weight of shape [4]"),
        C.bad("zero_groups", X, 0, says="division"),
        C.bad("one_value_per_group", C.ones(1, 2), 2, says="Expected more than 1 value per channel when training, "
                                                          "got input size [1, 2]"),
    ),
    "nn.functional.local_response_norm": (
        C.bad("rank_2", C.ones(2, 3), 2, says=("Expected 3D or higher dimensionality", "got 2 dimensions")),
    ),
}
