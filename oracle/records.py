"""Record: one row per check execution; sinks that keep them."""
from __future__ import annotations

import csv
import dataclasses
import os
from dataclasses import dataclass, field

FIELDS = ("op", "family", "check", "dtype", "shapes", "params", "n_elements", "max_abs_err", "max_rel_err",
          "max_ulp", "rtol", "atol", "passed", "seed", "example", "note")


@dataclass
class Record:
    op: str
    family: str
    check: str
    dtype: str
    shapes: str
    params: str
    n_elements: int
    max_abs_err: float
    max_rel_err: float
    max_ulp: float
    rtol: float
    atol: float
    passed: bool
    seed: str = ""
    example: str = ""
    note: str = ""

    def as_row(self) -> dict:
        return dataclasses.asdict(self)


@dataclass
class MemorySink:
    """Keeps records in a list (what the tests and the report's unit tests use)."""

    records: list = field(default_factory=list)

    def write(self, records) -> None:
        self.records.extend(records)

    def close(self) -> None:
        pass


class CsvSink:
    """Appends records to a CSV as they come, flushing each batch, so an interrupted run keeps its rows."""

    def __init__(self, path: str):
        self.path = path
        new = not os.path.exists(path) or os.path.getsize(path) == 0
        self._fh = open(path, "a", newline="")
        self._writer = csv.DictWriter(self._fh, fieldnames=FIELDS)
        if new:
            self._writer.writeheader()
            self._fh.flush()

    def write(self, records) -> None:
        for r in records:
            self._writer.writerow(r.as_row())
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()
