"""refgrad.nn.modules.dropout: mirrors torch.nn.modules.dropout. Each module calls its functional form with
``self.training``: random in training, the identity in eval mode."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["Dropout", "Dropout1d", "Dropout2d", "Dropout3d", "AlphaDropout", "FeatureAlphaDropout"]


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


class Dropout1d(_DropoutNd):
    """torch.nn.Dropout1d(p=0.5, inplace=False): F.dropout1d, whole channels of an (N, C, L) or (C, L) input."""

    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class Dropout2d(_DropoutNd):
    """torch.nn.Dropout2d(p=0.5, inplace=False): F.dropout2d, whole channels of an (N, C, H, W) input (a 3-D input
    is taken as (N, C, L), with torch's warning)."""

    def forward(self, input):
        return F.dropout2d(input, self.p, self.training, self.inplace)


class Dropout3d(_DropoutNd):
    """torch.nn.Dropout3d(p=0.5, inplace=False): F.dropout3d, whole channels of an (N, C, D, H, W) or (C, D, H, W)
    input."""

    def forward(self, input):
        return F.dropout3d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    """torch.nn.AlphaDropout(p=0.5, inplace=False): F.alpha_dropout. As torch's, ``inplace`` is kept (and shown in
    the repr) but not passed on: the output is always a new tensor."""

    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)


class FeatureAlphaDropout(_DropoutNd):
    """torch.nn.FeatureAlphaDropout(p=0.5, inplace=False): F.feature_alpha_dropout, whole channels; ``inplace`` is
    not passed on, as torch's."""

    def forward(self, input):
        return F.feature_alpha_dropout(input, self.p, self.training)
