"""The module spec registry: every ``oracle/specs/modules/<family>.py`` (named as refgrad/nn/modules/<family>.py)
lists its ModuleSpecs in ``MODULE_SPECS``; may map module names to their bad configurations and calls in ``ERRORS``
({name: (ModuleErrorCase, ...)}, each to the name's first spec); and lists the checks that fail because refgrad is
wrong in ``KNOWN_FAILURES`` ({spec id: {check or (check, dtype): reason}}), run as strict xfails."""
from __future__ import annotations

import importlib
import pkgutil

from ...module_spec import ModuleSpec


def all_module_specs() -> list[ModuleSpec]:
    specs = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        family = importlib.import_module(f"{__name__}.{info.name}")
        own = list(family.MODULE_SPECS)
        for spec in own:
            spec.family = spec.family or f"modules.{info.name}"
        for name, cases in getattr(family, "ERRORS", {}).items():
            owner = next((s for s in own if s.name == name), None)
            if owner is None:
                raise ValueError(f"oracle/specs/modules/{info.name}.py: ERRORS names {name!r}, which has no spec there")
            owner.error_cases = tuple(cases)
            owner.__post_init__()
        for spec_id, failures in getattr(family, "KNOWN_FAILURES", {}).items():
            owner = next((s for s in own if s.id == spec_id), None)
            if owner is None:
                raise ValueError(f"oracle/specs/modules/{info.name}.py: KNOWN_FAILURES names {spec_id!r}: no spec")
            owner.known_failures = {**owner.known_failures, **failures}
            owner.__post_init__()
            for key in failures:
                check, which = key if isinstance(key, tuple) else (key, None)
                if check == "error" and which not in {e.id for e in owner.error_cases}:
                    raise ValueError(f"{spec_id}: KNOWN_FAILURES names error case {which!r}, which it does not have")
                if check != "error" and check not in owner.checks:
                    raise ValueError(f"{spec_id}: KNOWN_FAILURES names check {check!r}, which it does not run")
        specs += own
    ids = [s.id for s in specs]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate module spec ids: {sorted(duplicates)}")
    return specs
