"""refgrad-report's entry point (also ``python -m oracle.report``): says in one line what to install when the
report's dependencies are missing, then runs oracle.report.cli."""
from __future__ import annotations

import sys

from ..extras import REPORT, exit_if_missing


def main(argv=None) -> int:
    exit_if_missing("refgrad-report", REPORT)
    from .cli import main as cli_main

    return cli_main(argv)


if __name__ == "__main__":
    sys.exit(main())
