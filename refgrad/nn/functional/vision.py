"""Vision functions (torch.nn.functional): pixel_shuffle, pixel_unshuffle."""
from __future__ import annotations
