"""Specs for refgrad/nn/functional/sparse.py: embedding, embedding_bag.

torch's gradient rules for embedding are not the derivative of its forward where they differ on purpose: the
padding_idx row gets no gradient though the forward reads it, scale_grad_by_freq divides each row's gradient by its
frequency, and max_norm's in-place renormalization is not differentiated. Those forms are variants checked against
torch only (forward, vjp_torch, double backward); the plain forms run every check. In embedding_bag a padding entry
is left out of its bag, so there the gradient is the derivative and padding_idx stays in the main spec.

max_norm writes into weight: its variants call the function on a clone of weight and also return that clone, so the
renormalized rows are compared with torch's and the case's own weight is left alone (the mutation check). sparse=True
(a sparse row gradient, which the oracle's dense comparisons do not read) is tests/test_sparse.py's.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec


@st.composite
def _weight(draw, dtype, max_rows: int = 7, ties: bool = False):
    rows = draw(st.integers(1, max_rows))
    dim = draw(st.integers(0, 4))
    return draw(S.with_ties(dtype, (rows, dim), (-1.0, 0.0, 2.0)) if ties else S.arrays(dtype, (rows, dim)))


def _indices(draw, shape, rows: int) -> np.ndarray:
    index = draw(S.index_arrays(shape, rows))
    return index.astype(draw(st.sampled_from([np.int64, np.int32])))


def _embedding_cases(padding_hits: bool):
    """padding_hits=False: padding_idx (when drawn) is a row the indices never look up, so the gradient is the
    derivative; True: it is looked up, and scale_grad_by_freq is drawn (torch's gradient rules)."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            weight = draw(_weight(dtype))
            rows = weight.shape[0]
            index = _indices(draw, draw(S.shapes(0, 3, max_side=4)), rows)
            kwargs = {}
            present = set(np.unique(index).tolist())
            candidates = sorted(present) if padding_hits else [r for r in range(rows) if r not in present]
            if candidates and (padding_hits or draw(st.booleans())):
                row = draw(st.sampled_from(candidates))
                kwargs["padding_idx"] = draw(st.sampled_from([row, row - rows]))  # negative: counted from the end
            if padding_hits:
                kwargs["scale_grad_by_freq"] = draw(st.booleans())
            elif draw(st.booleans()):
                kwargs["scale_grad_by_freq"] = False
                kwargs["sparse"] = False
            return Case((index, weight), kwargs)

        return draw_case()

    return cases


def _max_norm_kwargs(draw, dim: int) -> dict:
    kwargs = {"max_norm": draw(st.sampled_from([0.5, 1.0, 2.5]))}
    if draw(st.booleans()):  # the inf norm of an empty row is an error (ERRORS)
        kwargs["norm_type"] = draw(st.sampled_from([1.0, 2.0, 3.0] + ([float("inf")] if dim else [])))
    return kwargs


def _embedding_max_norm_cases(dtype):
    @st.composite
    def draw_case(draw):
        weight = draw(_weight(dtype))
        index = _indices(draw, draw(S.shapes(0, 2, max_side=4)), weight.shape[0])
        return Case((index, weight), _max_norm_kwargs(draw, weight.shape[1]))

    return draw_case()


def _on_a_clone(fn_of_library):
    """The function called on a clone of weight (max_norm writes into it), returning its output and that clone."""

    def call(input, weight, *args, **kwargs):
        renormed = weight.clone()
        return fn_of_library()(input, renormed, *args, **kwargs), renormed

    return call


def _refgrad(name):
    def fn():
        import refgrad

        return getattr(refgrad.nn.functional, name)

    return fn


def _torch(name):
    def fn():
        import torch

        return getattr(torch.nn.functional, name)

    return fn


# ---- embedding_bag ---------------------------------------------------------------------------------------------
def _bag_cases(mode=None, per_sample_weights: bool = False, freq_or_max_norm: bool = False, ties: bool = False):
    """ties: weight from a few values, so that different rows tie for a bag's maximum (torch's gradient goes to the
    first of them)."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            weight = draw(_weight(dtype, ties=ties))
            rows = weight.shape[0]
            kwargs = {"mode": mode or draw(st.sampled_from(["sum", "mean", "max"]))}
            if kwargs["mode"] == "mean" and not freq_or_max_norm and draw(st.booleans()):
                del kwargs["mode"]  # the default
            two_d = draw(st.booleans())
            if two_d:
                index = _indices(draw, (draw(st.integers(0, 4)), draw(st.integers(1, 4))), rows)
                args = (index, weight)
            else:
                index = _indices(draw, (draw(st.integers(0, 10)),), rows)
                cuts = sorted(draw(st.lists(st.integers(0, index.size), min_size=0, max_size=4)))
                last = draw(st.booleans())
                offsets = np.array([0, *cuts] + ([index.size] if last else []), np.int64)
                if last:  # the last offset is the input's end (short of it torch's CPU mean has a bug, see refgrad)
                    kwargs["include_last_offset"] = True
                elif draw(st.booleans()):
                    kwargs["include_last_offset"] = False
                args = (index, weight, offsets)
            if freq_or_max_norm:
                if draw(st.booleans()) and kwargs["mode"] != "max":
                    # torch's CPU kernel divides each row's gradient by another row's count (see tests/test_sparse.py),
                    # which is right only where one row is looked up: compared with torch there only
                    args = (np.full_like(index, draw(st.integers(0, rows - 1))), *args[1:])
                    kwargs["scale_grad_by_freq"] = True
                else:
                    kwargs.update(_max_norm_kwargs(draw, weight.shape[1]))
            if per_sample_weights:
                kwargs["per_sample_weights"] = draw(S.arrays(dtype, index.shape))
            if draw(st.booleans()):
                kwargs["padding_idx"] = draw(st.integers(-rows, rows - 1))
            return Case(args, kwargs)

        return draw_case()

    return cases


# torch disagrees with its own mul-then-add here: its kernels for the weighted sum (float32) and for the gradient of
# per_sample_weights (a dot product) accumulate with fused multiply-adds, so a product of two values near the dtype's
# max, which overflows once rounded, is added exactly: max·(-max) + inf is inf there, inf + -inf = nan when the product
# is rounded first, as refgrad (and torch's own weight * psw then sum) does. Likewise a product that underflows, as the
# smallest subnormal times -0.5: added exactly, a bag of it sums to -0.0 in torch's float32, while its float64 kernel
# (and refgrad) rounds it to -0.0 first and adds that to +0.0 (found by the thorough profile). NumPy has no vectorized
# fma.
_FUSED = ("torch's fused multiply-add kernels add an overflowing or underflowing product exactly; a rounded product "
          "(refgrad's, and torch's own float64 kernel's) is ±inf or a zero whose sign the sum's +0.0 start drops")

SPECS = [
    OpSpec("nn.functional.embedding", _embedding_cases(padding_hits=False)),
    OpSpec("nn.functional.embedding", _embedding_cases(padding_hits=True), variant="padding_freq",
           checks=("forward", "vjp_torch", "double_backward"),
           notes="torch's gradient: none for the padding row, divided by each row's frequency"),
    OpSpec("nn.functional.embedding", _embedding_max_norm_cases, variant="max_norm",
           ref=_on_a_clone(_refgrad("embedding")), torch=_on_a_clone(_torch("embedding")),
           checks=("forward", "vjp_torch", "double_backward"),
           notes="rows renormalized in place (compared), the renormalization not differentiated, as torch"),
    OpSpec("nn.functional.embedding_bag", _bag_cases(), kink_cases=_bag_cases("max", ties=True)),
    # torch has no double backward through per_sample_weights ("the derivative for '_embedding_bag_backward' is not
    # implemented"); refgrad's is checked against numerical derivatives by jvp and vjp_numeric
    OpSpec("nn.functional.embedding_bag", _bag_cases("sum", per_sample_weights=True), variant="per_sample_weights",
           checks=("forward", "vjp_torch", "vjp_numeric", "jvp"),
           extreme_skip={v: _FUSED for v in ("max", "-huge", "subnormal")}),
    OpSpec("nn.functional.embedding_bag", _bag_cases(freq_or_max_norm=True), variant="freq_max_norm",
           ref=_on_a_clone(_refgrad("embedding_bag")), torch=_on_a_clone(_torch("embedding_bag")),
           checks=("forward", "vjp_torch", "double_backward"),
           notes="scale_grad_by_freq, max_norm: torch's gradient rules, not derivatives"),
]

W = C.ones(5, 2)
I2 = C.ints(1, 2)
ERRORS = {
    "nn.functional.embedding": (
        C.bad("float_indices", C.ones(2), W, says=("'indices'", "Long, Int", "FloatTensor")),
        C.bad("out_of_range", C.ints(1, 5), W, says="index out of range in self"),
        C.bad("negative_index", C.ints(1, -1), W, says="index out of range in self"),
        C.bad("weight_1d", I2, C.ones(5), says="'weight' must be 2-D"),
        C.bad("padding_out_of_range", I2, W, padding_idx=5, says="Padding_idx must be within num_embeddings"),
        C.bad("padding_too_negative", I2, W, padding_idx=-6, says="Padding_idx must be within num_embeddings"),
        C.bad("padding_float", I2, W, padding_idx=1.0, says=("'padding_idx'", "int", "float")),
        C.bad("freq_not_bool", I2, W, scale_grad_by_freq=1, says=("'scale_grad_by_freq'", "bool")),
        C.bad("sparse_not_bool", I2, W, sparse=1, says=("'sparse'", "bool")),
        C.bad("indices_list", [1, 2], W, says=("'indices'", "list")),
        C.bad("max_norm_int_weight", I2, C.ones(5, 2, dtype=np.int64), max_norm=1.0, says="Long"),
        C.bad("max_norm_out_of_range", C.ints(1, 7), W, max_norm=1.0, says=("index 7", "out of range")),
        C.bad("max_norm_str", I2, W, max_norm="a", says=("'max_norm'", "str")),
        C.bad("max_norm_weight_1d", I2, C.ones(5), max_norm=1.0, says="2-dimensional"),
        C.bad("empty_weight", I2, C.ones(0, 2), says="should be positive"),
        C.bad("max_norm_inf_of_empty_rows", I2, C.ones(5, 0), max_norm=1.0, norm_type=float("inf"),
              says=("inf norm", "empty")),
    ),
    "nn.functional.embedding_bag": (
        C.bad("offsets_start", C.ints(1, 2, 3), W, C.ints(1, 2), says=("offsets[0] has to be 0", "got 1")),
        C.bad("offsets_past_end", C.ints(1, 2, 3), W, C.ints(0, 8), says=("offsets[-1]", "3", "8")),
        C.bad("offsets_2d", C.ints(1, 2, 3), W, C.ints(0, 2).reshape(1, 2), says="offsets has to be a 1D Tensor"),
        C.bad("offsets_missing", C.ints(1, 2, 3), W, says="offsets has to be a 1D Tensor but got None"),
        C.bad("offsets_with_2d", C.ints(1, 2, 3, 4).reshape(2, 2), W, C.ints(0, 1), says="offsets has to be None"),
        C.bad("input_3d", C.ints(1, 2).reshape(1, 1, 2), W, says="input has to be 1D or 2D"),
        C.bad("weight_1d", C.ints(1, 2, 3), C.ones(5), C.ints(0), says="weight has to be a 2D Tensor"),
        C.bad("mode", C.ints(1, 2, 3), W, C.ints(0), mode="median", says="mode has to be one of sum, mean or max"),
        C.bad("max_freq", C.ints(1, 2, 3), W, C.ints(0), mode="max", scale_grad_by_freq=True, says="frequency"),
        C.bad("max_sparse", C.ints(1, 2, 3), W, C.ints(0), mode="max", sparse=True, says="sparse weights"),
        C.bad("psw_mean", C.ints(1, 2, 3), W, C.ints(0), per_sample_weights=C.ones(3), says="mode='sum'"),
        C.bad("psw_shape", C.ints(1, 2, 3), W, C.ints(0), mode="sum", per_sample_weights=C.ones(2),
              says=("per_sample_weights", "same shape")),
        C.bad("psw_dtype", C.ints(1, 2, 3), W, C.ints(0), mode="sum", per_sample_weights=C.ones(3, dtype=np.float64),
              says=("per_sample_weights", "DoubleTensor")),
        C.bad("float_indices", C.ones(3), W, C.ints(0), says=("'indices'", "FloatTensor")),
        C.bad("int_weight", C.ints(1, 2), C.ones(5, 2, dtype=np.int64), C.ints(0), says="LongTensor"),
        C.bad("out_of_range", C.ints(1, 7), W, C.ints(0), says="Expected i < index_size"),
        C.bad("padding_out_of_range", C.ints(1, 2), W, C.ints(0), padding_idx=5, says=("-5 through 4", "got 5")),
        C.bad("include_last_not_bool", C.ints(1, 2), W, C.ints(0), include_last_offset=1,
              says=("'include_last_offset'", "bool")),
        C.bad("empty_bags_2d", np.zeros((2, 0), np.int64), W, says="step must be nonzero"),
    ),
}
