"""Specs for refgrad/nn/functional/sparse.py."""
from __future__ import annotations

SPECS = []
