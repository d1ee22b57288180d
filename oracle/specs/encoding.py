"""Specs for refgrad/nn/functional/encoding.py: nn.functional.one_hot (int64 out, no gradient)."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
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


# ---- bad inputs (moved from tests/test_indexing_errors.py; each run in torch and refgrad by test_ops) ---------
ERRORS = {
    "nn.functional.one_hot": (
        C.bad("one_hot_int32", np.array([0, 1], np.int32), says="LongTensor"),
        C.bad("one_hot_negative", np.array([0, -1], np.int64), says="non-negative"),
        C.bad("one_hot_too_big", np.array([0, 3], np.int64), 3, says="smaller than num_classes"),
        C.bad("one_hot_empty", np.zeros((0,), np.int64), says="empty tensor"),
        C.bad("one_hot_float_classes", np.array([0, 1], np.int64), 3.0, says=("num_classes", "float")),
    ),
}
