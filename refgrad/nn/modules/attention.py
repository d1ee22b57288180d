"""refgrad.nn.modules.attention: mirrors torch.nn.modules.attention."""
from __future__ import annotations

__all__: list[str] = []
