"""Vision functions (torch.nn.functional): pixel_shuffle, pixel_unshuffle, interpolate and the deprecated upsample,
upsample_nearest, upsample_bilinear, affine_grid.

pixel_shuffle and pixel_unshuffle are each a reshape, a permute and a reshape (linear ops), so their gradients of
any order are the inverse rearrangement.

interpolate is separable: one linear map per spatial dim (``_AxisMap``: each output entry a weighted sum of 1, 2
or 4 input entries, from index and weight arrays computed once per call as torch's kernels compute them), applied
in turn by one primitive (``_Resample``) whose vjp is their adjoints (a sorted scatter-add, ``_ResampleAdjoint``),
whose vjp is the maps again: so double backward and forward mode work, as in torch.

affine_grid is a constant grid of normalized coordinates times theta transposed (a matmul).
"""
from __future__ import annotations

import math
import numbers
import warnings
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from ... import dtypes
from ...arguments import int_arg
from ...autograd.bases import Linear
from ...ops.choose import choose
from ...ops.common import as_tensor_arg
from ...ops.indexing import take
from ...registry import public
from ...tensor import Tensor
from .pooling import adaptive_avg_pool1d, adaptive_avg_pool2d


def _at_least_3d(x, fn: str) -> None:
    if x.ndim < 3:
        raise RuntimeError(f"{fn} expects input to have at least 3 dimensions, but got input with {x.ndim} "
                           f"dimension(s)")


@public(namespace="nn.functional", also=("pixel_shuffle",))
def pixel_shuffle(input, upscale_factor):
    """torch.nn.functional.pixel_shuffle: (*, C·r², H, W) -> (*, C, H·r, W·r), out[..., c, h·r + i, w·r + j] =
    in[..., c·r² + i·r + j, h, w]."""
    x = as_tensor_arg(input)
    r = int_arg(upscale_factor, "upscale_factor", 2, "pixel_shuffle")
    _at_least_3d(x, "pixel_shuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_shuffle expects a positive upscale_factor, but got {r}")
    *lead, c, h, w = x.shape
    if c % (r * r):
        raise RuntimeError(f"pixel_shuffle expects its input's 'channel' dimension to be divisible by the square of "
                           f"upscale_factor, but input.size(-3)={c} is not divisible by {r * r}")
    k = len(lead)
    split = x.reshape(tuple(lead) + (c // (r * r), r, r, h, w))
    return split.permute(tuple(range(k)) + (k, k + 3, k + 1, k + 4, k + 2)).reshape(
        tuple(lead) + (c // (r * r), h * r, w * r))


@public(namespace="nn.functional", also=("pixel_unshuffle",))
def pixel_unshuffle(input, downscale_factor):
    """torch.nn.functional.pixel_unshuffle, the inverse of pixel_shuffle: (*, C, H·r, W·r) -> (*, C·r², H, W)."""
    x = as_tensor_arg(input)
    r = int_arg(downscale_factor, "downscale_factor", 2, "pixel_unshuffle")
    _at_least_3d(x, "pixel_unshuffle")
    if r <= 0:
        raise RuntimeError(f"pixel_unshuffle expects a positive downscale_factor, but got {r}")
    *lead, c, h, w = x.shape
    if h % r:
        raise RuntimeError(f"pixel_unshuffle expects height to be divisible by downscale_factor, but input.size(-2)={h}"
                           f" is not divisible by {r}")
    if w % r:
        raise RuntimeError(f"pixel_unshuffle expects width to be divisible by downscale_factor, but input.size(-1)={w}"
                           f" is not divisible by {r}")
    k = len(lead)
    split = x.reshape(tuple(lead) + (c, h // r, r, w // r, r))
    return split.permute(tuple(range(k)) + (k, k + 2, k + 4, k + 1, k + 3)).reshape(
        tuple(lead) + (c * r * r, h // r, w // r))


# ---- interpolate --------------------------------------------------------------------------------------------
_MODES = "nearest | linear | bilinear | bicubic | trilinear | lanczos | area | nearest-exact"
_RANK_OF = {"linear": 3, "bilinear": 4, "bicubic": 4, "trilinear": 5}  # the one input rank of each such mode
_CUBIC_A = -0.75  # torch's bicubic kernel parameter (Keys' cubic convolution)
_SIZE_TYPES = "expected size to be one of int or Tuple[int] or Tuple[int, int] or Tuple[int, int, int]"


def _axis_index_weights(mode: str, n_in: int, n_out: int, scale, align_corners: bool, opmath: np.dtype,
                        spatial: int):
    """Along one spatial dim: (index (n_out, taps) int64, weights (n_out, taps) in opmath, or None for a plain pick),
    as torch's CPU kernels compute them (UpSample.h), in the kernel's own precision (float for float32 and
    float16 inputs, double for float64): the indices are torch's, the weights torch's to the last bit or so (the
    rounding of torch's compiled multiply-adds is mirrored where it was found to matter).

    ``scale`` is the scale factor handed to the kernel (None when the size was given or the scale recomputed):
    the kernel then maps output to input by 1/scale, else by n_in/n_out. torch's 2-D nearest kernel (``spatial``
    2) keeps a legacy rule: where the output side equals the input's it copies, where it is twice the input's it
    halves the index, whatever the scale (its 1-D and 3-D kernels do not; see tests/test_interpolate.py)."""
    j = np.arange(n_out, dtype=np.int64)
    if mode == "nearest" and spatial == 2 and n_out in (n_in, 2 * n_in):
        return (j if n_out == n_in else j >> 1)[:, None], None
    if mode in ("nearest", "nearest-exact"):  # always in float: torch's nearest kernels take a float scale
        ratio = np.float32(1.0 / scale) if scale is not None and scale > 0 else np.float32(n_in) / np.float32(n_out)
        position = j.astype(np.float32) + np.float32(0.5) if mode == "nearest-exact" else j.astype(np.float32)
        index = np.minimum(np.floor(position * ratio).astype(np.int64), n_in - 1)
        return index[:, None], None
    one = opmath.type(1)
    if mode != "bicubic" and n_out == n_in:  # torch copies (its linear kernels special-case equal sizes)
        return np.stack([j, j], axis=1), np.stack([np.ones(n_out, opmath), np.zeros(n_out, opmath)], axis=1)
    if align_corners:
        ratio = opmath.type(n_in - 1) / opmath.type(n_out - 1) if n_out > 1 else opmath.type(0)
        source = ratio * j.astype(opmath)
    else:
        ratio = opmath.type(1.0 / scale) if scale is not None and scale > 0 else opmath.type(n_in) / opmath.type(n_out)
        # ratio·(j + 0.5) - 0.5 rounded once (torch's compiled kernel fuses it into one multiply-add); the product
        # of two floats is exact in double, so double arithmetic rounded to opmath gives the same for float
        source = (np.float64(ratio) * (j + 0.5) - 0.5).astype(opmath)
        if mode != "bicubic":
            source = np.maximum(source, opmath.type(0))
    if mode == "bicubic":
        start = np.floor(source)
        t = source - start
        a = opmath.type(_CUBIC_A)

        def near(x):  # |x| <= 1
            return ((a + 2) * x - (a + 3)) * x * x + one

        def far(x):  # 1 < |x| < 2: ((a·x - 5a)·x + 8a)·x - 4a, its middle step one multiply-add as compiled
            # in torch (exact in double for float operands, rounded once); in double, plain (a last-bit difference)
            inner = a * x - 5 * a
            fused = (inner.astype(np.float64) * x + np.float64(8 * a)).astype(opmath)
            return fused * x - 4 * a

        weights = np.stack([far(t + one), near(t), near(one - t), far(one - t + one)], axis=1)
        index = np.clip(start.astype(np.int64)[:, None] + np.arange(-1, 3), 0, n_in - 1)
        return index, weights
    start = np.minimum(np.floor(source).astype(np.int64), n_in - 1)
    lam = np.minimum(np.maximum(source - start.astype(opmath), opmath.type(0)), one)
    index = np.stack([start, start + (start < n_in - 1)], axis=1)
    return index, np.stack([one - lam, lam], axis=1)


def _antialias_index_weights(mode: str, n_in: int, n_out: int, scale, align_corners: bool, opmath: np.dtype):
    """Along one spatial dim, torch's antialiased weights (Pillow's): a filter (bilinear: the triangle; bicubic:
    Keys' cubic with a = -0.5) stretched by the downscaling ratio, over the input entries within its support of
    each output centre, normalized to sum 1. (index, weights, used) padded to the widest support."""
    if align_corners:
        ratio = opmath.type(n_in - 1) / opmath.type(n_out - 1) if n_out > 1 else opmath.type(0)
    else:
        ratio = opmath.type(1.0 / scale) if scale is not None and scale > 0 else opmath.type(n_in) / opmath.type(n_out)
    half = 1.0 if mode == "bilinear" else 2.0  # half the filter's width
    support = opmath.type(half * ratio if ratio >= 1 else half)
    inverse = opmath.type(1.0 / ratio if ratio >= 1 else 1.0)
    taps = int(math.ceil(support)) * 2 + 1
    centre = (np.float64(ratio) * (np.arange(n_out) + 0.5)).astype(opmath)
    start = np.maximum((centre.astype(np.float64) - np.float64(support) + 0.5).astype(np.int64), 0)
    count = np.clip(np.minimum((centre.astype(np.float64) + np.float64(support) + 0.5).astype(np.int64), n_in) - start,
                    0, taps)
    k = np.arange(taps)
    used = k[None, :] < count[:, None]
    distance = np.abs((((k[None, :] + start[:, None]).astype(opmath) - centre[:, None]).astype(np.float64) + 0.5)
                      * np.float64(inverse)).astype(opmath)
    if mode == "bilinear":
        weights = np.where(distance < 1, 1 - distance, opmath.type(0))
    else:
        a = opmath.type(-0.5)
        near = ((a + 2) * distance - (a + 3)) * distance * distance + 1
        far = ((a * distance - 5 * a) * distance + 8 * a) * distance - 4 * a
        weights = np.where(distance < 1, near, np.where(distance < 2, far, opmath.type(0)))
    weights = np.where(used, weights, opmath.type(0)).astype(opmath)
    total = np.zeros(n_out, opmath)
    for j in range(taps):  # torch's order of summation
        total += weights[:, j]
    weights = np.where(total[:, None] != 0, weights / np.where(total != 0, total, 1)[:, None], weights)
    index = np.minimum(start[:, None] + k[None, :], n_in - 1)
    return index, weights.astype(opmath), used


@dataclass(frozen=True, eq=False)
class _AxisMap:
    """A linear map along one axis: out[..., j, ...] = Σ_k weights[j, k] · in[..., index[j, k], ...] (weights None:
    one tap of weight 1). Its adjoint adds each weighted output entry into its input entries, tap by tap: a tap's
    targets never decrease along the output (in every mode), so one ``np.add.reduceat`` over the runs of equal
    targets sums each input entry's contributions, in output order as torch's backward loop."""

    axis: int
    n_in: int
    index: np.ndarray
    weights: np.ndarray | None
    used: np.ndarray | None = None  # (n_out, taps) bool: the taps an output has (antialias: their number varies)

    def apply(self, x: np.ndarray) -> np.ndarray:
        if self.weights is None:
            return np.take(x, self.index[:, 0], axis=self.axis)
        shape = [1] * x.ndim
        shape[self.axis] = -1
        out = None
        for k in range(self.index.shape[1]):  # a loop over the taps (2 or 4; antialias: up to 2·ceil(support) + 1)
            term = np.take(x, self.index[:, k], axis=self.axis) * self.weights[:, k].reshape(shape)
            if self.used is not None:  # an unused tap adds -0.0, which changes nothing (not even a -0.0 sum)
                term = np.where(self.used[:, k].reshape(shape), term, x.dtype.type(-0.0))
            out = term if out is None else np.add(out, term, out=out)
        return out

    def adjoint(self, g: np.ndarray) -> np.ndarray:
        shape = [1] * g.ndim
        shape[self.axis] = -1
        sized = list(g.shape)
        sized[self.axis] = self.n_in
        out = np.zeros(sized, g.dtype)
        for k, (order, starts, targets) in enumerate(self._runs):  # a loop over the 1, 2 or 4 taps
            part = g if self.weights is None else g * self.weights[:, k].reshape(shape)
            if self.used is not None:
                part = np.where(self.used[:, k].reshape(shape), part, g.dtype.type(0))
            if order is not None:
                part = np.take(part, order, axis=self.axis)
            if part.size:
                where = [slice(None)] * g.ndim
                where[self.axis] = targets
                out[tuple(where)] += np.add.reduceat(part, starts, axis=self.axis)
        return out

    @cached_property
    def _runs(self):
        """Per tap: (the order that sorts its targets, or None where they are sorted already, as every mode's are;
        where each run of one target starts; the targets: a slice where they are consecutive)."""
        runs = []
        for index in self.index.T:
            order = None if np.all(index[1:] >= index[:-1]) else np.argsort(index, kind="stable")
            ordered = index if order is None else index[order]
            starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
            targets = ordered[starts]
            if np.array_equal(targets, np.arange(targets[0], targets[0] + len(targets))):
                targets = slice(int(targets[0]), int(targets[0]) + len(targets))
            runs.append((order, starts, targets))
        return runs


class _Resample(Linear):
    """Separable resampling: each ``_AxisMap`` applied in turn (the last spatial dim first, as torch's kernels
    nest their loops), cast to the input's dtype at the end (float16 is resampled in float32, as torch's opmath).
    Its vjp is ``_ResampleAdjoint``, whose vjp is this op again: derivatives of any order."""

    params = ("maps",)
    saves = ()  # backward reads shapes only

    def forward(ctx, x, maps):
        out = x.astype(np.float32) if x.dtype == np.float16 else x
        for m in maps:
            out = m.apply(out)
        return out.astype(x.dtype, copy=False)

    def vjp(ctx, g):
        return _ResampleAdjoint.apply(g, maps=ctx.maps)


class _ResampleAdjoint(Linear):
    """The adjoint of ``_Resample``: each axis map's adjoint (a scatter-add of the weighted entries), in reverse."""

    params = ("maps",)
    saves = ()

    def forward(ctx, g, maps):
        out = g.astype(np.float32) if g.dtype == np.float16 else g
        for m in reversed(maps):
            out = m.adjoint(out)
        return out.astype(g.dtype, copy=False)

    def vjp(ctx, g):
        return _Resample.apply(g, maps=ctx.maps)


def _is_int(v) -> bool:
    return isinstance(v, (numbers.Integral, np.integer)) and not isinstance(v, (bool, np.bool_))


def _kernel_name(mode: str, spatial: int) -> str:
    name = {"nearest": "nearest", "nearest-exact": "nearest_exact", "bicubic": "bicubic"}.get(mode)
    return f"_upsample_{name}{spatial}d" if mode == "nearest-exact" else (
        f"upsample_{name or ('linear', 'bilinear', 'trilinear')[spatial - 1]}{spatial}d")


def _sizes_and_scales(x: Tensor, size, scale_factor, mode: str, recompute_scale_factor, spatial: int):
    """(output sizes, the scales handed to the kernel or None), following torch's interpolate: exactly one of size
    and scale_factor, each an int/float or one per spatial dim; a scale_factor recomputed (or mode 'area') becomes
    the sizes floor(in·scale) and no scales."""
    dims = list(x.shape[2:])
    if size is not None and scale_factor is not None:
        raise ValueError("only one of size or scale_factor should be defined")
    if size is not None:
        if isinstance(size, (list, tuple)):
            if len(size) != spatial:
                raise ValueError(f"Input and output must have the same number of spatial dimensions, but got input "
                                 f"with spatial dimensions of {dims} and output size of {size}. Please provide input "
                                 f"tensor in (N, C, d1, d2, ...,dK) format and output size in (o1, o2, ...,oK) format.")
            if not all(_is_int(s) for s in size):
                raise TypeError(f"{_SIZE_TYPES}, but got size with types {[type(s) for s in size]}")
            sizes = [int(s) for s in size]
        elif _is_int(size):
            sizes = [int(size)] * spatial
        else:
            raise TypeError(f"{_kernel_name(mode, spatial)}() received an invalid combination of arguments: "
                            f"'output_size' must be a tuple of ints, got {type(size).__name__}")
        scales = None
    elif scale_factor is not None:
        if isinstance(scale_factor, (list, tuple)):
            if len(scale_factor) != spatial:
                raise ValueError(f"Input and scale_factor must have the same number of spatial dimensions, but got "
                                 f"input with spatial dimensions of {dims} and scale_factor of shape {scale_factor}. "
                                 f"Please provide input tensor in (N, C, d1, d2, ...,dK) format and scale_factor in "
                                 f"(s1, s2, ...,sK) format.")
            scales = list(scale_factor)
        else:
            scales = [scale_factor] * spatial
        if not all(isinstance(s, (numbers.Real, np.floating, np.integer, np.bool_)) for s in scales):
            raise TypeError(f"{_kernel_name(mode, spatial)}() received an invalid combination of arguments: "
                            f"'scale_factors' must be a tuple of floats, got {[type(s).__name__ for s in scales]}")
        scales = [float(s) for s in scales]
        if not all(math.isfinite(n * s) for n, s in zip(dims, scales)):
            raise RuntimeError(f"value cannot be converted to type int64_t without overflow: output sizes "
                               f"{[n * s for n, s in zip(dims, scales)]}")
        sizes = [int(n * s) for n, s in zip(dims, scales)]  # truncated toward zero, as torch
    else:
        raise ValueError("either size or scale_factor should be defined")
    if recompute_scale_factor and size is not None:
        raise ValueError("recompute_scale_factor is not meaningful with an explicit size.")
    if recompute_scale_factor or mode == "area":
        scales = None
    return sizes, scales


def _check_kernel_input(x: Tensor, sizes: list, mode: str) -> None:
    """The checks of torch's upsample kernels: positive sizes, a non-empty input but for the batch, a float dtype."""
    names = "DHW"[3 - len(sizes):]
    if min(sizes) <= 0 or min(x.shape[2:]) <= 0:
        if len(sizes) == 1:
            raise RuntimeError(f"Input and output sizes should be greater than 0, but got input (W: {x.shape[2]}) "
                               f"and output (W: {sizes[0]})")
        given = ", ".join(f"{n}: {s}" for n, s in zip(names, x.shape[2:]))
        wanted = ", ".join(f"{n}: {s}" for n, s in zip(names, sizes))
        raise RuntimeError(f"Input and output sizes should be greater than 0, but got input ({given}) output "
                           f"({wanted})")
    if x.shape[1] == 0:
        raise RuntimeError(f"Non-empty {x.ndim}D data tensor expected but got a tensor with sizes {list(x.shape)}")
    if x.dtype.kind != "f":
        raise NotImplementedError(f"\"{_kernel_name(mode, len(sizes))}\" not implemented for "
                                  f"'{dtypes.scalar_type_name(x.dtype)}'")


@public(namespace="nn.functional")
def interpolate(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None,
                recompute_scale_factor=None, antialias: bool = False):
    """torch.nn.functional.interpolate for (N, C, L), (N, C, H, W) and (N, C, D, H, W) inputs: modes 'nearest',
    'nearest-exact', 'linear' (3-D), 'bilinear' and 'bicubic' (4-D, also antialiased), 'trilinear' (5-D), 'area'
    (adaptive average pooling, 3-D and 4-D); size or scale_factor (a number or one per spatial dim), align_corners,
    recompute_scale_factor, antialias.

    Every mode is separable: along each spatial dim, each output entry is a weighted sum of a few input entries
    (1 tap for nearest, 2 for linear, 4 for cubic, the filter's support for antialias), with torch's source indices
    and weights computed in torch's precision (``_axis_index_weights``, ``_antialias_index_weights``). Without
    recompute_scale_factor a given scale_factor s maps output index j to input by 1/s, not by in/out: floor(j/s)
    for nearest, (j + 0.5)/s - 0.5 for linear. Where torch's backward is not the derivative of its forward (see
    oracle/specs/vision.py), refgrad's gradient is its forward's adjoint. Not implemented: mode 'lanczos', 'area'
    on 5-D input, integer (uint8) inputs."""
    x = as_tensor_arg(input)
    if mode in ("nearest", "area", "nearest-exact"):
        if align_corners is not None:
            raise ValueError("align_corners option can only be set with the interpolating modes: linear | bilinear | "
                             "bicubic | trilinear")
    elif align_corners is None:
        align_corners = False
    spatial = x.ndim - 2
    sizes, scales = _sizes_and_scales(x, size, scale_factor, mode, recompute_scale_factor, spatial)
    if antialias and not (mode in ("bilinear", "bicubic", "lanczos") and x.ndim == 4):
        raise ValueError("Anti-alias option is restricted to bilinear, bicubic, and lanczos modes and requires a 4-D "
                         "tensor as input")
    if mode == "lanczos" and x.ndim == 4 and not antialias:
        raise ValueError("Lanczos mode does not support align_corners=True" if align_corners else
                         "Lanczos mode requires antialias=True")
    if mode == "lanczos":
        raise NotImplementedError("refgrad's interpolate does not implement mode 'lanczos'")
    if mode == "area" and x.ndim in (3, 4):
        return (adaptive_avg_pool1d if x.ndim == 3 else adaptive_avg_pool2d)(x, sizes if x.ndim == 4 else sizes[0])
    if mode == "area" and x.ndim == 5:
        raise NotImplementedError("refgrad's interpolate: mode 'area' on a 5-D input needs adaptive_avg_pool3d, "
                                  "which refgrad does not have")
    if mode in _RANK_OF and mode != "bicubic" and x.ndim in (3, 4, 5) and x.ndim != _RANK_OF[mode]:
        raise NotImplementedError(f"Got {x.ndim}D input, but {mode} mode needs {_RANK_OF[mode]}D input")
    if not (mode in ("nearest", "nearest-exact") and x.ndim in (3, 4, 5) or _RANK_OF.get(mode) == x.ndim):
        raise NotImplementedError(f"Input Error: Only 3D, 4D and 5D input Tensors supported (got {x.ndim}D) for the "
                                  f"modes: {_MODES} (got {mode})")
    _check_kernel_input(x, sizes, mode)
    opmath = np.dtype(np.float64) if x.dtype == np.float64 else np.dtype(np.float32)
    maps = []
    for d in reversed(range(spatial)):  # the last dim first, as torch's kernels
        n_in, n_out, scale = x.shape[2 + d], sizes[d], None if scales is None else scales[d]
        if antialias:
            if n_out != n_in:  # torch's antialiased kernel leaves a dim of unchanged size alone, whatever the scale
                maps.append(_AxisMap(2 + d, n_in, *_antialias_index_weights(mode, n_in, n_out, scale,
                                                                            bool(align_corners), opmath)))
        else:
            maps.append(_AxisMap(2 + d, n_in, *_axis_index_weights(mode, n_in, n_out, scale, bool(align_corners),
                                                                   opmath, spatial)))
    return _Resample.apply(x, maps=tuple(maps))


def _deprecated(name: str) -> None:
    warnings.warn(f"`nn.functional.{name}` is deprecated. Use `nn.functional.interpolate` instead.", stacklevel=3)


@public(namespace="nn.functional")
def upsample(input, size=None, scale_factor=None, mode: str = "nearest", align_corners=None):
    """torch.nn.functional.upsample (deprecated, with torch's UserWarning): interpolate(input, size, scale_factor,
    mode, align_corners)."""
    _deprecated("upsample")
    return interpolate(input, size, scale_factor, mode, align_corners)


@public(namespace="nn.functional")
def upsample_nearest(input, size=None, scale_factor=None):
    """torch.nn.functional.upsample_nearest (deprecated, with torch's UserWarning): interpolate(..., mode='nearest')."""
    _deprecated("upsample_nearest")
    return interpolate(input, size, scale_factor, mode="nearest")


@public(namespace="nn.functional")
def upsample_bilinear(input, size=None, scale_factor=None):
    """torch.nn.functional.upsample_bilinear (deprecated, with torch's UserWarning): interpolate(...,
    mode='bilinear', align_corners=True)."""
    _deprecated("upsample_bilinear")
    return interpolate(input, size, scale_factor, mode="bilinear", align_corners=True)


# ---- affine_grid --------------------------------------------------------------------------------------------
def _from_minus_one_to_one(steps: int, align_corners: bool, dtype: np.dtype) -> np.ndarray:
    """torch's linspace_from_neg_one: -1 to 1 in ``steps`` points (each computed from the nearer end, as torch's
    linspace), scaled by (steps - 1)/steps to the pixel centres without align_corners; [0] for one step."""
    if steps <= 1:
        return np.zeros(max(steps, 0), dtype)
    i = np.arange(steps)
    step = (dtype.type(1) - dtype.type(-1)) / dtype.type(steps - 1)
    values = np.where(i < steps // 2, dtype.type(-1) + step * i.astype(dtype),
                      dtype.type(1) - step * (steps - 1 - i).astype(dtype)).astype(dtype)
    return values if align_corners else (values * dtype.type(steps - 1) / dtype.type(steps)).astype(dtype)


@public(namespace="nn.functional")
def affine_grid(theta, size, align_corners=None):
    """torch.nn.functional.affine_grid: the sampling grid (N, H, W, 2) (or (N, D, H, W, 3)) of the affine maps
    theta (N, 2, 3) (or (N, 3, 4)) for an output of ``size`` (N, C, H, W) (or (N, C, D, H, W)): each output pixel's
    normalized coordinates (x, y[, z], 1) times theta transposed, as one batched matmul (a refgrad op, so its
    gradients of any order follow). align_corners None is False, with torch's UserWarning."""
    theta = as_tensor_arg(theta, "theta")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                      "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                      "grid_sample for details.", stacklevel=2)
        align_corners = False
    if theta.dtype.kind != "f":
        raise ValueError(f"Expected theta to have floating point type, but got torch.{theta.dtype.name}")
    size = [int_arg(s, "size", 2, "affine_grid") for s in size]
    dims = len(size) - 2
    if dims in (2, 3):
        if theta.ndim != 3 or theta.shape[-2:] != (dims, dims + 1):
            raise ValueError(f"Expected a batch of {dims}D affine matrices of shape Nx{dims}x{dims + 1} for size "
                             f"{size}. Got {list(theta.shape)}.")
    else:
        raise NotImplementedError(f"affine_grid only supports 4D and 5D sizes, for 2D and 3D affine transforms, "
                                  f"respectively. Got size {size}.")
    spatial = size[2:]
    if align_corners and min(spatial) == 1:
        warnings.warn("Since version 1.3.0, affine_grid behavior has changed for unit-size grids when "
                      "align_corners=True. This is not an intended use case of affine_grid. See the documentation "
                      "of affine_grid for details.", stacklevel=2)
    elif min(size) <= 0:
        raise ValueError(f"Expected non-zero, positive output size. Got {size}")
    if theta.shape[0] != size[0]:
        raise RuntimeError(f"Expected size for first two dimensions of batch2 tensor to be: [{size[0]}, "
                           f"{dims + 1}] but got: [{theta.shape[0]}, {dims + 1}].")
    # the coordinates of every output point, x along the last dim: (..., x, y[, z], 1)
    axes = [_from_minus_one_to_one(n, bool(align_corners), theta.dtype) for n in spatial]
    mesh = np.meshgrid(*axes, indexing="ij")[::-1]  # x (the last dim) first
    base = np.stack([*mesh, np.ones(tuple(spatial), theta.dtype)], axis=-1).reshape(-1, dims + 1)
    points = Tensor(np.ascontiguousarray(base)).matmul(theta.transpose(1, 2))  # (N, points, dims)
    return points.reshape((size[0], *spatial, dims))


# ---- grid_sample --------------------------------------------------------------------------------------------
_GRID_MODES = ("bilinear", "nearest", "bicubic")
_PADDING_MODES = ("zeros", "border", "reflection")


def _clip(coordinate: Tensor, size: int) -> Tensor:
    """torch's clip_coordinates_set_grad: into [0, size - 1], the bounds themselves counted outside (gradient 0),
    as torch's backward."""
    values = coordinate._data
    inside = (values > 0) & (values < size - 1)
    return choose(inside, coordinate, np.where(values <= 0, 0, size - 1).astype(coordinate.dtype))


def _reflect(coordinate: Tensor, twice_low: int, twice_high: int) -> Tensor:
    """torch's reflect_coordinates_set_grad: folded into [low, high] by reflections at the bounds; the gradient's
    sign flips with each reflection (at the lower bound itself it is +1, as torch's)."""
    if twice_low == twice_high:
        return coordinate * 0
    low, span = twice_low / 2, (twice_high - twice_low) / 2
    shifted = coordinate - low
    sign = np.where(shifted._data < 0, -1, 1).astype(coordinate.dtype)
    distance = shifted * Tensor(sign)
    flips = np.floor(distance._data / span)
    extra = distance - Tensor((flips * span).astype(coordinate.dtype))  # fmod(distance, span)
    even = (flips % 2 == 0)
    return choose(even, extra + low, (extra * -1) + (span + low))


def _source(coordinate: Tensor, size: int, padding: str, align_corners: bool) -> Tensor:
    """A normalized grid coordinate (-1 .. 1) -> an input position, with torch's padding of positions outside."""
    if align_corners:
        position = (coordinate + 1) / 2 * (size - 1)
    else:
        position = ((coordinate + 1) * size - 1) / 2
    if padding == "border":
        return _clip(position, size)
    if padding == "reflection":
        reflected = _reflect(position, 0, 2 * (size - 1)) if align_corners else _reflect(position, -1, 2 * size - 1)
        return _clip(reflected, size)
    return position


def _corner(x: Tensor, rows: np.ndarray, cols: np.ndarray, weight: Tensor | None = None) -> Tensor:
    """x (N, C, H, W) at positions (N, Ho, Wo) (floats holding integers, or nan/inf), times weight (N, 1, Ho, Wo):
    (N, C, Ho, Wo), exactly 0 where a position is outside (its weight unused, as torch skips the corner)."""
    n, c, h, w = x.shape
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)  # False for nan
    plane = np.where(inside, rows * w + cols, 0).astype(np.int64)[:, None]  # (N, 1, Ho, Wo)
    offsets = (np.arange(n)[:, None] * (c * h * w) + np.arange(c)[None, :] * (h * w))[:, :, None, None]
    values = take(x, plane + offsets)
    return choose(np.broadcast_to(inside[:, None], values.shape), values if weight is None else values * weight, 0)


@public(namespace="nn.functional")
def grid_sample(input, grid, mode: str = "bilinear", padding_mode: str = "zeros", align_corners=None):
    """torch.nn.functional.grid_sample for 4-D input (N, C, H, W) and grid (N, Ho, Wo, 2) of (x, y) in -1 .. 1:
    modes 'bilinear' and 'nearest' (half-way ties to even, as torch), padding_mode 'zeros', 'border' and
    'reflection', align_corners (None is False, with torch's warning). Written in refgrad ops: the source positions
    from the grid (torch's unnormalize, clip and reflect, with torch's gradients at the bounds), the corners a
    constant gather, the bilinear weights differentiable in the grid, so gradients of any order follow. Not
    implemented: 5-D input, mode 'bicubic'."""
    x, grid = as_tensor_arg(input), as_tensor_arg(grid, "grid", 2)
    if mode not in _GRID_MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected mode to be 'bilinear', 'nearest' or 'bicubic', "
                         f"but got: '{mode}'")
    if padding_mode not in _PADDING_MODES:
        raise ValueError(f"nn.functional.grid_sample(): expected padding_mode to be 'zeros', 'border', or "
                         f"'reflection', but got: '{padding_mode}'")
    if align_corners is None:
        warnings.warn("Default grid_sample and affine_grid behavior has changed to align_corners=False since 1.3.0. "
                      "Please specify align_corners=True if the old behavior is desired. See the documentation of "
                      "grid_sample for details.", stacklevel=2)
        align_corners = False
    if x.dtype != grid.dtype:
        raise RuntimeError(f"grid_sampler(): expected input and grid to have same dtype, but input has "
                           f"{dtypes.tensor_type_name(x.dtype)} and grid has {dtypes.tensor_type_name(grid.dtype)}")
    if x.ndim != grid.ndim:
        raise RuntimeError(f"grid_sampler(): expected grid to have same number of dimensions as input, but got input "
                           f"with sizes {list(x.shape)} and grid with sizes {list(grid.shape)}")
    if x.shape[0] != grid.shape[0]:
        raise RuntimeError(f"grid_sampler(): expected grid and input to have same batch size, but got input with "
                           f"sizes {list(x.shape)} and grid with sizes {list(grid.shape)}")
    if grid.shape[-1] != x.ndim - 2:
        raise RuntimeError(f"grid_sampler(): expected grid to have size {x.ndim - 2} in last dimension, but got grid "
                           f"with sizes {list(grid.shape)}")
    if x.ndim != 4 or mode == "bicubic":
        raise NotImplementedError(f"refgrad's grid_sample takes 4-D input and modes 'bilinear' and 'nearest' (got "
                                  f"{x.ndim}-D input, mode {mode!r})")
    for d in range(2, 4):
        if x.shape[d] == 0:
            raise RuntimeError(f"grid_sampler(): expected input to have non-empty spatial dimensions, but input has "
                               f"sizes {list(x.shape)} with dimension {d} being empty")
    if x.dtype.kind != "f":
        raise RuntimeError(f"\"grid_sampler_2d_cpu\" not implemented for '{dtypes.scalar_type_name(x.dtype)}'")
    with np.errstate(all="ignore"):  # a nan or infinite grid value is a position outside, silently (as torch)
        return _grid_sample(x, grid, mode, padding_mode, bool(align_corners))


def _grid_sample(x: Tensor, grid: Tensor, mode: str, padding_mode: str, align_corners: bool) -> Tensor:
    h, w = x.shape[2:]
    ix = _source(grid[..., 0], w, padding_mode, bool(align_corners))
    iy = _source(grid[..., 1], h, padding_mode, bool(align_corners))
    if mode == "nearest":  # the grid gets no gradient (torch's is zeros): the output is constant in it
        return _corner(x, np.rint(iy._data), np.rint(ix._data))
    left, top = np.floor(ix._data), np.floor(iy._data)
    # torch's weights: each corner's the product of the distances to the opposite corner
    to_right, to_left = (Tensor(left + 1) - ix).unsqueeze(1), (ix - Tensor(left)).unsqueeze(1)
    to_bottom, to_top = (Tensor(top + 1) - iy).unsqueeze(1), (iy - Tensor(top)).unsqueeze(1)
    out = _corner(x, top, left, to_right * to_bottom)
    out = out + _corner(x, top, left + 1, to_left * to_bottom)
    out = out + _corner(x, top + 1, left, to_right * to_top)
    return out + _corner(x, top + 1, left + 1, to_left * to_top)
