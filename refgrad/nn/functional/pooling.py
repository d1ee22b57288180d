"""Pooling functions (torch.nn.functional): max, average, adaptive, unpooling and power-average pooling over
1-D (N, C, L) / (C, L) and 2-D (N, C, H, W) / (C, H, W) inputs.

Every 1-D pooling is its 2-D form on a (..., 1, L) view, as in torch, so one geometry serves both.

- Max pooling (plain and adaptive) runs torch's kernel in NumPy, vectorized over all windows and looped over the
  kernel offsets (``_torch_max_scan``: the first maximum in scan order, the last NaN where the window holds one),
  which gives each window's chosen flat position; the op is then the pick ``_Pick`` of those elements (a gather,
  whose vjp is a scatter into zeros, whose vjp is the gather again), so the gradient goes to that one element in
  any order of derivative, and ``return_indices`` are those positions within the input plane.
- Average pooling is F.pad (zeros), the windows' sums (``_WindowSums``, whose vjp is ``_windows.overlap_add``)
  and a division by torch's divisor per output position (count_include_pad, ceil_mode's overhang,
  divisor_override), a constant array.
- Adaptive average pooling gathers each window (start = floor(i·L/out), end = ceil((i+1)·L/out)) padded to the
  widest one, masks the padding with ``choose`` (its gradient is exactly 0) and divides by the window's length.
- max_unpool is the adjoint of a take: a scatter of the input into zeros at the given indices.
- lp_pool is torch's own composition of avg_pool, sign, relu (with torch's threshold_backward), abs and pow, so
  its values and its gradient at 0 are torch's.
"""
from __future__ import annotations

import numbers

import numpy as np

from ... import dtypes
from ...arguments import int_arg, size_arg
from ...autograd.bases import Linear
from ...ops.choose import choose
from ...ops.common import as_tensor_arg
from ...ops.indexing import index_add_into, take
from ...registry import public
from ...tensor import Tensor
from ._windows import overlap_add
from .padding import pad

_TWO_INTS = {"kernel_size": "must either be a single int, or a tuple of two ints",
             "stride": "must either be omitted, a single int, or a tuple of two ints",
             "padding": "must either be a single int, or a tuple of two ints",
             "dilation": "must be either a single int, or a tuple of two ints"}


# ---- arguments --------------------------------------------------------------------------------------------
def _pair(value, fn: str, name: str, position: int) -> tuple:
    """A 2-D pooling's int-or-pair argument (kernel_size, stride, padding, dilation) -> (h, w)."""
    sizes = size_arg((value,), fn, name, position)
    if len(sizes) not in (1, 2):
        raise RuntimeError(f"{fn}: {name} {_TWO_INTS[name]}")
    return sizes * 2 if len(sizes) == 1 else sizes


def _single(value, fn: str, name: str, position: int, message: str) -> int:
    """A 1-D pooling's int-or-one-int-sequence argument; ``message`` is torch's for a longer sequence (with
    {n} for its length)."""
    sizes = size_arg((value,), fn, name, position)
    if len(sizes) != 1:
        raise RuntimeError(message.format(n=len(sizes)))
    return sizes[0]


def _omitted(stride) -> bool:
    """stride=None or an empty sequence means "the kernel size", as in torch."""
    return stride is None or isinstance(stride, (tuple, list)) and len(stride) == 0


def _shape_text(shape) -> str:
    return str(list(shape))


# ---- geometry ---------------------------------------------------------------------------------------------
def _pooled_size(size: int, kernel: int, stride: int, padding: int, dilation: int, ceil_mode: bool) -> int:
    """torch's pooling_output_shape: windows of span dilation·(kernel-1)+1 every ``stride`` over the padded
    input; under ceil_mode a partial last window counts when it starts inside the input or its left padding."""
    span = size + 2 * padding - dilation * (kernel - 1) - 1 + (stride - 1 if ceil_mode else 0)
    out = span // stride + 1
    if ceil_mode and (out - 1) * stride >= size + padding:
        out -= 1
    return out


def _check_pool2d(fn: str, x: Tensor, kernel, stride, padding, dilation, ceil_mode) -> tuple:
    """torch's checks of a 2-D pooling (pool2d_shape_check and what precedes it); the output's (oh, ow)."""
    if x.ndim not in (3, 4):
        if fn == "avg_pool2d" and x.ndim < 3:  # torch reads input.size(-3) before any check
            raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                             f"{max(x.ndim, 1) - 1}], but got -3)")
        raise RuntimeError("non-empty 3D or 4D (batch mode) tensor expected for input")
    if 0 in stride:
        raise RuntimeError("stride should not be zero")
    for p, k, d in zip(padding, kernel, dilation):
        if p < 0:
            raise RuntimeError(f"pad must be non-negative, but got pad: {p}")
        if p > int((d * (k - 1) + 1) / 2):  # C++'s division, truncating toward zero (a kernel of -1 gets past)
            raise RuntimeError(f"pad should be at most half of effective kernel size, but got pad={p}, "
                               f"kernel_size={k} and dilation={d}")
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = kernel, stride, padding, dilation
    if kh <= 0 or kw <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got kH: {kh} kW: {kw}")
    if sh <= 0 or sw <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got dH: {sh} dW: {sw}")
    if dh <= 0 or dw <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got dilationH: {dh} dilationW: {dw}")
    if 0 in x.shape[-3:]:
        raise RuntimeError("Expected 3D or 4D (batch mode) tensor with optional 0 dim batch size for input, but "
                           f"got:{_shape_text(x.shape)}")
    if ph > kh // 2 or pw > kw // 2:
        raise RuntimeError(f"pad should be smaller than or equal to half of kernel size, but got padW = {pw}, "
                           f"padH = {ph}, kW = {kw}, kH = {kh}")
    c, h, w = x.shape[-3:]
    oh, ow = (_pooled_size(s, k, st, p, d, ceil_mode) for s, k, st, p, d in zip((h, w), kernel, stride, padding,
                                                                                dilation))
    if oh < 1 or ow < 1:
        raise RuntimeError(f"Given input size: ({c}x{h}x{w}). Calculated output size: ({c}x{oh}x{ow}). Output "
                           "size is too small")
    return oh, ow


def _lead_offsets(x: Tensor, plane: int) -> np.ndarray:
    """The flat position of the first element of each (batch, channel) plane of ``plane`` elements, shaped
    x.shape[:-2] + (1, 1)."""
    lead = x.shape[:-2]
    return (np.arange(int(np.prod(lead)), dtype=np.int64) * plane).reshape(lead + (1, 1))


def _window_positions(size: int, out: int, kernel: int, stride: int, padding: int, dilation: int):
    """Along one dim: the position each window entry reads, (out, kernel), and whether it is inside the input."""
    pos = (np.arange(out, dtype=np.int64)[:, None] * stride - padding
           + np.arange(kernel, dtype=np.int64)[None, :] * dilation)
    return pos, (pos >= 0) & (pos < size)


def _lowest(dtype: np.dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _torch_max_scan(x: np.ndarray, rows, cols, entry):
    """torch's max-pooling kernel, vectorized over every window at once and looped over the kernel offsets: the
    running maximum starts at -inf at the window's first position inside the input, and entry (jh, jw) takes over
    where it is greater or NaN. So ties go to the first maximum in scan order, NaN to the last NaN, an all -inf
    window to its first element. ``rows``/``cols``: (positions (o, k), inside (o, k)) along H and W;
    ``entry(jh, jw)`` is x at that entry of every window, (..., oh, ow) (any value where outside). Returns the
    flat positions of the maxima in the plane; a window with nothing inside (dilation stepping over the input)
    keeps -inf and the position torch reports for it, its first entry at or after 0 along each dim (which may lie
    outside the plane)."""
    (ph, vh), (pw, vw) = rows, cols
    w = x.shape[-1]
    (oh, kh), (ow, kw) = ph.shape, pw.shape
    never = np.iinfo(np.int64).max
    # candidates[0]: where the scan starts; candidates[1 + j]: the position of the window's entry j
    candidates = np.empty((1 + kh * kw, oh, ow), np.int64)
    candidates[0] = (np.where(ph >= 0, ph, never).min(axis=1, initial=never)[:, None] * w
                     + np.where(pw >= 0, pw, never).min(axis=1, initial=never)[None, :])
    candidates[1:] = (ph.T[:, None, :, None] * w + pw.T[None, :, None, :]).reshape(kh * kw, oh, ow)
    best = np.full(x.shape[:-2] + (oh, ow), _lowest(x.dtype), x.dtype)
    # the candidate each window holds; branch-free updates (a masked write is ~10x slower on random masks): as j
    # grows, "take j where better" is a maximum
    small = kh * kw < 127
    chosen = np.zeros(best.shape, np.int8 if small else np.int32)
    nans = x.dtype.kind == "f" and bool(np.isnan(x).any())
    for j, (jh, jw) in enumerate((jh, jw) for jh in range(kh) for jw in range(kw)):
        v = entry(jh, jw)
        better = v > best
        if nans:
            better |= np.isnan(v)
        inside = vh[:, jh, None] & vw[None, :, jw]
        if not inside.all():
            better &= inside
            v = np.where(inside, v, best)  # an outside entry must not reach the running maximum
        np.maximum(best, v, out=best)  # NaN stays (and enters) as in torch's "greater or NaN" update
        step = better.view(np.int8) * np.int8(j + 1) if small else better * np.int32(j + 1)
        np.maximum(chosen, step, out=chosen)
    plane = np.arange(oh * ow, dtype=np.int64).reshape(oh, ow)
    return np.take(candidates, chosen.astype(np.int64) * (oh * ow) + plane)


class _Pick(Linear):
    """out = x.flat[positions]: each window's chosen element. ``unique`` says no position repeats (windows that do
    not overlap), so the vjp writes instead of accumulating; the vjp of that scatter is this gather again."""

    params = ("positions", "unique")
    saves = ()  # backward reads shapes only

    def forward(ctx, x, positions, unique):
        return np.take(x, positions)

    def vjp(ctx, g):
        return index_add_into(g, ctx.positions, ctx.inputs[0].shape, unique=ctx.unique)


def _pick(x: Tensor, positions: np.ndarray, unique: bool, rows=None, cols=None) -> tuple:
    """(values, indices): x at each window's chosen position (``positions`` within the plane, (..., oh, ow)). A
    window with nothing inside the input (``rows``/``cols``: (positions, inside) along H and W) gives -inf and no
    gradient (torch sends its gradient to the position it reports, outside the window: into another row or plane,
    a torch bug not copied)."""
    h, w = x.shape[-2:]
    indices = Tensor(positions)
    offsets = _lead_offsets(x, h * w)
    empty = None if rows is None else ~rows[1].any(axis=1)[:, None] | ~cols[1].any(axis=1)[None, :]
    if empty is None or not empty.any():
        return _Pick.apply(x, positions=positions + offsets, unique=unique), indices
    picked = _Pick.apply(x, positions=np.where(empty, 0, positions) + offsets, unique=False)
    return choose(np.broadcast_to(~empty, positions.shape), picked, _lowest(x.dtype)), indices


def _max_pool2d(x: Tensor, kernel, stride, padding, dilation, out: tuple):
    """(values, indices into each input plane) of a checked 2-D max pooling."""
    h, w = x.shape[-2:]
    rows = _window_positions(h, out[0], kernel[0], stride[0], padding[0], dilation[0])
    cols = _window_positions(w, out[1], kernel[1], stride[1], padding[1], dilation[1])
    # every window entry, read from strided views of x padded with the lowest value (a copy only where windows
    # reach past the input)
    ends = [max(n + p, (o - 1) * s - p + (k - 1) * d + 1) + p
            for n, o, s, p, k, d in zip((h, w), out, stride, padding, kernel, dilation)]
    data = x._data
    if any(padding) or ends != [h, w]:
        data = np.full(x.shape[:-2] + tuple(ends), _lowest(x.dtype), x.dtype)
        data[..., padding[0]:padding[0] + h, padding[1]:padding[1] + w] = x._data
    (sh, sw), (dh, dw) = stride, dilation

    def entry(jh, jw):
        return data[..., jh * dh:jh * dh + (out[0] - 1) * sh + 1:sh, jw * dw:jw * dw + (out[1] - 1) * sw + 1:sw]

    with np.errstate(invalid="ignore"):
        positions = _torch_max_scan(x._data, rows, cols, entry)
    apart = all(s >= d * (k - 1) + 1 for s, d, k in zip(stride, dilation, kernel))
    return _pick(x, positions, apart, rows, cols)


def _finish(values: Tensor, indices: Tensor, return_indices: bool, unbatch: bool = False):
    if unbatch:
        values, indices = values.squeeze(-2), Tensor(indices._data[..., 0, :])
    return (values, indices) if return_indices else values


def _check_dtype(fn: str, x: Tensor, integers: bool = True):
    if x.dtype == np.bool_ or not integers and x.dtype.kind != "f":
        raise NotImplementedError(f"\"{fn}\" not implemented for '{dtypes.scalar_type_name(x.dtype)}'")


# ---- max pooling ------------------------------------------------------------------------------------------
@public(namespace="nn.functional", also=("max_pool1d",))
def max_pool1d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """torch.nn.functional.max_pool1d on (N, C, L) or (C, L): the gradient goes to the one element torch picks
    (the first maximum of the window, the last NaN where there is one); ``return_indices`` gives its position
    along L. torch's checks and messages (padding at most half the kernel, the output at least 1 long)."""
    fn = "max_pool1d"
    x = as_tensor_arg(input)
    k = _single(kernel_size, fn, "kernel_size", 2,
                "max_pool1d() kernel_size must be an int, list of ints or tuple of ints of size 1 but got size {n}")
    s = k if _omitted(stride) else _single(
        stride, fn, "stride", 3,
        "max_pool1d() stride must be None, an int, list of ints, or tuple of ints of size 1 but got size {n}")
    p = _single(padding, fn, "padding", 4,
                "max_pool1d() padding must be an int, list of ints, or tuple of ints of size 1 but got size {n}")
    d = _single(dilation, fn, "dilation", 5,
                "max_pool1d() dilation must be an int, list of ints or tuple of ints of size 1 but got size {n}")
    if x.ndim not in (2, 3) or 0 in x.shape[-2:]:
        raise RuntimeError("max_pool1d: Expected 2D or 3D (batch mode) tensor with optional 0 dim batch size for "
                           f"input, but got:{_shape_text(x.shape)}")
    _check_dtype(fn, x)
    for name, value, least in (("kernel_size", k, 1), ("stride", s, 1), ("padding", p, 0), ("dilation", d, 1)):
        if value < least:
            which = "greater than zero" if least else "non-negative"
            raise RuntimeError(f"max_pool1d() {name} must be {which}, but got {value}")
    if p > k // 2:
        raise RuntimeError(f"max_pool1d() padding should be at most half of kernel size, but got padding={p} and "
                           f"kernel_size={k}")
    out = _pooled_size(x.shape[-1], k, s, p, d, bool(ceil_mode))
    if out < 1:
        raise RuntimeError(f"max_pool1d() Invalid computed output size: {out}")
    values, indices = _max_pool2d(x.unsqueeze(-2), (1, k), (1, s), (0, p), (1, d), (1, out))
    return _finish(values, indices, return_indices, unbatch=True)


@public(namespace="nn.functional", also=("max_pool2d",))
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode: bool = False,
               return_indices: bool = False):
    """torch.nn.functional.max_pool2d on (N, C, H, W) or (C, H, W): the gradient goes to the one element torch
    picks (the first maximum in the window's row-major scan, the last NaN where there is one); ``return_indices``
    gives its flat position h·W + w in the input plane. torch's checks and messages. One deliberate difference: a
    window that dilation steps entirely past the input (value -inf) sends its gradient nowhere, where torch sends it
    to a neighbouring row or plane."""
    fn = "max_pool2d"
    x = as_tensor_arg(input)
    kernel = _pair(kernel_size, fn, "kernel_size", 2)
    stride = kernel if _omitted(stride) else _pair(stride, fn, "stride", 3)
    padding = _pair(padding, fn, "padding", 4)
    dilation = _pair(dilation, fn, "dilation", 5)
    _check_dtype(fn, x)
    out = _check_pool2d(fn, x, kernel, stride, padding, dilation, bool(ceil_mode))
    values, indices = _max_pool2d(x, kernel, stride, padding, dilation, out)
    return _finish(values, indices, return_indices)


# ---- average pooling --------------------------------------------------------------------------------------
def _divisor(size: int, out: int, kernel: int, stride: int, padding: int, count_include_pad: bool) -> np.ndarray:
    """Along one dim, torch's count per window: its length inside the padded input (a ceil_mode window that runs
    past the right padding is cut there) with count_include_pad, else its length inside the input."""
    start = np.arange(out, dtype=np.int64) * stride - padding
    end = np.minimum(start + kernel, size + padding)
    if count_include_pad:
        return end - start
    return np.minimum(end, size) - np.maximum(start, 0)


class _WindowSums(Linear):
    """The sum of every 2-D window of x (already padded): (..., H, W) -> (..., oh, ow), one strided view added per
    kernel offset, in torch's order (row-major over the window), with no (..., oh, ow, kh, kw) copy of the windows.
    Its vjp spreads each window's cotangent back over the window (``_windows.overlap_add``)."""

    params = ("kernel", "stride", "counts")
    saves = ()  # backward reads shapes only

    def forward(ctx, x, kernel, stride, counts):
        ctx.size = x.shape[-2:]
        total = None
        for jh in range(kernel[0]):
            for jw in range(kernel[1]):
                view = x[..., jh:jh + (counts[0] - 1) * stride[0] + 1:stride[0],
                         jw:jw + (counts[1] - 1) * stride[1] + 1:stride[1]]
                # torch's sum starts at 0: a window of -0.0 sums to +0.0
                total = view + x.dtype.type(0) if total is None else np.add(total, view, out=total)
        return total

    def vjp(ctx, g):
        spread = g.unsqueeze(-1).unsqueeze(-1).expand(*g.shape, *ctx.kernel)
        return overlap_add(spread, ctx.size, ctx.kernel, ctx.stride, (1, 1))


def _avg_pool2d(x: Tensor, kernel, stride, padding, out, count_include_pad: bool, divisor_override) -> Tensor:
    """A checked 2-D average pooling: zero padding (plus what a ceil_mode window overhangs), the windows' sums,
    divided by torch's divisor."""
    sizes = x.shape[-2:]
    overhang = [max(0, (o - 1) * s + k - (n + 2 * p)) for n, o, s, k, p in zip(sizes, out, stride, kernel, padding)]
    if any(padding) or any(overhang):
        x = pad(x, (padding[1], padding[1] + overhang[1], padding[0], padding[0] + overhang[0]))
    sums = _WindowSums.apply(x, kernel=tuple(kernel), stride=tuple(stride), counts=tuple(out))
    if divisor_override:
        divisor = np.asarray(divisor_override)
    else:
        rows, cols = (_divisor(n, o, k, s, p, count_include_pad) for n, o, k, s, p in zip(sizes, out, kernel, stride,
                                                                                        padding))
        divisor = rows[:, None] * cols[None, :]
    if sums.dtype.kind != "f":  # torch's integer average: the sum divided with truncation toward zero
        quotient = sums._data // divisor
        inexact = (sums._data % divisor != 0) & ((sums._data < 0) != (divisor < 0))
        return Tensor((quotient + inexact).astype(sums.dtype))
    return sums / (divisor_override if divisor_override else Tensor(divisor.astype(sums.dtype)))


@public(namespace="nn.functional", also=("avg_pool1d",))
def avg_pool1d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True):
    """torch.nn.functional.avg_pool1d on (N, C, L) or (C, L): avg_pool2d on (..., 1, L), as torch (its messages
    too). Integer inputs are averaged as torch does, the sum divided with truncation toward zero."""
    fn = "avg_pool1d"
    x = as_tensor_arg(input)
    message = "avg_pool1d() argument '{name}' should contain one int (got {{n}})"
    k = _single(kernel_size, fn, "kernel_size", 2, message.format(name="kernel_size"))
    s = k if _omitted(stride) else _single(stride, fn, "stride", 3, message.format(name="stride"))
    p = _single(padding, fn, "padding", 4, message.format(name="padding"))
    if x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 'self' "
                           "(while checking arguments for avg_pool1d)")
    _check_dtype(fn, x)
    x = x.unsqueeze(-2)
    out = _check_pool2d("avg_pool2d", x, (1, k), (1, s), (0, p), (1, 1), bool(ceil_mode))
    return _avg_pool2d(x, (1, k), (1, s), (0, p), out, bool(count_include_pad), None).squeeze(-2)


@public(namespace="nn.functional")
def avg_pool2d(input, kernel_size, stride=None, padding=0, ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override=None):
    """torch.nn.functional.avg_pool2d on (N, C, H, W) or (C, H, W), with torch's divisor: the window's size
    within the padded input (count_include_pad, a ceil_mode window cut at the right padding) or within the input,
    or divisor_override. Integer inputs are averaged as torch does, the sum divided with truncation toward zero."""
    fn = "avg_pool2d"
    x = as_tensor_arg(input)
    kernel = _pair(kernel_size, fn, "kernel_size", 2)
    stride = kernel if _omitted(stride) else _pair(stride, fn, "stride", 3)
    padding = _pair(padding, fn, "padding", 4)
    if divisor_override is not None:
        divisor_override = int_arg(divisor_override, "divisor_override", None, fn)
        if divisor_override == 0:
            raise RuntimeError("divisor must be not zero")
    _check_dtype(fn, x)
    out = _check_pool2d(fn, x, kernel, stride, padding, (1, 1), bool(ceil_mode))
    return _avg_pool2d(x, kernel, stride, padding, out, bool(count_include_pad), divisor_override)


# ---- adaptive pooling -------------------------------------------------------------------------------------
def _adaptive_windows(size: int, out: int):
    """Along one dim, torch's adaptive windows [floor(i·size/out), ceil((i+1)·size/out)), padded to the widest:
    (positions (out, width), inside (out, width), lengths (out,)); padding entries repeat the window's start."""
    i = np.arange(out, dtype=np.int64)
    start, end = i * size // out, -(-(i + 1) * size // out)
    width = int((end - start).max(initial=0))
    pos = start[:, None] + np.arange(width, dtype=np.int64)[None, :]
    inside = pos < end[:, None]
    return np.where(inside, pos, start[:, None]), inside, end - start


def _adaptive_output_size(output_size, x: Tensor, fn: str, two_d: bool) -> tuple:
    """output_size as (oh, ow): an int or pair for 2-D (None entries keep the input's size), an int or one int
    for 1-D."""
    if not two_d:
        message = f"{fn}() argument 'output_size' should contain one int (got {{n}})"
        sizes = (1, _single(output_size, fn, "output_size", 2, message))
    else:
        if isinstance(output_size, (tuple, list)):
            output_size = tuple(x.shape[-2 + i] if s is None else s for i, s in enumerate(output_size))
        sizes = size_arg((output_size,), fn, "output_size", 2)
        sizes = sizes * 2 if isinstance(output_size, numbers.Integral) else sizes
        if len(sizes) != 2:
            raise RuntimeError(f"{fn}: output_size must be 2" if "avg" in fn else
                               f"{fn}(): internal error: output_size.size() must be 2")
    if min(sizes) < 0:
        raise RuntimeError(f"{fn.replace('1d', '2d')}: elements of output_size must be greater than or equal to 0 "
                           f"but received {{{sizes[0]}, {sizes[1]}}}")
    return sizes


def _adaptive_input(x: Tensor, fn: str, two_d: bool, spatial_only: bool) -> Tensor:
    """torch's rank and non-empty checks (dim 0 may be empty; with ``spatial_only``, as adaptive average pooling,
    the channels too); a 1-D input comes back as (..., 1, L), which average pooling checks, max pooling before."""
    if not two_d and x.ndim not in (2, 3):
        raise RuntimeError(f"Expected 2 to 3 dimensions, but got {x.ndim}-dimensional tensor for argument #1 "
                           f"'self' (while checking arguments for {fn})")
    if two_d and x.ndim not in (3, 4):
        raise RuntimeError(f"{fn}(): Expected 3D or 4D tensor, but got{'' if 'avg' in fn else ':'} "
                           f"{_shape_text(x.shape)}")
    if not two_d and spatial_only:
        x, fn = x.unsqueeze(-2), fn.replace("1d", "2d")
    for d in range(x.ndim - 2 if spatial_only else 1, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError(f"{fn}(): Expected input to have non-zero size for non-batch dimensions, but input "
                               f"has sizes {_shape_text(x.shape)} with dimension {d} being empty")
    return x if two_d or spatial_only else x.unsqueeze(-2)


def _adaptive_avg(input, output_size, fn: str, two_d: bool) -> Tensor:
    x = as_tensor_arg(input)
    x = _adaptive_input(x, fn, two_d, spatial_only=True)
    oh, ow = _adaptive_output_size(output_size, x, fn, two_d)
    _check_dtype("adaptive_avg_pool2d", x, integers=False)
    h, w = x.shape[-2:]
    if oh and ow and h % oh == 0 and w % ow == 0:  # the windows tile the plane (global pooling): a view, no gather
        nh, nw = np.full(oh, h // oh), np.full(ow, w // ow)
        sums = x.reshape(x.shape[:-2] + (oh, h // oh, ow, w // ow)).sum(dim=(-3, -1))
    else:
        (ph, vh, nh), (pw, vw, nw) = _adaptive_windows(h, oh), _adaptive_windows(w, ow)
        positions = (ph[:, None, :, None] * w + pw[None, :, None, :])  # (oh, ow, kh, kw)
        inside = vh[:, None, :, None] & vw[None, :, None, :]
        entries = take(x, positions + _lead_offsets(x, h * w)[..., None, None])
        sums = choose(np.broadcast_to(inside, entries.shape), entries, 0).sum(dim=(-2, -1))
    # torch divides the sum by the window's height, then by its width
    out = sums / Tensor(nh[:, None].astype(x.dtype)) / Tensor(nw[None, :].astype(x.dtype))
    return out if two_d else out.squeeze(-2)


@public(namespace="nn.functional", also=("adaptive_avg_pool1d",))
def adaptive_avg_pool1d(input, output_size):
    """torch.nn.functional.adaptive_avg_pool1d on (N, C, L) or (C, L): the mean of each window
    [floor(i·L/out), ceil((i+1)·L/out))."""
    return _adaptive_avg(input, output_size, "adaptive_avg_pool1d", two_d=False)


@public(namespace="nn.functional")
def adaptive_avg_pool2d(input, output_size):
    """torch.nn.functional.adaptive_avg_pool2d on (N, C, H, W) or (C, H, W); output_size an int or a pair whose
    None entries keep the input's size."""
    return _adaptive_avg(input, output_size, "adaptive_avg_pool2d", two_d=True)


def _adaptive_max(input, output_size, return_indices, fn: str, two_d: bool):
    x = as_tensor_arg(input)
    x = _adaptive_input(x, fn, two_d, spatial_only=False)
    oh, ow = _adaptive_output_size(output_size, x, fn, two_d)
    _check_dtype("adaptive_max_pool2d", x, integers=False)
    h, w = x.shape[-2:]
    if oh == 0 or ow == 0:
        values = take(x, np.zeros(x.shape[:-2] + (oh, ow), np.int64))
        indices = Tensor(np.zeros(values.shape, np.int64))
    else:
        (ph, vh, _), (pw, vw, _) = _adaptive_windows(h, oh), _adaptive_windows(w, ow)

        def entry(jh, jw):
            return x._data[..., ph[:, jh, None], pw[None, :, jw]]

        with np.errstate(invalid="ignore"):
            positions = _torch_max_scan(x._data, (ph, vh), (pw, vw), entry)
        values, indices = _pick(x, positions, unique=False)
    return _finish(values, indices, return_indices, unbatch=not two_d)


@public(namespace="nn.functional")
def adaptive_max_pool1d(input, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool1d on (N, C, L) or (C, L): the maximum of each window
    [floor(i·L/out), ceil((i+1)·L/out)), the gradient to the one element torch picks (see max_pool1d)."""
    return _adaptive_max(input, output_size, return_indices, "adaptive_max_pool1d", two_d=False)


@public(namespace="nn.functional")
def adaptive_max_pool2d(input, output_size, return_indices: bool = False):
    """torch.nn.functional.adaptive_max_pool2d on (N, C, H, W) or (C, H, W); output_size an int or a pair whose
    None entries keep the input's size; the gradient to the one element torch picks (see max_pool2d)."""
    return _adaptive_max(input, output_size, return_indices, "adaptive_max_pool2d", two_d=True)


# ---- unpooling --------------------------------------------------------------------------------------------
def _unpool_output_size(x: Tensor, kernel, stride, padding, output_size) -> tuple:
    """torch's _unpool_output_size: the size max pooling came from by default; a given output_size (the last
    len(kernel) entries of one with 2 more) must lie strictly within a stride of it."""
    n = len(kernel)
    default = [(x.shape[x.ndim - n + d] - 1) * stride[d] + kernel[d] - 2 * padding[d] for d in range(n)]
    if output_size is None:
        return tuple(default)
    if not isinstance(output_size, (tuple, list)):
        raise TypeError(f"object of type '{type(output_size).__name__}' has no len()")
    if len(output_size) == n + 2:
        output_size = output_size[2:]
    if len(output_size) != n:
        raise ValueError(f"output_size should be a sequence containing {n} or {n + 2} elements, but it has a length "
                         f"of '{len(output_size)}'")
    for d in range(n):
        low, high = default[d] - stride[d], default[d] + stride[d]
        if not low < output_size[d] < high:
            raise ValueError(f'invalid output_size "{output_size}" (dim {d} must be between {low} and {high})')
    return tuple(int(s) for s in output_size)


def _max_unpool2d(x: Tensor, indices, size: tuple) -> Tensor:
    """torch's max_unpool2d kernel: zeros of (..., *size) with each input element written at its index."""
    indices = as_tensor_arg(indices, "indices", 2)
    if indices.dtype != np.int64:
        raise RuntimeError(f"elements in indices should be type int64 but got: "
                           f"{dtypes.scalar_type_name(indices.dtype)}")
    if indices.shape != x.shape:
        raise RuntimeError(f"Expected shape of indices to be same as that of the input tensor "
                           f"({_shape_text(x.shape)}) but got indices tensor with shape: {_shape_text(indices.shape)}")
    if x.ndim not in (3, 4):
        raise RuntimeError(f"Input to max_unpooling2d should be a 3d or 4d Tensor, but got a tensor with {x.ndim} "
                           "dimensions.")
    for d in range(1, x.ndim):
        if x.shape[d] == 0:
            raise RuntimeError("max_unpooling2d_forward_out_cpu(): Expected input to have non-zero size for "
                               f"non-batch dimensions, but got {_shape_text(x.shape)} with dimension {d} being "
                               "empty.")
    _check_dtype("max_unpool2d", x, integers=False)
    plane = size[0] * size[1]
    idx = indices._data
    bad = (idx < 0) | (idx >= plane)
    if bad.any():
        raise RuntimeError(f"Found an invalid max index: {idx[bad].flat[0]} (output volumes are of size "
                           f"{size[0]}x{size[1]}")
    offsets = _lead_offsets(x, plane)
    # repeated indices: the last write wins, as in torch's sequential kernel (and its gradient reaches every
    # input element written there, as torch's gather backward does)
    return index_add_into(x, idx + offsets, x.shape[:-2] + tuple(size), unique=True)


@public(namespace="nn.functional")
def max_unpool1d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool1d: the partial inverse of max_pool1d, zeros of the pooled-from length with
    each input element at its index (through max_unpool2d on (..., L, 1), as torch)."""
    x = as_tensor_arg(input)
    k = _single(kernel_size, "max_unpool1d", "kernel_size", 3, "max_unpool1d: kernel_size must be one int")
    s = k if stride is None else _single(stride, "max_unpool1d", "stride", 4, "max_unpool1d: stride must be one int")
    p = _single(padding, "max_unpool1d", "padding", 5, "max_unpool1d: padding must be one int")
    size = _unpool_output_size(x, (k,), (s,), (p,), output_size)
    indices = as_tensor_arg(indices, "indices", 2)
    return _max_unpool2d(x.unsqueeze(-1), indices.unsqueeze(-1), size + (1,)).squeeze(-1)


@public(namespace="nn.functional")
def max_unpool2d(input, indices, kernel_size, stride=None, padding=0, output_size=None):
    """torch.nn.functional.max_unpool2d: the partial inverse of max_pool2d, zeros of the pooled-from size with
    each input element at its flat index into the plane; the gradient is the output's gradient at the indices."""
    x = as_tensor_arg(input)
    kernel = _unpool_pair(kernel_size)
    stride = kernel if stride is None else _unpool_pair(stride)
    padding = _unpool_pair(padding)
    size = _unpool_output_size(x, kernel, stride, padding, output_size)
    return _max_unpool2d(x, indices, size)


def _unpool_pair(value) -> tuple:
    """torch's _pair: an int is repeated, a sequence passes as is (and must have two entries)."""
    if isinstance(value, numbers.Integral):
        return (int(value),) * 2
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise IndexError(f"max_unpool2d: expected an int or a pair of ints, got {value!r} (tuple index out of range)")
    return tuple(int(v) for v in value)


# ---- power-average pooling --------------------------------------------------------------------------------
def _lp_pool(x: Tensor, norm_type, kernel_elements: int, pool, max_pool) -> Tensor:
    """torch's composition: max pooling of |x| for p = ±inf, else (sign(f)·relu(|f|)·k)^(1/p) of the average
    pooling f of x^p; its gradient is 0 wherever f is 0 (relu's subgradient there), as in torch."""
    if isinstance(norm_type, (int, float)) and not isinstance(norm_type, bool) and abs(norm_type) == np.inf:
        return max_pool(x.abs()) if norm_type > 0 else -max_pool(-x.abs())
    out = pool(x.pow(norm_type))
    magnitude = out.abs()
    # relu(|f|) with torch's threshold_backward: the gradient is selected away where |f| <= 0 (never 0·inf = nan,
    # which refgrad's relu, multiplying by its mask, would give where pow(·, 1/p) sends back inf at f = 0)
    rectified = choose(~(magnitude._data <= 0), magnitude, 0)
    return (out.sign() * rectified).mul(kernel_elements).pow(1.0 / norm_type)


@public(namespace="nn.functional")
def lp_pool1d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """torch.nn.functional.lp_pool1d: (Σ_window x^p)^(1/p) computed as torch does (see _lp_pool)."""
    x = as_tensor_arg(input)
    k = _single(kernel_size, "lp_pool1d", "kernel_size", 3, "lp_pool1d: kernel_size must be one int (got {n})")
    return _lp_pool(x, norm_type, k, lambda t: avg_pool1d(t, k, stride, 0, ceil_mode),
                    lambda t: max_pool1d(t, k, stride, 0, 1, ceil_mode))


@public(namespace="nn.functional")
def lp_pool2d(input, norm_type, kernel_size, stride=None, ceil_mode: bool = False):
    """torch.nn.functional.lp_pool2d: (Σ_window x^p)^(1/p) computed as torch does (see _lp_pool)."""
    x = as_tensor_arg(input)
    kh, kw = _pair(kernel_size, "lp_pool2d", "kernel_size", 3)
    return _lp_pool(x, norm_type, kh * kw, lambda t: avg_pool2d(t, kernel_size, stride, 0, ceil_mode),
                    lambda t: max_pool2d(t, kernel_size, stride, 0, 1, ceil_mode))
