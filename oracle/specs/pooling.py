"""Specs for refgrad/nn/functional/pooling.py."""
from __future__ import annotations

SPECS = []
