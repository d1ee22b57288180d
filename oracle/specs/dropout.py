"""Specs for refgrad/nn/functional/dropout.py."""
from __future__ import annotations

SPECS = []
