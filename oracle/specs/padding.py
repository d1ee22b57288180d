"""Specs for refgrad/nn/functional/padding.py: nn.functional.pad in its four modes.

Pads stay inside what torch accepts for each mode (reflect: smaller than the dim; circular: at most what is
left of the dim after a negative pad on its other side), negative pads (cropping) included.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec


@st.composite
def _constant_cases(draw, dtype):
    shape = draw(S.shapes(0, 4))
    x = draw(S.arrays(dtype, shape))
    pads = []
    for n in reversed(shape[len(shape) - draw(st.integers(0, len(shape))):]):
        pl = draw(st.integers(-n, 3))
        pr = draw(st.integers(-(n + min(pl, 0)), 3))
        pads += [pl, pr]
    kwargs = {"value": draw(st.floats(-3, 3, width=32))} if draw(st.booleans()) else {}
    return Case((x, tuple(pads)), kwargs)


def _mode_shape(draw, k: int) -> tuple:
    """A 2-3D, 3-4D or 4-5D shape for k padded dims; only a batch dim may be 0 (torch's reflect/replicate
    rule), the others at least 1."""
    batch = draw(st.booleans())
    inner = draw(S.shapes(k + 1, k + 1, min_side=1, max_side=4, max_elements=24))
    return ((draw(st.integers(0, 2)),) if batch else ()) + inner


def _non_constant_cases(mode: str):
    @st.composite
    def cases(draw, dtype):
        k = draw(st.integers(1, 3))
        shape = _mode_shape(draw, k)
        x = draw(S.arrays(dtype, shape))
        pads = []
        for n in reversed(shape[-k:]):
            if mode == "reflect":  # |pad| < n, and at least one element left
                pl = draw(st.integers(-(n - 1), n - 1))
                pr = draw(st.integers(max(-(n - 1), 1 - n - pl), n - 1))
            elif mode == "replicate":
                pl = draw(st.integers(-(n - 1), 3))
                pr = draw(st.integers(max(-(n - 1), 1 - n - pl), 3))
            else:  # circular: crop, then wrap at most what is left
                crop_l = draw(st.integers(0, n))
                crop_r = draw(st.integers(0, n - crop_l))
                m = n - crop_l - crop_r
                pl = -crop_l if crop_l else draw(st.integers(0, m))
                pr = -crop_r if crop_r else draw(st.integers(0, m))
            pads += [pl, pr]
        return Case((x, tuple(pads)), {"mode": mode})

    return cases


SPECS = [
    OpSpec("nn.functional.pad", _constant_cases, variant="constant"),
    OpSpec("nn.functional.pad", _non_constant_cases("reflect"), variant="reflect"),
    OpSpec("nn.functional.pad", _non_constant_cases("replicate"), variant="replicate"),
    OpSpec("nn.functional.pad", _non_constant_cases("circular"), variant="circular"),
]


# ---- bad inputs (moved from tests/test_indexing_errors.py; each run in torch and refgrad by test_ops) ---------
X = np.arange(12.0).reshape(3, 4)
X3 = np.arange(24.0).reshape(2, 3, 4)
ERRORS = {
    "nn.functional.pad": (
        C.bad("pad_odd", X, (1,), says="divisible by 2"),
        C.bad("pad_too_long", X, (1, 1, 1, 1, 1, 1), says=("padding length 6", "dimension 2")),
        C.bad("pad_mode", X, (1, 1), mode="foo", says="foo"),
        C.bad("pad_float", X, (1.0, 1), says="float"),
        C.bad("pad_crop_too_much", X, (-3, -2), says="non-negative"),
        C.bad("pad_reflect_value", X3, (1, 1), mode="reflect", value=2.0, says='"reflect"'),
        C.bad(
            "pad_reflect_1d", np.array([0.0, 1.0, 2.0, 3.0], np.float64), (1, 1), mode="reflect", says=("1D", "size 2")
        ),
        C.bad("pad_replicate_2d_on_2d", X, (1, 1, 1, 1), mode="replicate", says=("2D", "size 4")),
        C.bad("pad_reflect_too_wide", X3, (4, 0), mode="reflect", says=("(4, 0)", "dimension 2", "[2, 3, 4]")),
        C.bad("pad_reflect_too_high", X3, (0, 0, 0, 3), mode="reflect", says=("Argument #6", "(0, 3)", "dimension 1")),
        C.bad("pad_reflect_empty", np.zeros((2, 0, 3), np.float64), (1, 1), mode="reflect", says="[2, 0, 3]"),
        C.bad("pad_replicate_too_small", X3, (-2, -2), mode="replicate", says=("W: 4", "W: 0")),
        C.bad("pad_reflect_bool", X3 > 3, (1, 1), mode="reflect", says="Bool"),
        C.bad("pad_circular_wrap", X3, (5, 0), mode="circular", says="more than once"),
        C.bad("pad_circular_negative", X3, (-4, -1), mode="circular", says="empty dimension"),
    ),
}
