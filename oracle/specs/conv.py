"""Specs for refgrad/nn/functional/conv.py."""
from __future__ import annotations

SPECS = []
