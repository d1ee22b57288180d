"""choose(mask, a, b): a where a constant mask holds, else b; the one masked selection every family's
derivatives use.

It is torch's ``at::where(mask, a, b)`` as torch's backward formulas use it (and ``masked_fill``): the branch
not chosen contributes exactly 0 to the gradient, even where it holds inf or nan (never 0·inf = nan). The mask
is a constant (it gets no gradient), so it is an op parameter, not an input.
"""
from __future__ import annotations

import numpy as np

from ..autograd.bases import Linear
from ..tensor import Tensor


class Choose(Linear):
    """np.where(mask, a, b) with a constant bool mask; linear in (a, b)."""
    saves = ()  # backward reads the mask only
    params = ("mask",)

    def forward(ctx, a, b, *, mask):
        return np.where(mask, a, b)

    def vjp(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (choose(ctx.mask, g, 0) if need_a else None), (choose(ctx.mask, 0, g) if need_b else None)


def choose(mask, a, b) -> Tensor:
    """a where mask else b (broadcast together), for a constant mask (a bool ndarray or bool Tensor) and a, b
    refgrad tensors or numbers; differentiable in a and b. A number becomes a 0-d tensor of the other
    operand's dtype."""
    mask = mask._data if isinstance(mask, Tensor) else np.asarray(mask, bool)
    dt = a.dtype if isinstance(a, Tensor) else b.dtype
    a = a if isinstance(a, Tensor) else Tensor(np.asarray(a, dt))
    b = b if isinstance(b, Tensor) else Tensor(np.asarray(b, dt))
    return Choose.apply(a, b, mask=mask)
