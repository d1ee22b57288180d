"""Specs for refgrad/nn/functional/normalization.py."""
from __future__ import annotations

SPECS = []
