"""The spec registry: every ``oracle/specs/<family>.py`` lists its OpSpecs in ``SPECS``."""
from __future__ import annotations

import importlib
import pkgutil

from ..spec import OpSpec


def all_specs() -> list[OpSpec]:
    specs = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in module.SPECS:
            spec.family = spec.family or info.name
            specs.append(spec)
    ids = [s.id for s in specs]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate spec ids: {sorted(duplicates)}")
    return specs
