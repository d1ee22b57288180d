"""refgrad.nn.modules.pooling: mirrors torch.nn.modules.pooling."""
from __future__ import annotations

__all__: list[str] = []
