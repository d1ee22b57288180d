"""Specs for refgrad/nn/functional/loss.py: cross_entropy with class-index and class-probability targets."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec

WEIGHTS = S.Domain(0.1, 2.0)
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])
SMOOTHING = st.sampled_from([0.0, 0.0, 0.1, 0.5, 1.0])


@st.composite
def _input_shape(draw):
    """(C,), (N, C) or (N, C, d1[, d2]), N and the d's possibly 0; C >= 1."""
    n_classes = draw(st.integers(1, 5))
    rank = draw(st.sampled_from([1, 2, 2, 3, 4]))
    if rank == 1:
        return (n_classes,)
    rest = tuple(draw(st.integers(0, 3)) for _ in range(rank - 2))
    shape = (draw(st.integers(0, 4)), n_classes) + rest
    return shape if int(np.prod(shape)) <= S.MAX_ELEMENTS else (2, n_classes)


def _weight(draw, dtype, n_classes, kwargs):
    if draw(st.booleans()):
        kwargs["weight"] = draw(S.arrays(dtype, (n_classes,), WEIGHTS))


def _no_flat_point(x: np.ndarray, kwargs: dict) -> None:
    """label_smoothing 1.0 at equal logits (Hypothesis likes all-zero inputs) is a point where the whole Jacobian
    is exactly 0 (the target is the uniform distribution, which softmax of equal logits matches): both sides of
    the jvp adjoint identity are then rounding noise (~1e-17) with nothing to measure it against. Such a draw
    gets label_smoothing 0.5 instead; 1.0 stays in play for logits that differ."""
    cdim = 1 if x.ndim > 1 else 0
    if kwargs["label_smoothing"] == 1.0 and x.size and np.ptp(x, axis=cdim).min(initial=np.inf) < 0.1:
        kwargs["label_smoothing"] = 0.5


def index_cases(dtype):
    """int64 (sometimes uint8) class indices drawn in range, some set to ignore_index (the default -100, or a
    class index passed as ignore_index); weight, reduction and label_smoothing drawn."""

    @st.composite
    def draw_case(draw):
        shape = draw(_input_shape())
        n_classes = shape[1] if len(shape) > 1 else shape[0]
        target_shape = (shape[0],) + shape[2:] if len(shape) > 1 else ()
        x = draw(S.arrays(dtype, shape))
        target = draw(S.index_arrays(target_shape, n_classes))
        kwargs = {"reduction": draw(REDUCTIONS), "label_smoothing": draw(SMOOTHING)}
        ignore = draw(st.sampled_from([None, None, -100, "class"]))
        if ignore is not None and target.size:
            mask = draw(S.index_arrays(target_shape, 2)).astype(bool)
            if ignore == "class":
                kwargs["ignore_index"] = ignore = draw(st.integers(0, n_classes - 1))
            target = np.where(mask, ignore, target)
        _weight(draw, dtype, n_classes, kwargs)
        # torch also takes Byte targets for (C,) and (N, C) inputs, except that 2.13 fails inside ("gather():
        # Expected dtype int32/int64 for index") with weight, label_smoothing > 0 and 'mean' together: a torch
        # bug that refgrad does not copy, so that combination is not drawn with Byte targets
        torch_bug = "weight" in kwargs and kwargs["label_smoothing"] > 0 and kwargs["reduction"] == "mean"
        if draw(st.integers(0, 4)) == 0 and ignore in (None, "class") and len(shape) <= 2 and not torch_bug:
            target = target.astype(np.uint8)
        _no_flat_point(x, kwargs)
        return Case((x, np.asarray(target)), kwargs)

    return draw_case()


def probability_cases(dtype):
    """Float targets of the input's shape (not necessarily normalized): gradients to input, target and weight."""

    @st.composite
    def draw_case(draw):
        shape = draw(_input_shape())
        n_classes = shape[1] if len(shape) > 1 else shape[0]
        x = draw(S.arrays(dtype, shape))
        target = draw(S.arrays(dtype, shape, S.PROBABILITY))
        kwargs = {"reduction": draw(REDUCTIONS), "label_smoothing": draw(SMOOTHING)}
        _weight(draw, dtype, n_classes, kwargs)
        _no_flat_point(x, kwargs)
        return Case((x, target), kwargs)

    return draw_case()


SPECS = [
    # class indices: only the input is differentiable (torch refuses a weight that requires grad here)
    OpSpec("nn.functional.cross_entropy", index_cases, variant="indices", grad_args=(0,)),
    OpSpec("nn.functional.cross_entropy", probability_cases, variant="probabilities"),
]

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------
KNOWN_FAILURES = {
    "nn.functional.cross_entropy[indices]": {("extremes", "float64"): (
        "with label_smoothing=0.5, reduction='sum', logits holding max and -inf and class weights of ±max, the "
        "summed loss differs from torch's by 0.04 (relative 1.2); cause not traced")},
    "nn.functional.cross_entropy[probabilities]": {"extremes": (
        "the sign of a zero loss differs: refgrad 0.0, torch -0.0 (reduction='mean' of one row with a subnormal "
        "target; reduction='sum' over an empty batch)")},
}


# ---- bad inputs (moved from tests/test_linalg_errors.py; each run in torch and refgrad by test_ops) ---------
ERRORS = {
    "nn.functional.cross_entropy": (
        C.bad(
            "ce_target_out_of_range", C.ones(4, 3), np.array([0, 5, 1, 0], np.int64), says="Target 5 is out of bounds."
        ),
        C.bad(
            "ce_negative_target", C.ones(4, 3), np.array([0, -1, 1, 0], np.int64), says="Target -1 is out of bounds."
        ),
        C.bad(
            "ce_target_dtype_int32",
            C.ones(4, 3),
            np.array([0, 1, 2, 0], np.int32),
            says="expected target dtype to be Long or Byte, but got Int",
        ),
        C.bad(
            "ce_target_dtype_float",
            C.ones(4, 3),
            C.ones(4),
            says="expected target dtype to be Long or Byte, but got Float",
        ),
        C.bad(
            "ce_byte_target_nd",
            C.ones(2, 3, 2),
            np.array([[0, 1], [1, 2]], np.uint8),
            says="expected scalar type Long but found Byte",
        ),
        C.bad(
            "ce_batch_size",
            C.ones(4, 3),
            np.array([0, 1, 2], np.int64),
            says="Expected input batch_size (4) to match target batch_size (3).",
        ),
        C.bad(
            "ce_multi_target",
            C.ones(4, 3),
            np.array([[0], [0], [0], [0]], np.int64),
            says="0D or 1D target tensor expected, multi-target not supported",
        ),
        C.bad(
            "ce_nd_target_shape",
            C.ones(2, 3, 4),
            np.array([[0, 0, 0, 0, 0], [0, 0, 0, 0, 0]], np.int64),
            says="Expected target size [2, 4], got [2, 5]",
        ),
        C.bad(
            "ce_1d_target_size",
            C.ones(3),
            np.array([1, 2], np.int64),
            says="For 1D input, 1D target must have size 1, but got target size: 2",
        ),
        C.bad(
            "ce_probabilities_int",
            C.ones(4, 3),
            C.ones(4, 3, dtype=np.int64),
            says="Expected floating point type for target with class probabilities, got Long",
        ),
        C.bad(
            "ce_probabilities_ignore_index",
            C.ones(4, 3),
            C.ones(4, 3),
            ignore_index=1,
            says="ignore_index is not supported for floating point target",
        ),
        C.bad(
            "ce_reduction",
            C.ones(4, 3),
            np.array([0, 1, 2, 0], np.int64),
            reduction="avg",
            says="avg is not a valid value for reduction",
        ),
        C.bad(
            "ce_weight_size",
            C.ones(4, 3),
            np.array([0, 1, 2, 0], np.int64),
            weight=C.ones(4),
            says="weight tensor should be defined either for all 3 classes or no classes but got weight tensor of"
                 " shape: [4]",
        ),
        C.bad(
            "ce_weight_dtype",
            C.ones(4, 3),
            np.array([0, 1, 2, 0], np.int64),
            weight=C.ones(3, dtype=np.float64),
            says="expected scalar type Float but found Double",
        ),
        C.bad(
            "ce_label_smoothing",
            C.ones(4, 3),
            np.array([0, 1, 2, 0], np.int64),
            label_smoothing=1.1,
            says="label_smoothing must be between 0.0 and 1.0. Got: 1.1",
        ),
        C.bad("ce_int_input", C.ones(2, 3, dtype=np.int64), np.array([0, 0], np.int64), says="'Long'"),
        C.bad("ce_list_target", C.ones(4, 3), [0, 1, 2, 0], says="list"),
    ),
}
