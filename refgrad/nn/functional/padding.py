"""torch.nn.functional.pad: constant (negative pads crop), reflect, replicate and circular.

Constant padding is one primitive (its vjp crops the cotangent back out). The other modes build, with NumPy
and once per call, the flat position in the input of every output element, then take them (refgrad.ops.
indexing's take); the vjp of a take is a scatter-add, which folds the gradient of every padded copy back onto
the element it copies.
"""
from __future__ import annotations

import numbers

import numpy as np

from ...autograd import Function
from ...dtypes import scalar_type_name
from ...ops.common import as_tensor_arg
from ...ops.indexing import index_add_into, strides, take
from ...registry import public

_COMBINATIONS_MSG = ("Padding size {} is not supported for {}D input tensor.\n"
                     "Supported combinations for non-constant padding:\n"
                     "  - 2D or 3D input: padding size = 2 (pads last dimension)\n"
                     "  - 3D or 4D input: padding size = 4 (pads last 2 dimensions)\n"
                     "  - 4D or 5D input: padding size = 6 (pads last 3 dimensions)")


class _ConstantPad(Function):
    """out = full(shape, value); out[dst] = x[src] (src crops where pads are negative)."""
    saves = ()  # backward reads shapes only

    def forward(ctx, x, value, src, dst, shape):
        out = np.full(shape, np.asarray(value).astype(x.dtype), x.dtype)
        out[dst] = x[src]
        return out

    def vjp(ctx, g):
        return index_add_into(take(g, ctx.dst), ctx.src, ctx.inputs[0].shape, unique=True)

    def jvp(ctx, dx):
        return _ConstantPad.apply(dx, value=0, src=ctx.src, dst=ctx.dst, shape=ctx.shape)


def _pad_arg(pad) -> tuple:
    if not isinstance(pad, (tuple, list)):
        raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, not {type(pad).__name__}")
    for i, p in enumerate(pad):
        if not isinstance(p, numbers.Integral) or isinstance(p, (bool, np.bool_)):
            raise TypeError(f"pad(): argument 'pad' (position 2) must be tuple of ints, but found element of type "
                            f"{type(p).__name__} at pos {i}")
    return tuple(int(p) for p in pad)


@public(namespace="nn.functional")
def pad(input, pad, mode: str = "constant", value=None):
    """torch.nn.functional.pad. ``pad`` lists (left, right) pairs from the last dim backwards.

    constant: any number of dims (negative pads crop). reflect / replicate / circular: pads of length 2, 4 or 6
    on 2-3D, 3-4D or 4-5D inputs, with torch's checks (reflect pads must be smaller than the dim). One
    deliberate difference: circular padding wider than what remains of the dim after a negative pad on its
    other side is an error here, where torch reads uninitialised memory.
    """
    x = as_tensor_arg(input)
    if not isinstance(mode, str):
        raise TypeError(f"pad(): argument 'mode' (position 3) must be str, not {type(mode).__name__}")
    if mode not in ("constant", "reflect", "replicate", "circular"):
        raise NotImplementedError(f"Unrecognised padding mode {mode}")
    pads = _pad_arg(pad)
    if len(pads) % 2:
        raise RuntimeError(f"Padding length must be divisible by 2 (got padding {list(pads)})")
    if len(pads) > 2 * x.ndim:
        raise RuntimeError(f"Padding length should be less than or equal to two times the input dimension but got "
                           f"padding length {len(pads)} and input of dimension {x.ndim}")
    k = len(pads) // 2
    dims = [x.ndim - 1 - i for i in range(k)]  # dims[i] is padded by pads[2i], pads[2i + 1]
    if mode == "constant":
        return _constant(x, pads, dims, 0 if value is None else value)
    if value is not None and value != 0:
        raise RuntimeError(f'Padding mode "{mode}" doesn\'t take in value argument')
    if not (len(pads) == 2 and x.ndim in (2, 3) or len(pads) == 4 and x.ndim in (3, 4)
            or len(pads) == 6 and x.ndim in (4, 5)):
        raise NotImplementedError(_COMBINATIONS_MSG.format(len(pads), x.ndim))
    sizes = {d: x.shape[d] for d in dims}
    out = {d: sizes[d] + pads[2 * i] + pads[2 * i + 1] for i, d in enumerate(dims)}
    if mode == "circular":
        maps = _circular_maps(x, pads, dims)
    else:
        _check_nonzero_dims(x, k)
        if mode == "reflect":
            for i, d in enumerate(dims):
                pl, pr = pads[2 * i], pads[2 * i + 1]
                if not (pl < sizes[d] and pr < sizes[d]):
                    raise RuntimeError(f"Argument #{4 + 2 * i}: Padding size should be less than the corresponding "
                                       f"input dimension, but got: padding ({pl}, {pr}) at dimension {d} of input "
                                       f"{list(x.shape)}")
        _check_output_size(x, dims, out, mode)
        if x.dtype == np.bool_:
            name = "reflection" if mode == "reflect" else "replication"
            raise NotImplementedError(f"\"{name}_pad{k}d\" not implemented for '{scalar_type_name(x.dtype)}'")
        maps = {}
        for i, d in enumerate(dims):
            n, j = sizes[d], np.arange(out[d], dtype=np.int64) - pads[2 * i]
            if mode == "reflect":
                j = np.abs(j)
                maps[d] = np.where(j >= n, 2 * (n - 1) - j, j)
            else:
                maps[d] = np.clip(j, 0, n - 1)
    out_shape = tuple(out.get(d, s) for d, s in enumerate(x.shape))
    st = strides(x.shape)
    pos = np.zeros((), np.int64)
    for d in range(x.ndim):
        along = maps[d] if d in maps else np.arange(x.shape[d], dtype=np.int64)
        pos = pos + along.reshape([-1 if i == d else 1 for i in range(x.ndim)]) * st[d]
    return take(x, np.ascontiguousarray(np.broadcast_to(pos, out_shape)))


def _constant(x, pads, dims, value):
    src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    shape = list(x.shape)
    for i, d in enumerate(dims):
        pl, pr, n = pads[2 * i], pads[2 * i + 1], x.shape[d]
        kept = n + min(pl, 0)
        if kept < 0 or kept + min(pr, 0) < 0:
            raise RuntimeError(f"narrow(): length must be non-negative. (padding ({pl}, {pr}) of dimension {d} with "
                               f"size {n} leaves a negative size)")
        kept += min(pr, 0)
        src[d] = slice(max(-pl, 0), max(-pl, 0) + kept)
        dst[d] = slice(max(pl, 0), max(pl, 0) + kept)
        shape[d] = n + pl + pr
    if not isinstance(value, (numbers.Number, np.generic)):
        raise TypeError(f"pad(): argument 'value' must be float, not {type(value).__name__}")
    return _ConstantPad.apply(x, value=value, src=tuple(src), dst=tuple(dst), shape=tuple(shape))


def _check_nonzero_dims(x, k):
    """torch's reflect/replicate input check: only a batch dim (when present) may have size 0."""
    batch = x.ndim == k + 2
    inner = x.shape[1:] if batch else x.shape
    if any(s == 0 for s in inner):
        raise RuntimeError(f"Expected {k + 1}D or {k + 2}D (batch mode) tensor with possibly 0 batch size and other "
                           f"non-zero dimensions for input, but got: {list(x.shape)}")


def _check_output_size(x, dims, out, mode):
    names = ["W", "H", "D"][:len(dims)]
    ins = {n: x.shape[d] for n, d in zip(names, dims)}
    outs = {n: out[d] for n, d in zip(names, dims)}
    if all(outs[n] < 1 for n in names):
        if len(dims) == 1:
            msg = f"input (W: {ins['W']}) is too small. Calculated output W: {outs['W']}"
        elif len(dims) == 2:
            gap = " " if mode == "replicate" else ""
            msg = (f"input (H: {ins['H']}, W: {ins['W']}{gap}) is too small. Calculated output H: {outs['H']} "
                   f"W: {outs['W']}")
        else:
            msg = (f"input (D: {ins['D']} H: {ins['H']}, W: {ins['W']}) is too small. Calculated output "
                   f"D: {outs['D']} H: {outs['H']} W: {outs['W']}")
        raise RuntimeError(msg)
    shape = [out.get(d, s) for d, s in enumerate(x.shape)]
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {shape}")


def _circular_maps(x, pads, dims) -> dict:
    """Source index of every output position along each padded dim: the (cropped) dim repeated around."""
    maps = {}
    for i, d in enumerate(dims):
        pl, pr, n = pads[2 * i], pads[2 * i + 1], x.shape[d]
        if not (pl <= n and pr <= n):
            raise RuntimeError(f"Padding value causes wrapping around more than once. (padding ({pl}, {pr}) of "
                               f"dimension {d} with size {n})")
        if n + pl + pr < 0:
            raise RuntimeError(f"Negative padding value is resulting in an empty dimension (padding ({pl}, {pr}) "
                               f"of dimension {d} with size {n})")
        start, m = max(-pl, 0), n - max(-pl, 0) - max(-pr, 0)
        if max(pl, 0) > m or max(pr, 0) > m:
            raise RuntimeError(f"Padding value causes wrapping around more than once. (padding ({pl}, {pr}) of "
                               f"dimension {d}: only {m} of its {n} elements remain after the negative padding)")
        j = np.arange(n + pl + pr, dtype=np.int64) - max(pl, 0)
        maps[d] = start + (np.mod(j, m) if m else j)
    return maps
