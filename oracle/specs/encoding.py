"""Specs for refgrad/nn/functional/encoding.py: nn.functional.one_hot (int64 out, no gradient)."""
from __future__ import annotations

from hypothesis import strategies as st

from .. import strategies as S
from ..spec import FORWARD_ONLY, Case, OpSpec


@st.composite
def _one_hot_cases(draw, dtype):
    shape = draw(S.shapes(0, 3))
    x = draw(S.index_arrays(shape, 5))
    top = int(x.max()) + 1 if x.size else 1
    num_classes = draw(st.sampled_from([-1, top, top + 2])) if x.size else draw(st.integers(1, 4))
    return Case((x,), {} if num_classes == -1 and draw(st.booleans()) else {"num_classes": num_classes})


SPECS = [OpSpec("nn.functional.one_hot", _one_hot_cases, checks=FORWARD_ONLY)]
