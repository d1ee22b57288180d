"""A user's test file, as README's "Checking your own functions" shows it: a custom torch autograd.Function with a
hand-written backward and jvp, a refgrad function, and the two as twins, each one line of ``oracle.pytest_checks``
giving one test per check and dtype (run with ``--report-dir DIR`` for their Records in the report)."""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

import oracle
import oracle.strategies as S
import refgrad.nn.functional as RF


class SoftplusSquared(torch.autograd.Function):
    """softplus(x)², with its derivative 2·softplus(x)·sigmoid(x) written by hand, in both modes."""

    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        ctx.x = x
        return F.softplus(x) ** 2

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * 2 * F.softplus(x) * torch.sigmoid(x)

    @staticmethod
    def jvp(ctx, tangent):
        return tangent * 2 * F.softplus(ctx.x) * torch.sigmoid(ctx.x)


def softplus_squared(x):
    return RF.softplus(x) ** 2


INPUTS = S.arrays(np.float64, S.shapes(), S.REAL)  # any shape up to 48 elements, values in (-3, 3)

test_custom_function = oracle.pytest_checks(SoftplusSquared.apply, strategy=INPUTS)
test_refgrad_function = oracle.pytest_checks(softplus_squared, strategy=INPUTS)
test_twins = oracle.pytest_checks(softplus_squared, strategy=INPUTS, twin=SoftplusSquared.apply)
