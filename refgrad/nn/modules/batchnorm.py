"""refgrad.nn.modules.batchnorm: mirrors torch.nn.modules.batchnorm."""
from __future__ import annotations

__all__: list[str] = []
