"""refgrad.nn.modules.instancenorm: mirrors torch.nn.modules.instancenorm."""
from __future__ import annotations

__all__: list[str] = []
