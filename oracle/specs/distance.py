"""Specs for refgrad/nn/functional/distance.py."""
from __future__ import annotations

SPECS = []
