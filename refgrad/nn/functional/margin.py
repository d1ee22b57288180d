"""Margin and ranking losses (torch.nn.functional)."""
from __future__ import annotations
