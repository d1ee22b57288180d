"""Specs for refgrad/ops/scan.py: cumsum, cumprod, logcumsumexp along any dim (negative ones and 0-d
included), with their dtype kwarg; kink_cases put zeros in cumprod's input (its gradient must not divide
by x) and -inf in logcumsumexp's."""
from __future__ import annotations

import math

import numpy as np

from ..spec import FORWARD_ONLY, OpSpec
from .reduction import ZERO_POOL, dim_int, integers, nonzero, optional, pool, real, reduction

NEG_INF_POOL = (-math.inf, 0.0, 1.5, -2.0)


def scan(values=real, **extra):
    """f(x, dim=d, **extra); dim is required and an int."""
    return reduction(values, dim_int, keepdim=False, **extra)


SPECS = [
    OpSpec("cumsum", scan(dtype=optional(np.dtype(np.float64)))),
    OpSpec("cumsum", scan(integers, dtype=optional(np.dtype(np.int64))), variant="int", checks=FORWARD_ONLY),
    # |x| >= 0.1: for tiny |x| torch's double backward (it differentiates Σ g·y / x) is rounding noise; the
    # exact zeros are in kink_cases (see the prod spec in reduction.py)
    OpSpec("cumprod", scan(nonzero, dtype=optional(np.dtype(np.float64))), kink_cases=scan(pool(ZERO_POOL))),
    OpSpec("cumprod", scan(integers), variant="int", checks=FORWARD_ONLY),
    OpSpec("logcumsumexp", scan(), kink_cases=scan(pool(NEG_INF_POOL))),
]
