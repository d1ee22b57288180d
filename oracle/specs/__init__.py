"""The spec registry: every ``oracle/specs/<family>.py`` lists its OpSpecs in ``SPECS``, and may map op names to
their bad inputs in ``ERRORS`` ({op: (ErrorCase, ...)}): each op's error cases go to its first spec; and list the
checks that fail because refgrad is wrong in ``KNOWN_FAILURES`` ({spec id: {check or (check, dtype): reason}}),
which tests/test_ops.py runs as strict xfails: one visible list per family for the engineers fixing refgrad."""
from __future__ import annotations

import importlib
import pkgutil

from ..spec import OpSpec


def all_specs() -> list[OpSpec]:
    specs = []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_") or info.ispkg:  # packages hold other kinds of spec (modules/: ModuleSpecs)
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        for spec in module.SPECS:
            spec.family = spec.family or info.name
            specs.append(spec)
        for op, cases in getattr(module, "ERRORS", {}).items():
            owner = next((s for s in module.SPECS if s.op == op), None)
            if owner is None:
                raise ValueError(f"oracle/specs/{info.name}.py: ERRORS names {op!r}, which has no spec there")
            if not owner.error_cases:
                owner.error_cases = tuple(cases)
                owner.__post_init__()  # validates the ids
        for spec_id, failures in getattr(module, "KNOWN_FAILURES", {}).items():
            owner = next((s for s in module.SPECS if s.id == spec_id), None)
            if owner is None:
                raise ValueError(f"oracle/specs/{info.name}.py: KNOWN_FAILURES names {spec_id!r}, no spec there")
            owner.known_failures = {**owner.known_failures, **failures}
            owner.__post_init__()  # every entry says why
    for spec in specs:  # a known failure must name something that runs
        for key in spec.known_failures:
            check, which = key if isinstance(key, tuple) else (key, None)
            if check == "error" and which not in {e.id for e in spec.error_cases}:
                raise ValueError(f"{spec.id}: KNOWN_FAILURES names error case {which!r}, which it does not have")
            if check != "error" and check not in spec.all_checks():
                raise ValueError(f"{spec.id}: KNOWN_FAILURES names check {check!r}, which it does not run")
    ids = [s.id for s in specs]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate spec ids: {sorted(duplicates)}")
    return specs
