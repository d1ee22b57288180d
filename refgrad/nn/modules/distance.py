"""refgrad.nn.modules.distance: mirrors torch.nn.modules.distance (PairwiseDistance, CosineSimilarity)."""
from __future__ import annotations

from .. import functional as F
from .module import Module

__all__ = ["PairwiseDistance", "CosineSimilarity"]


class PairwiseDistance(Module):
    """torch.nn.PairwiseDistance(p=2.0, eps=1e-6, keepdim=False): F.pairwise_distance(x1, x2). As torch's, p is
    stored as ``norm`` and the repr shows no arguments."""

    def __init__(self, p: float = 2.0, eps: float = 1e-6, keepdim: bool = False):
        super().__init__()
        self.norm, self.eps, self.keepdim = p, eps, keepdim

    def forward(self, x1, x2):
        return F.pairwise_distance(x1, x2, self.norm, self.eps, self.keepdim)


class CosineSimilarity(Module):
    """torch.nn.CosineSimilarity(dim=1, eps=1e-8): F.cosine_similarity(x1, x2, dim, eps); repr without arguments,
    as torch's."""

    def __init__(self, dim: int = 1, eps: float = 1e-8):
        super().__init__()
        self.dim, self.eps = dim, eps

    def forward(self, x1, x2):
        return F.cosine_similarity(x1, x2, self.dim, self.eps)
