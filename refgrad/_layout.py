"""Memory layouts as torch chooses them: the dense layout of a strided array (torch's preserve_format, which
``clone``, ``flip`` and a leaf's ``.grad`` follow). Layout is never visible in values, only in speed: an update
``p -= lr * p.grad`` runs fastest when the gradient is laid out as its parameter."""
from __future__ import annotations

import numpy as np


def empty_in_layout(a: np.ndarray, dtype=None) -> np.ndarray:
    """An uninitialized array of a's shape, dense in a's memory layout (empty_like's infer_dense_strides). Dims are
    ordered by |stride| (a 0 stride keeps its place, equal strides put the smaller size inside); a negative stride
    (np.flip's view) counts as its input's positive one."""
    dtype = a.dtype if dtype is None else dtype
    if a.flags.c_contiguous:
        return np.empty(a.shape, dtype)
    if a.flags.f_contiguous:
        return np.empty(a.shape, dtype, order="F")
    perm = list(range(a.ndim - 1, -1, -1))  # innermost first
    strides = [abs(st) for st in a.strides]

    def swap(d0: int, d1: int) -> int:
        s0, s1 = strides[d0], strides[d1]
        if s0 == 0 or s1 == 0:
            return 0
        if s0 != s1:
            return 1 if s0 > s1 else -1
        return 1 if a.shape[d0] > a.shape[d1] else 0

    for i in range(1, a.ndim):  # insertion sort, as torch
        j = i
        for k in range(i - 1, -1, -1):
            c = swap(perm[k], perm[j])
            if c > 0:
                perm[k], perm[j] = perm[j], perm[k]
                j = k
            elif c < 0:
                break
    outer_first = perm[::-1]
    return np.empty([a.shape[d] for d in outer_first], dtype).transpose(np.argsort(outer_first))


def copy_in_layout(a: np.ndarray, like: np.ndarray | None = None) -> np.ndarray:
    """A copy of a, dense in the memory layout of ``like`` (default: a's own)."""
    if a.flags.c_contiguous and (like is None or like.flags.c_contiguous):  # the usual case: a plain copy
        return a.copy()
    out = empty_in_layout(a if like is None else like, a.dtype)
    if a.size > 1 and not any(a.strides):  # one value broadcast (a sum's gradient): a fill, faster than a copy
        out.fill(a[(0,) * a.ndim])
    else:
        np.copyto(out, a)
    return out
