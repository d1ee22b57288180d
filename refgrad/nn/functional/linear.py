"""Linear functions (torch.nn.functional): linear, bilinear."""
from __future__ import annotations
