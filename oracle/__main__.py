"""python -m oracle coverage: lists public refgrad ops that have no OpSpec; exits 1 if any."""
from __future__ import annotations

import sys


def spec_targets() -> tuple[set, set]:
    """(names that need a spec of their own, every name a spec may target), from refgrad's declarations.

    An op's canonical name needs a spec (an op: a declaration of refgrad.ops or refgrad.nn.functional; factories and
    generators are tested in tests/); its aliases, its other placements and its plain method and in-place forms
    are checked through that spec by the derived variant checks. A method that is a function of its own
    (``x.where(cond, y)``) needs its own spec, under "Tensor.<name>"."""
    import refgrad

    needed, known = set(), set()
    for d in refgrad.registry.declarations():
        if not d.module.startswith(("refgrad.ops.", "refgrad.nn.functional.")):
            continue
        needed.add(d.qualified)
        known.update(d.placements())
        if callable(d.method):
            needed.add(f"Tensor.{d.name}")
    return needed, known | needed


def coverage() -> int:
    from .specs import all_specs

    needed, known = spec_targets()
    covered = {s.op for s in all_specs()}
    missing = sorted(needed - covered)
    unknown = sorted(covered - known)
    print(f"{len(needed)} public ops, {len(needed & covered)} with a spec, {len(missing)} without.")
    for name in missing:
        print(f"  no spec: {name}")
    for name in unknown:
        print(f"  spec for an op refgrad does not declare: {name}")
    return 1 if missing or unknown else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["coverage"]:
        return coverage()
    print("usage: python -m oracle coverage", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
