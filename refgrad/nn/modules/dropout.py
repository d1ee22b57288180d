"""refgrad.nn.modules.dropout: mirrors torch.nn.modules.dropout. Each module calls its functional form with
``self.training``: random in training, the identity in eval mode."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout"]


class _DropoutNd(Module):
    def __init__(self, p: float = 0.5, inplace: bool = False):
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p, self.inplace = p, inplace

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    """torch.nn.Dropout(p=0.5, inplace=False): F.dropout(input, p, self.training, inplace)."""

    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)
