"""refgrad.nn.modules.transformer: mirrors torch.nn.modules.transformer."""
from __future__ import annotations

__all__: list[str] = []
