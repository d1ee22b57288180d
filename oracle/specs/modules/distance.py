"""ModuleSpecs of refgrad.nn.modules.distance."""
from __future__ import annotations

MODULE_SPECS: list = []
ERRORS: dict = {}
KNOWN_FAILURES: dict = {}
