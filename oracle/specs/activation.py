"""Specs for refgrad/nn/functional/activation.py: relu (kinks at 0), relu_, softmax, log_softmax."""
from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

from .. import cases as C
from .. import strategies as S
from ..spec import FORWARD_ONLY, Case, OpSpec


def _softmax_cases(offset: bool = False):
    """dim drawn over every valid value, negative ones included; dtype None or float64 (a cast before the op).

    offset: the logits are c + x with one c in (-100, 100) per case and x in (-3, 3): exp(c) over- or underflows
    (e^100 > float32's max, e^-100 < its smallest normal), so this checks the max subtraction. The spread stays
    that of REAL: a spread wide enough that a probability lies within 1e-4 of 1 makes (g - Σ g·s)·s cancel to
    far below its rounding error (torch's formula is the same), which no componentwise comparison can judge."""

    def cases(dtype):
        @st.composite
        def draw_case(draw):
            shape = draw(S.shapes())
            x = draw(S.arrays(dtype, shape, S.REAL))
            if offset:
                x = np.asarray(x + dtype.type(draw(st.floats(-100, 100).map(lambda c: float(np.float32(c))))), dtype)
            kwargs = {"dim": draw(S.dims(len(shape)))}
            if draw(st.booleans()):
                kwargs["dtype"] = draw(st.sampled_from([None, np.dtype(np.float64)]))
            return Case((x,), kwargs)

        return draw_case()

    return cases


SPECS = [
    OpSpec("nn.functional.relu", C.unary(S.REAL), kink_cases=C.ties()),
    OpSpec("nn.functional.relu_", C.unary(S.REAL), checks=FORWARD_ONLY, notes="in place, outside any graph"),
    OpSpec("nn.functional.softmax", _softmax_cases()),
    OpSpec("nn.functional.softmax", _softmax_cases(offset=True), variant="offset"),
    OpSpec("nn.functional.log_softmax", _softmax_cases()),
    OpSpec("nn.functional.log_softmax", _softmax_cases(offset=True), variant="offset"),
]

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------


# ---- bad inputs (moved from tests/test_linalg_errors.py; each run in torch and refgrad by test_ops) ---------
ERRORS = {
    "nn.functional.relu": (
        C.bad("relu_bool", C.ones(2, dtype=np.bool), says="Boolean inputs not supported for relu"),
        C.bad("relu_list", [1.0, 2.0], says="list"),
    ),
    "nn.functional.softmax": (
        C.bad("softmax_int", C.ones(2, 3, dtype=np.int64), 1, says="'Long'"),
        C.bad(
            "softmax_dim_range",
            C.ones(2, 3),
            2,
            says="Dimension out of range (expected to be in range of [-2, 1], but got 2)",
        ),
        C.bad("softmax_dim_type", C.ones(2, 3), "a", says="str"),
    ),
    "nn.functional.log_softmax": (
        C.bad("log_softmax_int", C.ones(2, 3, dtype=np.int64), 1, says="'Long'"),
        C.bad("log_softmax_dim_range", C.ones(2, 3), -3, says="but got -3)"),
    ),
}
ERRORS["nn.functional.relu_"] = (C.bad("number", 1.5, says="float"),)
