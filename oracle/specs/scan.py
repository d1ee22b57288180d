"""Specs for refgrad/ops/scan.py: cumsum, cumprod, logcumsumexp along any dim (negative ones and 0-d
included), with their dtype kwarg; kink_cases put zeros in cumprod's input (its gradient must not divide
by x) and -inf in logcumsumexp's."""
from __future__ import annotations

import math

import numpy as np

from .. import cases as C
from ..spec import FORWARD_ONLY, OpSpec
from .reduction import SUM_ORDER, ZERO_POOL, dim_int, integers, nonzero, optional, pool, real, reduction

NEG_INF_POOL = (-math.inf, 0.0, 1.5, -2.0)


def scan(values=real, **extra):
    """f(x, dim=d, **extra); dim is required and an int."""
    return reduction(values, dim_int, keepdim=False, **extra)


SPECS = [
    OpSpec("cumsum", scan(dtype=optional(np.dtype(np.float64)))),
    OpSpec("cumsum", scan(integers, dtype=optional(np.dtype(np.int64))), variant="int", checks=FORWARD_ONLY),
    # |x| >= 0.1: for tiny |x| torch's double backward (it differentiates Σ g·y / x) is rounding noise; the
    # exact zeros are in kink_cases (see the prod spec in reduction.py)
    # its gradient at a slice's first zero is a sum over the segment up to the second zero (see SUM_ORDER): ±max left
    # out of its extremes; inf and nan, which reach the same sum, stay
    OpSpec("cumprod", scan(nonzero, dtype=optional(np.dtype(np.float64))), kink_cases=scan(pool(ZERO_POOL)),
           extreme_skip=SUM_ORDER),
    OpSpec("cumprod", scan(integers), variant="int", checks=FORWARD_ONLY),
    OpSpec("logcumsumexp", scan(), kink_cases=scan(pool(NEG_INF_POOL))),
]

# ---- bad inputs ----------------------------------------------------------------------------------------
X = np.arange(6.0).reshape(2, 3)
ERRORS = {
    "cumsum": (C.bad("no_dim", X, says="dim"),
               C.bad("dim_none", X, None, says=("dim", "NoneType")),
               C.bad("dim_out_of_range", X, 2, says=("[-2, 1]", "2"))),
    "cumprod": (C.bad("dim_tuple", X, (0,), says=("dim", "tuple")),
                C.bad("0d_dim_1", np.array(2.0, np.float32), 1, says=("[-1, 0]", "1"))),
    "logcumsumexp": (C.bad("int", C.ints(1, 2), 0, says="Long"),
                     C.bad("dim_float", X, 0.0, says=("dim", "float"))),
}

# ---- refgrad defects the extremes check found (strict xfails; remove an entry once fixed) -----------------
KNOWN_FAILURES = {
    "logcumsumexp": {"extremes": "logcumsumexp([max, inf, subnormal]) (float32 and float64): refgrad differs from "
                                 "torch by 0.64 relative in the harness; called directly with a cotangent of ones the "
                                 "two agree, cause not yet found"},
}
