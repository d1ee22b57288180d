"""Sliding windows over the trailing spatial dims: the one primitive behind convolution, unfold/fold and pooling.

``windows(x, kernel, stride, dilation)`` of x (..., *spatial) is (..., *out, *kernel) with, per spatial dim,

    windows[..., o, k] = x[..., o·stride + k·dilation],      out = (size - dilation·(kernel - 1) - 1) // stride + 1

(im2col with the window's entries last). It is linear in x, and its adjoint ``overlap_add`` adds every window
entry back where it was read from (col2im): the vjp of each is the other, so a windowed op's gradient of any
order is made of these two and the refgrad ops around them (a convolution's double backward comes for free).
Padding is not theirs: callers pad first (``F.pad``: zeros for convolution, -inf for max pooling).
"""
from __future__ import annotations

import itertools

import numpy as np

from ...autograd.bases import Linear
from ...tensor import Tensor


def output_size(size: int, kernel: int, stride: int, dilation: int) -> int:
    """The number of windows along one dim (may be <= 0: callers check and raise their own message)."""
    return (size - dilation * (kernel - 1) - 1) // stride + 1


class Windows(Linear):
    """x (..., *spatial) -> (..., *counts, *kernel), a copy of the strided view of every window (``counts``: the
    number of windows along each dim), in kernel-major memory order. ``kernel_at`` places the kernel dims in memory
    before lead dim ``kernel_at`` rather than after all of them: a layout only (the values are the same), so that a
    caller's reshape of the windows into a matrix is a view rather than a second copy."""

    params = ("kernel", "stride", "dilation", "counts", "kernel_at")
    saves = ()  # backward reads shapes only

    def forward(ctx, x, kernel, stride, dilation, counts, kernel_at=None):
        d = len(kernel)
        ctx.size = x.shape[x.ndim - d:]
        step = x.strides[x.ndim - d:]
        lead = x.ndim - d
        view = np.lib.stride_tricks.as_strided(
            x, x.shape[:lead] + tuple(counts) + tuple(kernel),
            x.strides[:lead] + tuple(s * st for s, st in zip(step, stride))
            + tuple(s * dl for s, dl in zip(step, dilation)), writeable=False)
        # stored kernel-major, (..., *kernel, *counts), and returned as the (..., *counts, *kernel) view of that: the
        # copy then runs along output rows (long) rather than along kernel rows (3 wide), and im2col's layout
        # (a convolution's (N, C·∏kernel, positions)) is a free view of it
        j = lead if kernel_at is None else kernel_at
        stored = np.empty(x.shape[:j] + tuple(kernel) + x.shape[j:lead] + tuple(counts), x.dtype)
        out = stored.transpose(tuple(range(j)) + tuple(range(j + d, lead + 2 * d)) + tuple(range(j, j + d)))
        out[...] = view
        return out

    def vjp(ctx, g):
        return OverlapAdd.apply(g, size=ctx.size, kernel=ctx.kernel, stride=ctx.stride, dilation=ctx.dilation)


class OverlapAdd(Linear):
    """The adjoint of Windows: g (..., *out, *kernel) -> (..., *size), each entry added to the position its
    window read. ``size`` may exceed what the windows cover (the rest is 0): fold's output_size, a transposed
    convolution's output_padding."""

    params = ("size", "kernel", "stride", "dilation")
    saves = ()  # backward reads shapes only

    def forward(ctx, g, size, kernel, stride, dilation):
        d = len(kernel)
        lead = g.shape[:g.ndim - 2 * d]
        out_shape = g.shape[g.ndim - 2 * d:g.ndim - d]
        ctx.counts = out_shape
        total = np.zeros(lead + tuple(size), g.dtype)
        # one vectorized add per kernel offset (9 for a 3×3 kernel), each over every batch item, channel and
        # window at once: the windows that overlap are exactly those that different offsets write to
        for offset in itertools.product(*(range(k) for k in kernel)):
            target = tuple(slice(k * dl, k * dl + st * (o - 1) + 1, st)
                           for k, dl, st, o in zip(offset, dilation, stride, out_shape))
            total[(Ellipsis,) + target] += g[(Ellipsis,) + offset]
        return total

    def vjp(ctx, g):
        return Windows.apply(g, kernel=ctx.kernel, stride=ctx.stride, dilation=ctx.dilation, counts=ctx.counts)


def windows(x: Tensor, kernel: tuple, stride: tuple, dilation: tuple, kernel_at: int | None = None) -> Tensor:
    """x's sliding windows over its last len(kernel) dims (see the module docstring). Every output size must be
    >= 0; callers check for >= 1 first with their own message. ``kernel_at``: the memory layout (see Windows)."""
    d = len(kernel)
    counts = tuple(output_size(s, k, st, dl) for s, k, st, dl in zip(x.shape[x.ndim - d:], kernel, stride, dilation))
    if min(counts, default=1) < 0:
        raise RuntimeError(f"windows: kernel {list(kernel)} with dilation {list(dilation)} is larger than the input's "
                           f"spatial size {list(x.shape[x.ndim - d:])}")
    return Windows.apply(x, kernel=tuple(kernel), stride=tuple(stride), dilation=tuple(dilation), counts=counts,
                         kernel_at=kernel_at)


def overlap_add(g: Tensor, size: tuple, kernel: tuple, stride: tuple, dilation: tuple) -> Tensor:
    """The adjoint of ``windows``: g (..., *out, *kernel) summed back into (..., *size)."""
    return OverlapAdd.apply(g, size=tuple(size), kernel=tuple(kernel), stride=tuple(stride),
                            dilation=tuple(dilation))
