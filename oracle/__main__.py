"""python -m oracle COMMAND (``python -m oracle --help`` lists them).

coverage: lists public refgrad ops without an OpSpec, nn modules without a ModuleSpec, nn.init initializers without
an InitSpec, optimizers without an OptimizerSpec and schedulers without a SchedulerSpec; exits 1 if any."""
from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass

from . import extras


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


# containers hold no math of their own: tests/test_module.py checks them with the Module system
CONTAINERS = {"Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"}


def module_targets() -> set:
    """The public module classes of refgrad.nn, less the containers."""
    from refgrad.nn import modules

    return set(modules.__all__) - CONTAINERS


def initializer_targets() -> set:
    """The public initializers of refgrad.nn.init (deprecated aliases and the fan helpers excluded)."""
    from refgrad.nn import init

    return {name for name in getattr(init, "INITIALIZERS", ())}


def _report(kind: str, needed: set, covered: set, known: set) -> bool:
    missing, unknown = sorted(needed - covered), sorted(covered - known)
    print(f"{len(needed)} {kind}, {len(needed & covered)} with a spec, {len(missing)} without.")
    for name in missing:
        print(f"  no spec: {name}")
    for name in unknown:
        print(f"  spec for {name}, which refgrad does not declare")
    return bool(missing or unknown)


def coverage() -> int:
    from .specs import all_specs
    from .specs.modules import all_module_specs

    needed, known = spec_targets()
    failed = _report("public ops", needed, {s.op for s in all_specs()}, known)
    modules = module_targets()
    failed |= _report("nn modules", modules, {s.name for s in all_module_specs()}, modules)
    try:
        from .specs.init import all_init_specs
    except ImportError:  # no InitSpec registry yet: every initializer is listed as without a spec
        covered = set()
    else:
        covered = {s.name for s in all_init_specs()}
    initializers = initializer_targets()
    failed |= _report("nn.init initializers", initializers, covered, initializers)
    from .specs.optim import all_optimizer_specs, all_scheduler_specs

    optimizers, schedulers = optimizer_targets()
    failed |= _report("optimizers", optimizers, {s.name for s in all_optimizer_specs()}, optimizers)
    failed |= _report("lr schedulers", schedulers, {s.name for s in all_scheduler_specs()}, schedulers)
    return 1 if failed else 0


def optimizer_targets() -> tuple[set, set]:
    """The public optimizers and schedulers of refgrad.optim (the bases excluded: tests/test_optim_base.py)."""
    from refgrad import optim

    return set(optim.__all__) - {"Optimizer"}, set(optim.lr_scheduler.__all__) - {"LRScheduler"}


@dataclass(frozen=True)
class Command:
    help: str
    needs: tuple  # modules beyond NumPy (checked before running, to say what to install)
    run: Callable[[argparse.Namespace], int]
    arguments: Callable[[argparse.ArgumentParser], None] | None = None  # adds the command's own arguments


COMMANDS = {
    "coverage": Command("list the public refgrad ops, modules, initializers, optimizers and schedulers without a "
                        "spec; exit 1 if any", extras.CHECKS, lambda args: coverage()),
}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m oracle", description="refgrad's oracle: commands.")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, command in COMMANDS.items():
        command_parser = sub.add_parser(name, help=command.help, description=command.help)
        if command.arguments:
            command.arguments(command_parser)
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    command = COMMANDS[args.command]
    extras.exit_if_missing(f"python -m oracle {args.command}", command.needs)
    return command.run(args)


if __name__ == "__main__":
    sys.exit(main())
