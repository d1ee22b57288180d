"""The optimizer and schedule spec registry: every ``oracle/specs/optim/<name>.py`` lists its OptimizerSpecs in
``OPTIMIZER_SPECS`` and its SchedulerSpecs in ``SCHEDULER_SPECS``; ``ERRORS`` maps a name to its bad
constructions ({name: (OptimizerErrorCase, ...)}, each to the name's first spec); ``KNOWN_FAILURES`` ({spec id:
{check or (check, dtype): reason}}) lists the checks that fail because refgrad is wrong, run as strict xfails."""
from __future__ import annotations

import importlib
import pkgutil


def _load() -> tuple[list, list]:
    optimizers, schedulers = [], []
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        family = importlib.import_module(f"{__name__}.{info.name}")
        own = list(getattr(family, "OPTIMIZER_SPECS", [])) + list(getattr(family, "SCHEDULER_SPECS", []))
        for name, cases in getattr(family, "ERRORS", {}).items():
            owner = next((s for s in own if s.name == name), None)
            if owner is None:
                raise ValueError(f"oracle/specs/optim/{info.name}.py: ERRORS names {name!r}, which has no spec there")
            owner.error_cases = tuple(cases)
        for spec_id, failures in getattr(family, "KNOWN_FAILURES", {}).items():
            owner = next((s for s in own if s.id == spec_id), None)
            if owner is None:
                raise ValueError(f"oracle/specs/optim/{info.name}.py: KNOWN_FAILURES names {spec_id!r}: no spec")
            owner.known_failures = {**owner.known_failures, **failures}
            owner.__post_init__()
        optimizers += getattr(family, "OPTIMIZER_SPECS", [])
        schedulers += getattr(family, "SCHEDULER_SPECS", [])
    ids = [s.id for s in optimizers + schedulers]
    duplicates = {i for i in ids if ids.count(i) > 1}
    if duplicates:
        raise ValueError(f"duplicate optimizer/scheduler spec ids: {sorted(duplicates)}")
    return optimizers, schedulers


def all_optimizer_specs() -> list:
    return _load()[0]


def all_scheduler_specs() -> list:
    return _load()[1]
