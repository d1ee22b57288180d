"""Specs for refgrad/nn/functional/margin.py."""
from __future__ import annotations

SPECS = []
