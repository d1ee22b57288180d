"""Sparse functions (torch.nn.functional): embedding, embedding_bag."""
from __future__ import annotations
