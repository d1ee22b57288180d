"""Placed: a gradient that is zero except for one piece, left unbuilt so that backward writes only the piece.

The vjp of a view that picks part of its input (select, narrow, basic indexing; unbind, split and chunk are made
of them) is zeros of the input's shape with the cotangent at the view's index. Built whole for each piece,
``for x_t in x.unbind(0)`` costs a zero-padded array of x's size per step and adding it into x's gradient: O(T²)
for T steps (T = 800 slices of 32×128 float64: 6 s against torch's 56 ms). As torch's engine, which keeps one
buffer per input and adds each piece into it, the engine writes a Placed into the input's gradient so far, in
place (O(piece)), and builds it whole only where it cannot (the first piece, or a gradient someone else holds).

A Placed only exists inside a first-order backward: a vjp returns one when no graph is recorded, and the recorded
op that builds the same zeros otherwise (create_graph), so a second derivative sees an ordinary op. The engine never
lets one out: hooks, .grad and the next vjp get a dense Tensor.
"""
from __future__ import annotations

import numpy as np

from .._grad_state import state as _grad_state
from ..tensor import Tensor


class Placed:
    """zeros(shape) with ``values`` (a Tensor) at the basic ``index`` (ints, slices, None and one Ellipsis)."""

    __slots__ = ("values", "index", "shape")
    is_sparse = False

    def __init__(self, values: Tensor, index: tuple, shape: tuple):
        # an Ellipsis makes x[index] a view even where every entry is an int (NumPy would return a scalar)
        self.values, self.shape = values, tuple(shape)
        self.index = index if any(i is Ellipsis for i in index) else index + (Ellipsis,)

    @property
    def dtype(self) -> np.dtype:
        return self.values.dtype

    def dense(self) -> Tensor:
        out = np.zeros(self.shape, self.dtype)
        out[self.index] = self.values._data
        return Tensor._over(out)


def placed(values: Tensor, index: tuple, shape: tuple, recorded):
    """The gradient zeros(shape) with ``values`` at ``index``: a Placed in a first-order backward, else
    ``recorded()``, the op that builds it in the graph (differentiable again)."""
    return recorded() if _grad_state["record"] else Placed(values, index, shape)
