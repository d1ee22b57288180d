"""Specs for refgrad/nn/functional/linear.py."""
from __future__ import annotations

SPECS = []
