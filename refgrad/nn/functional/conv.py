"""Convolution functions (torch.nn.functional): conv1d, conv2d, conv_transpose1d, conv_transpose2d, unfold, fold."""
from __future__ import annotations
