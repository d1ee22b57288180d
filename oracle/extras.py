"""The test extras: refgrad itself needs only NumPy; the oracle's tools need more (``pip install "refgrad[test]"``).
A command whose extras are missing says so in one line instead of failing with an import traceback."""
from __future__ import annotations

import importlib.util
import sys

INSTALL = 'pip install "refgrad[test]"'
REPORT = ("pandas", "jinja2")  # the error report (refgrad-report, pytest --report-dir)
CHECKS = ("hypothesis", "torch")  # the checks against torch, on Hypothesis cases


def missing(modules) -> list[str]:
    """The modules of ``modules`` that cannot be imported here (looked up without importing them)."""
    return [name for name in modules if importlib.util.find_spec(name) is None]


def missing_message(what: str, modules) -> str:
    """One line saying what ``what`` needs and how to install it; "" when nothing is missing."""
    absent = missing(modules)
    if not absent:
        return ""
    return f"{what} needs {' and '.join(absent)}, which {'is' if len(absent) == 1 else 'are'} not installed: {INSTALL}"


def exit_if_missing(what: str, modules, status: int = 2) -> None:
    """For command-line entry points: print the one line on stderr and exit with ``status`` if modules are missing."""
    message = missing_message(what, modules)
    if message:
        print(message, file=sys.stderr)
        raise SystemExit(status)
