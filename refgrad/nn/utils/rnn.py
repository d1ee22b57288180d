"""refgrad.nn.utils.rnn: mirrors torch.nn.utils.rnn."""
from __future__ import annotations

__all__: list[str] = []
