"""ModuleSpecs of refgrad.nn.modules.attention."""
from __future__ import annotations

MODULE_SPECS: list = []
ERRORS: dict = {}
KNOWN_FAILURES: dict = {}
