"""End to end: pytest --report-dir on a small selection of the harness, serially and under pytest-xdist, and
interrupted with Ctrl-C (SIGINT)."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

from oracle.records import FIELDS
from oracle.spec import CHECK_DTYPES
from oracle.specs import all_specs

ROOT = Path(__file__).resolve().parent.parent
OPS = ("exp", "add")
NODES = [f"tests/test_ops.py::test_op[{s.id}-{c}-{d}]" for s in all_specs() if s.id in OPS
         for c in s.all_checks() for d in CHECK_DTYPES[c]]


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS_"))}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return env


def run_pytest(*args, timeout=600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", *args], check=False, cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=timeout)


@pytest.fixture(scope="module")
def serial(tmp_path_factory):
    out = tmp_path_factory.mktemp("serial")
    proc = run_pytest(*NODES, "--report-dir", str(out))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "error report:" in proc.stdout
    return out


def test_report_dir_writes_records_summary_and_page(serial):
    assert len(NODES) >= 10
    assert sorted(p.name for p in serial.iterdir()) == ["index.html", "records.csv", "run.json", "summary.csv"]
    records = pd.read_csv(serial / "records.csv", keep_default_na=False)
    assert list(records.columns) == list(FIELDS)
    assert set(records.op) == set(OPS)
    summary = pd.read_csv(serial / "summary.csv", keep_default_na=False)
    expected = {(n.split("[")[1].split("-")[0], *n.rstrip("]").split("-")[-2:]) for n in NODES}
    expected |= {(op, "jvp_adjoint", "float64") for op, c, d in expected if c == "jvp"}
    assert set(zip(summary.op, summary.check, summary.dtype)) == expected
    assert summary.n_cases.sum() == len(records)
    assert summary.passed.all() and (summary.headroom >= 1).all()
    for key, group in records.groupby(["op", "check", "dtype"]):
        row = summary.set_index(["op", "check", "dtype"]).loc[key]
        assert row.max_rel_err == group.max_rel_err.max() and row.n_cases == len(group)
    page = (serial / "index.html").read_text()
    assert f'data-rows="{len(summary)}"' in page
    meta = json.loads((serial / "run.json").read_text())
    assert meta["hypothesis_profile"] == "ci" and meta["max_examples"] == 8 and meta["n_records"] == len(records)
    assert {"refgrad", "numpy", "torch", "python", "date"} <= set(meta)


def test_xdist_run_equals_serial_run(serial, tmp_path):
    """Two workers, and the same tests chosen by -k among more collected modules (test_report.py imports
    oracle.report): the same records, byte for byte."""
    pytest.importorskip("xdist")
    selection = " or ".join(f"[{op}-" for op in OPS)
    proc = run_pytest("tests/test_ops.py", "tests/test_report.py", "-k", selection, "-n", "2", "--report-dir",
                      str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not list(tmp_path.glob(".records-*"))  # the workers' parts were merged and removed
    assert (tmp_path / "records.csv").read_bytes() == (serial / "records.csv").read_bytes()
    assert (tmp_path / "summary.csv").read_bytes() == (serial / "summary.csv").read_bytes()
    assert json.loads((tmp_path / "run.json").read_text())["workers"] == 2


_WITH_SIGINT = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                "sys.argv[0] = 'pytest'; runpy.run_module('pytest', run_name='__main__')")


def test_interrupted_run_keeps_its_records(tmp_path):
    """Ctrl-C mid-run: the rows so far end up in records.csv and the report is built from them."""
    report, log = tmp_path / "report", tmp_path / "log.txt"
    with open(log, "w") as fh:
        # Ctrl-C raises KeyboardInterrupt even where this process was started with SIGINT ignored (background jobs)
        proc = subprocess.Popen([sys.executable, "-c", _WITH_SIGINT, "-q", "tests/test_ops.py", "--report-dir",
                                 str(report)], cwd=ROOT, env=_env(), stdout=fh, stderr=subprocess.STDOUT)
    part = report / ".records-main.csv.part"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if part.exists() and part.read_text().count("\n") >= 3:
            break
        time.sleep(0.05)
    interrupted = proc.poll() is None
    if interrupted:
        # Python may swallow a KeyboardInterrupt raised inside a gc callback (Hypothesis installs one), as it would
        # a first Ctrl-C: press again while the part file keeps growing, i.e. while tests still run
        for _ in range(20):
            proc.send_signal(signal.SIGINT)
            lines = part.read_text().count("\n") if part.exists() else 0
            try:
                proc.wait(timeout=1.5)
                break
            except subprocess.TimeoutExpired:
                if not part.exists() or part.read_text().count("\n") <= lines + 2:
                    break  # no longer running tests: it is shutting down, leave it be
    proc.wait(timeout=120)
    out = log.read_text()
    assert not list(report.glob(".records-*")), out
    records = pd.read_csv(report / "records.csv", keep_default_na=False)
    assert len(records) >= 2, out
    summary = pd.read_csv(report / "summary.csv", keep_default_na=False)
    assert summary.n_cases.sum() == len(records)
    assert (report / "index.html").exists()
    exit_name = json.loads((report / "run.json").read_text())["exit"]
    if interrupted and proc.returncode != 0:  # 0: every Ctrl-C was swallowed and the run simply finished
        assert exit_name == "INTERRUPTED", out
        # pytest's "interrupted"; 1 where pytest's own report of the interrupt raised (its traceback formatting
        # fails on a frame with no line number, in the AST walk Hypothesis runs at a first draw)
        assert proc.returncode == 2 or (proc.returncode == 1 and "pytest_keyboard_interrupt" in out), out
        assert "KeyboardInterrupt" in out


def test_an_interrupt_whose_own_report_crashes_is_not_reported_ok(tmp_path):
    """pytest's report of a Ctrl-C can itself raise and leave the session's exit status at OK: the run's report
    still says INTERRUPTED (a conftest hook stands in for pytest's crash)."""
    (tmp_path / "conftest.py").write_text(
        "def pytest_keyboard_interrupt(excinfo):\n"
        "    raise TypeError('the interrupt report itself fails')\n")
    (tmp_path / "test_stop.py").write_text(
        "def test_stopped():\n    raise KeyboardInterrupt\n\n\ndef test_never_reached():\n    pass\n")
    report = tmp_path / "report"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path),
                           "--rootdir", str(tmp_path), "--report-dir", str(report)],
                          cwd=tmp_path, env=_env(), capture_output=True, text=True, timeout=120)
    out = proc.stdout + proc.stderr
    assert "the interrupt report itself fails" in out
    assert json.loads((report / "run.json").read_text())["exit"] == "INTERRUPTED", out
