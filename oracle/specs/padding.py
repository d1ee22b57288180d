"""Specs for refgrad/nn/functional/padding.py: nn.functional.pad in its four modes.

Pads stay inside what torch accepts for each mode (reflect: smaller than the dim; circular: at most what is
left of the dim after a negative pad on its other side), negative pads (cropping) included.
"""
from __future__ import annotations

from hypothesis import strategies as st

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
