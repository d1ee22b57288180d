"""Specs for refgrad/nn/functional/loss.py: cross_entropy with class-index and class-probability targets."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

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
    "nn.functional.cross_entropy[indices]": {"extremes": (
        "a row whose target is ignore_index holding inf/nan logits gives nan (reduction='none': nan in that row; "
        "'mean'/'sum': nan overall); torch gives 0 for the row and the finite loss of the others")},
    "nn.functional.cross_entropy[probabilities]": {"extremes": (
        "RuntimeWarning 'overflow/invalid value encountered in reduce' (ops/reduction.py) with inf or max-sized "
        "logits/targets; torch is silent")},
}
