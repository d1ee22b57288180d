"""refgrad.nn.modules.fold: mirrors torch.nn.modules.fold (Fold, Unfold). The window arguments are kept as given
(an int or a pair, shown so in the repr, as torch's) and checked by F.fold / F.unfold at the call."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Fold", "Unfold"]


class Fold(Module):
    """torch.nn.Fold(output_size, kernel_size, dilation=1, padding=0, stride=1): F.fold, summing the sliding blocks
    of an (N, C·∏kernel_size, L) or (C·∏kernel_size, L) input into an (N, C, *output_size) image."""

    def __init__(self, output_size, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.output_size, self.kernel_size = output_size, kernel_size
        self.dilation, self.padding, self.stride = dilation, padding, stride

    def forward(self, input):
        return F.fold(input, self.output_size, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"output_size={self.output_size}, kernel_size={self.kernel_size}, dilation={self.dilation}, "
                f"padding={self.padding}, stride={self.stride}")


class Unfold(Module):
    """torch.nn.Unfold(kernel_size, dilation=1, padding=0, stride=1): F.unfold, the sliding blocks of an
    (N, C, H, W) or (C, H, W) input as the columns of an (N, C·∏kernel_size, L) output."""

    def __init__(self, kernel_size, dilation=1, padding=0, stride=1):
        super().__init__()
        self.kernel_size, self.dilation, self.padding, self.stride = kernel_size, dilation, padding, stride

    def forward(self, input):
        return F.unfold(input, self.kernel_size, self.dilation, self.padding, self.stride)

    def extra_repr(self) -> str:
        return (f"kernel_size={self.kernel_size}, dilation={self.dilation}, padding={self.padding}, "
                f"stride={self.stride}")
