"""Specs for refgrad/nn/functional/vision.py."""
from __future__ import annotations

SPECS = []
