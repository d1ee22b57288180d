"""python -m oracle coverage: lists public refgrad ops that have no OpSpec; exits 1 if any."""
from __future__ import annotations

import sys


def coverage() -> int:
    import refgrad
    from refgrad import linalg

    from .specs import all_specs

    public = set(refgrad.ops.qualified_public_functions()) | {"linalg." + n for n in linalg.__all__}
    covered = {s.op for s in all_specs()}
    missing = sorted(public - covered)
    unknown = sorted(covered - public)
    print(f"{len(public)} public ops, {len(public & covered)} with a spec, {len(missing)} without.")
    for name in missing:
        print(f"  no spec: {name}")
    for name in unknown:
        print(f"  spec for an op refgrad does not export: {name}")
    return 1 if missing or unknown else 0


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["coverage"]:
        return coverage()
    print("usage: python -m oracle coverage", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
