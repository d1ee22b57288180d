"""Convolution functions (torch.nn.functional): conv1d, conv2d, conv_transpose1d, conv_transpose2d, unfold, fold.

All of them are compositions of refgrad ops around the sliding-window pair of ``_windows`` (``windows``, im2col,
and its adjoint ``overlap_add``, col2im), so every gradient, of any order, is made of refgrad ops:

- convolution: pad -> windows -> one batched matmul, the groups a batch dim of it;
- transposed convolution, its adjoint: one batched matmul -> overlap_add -> crop the padding;
- unfold is windows laid out as (N, C·∏kernel, L), fold is overlap_add of that layout.
"""
from __future__ import annotations

import operator

import numpy as np

from ...arguments import argument_error, int_arg
from ...dtypes import scalar_type_name
from ...ops.common import as_tensor_arg, cast
from ...ops.linalg import AddMatmul, _ctype, matmul
from ...registry import public
from ...tensor import Tensor
from ._windows import output_size, overlap_add, windows
from .padding import pad


def _int_tuple(value, n: int, name: str, fn: str, position: int) -> tuple:
    """An int or a sequence of ints (torch's IntArrayRef[n]): one int, or a one-element sequence, stands for all n
    dims; a longer sequence is returned as it is (its length is the caller's to check, in its own words)."""
    items = tuple(value) if isinstance(value, (tuple, list)) else (value,)
    for pos, v in enumerate(items):
        if isinstance(v, bool) or not hasattr(v, "__index__"):
            if isinstance(value, (tuple, list)):
                raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be tuple of ints, but found "
                                f"element of type {type(v).__name__} at pos {pos}")
            raise argument_error(fn, name, position, "tuple of ints", value)
    ints = tuple(operator.index(v) for v in items)
    return ints * n if len(ints) == 1 else ints


def _conv_param(value, n: int, kernel_dims: int, name: str, fn: str, position: int) -> tuple:
    """A stride / padding / dilation of an n-dim convolution function, checked against the weight's kernel_dims
    (torch expands an int to n values first, then compares with the weight, so conv2d with a 3-D weight says
    "a list of 1 values ..., but got stride=[1, 1]")."""
    ints = _int_tuple(value, n, name, fn, position)
    if len(ints) == 1:
        ints = ints * kernel_dims
    if len(ints) != kernel_dims:
        raise RuntimeError(f"expected {name} to be a single integer value or a list of {kernel_dims} values to match "
                           f"the convolution dimensions, but got {name}={list(ints)}")
    return ints


def _hw(prefix: str, values, fill: int = 1) -> str:
    """torch's "kernel_height: 0 kernel_width: 2" spelling; a 1-D size is reported as 2-D, of height ``fill``."""
    values = (fill,) * (2 - len(values)) + tuple(values)
    return " ".join(f"{prefix}_{n}: {v}" for n, v in zip(("height", "width"), values))


def _x(sizes) -> str:
    return " x ".join(map(str, sizes))


def _batched(x: Tensor, d: int, fn: str) -> tuple[Tensor, bool]:
    """x as (N, C, *spatial) for a d-dim convolution; an unbatched (C, *spatial) gets N = 1."""
    if x.ndim not in (d + 1, d + 2):
        raise RuntimeError(f"Expected {d + 1}D (unbatched) or {d + 2}D (batched) input to {fn}, but got input of "
                           f"size: {list(x.shape)}")
    return (x.unsqueeze(0), True) if x.ndim == d + 1 else (x, False)


def _check_weight(w: Tensor, groups: int, transposed: bool) -> None:
    if groups <= 0:
        raise RuntimeError("non-positive groups is not supported")
    if w.shape[0] < groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be at least {groups} at dimension 0, but got "
                           f"weight of size {list(w.shape)} instead")
    if w.shape[0] % groups:
        raise RuntimeError(f"Given groups={groups}, expected weight to be divisible by {groups} at dimension 0, but "
                           f"got weight of size [{list(w.shape)}] instead")
    if min(w.shape[2:]) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got {_hw('kernel', w.shape[2:])}")


def _check_bias(b: Tensor | None, w: Tensor, out_channels: int, transposed: bool) -> None:
    if b is not None and (b.ndim != 1 or b.shape[0] != out_channels):
        given = "Given transposed=1, weight" if transposed else "Given weight"
        raise RuntimeError(f"{given} of size {list(w.shape)}, expected bias to be 1-dimensional with {out_channels} "
                           f"elements, but got bias of size {list(b.shape)} instead")


def _check_spatial(x: Tensor) -> None:
    if min(x.shape[2:]) == 0:
        raise RuntimeError(f"Only zero batch or zero channel inputs are supported, but got input shape: "
                           f"{list(x.shape)}")


def _check_dtypes(x: Tensor, w: Tensor) -> None:
    if x.dtype != w.dtype:
        raise RuntimeError(f"expected scalar type {scalar_type_name(x.dtype)} but found {scalar_type_name(w.dtype)}")


def _padding_pairs(padding, d: int, k: tuple, stride: tuple, dilation: tuple, fn: str) -> list[tuple[int, int]]:
    """(left, right) zero padding per spatial dim: ints, 'valid' (none) or 'same' (the total dilation·(k-1) split
    with the extra element on the right, as torch does for even kernels)."""
    if isinstance(padding, str):
        if padding == "valid":
            return [(0, 0)] * len(k)
        if padding != "same":
            raise RuntimeError(f"Invalid padding string: '{padding}'")
        if any(s != 1 for s in stride):
            raise RuntimeError("padding='same' is not supported for strided convolutions")
        totals = [dl * (kk - 1) for kk, dl in zip(k, dilation)]
        return [(t // 2, t - t // 2) for t in totals]
    return [(p, p) for p in _conv_param(padding, d, len(k), "padding", fn, 5)]


def _pad_spatial(x: Tensor, pairs) -> Tensor:
    """Zero-pads (or, with negative pairs, crops) the trailing spatial dims of x."""
    if not any(any(p) for p in pairs):
        return x
    return pad(x, tuple(v for pair in reversed(pairs) for v in pair))


def _product(a: Tensor, b: Tensor) -> Tensor:
    """a @ b; a contraction over one element is a broadcast multiply, as torch's kernels keep the sign of a single
    -0.0 product there (a matmul adds it to +0.0)."""
    return a * b if a.shape[-1] == 1 else matmul(a, b)


def _conv_tensors(input, weight, bias, d: int, fn: str) -> tuple:
    """The input (batched: (N, C, *spatial)), weight and bias of a convolution or its transpose, and whether the
    input came unbatched."""
    x, unbatched = _batched(as_tensor_arg(input), d, fn)
    w = as_tensor_arg(weight, "weight", 2)
    b = None if bias is None else as_tensor_arg(bias, "bias", 3)
    if w.ndim < 3:
        raise RuntimeError("weight should have at least three dimensions")
    return x, w, b, unbatched


def _convolution(input, weight, bias, stride, padding, dilation, groups, d: int, fn: str) -> Tensor:
    """conv1d / conv2d: every check of torch's, then pad -> windows -> one matmul (see the module docstring)."""
    x, w, b, unbatched = _conv_tensors(input, weight, bias, d, fn)
    k = w.shape[2:]
    stride = _conv_param(stride, d, len(k), "stride", fn, 4)
    if isinstance(padding, str) and padding not in ("same", "valid"):
        raise RuntimeError(f"Invalid padding string: '{padding}'")
    dilation = _conv_param(dilation, d, len(k), "dilation", fn, 6)
    groups = int_arg(groups, "groups", 7, fn)
    pairs = _padding_pairs(padding, d, k, stride, dilation, fn)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for pair in pairs for p in pair):
        raise RuntimeError("negative padding is not supported")
    if any(dl <= 0 for dl in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {list(dilation)}")
    _check_weight(w, groups, transposed=False)
    n, c = x.shape[:2]
    out_channels = w.shape[0]
    if c != w.shape[1] * groups:
        raise RuntimeError(f"Given groups={groups}, weight of size {list(w.shape)}, expected input{list(x.shape)} to "
                           f"have {w.shape[1] * groups} channels, but got {c} channels instead")
    _check_bias(b, w, out_channels, transposed=False)
    padded = [s + lo + hi for s, (lo, hi) in zip(x.shape[2:], pairs)]
    span = [dl * (kk - 1) + 1 for kk, dl in zip(k, dilation)]
    if any(p < s for p, s in zip(padded, span)):
        raise RuntimeError(f"Calculated padded input size per channel: ({_x(padded)}). Kernel size: ({_x(span)}). "
                           f"Kernel size can't be greater than actual input size")
    _check_spatial(x)
    _check_dtypes(x, w)
    if b is not None and b.dtype != x.dtype:
        raise RuntimeError(f"Input type ({_ctype(x.dtype)}) and bias type ({_ctype(b.dtype)}) should be the same")

    # the windows of x as (C, N), stored (C, *k, N, *out): each item's im2col matrix below is then a view of them
    cols = windows(_pad_spatial(x, pairs).transpose(0, 1), k, stride, dilation, kernel_at=1)  # (C, N, *out, *k)
    out_sizes = cols.shape[2:2 + d]
    positions, taps = int(np.prod(out_sizes)), int(np.prod(k))
    per_group = c // groups
    # (N, g, C/g·∏k, P): one product per item and group, the kernels broadcast over the batch, so that the
    # output comes out in (N, O, *out) order, and its gradient goes back, with no copy either way (a product over
    # N·P at once would need the batch moved in front of the channels, a copy of the output forward and of its
    # gradient backward); the weight's gradient is then summed over N
    cols = cols.reshape((groups, per_group, n, positions, taps)).permute((2, 0, 1, 4, 3)).reshape(
        (n, groups, per_group * taps, positions))
    kernels = w.reshape((groups, out_channels // groups, per_group * taps))  # (g, O/g, C/g·∏k)
    if b is None or kernels.shape[-1] == 1:
        out = _product(kernels, cols)  # (N, g, O/g, P): O = g·O/g
        if b is not None:
            out = out + b.reshape((groups, out_channels // groups, 1))
    else:  # the bias added into the product (as torch's kernels start their output from it): no second array
        out = AddMatmul.apply(b.reshape((groups, out_channels // groups, 1)), kernels, cols, beta=1, alpha=1)
    out = out.reshape((n, out_channels) + tuple(out_sizes))
    return out.squeeze(0) if unbatched else out


@public(namespace="nn.functional", also=("conv1d",))
def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv1d: input (N, C, L) or unbatched (C, L), weight (O, C/groups, k); padding an int,
    a 1-tuple, 'valid' or 'same' (stride 1; an odd total puts the extra zero on the right, as torch)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


@public(namespace="nn.functional", also=("conv2d",))
def conv2d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):
    """torch.nn.functional.conv2d: input (N, C, H, W) or unbatched (C, H, W), weight (O, C/groups, kh, kw);
    stride, padding, dilation an int or a pair; padding also 'valid' or 'same' (stride 1)."""
    return _convolution(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def _transposed_convolution(input, weight, bias, stride, padding, output_padding, groups, dilation, d: int,
                            fn: str) -> Tensor:
    """conv_transpose1d / conv_transpose2d, the adjoint of the convolution in x: one matmul spreads every input
    position over its kernel window, overlap_add sums the windows, and the padding is cropped off."""
    x, w, b, unbatched = _conv_tensors(input, weight, bias, d, fn)
    k = w.shape[2:]
    stride = _conv_param(stride, d, len(k), "stride", fn, 4)
    padding = _conv_param(padding, d, len(k), "padding", fn, 5)
    output_padding = _conv_param(output_padding, d, len(k), "output_padding", fn, 6)
    groups = int_arg(groups, "groups", 7, fn)
    dilation = _conv_param(dilation, d, len(k), "dilation", fn, 8)
    if any(s <= 0 for s in stride):
        raise RuntimeError("non-positive stride is not supported")
    if any(p < 0 for p in padding):
        raise RuntimeError("negative padding is not supported")
    if any(p < 0 for p in output_padding):
        raise RuntimeError("negative output_padding is not supported")
    if any(dl <= 0 for dl in dilation):
        raise RuntimeError(f"dilation should be greater than zero, but got {_hw('dilation', dilation)}")
    _check_weight(w, groups, transposed=True)
    if w.shape[1] == 0:
        raise RuntimeError(f"non-empty {d + 1 if d > 1 else 2}D or {d + 2 if d > 1 else 4}D weight tensor expected, "
                           f"but got: {list(w.shape)}")
    if any(op >= s and op >= dl for op, s, dl in zip(output_padding, stride, dilation)):
        raise RuntimeError("output padding must be smaller than either stride or dilation, but got "
                           f"{_hw('output_padding', output_padding, fill=0)} {_hw('stride', stride)} "
                           f"{_hw('dilation', dilation)}")
    n, c = x.shape[:2]
    if c != w.shape[0]:
        raise RuntimeError(f"Given transposed=1, weight of size {list(w.shape)}, expected input{list(x.shape)} to "
                           f"have {w.shape[0]} channels, but got {c} channels instead")
    out_channels = w.shape[1] * groups
    _check_bias(b, w, out_channels, transposed=True)
    _check_spatial(x)
    sizes = x.shape[2:]
    full = [(s - 1) * st + dl * (kk - 1) + 1 + op for s, st, dl, kk, op in zip(sizes, stride, dilation, k,
                                                                                output_padding)]
    out_sizes = [f - 2 * p for f, p in zip(full, padding)]
    if min(out_sizes) <= 0:
        raise RuntimeError(f"Given input size per channel: ({_x(sizes)}). Calculated output size per channel: "
                           f"({_x(out_sizes)}). Output size is too small")
    _check_dtypes(x, w)

    positions, taps = int(np.prod(sizes)), int(np.prod(k))
    per_group = c // groups
    spread = w.reshape((groups, per_group, w.shape[1] * taps)).transpose(1, 2)  # (g, O/g·∏k, C/g)
    cols = _product(spread, x.reshape((n, groups, per_group, positions)))  # (N, g, O/g·∏k, P)
    # (N, O, *k, *spatial) -> the (N, O, *spatial, *k) layout overlap_add reads (a view, no copy)
    cols = cols.reshape((n, out_channels) + tuple(k) + tuple(sizes)).permute(
        (0, 1) + tuple(range(2 + d, 2 + 2 * d)) + tuple(range(2, 2 + d)))
    out = _pad_spatial(overlap_add(cols, full, k, stride, dilation), [(-p, -p) for p in padding])
    if b is not None:  # torch casts the bias to the input's dtype here (a plain convolution refuses a mismatch)
        out = out + cast(b, x.dtype).reshape((out_channels,) + (1,) * d)
    return out.squeeze(0) if unbatched else out


@public(namespace="nn.functional", also=("conv_transpose1d",))
def conv_transpose1d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """torch.nn.functional.conv_transpose1d: input (N, C, L) or unbatched (C, L), weight (C, O/groups, k); the
    output length is (L - 1)·stride - 2·padding + dilation·(k - 1) + output_padding + 1."""
    return _transposed_convolution(input, weight, bias, stride, padding, output_padding, groups, dilation, 1,
                                   "conv_transpose1d")


@public(namespace="nn.functional", also=("conv_transpose2d",))
def conv_transpose2d(input, weight, bias=None, stride=1, padding=0, output_padding=0, groups=1, dilation=1):
    """torch.nn.functional.conv_transpose2d: input (N, C, H, W) or unbatched (C, H, W), weight
    (C, O/groups, kh, kw); each output size as conv_transpose1d's."""
    return _transposed_convolution(input, weight, bias, stride, padding, output_padding, groups, dilation, 2,
                                   "conv_transpose2d")


# ---- unfold / fold (im2col / col2im) -------------------------------------------------------------------------
def _pair_param(value, name: str, fn: str, position: int) -> tuple:
    ints = _int_tuple(value, 2, name, fn, position)
    if len(ints) != 2:
        raise RuntimeError(f"It is expected {name} equals to 2, but got size {len(ints)}")
    return ints


def _window_params(kernel_size, dilation, padding, stride, fn: str, first: int) -> tuple:
    """unfold's and fold's kernel_size, dilation, padding, stride: pairs, with torch's checks of each."""
    kernel = _pair_param(kernel_size, "kernel_size", fn, first)
    dilation = _pair_param(dilation, "dilation", fn, first + 1)
    padding = _pair_param(padding, "padding", fn, first + 2)
    stride = _pair_param(stride, "stride", fn, first + 3)
    if min(kernel) <= 0:
        raise RuntimeError(f"kernel size should be greater than zero, but got {_hw('kernel', kernel)}")
    if min(stride) <= 0:
        raise RuntimeError(f"stride should be greater than zero, but got {_hw('stride', stride)}")
    if min(dilation) <= 0:
        raise RuntimeError(f"dilation should be greater than zero, but got {_hw('dilation', dilation)}")
    if min(padding) < 0:
        raise RuntimeError(f"padding should be non-negative, but got {_hw('pad', padding)}")
    return kernel, dilation, padding, stride


def _float_only(x: Tensor, kernel: str) -> None:
    if x.dtype.kind in "iu":
        raise NotImplementedError(f"\"{kernel}\" not implemented for '{scalar_type_name(x.dtype)}'")


def _tuple(sizes) -> str:
    return "(" + ", ".join(map(str, sizes)) + ")"


@public(namespace="nn.functional")
def unfold(input, kernel_size, dilation=1, padding=0, stride=1):
    """torch.nn.functional.unfold (im2col): input (N, C, H, W) or (C, H, W) -> (N, C·kh·kw, L) or (C·kh·kw, L),
    L the number of windows, each column one window with the channel the slowest index."""
    x = as_tensor_arg(input)
    kernel, dilation, padding, stride = _window_params(kernel_size, dilation, padding, stride, "im2col", 2)
    if x.ndim < 3:
        raise IndexError(f"Dimension out of range (expected to be in range of [{-max(x.ndim, 1)}, "
                         f"{max(x.ndim, 1) - 1}], but got {x.ndim})")
    if x.ndim > 4 or min(x.shape[x.ndim - 3:]) == 0:
        raise RuntimeError(f"Expected 3D or 4D (batch mode) tensor with possibly 0 batch size and other non-zero "
                           f"dimensions for input, but got: {list(x.shape)}")
    _float_only(x, "im2col_out_cpu")
    batched = x if x.ndim == 4 else x.unsqueeze(0)
    sizes = batched.shape[2:]
    blocks = [output_size(s + 2 * p, k, st, dl) for s, p, k, st, dl in zip(sizes, padding, kernel, stride, dilation)]
    if min(blocks) < 1:
        raise RuntimeError(f"Given input with spatial size {_tuple(sizes)}, kernel_size={_tuple(kernel)}, "
                           f"dilation={_tuple(dilation)}, padding={_tuple(padding)}, calculated shape of the array "
                           f"of sliding blocks as {_tuple(blocks)}, but its components must be at least one.")
    n, c = batched.shape[:2]
    cols = windows(_pad_spatial(batched, [(p, p) for p in padding]), kernel, stride, dilation)  # (N, C, bh, bw, kh, kw)
    out = cols.permute((0, 1, 4, 5, 2, 3)).reshape((n, c * kernel[0] * kernel[1], blocks[0] * blocks[1]))
    return out if x.ndim == 4 else out.squeeze(0)


@public(namespace="nn.functional")
def fold(input, output_size, kernel_size, dilation=1, padding=0, stride=1):
    """torch.nn.functional.fold (col2im), the adjoint of unfold: input (N, C·kh·kw, L) or (C·kh·kw, L) ->
    (N, C, *output_size) or (C, *output_size), overlapping window entries summed."""
    x = as_tensor_arg(input)
    if x.ndim not in (2, 3) or min(x.shape[x.ndim - 2:], default=0) == 0:
        raise RuntimeError(f"Expected 2D or 3D (batch mode) tensor for input with possibly 0 batch size and non-zero "
                           f"dimensions for input, but got: {list(x.shape)}")
    size = _pair_param(output_size, "output_size", "col2im", 2)
    kernel, dilation, padding, stride = _window_params(kernel_size, dilation, padding, stride, "col2im", 3)
    batched = x if x.ndim == 3 else x.unsqueeze(0)
    n, ck, length = batched.shape
    taps = kernel[0] * kernel[1]
    if ck % taps:
        raise RuntimeError(f"Expected size of input's dimension 1 to be divisible by the product of kernel_size, but "
                           f"got input.size(1)={ck} and kernel_size={_tuple(kernel)}.")
    blocks = [(s + 2 * p - (dl * (k - 1) + 1)) // st + 1 for s, p, k, st, dl in zip(size, padding, kernel, stride,
                                                                                       dilation)]
    if blocks[0] * blocks[1] != length or min(blocks) < 1:
        raise RuntimeError(f"Given output_size={_tuple(size)}, kernel_size={_tuple(kernel)}, dilation="
                           f"{_tuple(dilation)}, padding={_tuple(padding)}, stride={_tuple(stride)}, expected size of "
                           f"input's dimension 2 to match the calculated number of sliding blocks {blocks[0]} * "
                           f"{blocks[1]} = {blocks[0] * blocks[1]}, but got input.size(2)={length}.")
    _float_only(x, "col2im_out_cpu")
    c = ck // taps
    cols = batched.reshape((n, c) + tuple(kernel) + tuple(blocks)).permute((0, 1, 4, 5, 2, 3))
    padded = [s + 2 * p for s, p in zip(size, padding)]
    out = _pad_spatial(overlap_add(cols, padded, kernel, stride, dilation), [(-p, -p) for p in padding])
    return out if x.ndim == 3 else out.squeeze(0)
