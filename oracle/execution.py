"""One check execution, as every harness runs it: call the check, stamp its Records with the Hypothesis phase, write
them to the sink, and turn a check that raises into a failing Record (status "error") written *before* the
exception propagates, so a crash shows in the report as a failing row, never as a missing one.

The phase says whether a Record comes from an example Hypothesis generated (or reused from its database) or from
one it tried while shrinking a failure, so that a summary can count examples apart from shrink attempts. Hypothesis
exposes the phase only to its observability callbacks, and enabling those turns on coverage tracing for every test;
so ``hypothesis_phase`` reads it where Hypothesis's own observability code does, from the engine running the test
(``ConjectureRunner._current_phase``), found on the call stack. Should a Hypothesis upgrade move it, the phase reads
"" (unknown) and the report counts those Records as it did before phases existed.
"""
from __future__ import annotations

import sys
from collections.abc import Callable

from hypothesis import currently_in_test_context
from hypothesis.errors import UnsatisfiedAssumption

from .records import Record, error_record


def hypothesis_phase() -> str:
    """The phase of the Hypothesis example running now: "explicit" (an @example), "reuse" (replayed from the
    database), "generate", "target", "shrink", "explain" (inside shrinking), "final" (the replay of the minimal
    failing example that Hypothesis reports), or "" outside a Hypothesis test or when it cannot tell."""
    if not currently_in_test_context():
        return ""
    from hypothesis.control import current_build_context

    try:
        from hypothesis.internal.conjecture.engine import ConjectureRunner
    except ImportError:  # pragma: no cover (a Hypothesis that moved its engine: phase unknown)
        ConjectureRunner = None  # noqa: N806
    frame = sys._getframe(1)
    while frame is not None:
        code = frame.f_code
        if code.co_name == "execute_explicit_examples":
            return "explicit"
        # only a method's frame can hold the runner as ``self`` (reading f_locals copies a frame's locals)
        runner = frame.f_locals.get("self") if code.co_argcount and code.co_varnames[0] == "self" else None
        if ConjectureRunner is not None and isinstance(runner, ConjectureRunner):
            phase = getattr(runner, "_current_phase", "")
            return phase if isinstance(phase, str) and not phase.startswith("(") else ""
        frame = frame.f_back
    # outside the engine: the replay of the shrunk failing example, after the engine finished
    return "final" if current_build_context().is_final else ""


def _describe(case, what: str, *args) -> str:
    """case.shapes() / params() / example(), or "" when the case lacks it or describing it raises (the Record of a
    crash must still be written)."""
    try:
        return str(getattr(case, what)(*args))
    except Exception:  # noqa: BLE001
        return ""


def run_check(sink, check: Callable, spec, case, dtype: str, *args, check_name: str) -> list[Record]:
    """``check(spec, case, dtype, *args)`` (one Record or a list), its Records stamped with the Hypothesis phase
    and written to ``sink``; returned for the caller's assertion. Should the check raise, an error Record naming the
    exception (``oracle.records.error_record``; op and family from the spec, ``check_name``, dtype, the case's
    shapes, params and example, the seed ``args[0]``) is written first, then the exception propagates, so the test
    still fails with its traceback. Hypothesis's ``assume`` passes through untouched (an invalid example, not a
    crash)."""
    phase = hypothesis_phase()
    try:
        result = check(spec, case, dtype, *args)
    except UnsatisfiedAssumption:
        raise
    except Exception as exc:
        record = error_record(exc, op=spec.id, family=spec.family, check=check_name, dtype=dtype,
                              shapes=_describe(case, "shapes"), params=_describe(case, "params"),
                              seed="" if not args or args[0] is None else str(args[0]),
                              example=_describe(case, "example"))
        record.phase = phase
        sink.write([record])
        raise
    records = [result] if isinstance(result, Record) else list(result)
    for r in records:
        r.phase = r.phase or phase
    sink.write(records)
    return records
