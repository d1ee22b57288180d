"""Record: one row per check execution; sinks that keep them."""
from __future__ import annotations

import csv
import dataclasses
import io
import os
import tempfile
from dataclasses import dataclass, field

FIELDS = ("op", "family", "check", "dtype", "shapes", "params", "n_elements", "max_abs_err", "max_rel_err",
          "max_ulp", "rtol", "atol", "passed", "seed", "example", "note", "status", "phase", "truth_rel_err",
          "torch_truth_rel_err", "test")
# columns added after the first snapshots: a records file without them reads with these values
LATER_FIELDS = {"status": "", "phase": "", "truth_rel_err": "", "torch_truth_rel_err": "", "test": ""}
# the phases of a Record made while Hypothesis shrank a failure, or replayed the minimal failing example it reports
# ("final"): the report counts these apart from the cases (oracle.report.aggregate)
SHRINK_PHASES = frozenset({"shrink", "explain", "final"})


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
    status: str = ""  # "passed", "failed", or "error" (the check raised; note holds the exception); "" derives it
    phase: str = ""  # the Hypothesis phase the example ran in ("generate", "shrink", ...), when known
    truth_rel_err: float = float("nan")  # float32 checks: refgrad's relative error against the float64 truth
    torch_truth_rel_err: float = float("nan")  # ... and torch's float32 relative error against the same truth
    test: str = ""  # the pytest node id that ran the check (stamped by the plugin's sink), to reproduce it

    def __post_init__(self):
        if not self.status:
            self.status = "passed" if self.passed else "failed"

    def as_row(self) -> dict:
        return dataclasses.asdict(self)


def error_record(exc: BaseException, *, op: str, family: str, check: str, dtype: str, shapes: str = "",
                 params: str = "", seed: str = "", example: str = "") -> Record:
    """The Record of a check that raised instead of comparing: failing, status "error", the exception in the note,
    errors infinite (nothing was compared, so nothing can be said to be close)."""
    inf = float("inf")
    return Record(op=op, family=family, check=check, dtype=dtype, shapes=shapes, params=params, n_elements=0,
                  max_abs_err=inf, max_rel_err=inf, max_ulp=inf, rtol=0.0, atol=0.0, passed=False, seed=str(seed),
                  example=example, note=f"{type(exc).__name__}: {exc}", status="error")


def describe(r: Record) -> str:
    """A failing Record as a test prints it: what ran (check, dtype, shapes, params, seed), the errors against the
    tolerance, the note, and the input values when small enough to reproduce."""
    return (f"{r.op} {r.check} {r.dtype}: shapes {r.shapes} params ({r.params}) seed {r.seed}\n"
            f"  max_abs_err {r.max_abs_err:.3e}  max_rel_err {r.max_rel_err:.3e}  max_ulp {r.max_ulp:.3g}  "
            f"(rtol {r.rtol:g}, atol {r.atol:g})  {r.note}\n  example: {r.example or '(large; see the case above)'}")


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
        self._fh = open(path, "a", newline="", encoding="utf-8")  # noqa: SIM115 (open across writes; close())
        self._writer = csv.DictWriter(self._fh, fieldnames=FIELDS, lineterminator="\n")
        if new:
            self._writer.writeheader()
            self._fh.flush()

    def write(self, records) -> None:
        for r in records:
            self._writer.writerow(r.as_row())
        self._fh.flush()

    def close(self) -> None:
        self._fh.close()


# ---- files: atomic replacement, merging the per-process parts of a run ---------------------------------------
def atomic_write(path: str, write) -> None:
    """Writes ``path`` through a temporary file in the same folder and ``os.replace``, so readers see either the
    old file or the complete new one. ``write(fh)`` fills the (text, newline="") file."""
    folder = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp", dir=folder)
    try:
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes it private; give it a new file's usual mode
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def read_rows(path: str) -> list[dict]:
    """The rows of a records CSV as dicts of strings. A last line cut short (a process killed mid-write) and
    rows with missing or extra fields are dropped."""
    with open(path, newline="", encoding="utf-8") as fh:
        text = fh.read()
    if text and not text.endswith("\n"):
        text = text[: text.rfind("\n") + 1]
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None:
        return []
    missing = [f for f in FIELDS if f not in reader.fieldnames and f not in LATER_FIELDS]
    if missing:
        raise ValueError(f"{path}: not a records file (missing columns {missing})")
    present = [f for f in FIELDS if f in reader.fieldnames]
    return [{f: row.get(f, LATER_FIELDS.get(f)) for f in FIELDS} for row in reader
            if None not in row and all(row.get(f) is not None for f in present)]


def row_sort_key(row: dict) -> tuple:
    """A total order on record rows that does not depend on which process wrote them."""
    return tuple(row[f] for f in ("family", "op", "check", "dtype", "seed", "shapes", "params", "example",
                                  "n_elements", "max_abs_err", "max_rel_err", "max_ulp", "rtol", "atol",
                                  "passed", "note"))


def merge_record_files(paths, dest: str) -> int:
    """Concatenates record CSVs (the per-worker parts of a run, or shards of a sweep), sorts the rows
    deterministically and writes ``dest`` atomically; the values are copied as text, unchanged. Returns the
    number of rows."""
    rows = [row for p in paths for row in read_rows(p)]
    rows.sort(key=row_sort_key)

    def write(fh):
        w = csv.DictWriter(fh, fieldnames=FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)

    atomic_write(dest, write)
    return len(rows)
