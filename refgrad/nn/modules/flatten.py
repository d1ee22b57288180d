"""refgrad.nn.modules.flatten: mirrors torch.nn.modules.flatten."""
from __future__ import annotations

__all__: list[str] = []
