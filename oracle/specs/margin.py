"""Specs for refgrad/nn/functional/margin.py: the margin and ranking losses.

Every case draws the reduction ('mean', 'sum', 'none', or left out) and, now and then, the legacy size_average /
reduce pair instead. The hinges' kinks (a term exactly at its margin) are the kink cases: values drawn from a few
numbers (0, 0.5, 1, 2) with margins 0.5 and 1 make margin - x[y] + x[i], -target·(x1 - x2) + margin, margin - x
and the triplet's margin + d(a, p) - d(a, n) exactly 0 in both dtypes. torch's multi_margin and multilabel_margin
kernels count a term only where it is > 0 (no gradient at the margin); the others clamp with clamp_min, whose
gradient passes at the bound. Regular cases draw real values; a point that lands within a step of a hinge is
found by the numerical check and left out of it.

torch has no double backward for multi_margin_loss and multilabel_margin_loss (their backward kernels are not
differentiable), so those specs leave that check out; refgrad's compositions have one.
"""
from __future__ import annotations

import math

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec

OMIT = object()  # a kwarg left out of the call
REDUCTIONS = (OMIT, "mean", "sum", "none")
LEGACY = ((None, False), (False, None), (True, True), (None, True))  # (size_average, reduce)
WEIGHTS = S.Domain(0.1, 2.0)
KINK_POOL = (0.0, 0.5, 1.0, 2.0)
NO_DOUBLE_BACKWARD = ("forward", "vjp_torch", "vjp_numeric", "jvp")  # torch: *_margin_loss_backward has no derivative


# Losses whose terms can be max-sized with either sign (hinge_embedding_loss passes -x through; multi_margin_loss
# weighs its terms): their 'sum' or 'mean' of [max, max, -max, -max, ...] overflows to inf or to nan by the order of
# addition alone (hinge_embedding_loss(size_average=False) of such terms: nan in refgrad, whose NumPy pairwise sum
# meets inf + -inf, inf in torch, whose cascade sum reaches +inf first; torch's own order varies with size and
# vectorization). That order is no part of the spec, so -max is left out of their extremes; +max, ±inf and nan stay.
SUM_ORDER = {"-huge": "an overflowing sum of ±max-sized terms is inf or nan by the order of addition (see above)"}


def _put(kwargs: dict, name: str, value) -> None:
    if value is not OMIT:
        kwargs[name] = value


def _reduction(draw, kwargs: dict, legacy: bool = True, empty: bool = False) -> None:
    """reduction=, or (1 in 5) the legacy pair; with ``empty`` (a size-0 batch) only 'none' (see the callers)."""
    if empty:
        kwargs["reduction"] = "none"
    elif legacy and draw(st.integers(0, 4)) == 0:
        size_average, reduce = draw(st.sampled_from(LEGACY))
        _put(kwargs, "size_average", OMIT if size_average is None else size_average)
        _put(kwargs, "reduce", OMIT if reduce is None else reduce)
    else:
        _put(kwargs, "reduction", draw(st.sampled_from(REDUCTIONS)))


def _values(draw, dtype, shape, pool):
    return draw(S.arrays(dtype, shape) if pool is None else S.with_ties(dtype, shape, pool))


# ---- multi_margin_loss / multilabel_margin_loss -----------------------------------------------------------------
def _margin_input_shape(draw) -> tuple:
    """(N, C) (N possibly 0), (C,), or 0-d (one class)."""
    kind = draw(st.sampled_from(["2d", "2d", "1d", "0d"]))
    if kind == "0d":
        return ()
    classes = draw(st.integers(1, 6))
    return (classes,) if kind == "1d" else (draw(st.integers(0, 5)), classes)


def multi_margin_cases(pool=None, margins=(OMIT, 1.0, 0.5, 0.0, -0.5, 2.0)):
    """Class-index targets (0-d or (1,) for a single sample), p 1 or 2, margin, class weights. torch 2.13 returns
    uninitialized memory for 'mean'/'sum' over an empty batch, so an empty batch is drawn with 'none' only."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            shape = _margin_input_shape(draw)
            frames, classes = (shape if len(shape) == 2 else (1, shape[0] if shape else 1))
            target_shape = (frames,) if len(shape) == 2 else draw(st.sampled_from([(), (1,)]))
            kwargs = {}
            _put(kwargs, "p", draw(st.sampled_from([OMIT, 1, 2])))
            _put(kwargs, "margin", draw(st.sampled_from(margins)))
            if draw(st.booleans()):
                kwargs["weight"] = draw(S.arrays(dtype, (classes,), WEIGHTS))
            _reduction(draw, kwargs, empty=frames == 0)
            target = draw(S.index_arrays(target_shape, classes))
            return Case((_values(draw, dtype, shape, pool), target), kwargs)

        return draw_case()

    return cases


def _labels(draw, shape: tuple, classes: int) -> np.ndarray:
    """Entries in [-1, C): the targets are those before the first -1, repeats included; entries after it are
    arbitrary (torch still range-checks them)."""
    return np.asarray(draw(S.index_arrays(shape, classes + 1)) - 1)


def multilabel_margin_cases(pool=None):
    """Targets of the input's shape padded with -1. As multi_margin_loss: an empty batch with 'none' only."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            shape = _margin_input_shape(draw)
            classes = shape[-1] if shape else 1
            kwargs = {}
            _reduction(draw, kwargs, empty=bool(shape) and shape[0] == 0)
            return Case((_values(draw, dtype, shape, pool), _labels(draw, shape, classes)), kwargs)

        return draw_case()

    return cases


# ---- margin_ranking_loss / hinge_embedding_loss / cosine_embedding_loss ---------------------------------------
def _same_rank(shapes: tuple) -> tuple:
    ndim = max(len(s) for s in shapes)
    return tuple((1,) * (ndim - len(s)) + tuple(s) for s in shapes)


def _signs(draw, dtype, shape, others=True):
    """±1 targets (the losses' labels); with ``others``, now and then a value that is neither (torch's formulas
    give it their own meaning) or an int64 target."""
    target = np.asarray(draw(S.index_arrays(shape, 2)) * 2 - 1)
    choice = draw(st.integers(0, 5)) if others else 0
    if choice == 1:
        return target.astype(np.int64)
    if choice == 2 and target.size:
        target = np.where(draw(S.index_arrays(shape, 2)).astype(bool), 0.5, target)
    return target.astype(dtype)


def ranking_cases(pool=None, margins=(OMIT, 0.0, 0.5, -0.3)):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            s1, s2, s3 = _same_rank(draw(S.broadcastable_shapes(3)))
            kwargs = {}
            _put(kwargs, "margin", draw(st.sampled_from(margins)))
            _reduction(draw, kwargs)
            return Case((_values(draw, dtype, s1, pool), _values(draw, dtype, s2, pool),
                         _signs(draw, dtype, s3, others=pool is None)), kwargs)

        return draw_case()

    return cases


def hinge_cases(pool=None, margins=(OMIT, 1.0, 0.5, -0.5)):
    def cases(dtype):
        @st.composite
        def draw_case(draw):
            s1, s2 = draw(S.broadcastable_shapes(2))
            kwargs = {}
            _put(kwargs, "margin", draw(st.sampled_from(margins)))
            _reduction(draw, kwargs)
            return Case((_values(draw, dtype, s1, pool), _signs(draw, dtype, s2)), kwargs)

        return draw_case()

    return cases


def cosine_embedding_cases(pool=None, margins=(OMIT, 0.0, 0.5, -0.5)):
    """(N, D) inputs (either may have N = 1 and broadcast) with a (N,) target, or (D,) inputs with a 0-d target.
    Values |x| >= 0.1 (no zero vector, where cos is 0/1e-12); the kink pool (0, ±1) makes orthogonal and zero
    vectors, cos exactly 0, at margin 0."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            width = draw(st.integers(1, 5))
            if draw(st.booleans()):
                rows = draw(st.integers(0, 4))
                s1, s2 = (rows, width), (draw(st.sampled_from([rows, 1])), width)
                if draw(st.booleans()):
                    s1, s2 = s2, s1
                target_shape = (rows,)
            else:
                s1 = s2 = (width,)
                target_shape = ()
            kwargs = {}
            _put(kwargs, "margin", draw(st.sampled_from(margins)))
            _reduction(draw, kwargs)
            values = S.NONZERO if pool is None else pool
            return Case((draw(S.values(dtype, s1, values)), draw(S.values(dtype, s2, values)),
                         _signs(draw, dtype, target_shape)), kwargs)

        return draw_case()

    return cases


# ---- triplet losses ------------------------------------------------------------------------------------------
# Each of anchor, positive and negative draws from its own band of |x| (which input gets which is drawn, and each
# array's sign): every coordinate of every difference is then >= 0.2 from 0. Where all three are equal (Hypothesis's
# favourite: zeros), each distance is the norm of an eps-sized vector, whose second derivative (1/|d| - d²/|d|³)
# is 1e6-sized rounding noise around 0 in both libraries; zero differences are the kink cases.
# No band holds 0, so no input is a zero vector: there the "cosine" distance's norm is clamped, and torch's double
# backward through a zero norm is nan (0/0 in its norm double backward) where refgrad's is finite.
TRIPLET_BANDS = (S.Domain(0.1, 0.9), S.Domain(1.1, 2.4), S.Domain(2.6, 4.0))


def triplet_cases(pool=None, with_distance=False):
    """anchor, positive, negative of one rank, broadcastable (values: see TRIPLET_BANDS). triplet_margin_loss: p,
    eps, swap, margin (> 0); triplet_margin_with_distance_loss: the distance function by name (see
    distance_functions), swap, margin."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            # no size-0 dims with a distance function of choice: torch's double backward through
            # cosine_similarity of empty vectors (a zero norm) gives nan where the derivative is 0
            shapes = _same_rank(draw(S.broadcastable_shapes(3, max_dims=3, min_side=int(with_distance))))
            last = np.broadcast_shapes(*shapes)[-1:] or (1,)
            kwargs = {}
            _put(kwargs, "margin", draw(st.sampled_from([OMIT, 1.0, 0.5, 3.0] if pool is None else [1.0, 0.5])))
            _put(kwargs, "swap", draw(st.sampled_from([OMIT, True, False])))
            if with_distance:
                _put(kwargs, "distance", draw(st.sampled_from([OMIT, None, "cosine", "l1"])))
                _reduction(draw, kwargs, legacy=False)
            else:
                p = draw(st.sampled_from([OMIT, 2.0, 1.0, 3.0, 1.5, math.inf]))
                _put(kwargs, "p", 2.0 if p == math.inf and last[0] == 0 else p)  # no inf norm over nothing
                _put(kwargs, "eps", 0.0 if pool is not None else draw(st.sampled_from([OMIT, 0.0, 1e-3])))
                _reduction(draw, kwargs)
            if pool is not None:
                return Case(tuple(_values(draw, dtype, s, pool) for s in shapes), kwargs)
            bands = draw(st.permutations(TRIPLET_BANDS))
            return Case(tuple(np.asarray(draw(S.arrays(dtype, s, band)) * draw(st.sampled_from([1, -1])), dtype)
                              for s, band in zip(shapes, bands)), kwargs)

        return draw_case()

    return cases


def distance_functions(lib) -> dict:
    """The distance functions a case names (a case holds no callables of either library), in ``lib`` (torch or
    refgrad): None (pairwise_distance), "cosine" (1 - cosine_similarity along the last dim) or "l1" (a lambda:
    Σ|u - v| over the last dim). Also used by the TripletMarginWithDistanceLoss module spec."""
    F = lib.nn.functional
    return {None: None, "cosine": lambda u, v: 1 - F.cosine_similarity(u, v, dim=-1),
            "l1": lambda u, v: (u - v).abs().sum(-1)}


def _with_distance(lib):
    """triplet_margin_with_distance_loss of one library, the distance function named by ``distance`` (see
    distance_functions; left out: the default)."""

    def call(anchor, positive, negative, *args, distance=OMIT, **kwargs):
        F = lib.nn.functional
        if distance is not OMIT:
            kwargs["distance_function"] = distance_functions(lib)[distance]
        return F.triplet_margin_with_distance_loss(anchor, positive, negative, *args, **kwargs)

    return call


def _lib(name):
    return lambda *a, **k: _with_distance(__import__(name))(*a, **k)


SPECS = [
    OpSpec("nn.functional.multi_margin_loss", multi_margin_cases(), grad_args=(0,), checks=NO_DOUBLE_BACKWARD,
           kink_cases=multi_margin_cases(KINK_POOL, (1.0, 0.5, 0.0))),
    OpSpec("nn.functional.multilabel_margin_loss", multilabel_margin_cases(), grad_args=(0,),
           checks=NO_DOUBLE_BACKWARD, kink_cases=multilabel_margin_cases(KINK_POOL)),
    OpSpec("nn.functional.margin_ranking_loss", ranking_cases(), kink_cases=ranking_cases(KINK_POOL, (0.5, 0.0))),
    OpSpec("nn.functional.hinge_embedding_loss", hinge_cases(), grad_args=(0,),
           kink_cases=hinge_cases(KINK_POOL, (1.0, 0.5)), extreme_skip=SUM_ORDER),
    OpSpec("nn.functional.cosine_embedding_loss", cosine_embedding_cases(), grad_args=(0, 1),
           kink_cases=cosine_embedding_cases((0.0, 1.0, -1.0), (0.0,))),
    OpSpec("nn.functional.triplet_margin_loss", triplet_cases(), kink_cases=triplet_cases(KINK_POOL)),
    OpSpec("nn.functional.triplet_margin_with_distance_loss", triplet_cases(with_distance=True),
           ref=_lib("refgrad"), torch=_lib("torch"), kink_cases=triplet_cases(KINK_POOL, with_distance=True)),
]

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------
_NORM_OVERFLOW = ("inherited from linalg.vector_norm's known failure (through pairwise_distance): the 2-norm of a "
                  "max-sized difference overflows to inf in refgrad's sum of squares where torch scales, so e.g. "
                  "triplet_margin_loss(0, -max, 1e-45) has a nan gradient in refgrad, -2.67 in torch")
KNOWN_FAILURES = {
    "nn.functional.triplet_margin_loss": {"extremes": _NORM_OVERFLOW},
    "nn.functional.triplet_margin_with_distance_loss": {"extremes": _NORM_OVERFLOW},
}

X34 = C.ones(3, 4)
T3 = C.ints(0, 3, 1)
ERRORS = {
    "nn.functional.multi_margin_loss": (
        C.bad("target_out_of_range", X34, C.ints(0, 7, 1), says=("target out of range", "7")),
        C.bad("negative_target", X34, C.ints(0, -1, 1), says=("target out of range", "-1")),
        C.bad("p_3", X34, T3, p=3, says="only p == 1 and p == 2 supported"),
        C.bad("weight_2d", X34, T3, weight=C.ones(4, 1), says="weight must be one-dimensional"),
        C.bad("weight_size", X34, T3, weight=C.ones(3), says="inconsistent weight size, expected 4 but got [3]"),
        C.bad("weight_dtype", X34, T3, weight=C.ones(4, dtype=np.float64), says="expected scalar type Float but "
              "found Double"),
        C.bad("target_size", X34, C.ints(0, 1), says="Expected target size [3], but got [2]"),
        C.bad("target_2d", X34, C.ints(0, 1, 2).reshape(3, 1), says="Expected target size [3], but got [3, 1]"),
        C.bad("input_3d", C.ones(2, 3, 4), C.ints(0, 1), says="Expected non-empty vector or matrix with optional "
              "0-dim batch size, but got: [2, 3, 4]"),
        C.bad("no_classes", C.ones(2, 0), C.ints(0, 0), says="but got: [2, 0]"),
        C.bad("int_input", C.ones(3, 4, dtype=np.int64), T3, says="'Long'"),
        C.bad("float_target", X34, C.ones(3), says="expected scalar type Long but found Float"),
        C.bad("reduction", X34, T3, reduction="avg", says="avg is not a valid value for reduction"),
        C.bad("margin_str", X34, T3, margin="a", says="margin"),
    ),
    "nn.functional.multilabel_margin_loss": (
        C.bad("target_out_of_range", C.ones(2, 4), C.ints(3, 0, -1, 1, 1, 2, 4, -1).reshape(2, 4),
              says="argument #2 'target' is out of range"),
        C.bad("below_padding", C.ones(2, 4), C.ints(3, 0, -1, -5, 1, 2, 3, -1).reshape(2, 4),
              says=("argument #2 'target' is out of range", "-5")),
        C.bad("target_shape", C.ones(2, 4), C.ints(0, 1, 2, 0, 1, 2).reshape(2, 3),
              says="inconsistent target size: [2, 3] for input of size: [2, 4]"),
        C.bad("target_1d_for_2d", C.ones(2, 4), C.ints(0, 1, 2, 3),
              says="inconsistent target size: [4] for input of size: [2, 4]"),
        C.bad("int32_target", C.ones(2, 4), C.ints(0, 1, -1, 0, 1, 2, 3, -1, dtype=np.int32).reshape(2, 4),
              says="expected scalar type Long but found Int"),
        C.bad("input_3d", C.ones(2, 3, 4), C.ones(2, 3, 4, dtype=np.int64), says="but got: [2, 3, 4]"),
        C.bad("int_input", C.ones(2, 4, dtype=np.int64), C.ones(2, 4, dtype=np.int64), says="'Long'"),
    ),
    "nn.functional.margin_ranking_loss": (
        C.bad("target_rank", C.ones(3), C.ones(3), C.ones(3, 1),
              says=("All input tensors should have same dimension", "[3, 1]")),
        C.bad("size_mismatch", C.ones(3), C.ones(3), C.ones(4), says=("size of tensor a", "(4)")),
        C.bad("reduction", C.ones(3), C.ones(3), C.ones(3), reduction="avg", says="avg is not a valid value"),
    ),
    "nn.functional.hinge_embedding_loss": (
        C.bad("size_mismatch", C.ones(3), C.ones(4), says=("size of tensor a", "(4)")),
        C.bad("not_a_tensor", [1.0, 2.0], C.ones(2), says="list"),
    ),
    "nn.functional.cosine_embedding_loss": (
        C.bad("target_2d", C.ones(2, 3), C.ones(2, 3), C.ones(2, 1), says="0D or 1D target tensor expected, "
              "multi-target not supported"),
        C.bad("target_1d_inputs_1d", C.ones(3), C.ones(2, 3), C.ones(2),
              says="1D target tensor expects 2D input tensors, but found inputs with sizes [3] and [2, 3]."),
        C.bad("target_0d_inputs_2d", C.ones(2, 3), C.ones(2, 3), np.array(1.0, np.float32),
              says="0D target tensor expects 1D input tensors, but found inputs with sizes [2, 3] and [2, 3]."),
        C.bad("size_mismatch", C.ones(2, 3), C.ones(2, 3), C.ones(3), says=("size of tensor a", "(3)")),
    ),
    "nn.functional.triplet_margin_loss": (
        C.bad("margin_zero", X34, X34, X34, margin=0.0, says="margin must be greater than 0, got 0"),
        C.bad("ranks", C.ones(2, 3), C.ones(2, 3), C.ones(3), says="anchor 2D, positive 2D, and negative 1D"),
        C.bad("size_mismatch", C.ones(2, 3), C.ones(2, 3), C.ones(2, 4), says=("size of tensor a", "(4)")),
        C.bad("reduction", X34, X34, X34, reduction="avg", says="avg is not a valid value for reduction"),
    ),
    "nn.functional.triplet_margin_with_distance_loss": (
        C.bad("margin_negative", X34, X34, X34, margin=-1.0, says="margin must be greater than 0, got -1.0"),
        C.bad("ranks", C.ones(2, 3), C.ones(2, 3), C.ones(3), says="anchor 2D, positive 2D, and negative 1D"),
        C.bad("reduction", X34, X34, X34, reduction="avg", says="avg is not a valid value for reduction"),
    ),
}
