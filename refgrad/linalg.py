"""refgrad.linalg: mirrors torch.linalg for the functions refgrad implements."""
from __future__ import annotations

from .ops.reduction import vector_norm

__all__: list[str] = ["vector_norm"]
