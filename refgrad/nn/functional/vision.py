"""Vision functions (torch.nn.functional): pixel_shuffle, pixel_unshuffle.

Each is a reshape, a permute and a reshape (linear ops), so its gradients of any order are the inverse
rearrangement.
"""
from __future__ import annotations

from ...arguments import int_arg
from ...ops.common import as_tensor_arg
from ...registry import public


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
