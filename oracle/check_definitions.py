"""What each check compares, read from the one place it is written: the table at the top of the module that
implements the checks (oracle/checks.py for ops, module_checks.py, optim_checks.py, init_spec.py, user.py for
users' own functions). The report page and the README show these definitions; nothing here repeats them.

    definition("modules.conv", "forward")  # -> "every output tensor (nested tuples too), and every buffer ..."
    definitions()                          # -> {"ops": [CheckDefinition(...), ...], "modules": [...], ...}

The tables are read from the source files (``ast``), not by importing the modules, so that building a report needs
neither torch nor hypothesis.
"""
from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass

# group -> (title, the module whose docstring holds the table); in the order the page lists them
SOURCES = {
    "ops": ("Ops", "checks.py"),
    "modules": ("Modules", "module_checks.py"),
    "optim": ("Optimizers and schedules", "optim_checks.py"),
    "init": ("Initializers", "init_spec.py"),
    "user": ("Your functions", "user.py"),
}
FALLBACK = {"user": "ops"}  # users' twins are compared as refgrad's ops are (forward, vjp_torch): the ops' table


@dataclass(frozen=True)
class CheckDefinition:
    check: str  # the check's name as Records carry it ("" for a note row of the table, e.g. "(closure specs)")
    qualifier: str  # "schedules" in "resume (schedules)": which specs the row is about; "" for all
    compares: str  # what the check compares with what
    scope: str  # the table's third column: the dtypes (or, for initializers, which cases) it runs on
    also: tuple[str, ...] = ()  # checks the row defines too: "jvp (+ jvp_adjoint)"


def group_of(family: str) -> str:
    """The check table that defines a family's checks."""
    if family == "modules" or family.startswith("modules."):
        return "modules"
    if family == "optim" or family.startswith("optim."):
        return "optim"
    if family in ("init", "user"):
        return family
    return "ops"


def parse_table(doc: str) -> list[CheckDefinition]:
    """The first Markdown table of a docstring -> one CheckDefinition per row; a row whose first cell is empty
    continues the previous row's text."""
    rows: list[list[str]] = []
    lines = [line.strip() for line in doc.splitlines()]
    table = [line for line in lines if line.startswith("|")]
    for line in table[2:]:  # header and |---| rule first
        cells = [c.strip() for c in line.strip("|").split("|")]
        cells += [""] * (3 - len(cells))
        if cells[0] or not rows:
            rows.append(cells[:3])
        else:
            rows[-1] = [prev + (" " + more if more else "") for prev, more in zip(rows[-1], cells[:3])]
    out = []
    for name, compares, scope in rows:
        qualifier, also = "", ()
        if "(" in name and name.endswith(")"):
            name, qualifier = (p.strip() for p in name[:-1].split("(", 1))
            if qualifier.startswith("+"):
                qualifier, also = "", tuple(n.strip() for n in qualifier[1:].split(","))
        out.append(CheckDefinition(name, qualifier, " ".join(compares.split()), " ".join(scope.split()), also))
    return out


@functools.cache
def definitions() -> dict[str, list[CheckDefinition]]:
    """group -> the rows of its check table, in the table's order (no rows for a module this checkout lacks)."""
    folder = os.path.dirname(os.path.abspath(__file__))
    out = {}
    for group, (_, filename) in SOURCES.items():
        path = os.path.join(folder, filename)
        if not os.path.exists(path):
            out[group] = []
            continue
        with open(path, encoding="utf-8") as fh:
            doc = ast.get_docstring(ast.parse(fh.read())) or ""
        out[group] = parse_table(doc)
    return out


def entry(family: str, check: str) -> CheckDefinition | None:
    """The row of its check table that defines ``check`` for specs of ``family`` (None when the table does not
    name it). A check defined inside another row's text (jvp_adjoint, within jvp's) gets that row."""
    group = group_of(family)
    for rows in (definitions()[group], definitions().get(FALLBACK.get(group, ""), [])):
        named = [r for r in rows if r.check == check or check in r.also]
        if named:
            wanted = "schedules" if "lr_scheduler" in family else ""
            return next((r for r in named if r.qualifier == wanted), named[0])
        inside = next((r for r in rows if f"{check}:" in r.compares), None)
        if inside:
            return inside
    return None


def definition(family: str, check: str) -> str:
    """What ``check`` compares for specs of ``family``; "" when its table does not name the check."""
    found = entry(family, check)
    return found.compares if found else ""
