"""Specs for refgrad/nn/functional/vision.py: pixel_shuffle and pixel_unshuffle.

Inputs of 3 to 5 dims (any leading batch dims; no size 0, see below), factors 1 to 3; the factor positional or as a
keyword.
"""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import Case, OpSpec


def _factor_case(name: str, shuffle: bool):
    @st.composite
    def cases(draw, dtype):
        r = draw(st.integers(1, 3))
        # no empty inputs: torch 2.13's pixel_unshuffle returns an empty input unchanged (the wrong shape, (0, 0, 2)
        # for (0, 0, 2) with factor 2), which also breaks pixel_shuffle's backward there; refgrad reshapes as usual
        lead = draw(S.shapes(0, 2, min_side=1, max_side=2))
        c, h, w = draw(st.integers(1, 2)), draw(st.integers(1, 2)), draw(st.integers(1, 2))

        def shape_of(lead, c):
            return lead + ((c * r * r, h, w) if shuffle else (c, h * r, w * r))

        shape = shape_of(lead, c)
        if int(np.prod(shape)) > S.MAX_ELEMENTS:  # within the cap: no batch dims, one channel (<= 36 elements)
            shape = shape_of((), min(c, 1))
        x = draw(S.arrays(dtype, shape))
        return Case((x, r)) if draw(st.booleans()) else Case((x,), {name: r})

    return cases


SPECS = [
    OpSpec("nn.functional.pixel_shuffle", _factor_case("upscale_factor", shuffle=True)),
    OpSpec("nn.functional.pixel_unshuffle", _factor_case("downscale_factor", shuffle=False)),
]

ERRORS = {
    "nn.functional.pixel_shuffle": (
        C.bad("rank", C.ones(8, 2), 2, says=("at least 3 dimensions", "2 dimension(s)")),
        C.bad("channels", C.ones(2, 6, 2, 3), 2, says=("input.size(-3)=6", "divisible by 4")),
        C.bad("zero_factor", C.ones(2, 8, 2, 3), 0, says="positive upscale_factor, but got 0"),
        C.bad("negative_factor", C.ones(2, 8, 2, 3), -1, says="but got -1"),
        C.bad("float_factor", C.ones(2, 8, 2, 3), 2.0, says=("upscale_factor", "float")),
    ),
    "nn.functional.pixel_unshuffle": (
        C.bad("rank", C.ones(4, 6), 2, says=("at least 3 dimensions", "2 dimension(s)")),
        C.bad("height", C.ones(2, 2, 3, 6), 2, says=("height", "input.size(-2)=3")),
        C.bad("width", C.ones(2, 2, 4, 5), 2, says=("width", "input.size(-1)=5")),
        C.bad("zero_factor", C.ones(2, 2, 4, 6), 0, says="positive downscale_factor, but got 0"),
    ),
}
