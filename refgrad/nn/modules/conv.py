"""refgrad.nn.modules.conv: mirrors torch.nn.modules.conv."""
from __future__ import annotations

__all__: list[str] = []
