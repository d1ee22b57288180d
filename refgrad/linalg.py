"""refgrad.linalg: mirrors torch.linalg for the functions refgrad implements."""
from __future__ import annotations

__all__: list[str] = []
