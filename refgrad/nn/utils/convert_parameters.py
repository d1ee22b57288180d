"""refgrad.nn.utils.convert_parameters: mirrors torch.nn.utils.convert_parameters."""
from __future__ import annotations

__all__: list[str] = []
