"""refgrad.nn.utils.clip_grad: mirrors torch.nn.utils.clip_grad."""
from __future__ import annotations

__all__: list[str] = []
