"""Specs for refgrad/nn/functional/attention.py."""
from __future__ import annotations

SPECS = []
