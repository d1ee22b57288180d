"""refgrad.nn.modules.pixelshuffle: mirrors torch.nn.modules.pixelshuffle (PixelShuffle, PixelUnshuffle).
ChannelShuffle is absent: F has no channel_shuffle yet."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["PixelShuffle", "PixelUnshuffle"]


class PixelShuffle(Module):
    """torch.nn.PixelShuffle(upscale_factor): F.pixel_shuffle, (*, C·r², H, W) -> (*, C, H·r, W·r)."""

    def __init__(self, upscale_factor: int):
        super().__init__()
        self.upscale_factor = upscale_factor

    def forward(self, input):
        return F.pixel_shuffle(input, self.upscale_factor)

    def extra_repr(self) -> str:
        return f"upscale_factor={self.upscale_factor}"


class PixelUnshuffle(Module):
    """torch.nn.PixelUnshuffle(downscale_factor): F.pixel_unshuffle, (*, C, H·r, W·r) -> (*, C·r², H, W)."""

    def __init__(self, downscale_factor: int):
        super().__init__()
        self.downscale_factor = downscale_factor

    def forward(self, input):
        return F.pixel_unshuffle(input, self.downscale_factor)

    def extra_repr(self) -> str:
        return f"downscale_factor={self.downscale_factor}"
