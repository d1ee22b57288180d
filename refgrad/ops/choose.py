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

# the unsigned integer of each float width: a selection by bits moves a float's bits whatever they are (nan payloads,
# -0)
_BITS = {2: np.uint16, 4: np.uint32, 8: np.uint64}


# below this many elements np.where's branches cost less than the bit selection's few extra calls
_SELECT_BY_BITS_FROM = 4096


def select(mask: np.ndarray, a, b) -> np.ndarray:
    """np.where(mask, a, b) for a bool mask, as a selection of bits when a and b are floats of one dtype:
    b ^ ((a ^ b) · mask), the bits of a where the mask's 1 multiplies them, of b where its 0 does. np.where branches
    per element, so an unpredictable mask (relu's) costs it ten times as much (2.7 ms against 0.25 ms for a random
    mask over 0.5 M float32); the bits it moves are the same. An integer multiply by the mask's bytes (cast in the
    loop) takes one pass where widening the mask into a word of ones takes one of its own (relu's backward: 3 passes
    against 4). a and b: arrays or NumPy scalars, broadcast with the mask."""
    if max(getattr(mask, "size", 1), getattr(a, "size", 1), getattr(b, "size", 1)) < _SELECT_BY_BITS_FROM:
        return np.where(mask, a, b)
    mask, a, b = np.asarray(mask), np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.dtype.kind != "f" or mask.dtype != np.bool_:
        return np.where(mask, a, b)
    bits = _BITS[a.dtype.itemsize]
    ai, bi = a.view(bits), b.view(bits)
    if not b.ndim and not bi:  # b is +0.0 (its bits all 0): a's bits where mask
        picked = np.multiply(ai, mask.view(np.uint8), dtype=bits)
    elif not a.ndim and not ai:  # a is +0.0: b's bits where not mask
        picked = np.multiply(bi, np.logical_not(mask).view(np.uint8), dtype=bits)
    else:  # (into the difference's array where it has the result's shape and C order, the layout NumPy gives else)
        differ = np.bitwise_xor(ai, bi)
        into = differ if (type(differ) is np.ndarray and differ.flags.c_contiguous
                          and differ.shape == np.broadcast_shapes(differ.shape, mask.shape)) else None
        picked = np.multiply(differ, mask.view(np.uint8), out=into, dtype=bits)
        picked = np.bitwise_xor(picked, bi, out=picked)
    return np.asarray(picked).view(a.dtype)


class Choose(Linear):
    """np.where(mask, a, b) with a constant bool mask; linear in (a, b)."""
    saves = ()  # backward reads the mask only
    params = ("mask",)

    def forward(ctx, a, b, *, mask):
        return select(mask, a, b)

    def vjp(ctx, g):
        need_a, need_b = ctx.needs_input_grad
        return (choose(ctx.mask, g, 0) if need_a else None), (choose(ctx.mask, 0, g) if need_b else None)


def choose(mask, a, b) -> Tensor:
    """a where mask else b (broadcast together), for a constant mask (a bool ndarray or bool Tensor) and a, b
    refgrad tensors or numbers; differentiable in a and b. A number becomes a 0-d tensor of the other
    operand's dtype."""
    mask = mask._data if isinstance(mask, Tensor) else np.asarray(mask, bool)
    dt = a.dtype if isinstance(a, Tensor) else b.dtype
    a = a if isinstance(a, Tensor) else Tensor._over(np.asarray(a, dt))
    b = b if isinstance(b, Tensor) else Tensor._over(np.asarray(b, dt))
    return Choose.apply(a, b, mask=mask)
