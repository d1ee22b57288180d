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
         for c in s.checks for d in CHECK_DTYPES[c]]


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
    pytest.importorskip("xdist")
    proc = run_pytest(*NODES, "-n", "2", "--report-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert not list(tmp_path.glob(".records-*"))  # the workers' parts were merged and removed
    assert (tmp_path / "records.csv").read_bytes() == (serial / "records.csv").read_bytes()
    assert (tmp_path / "summary.csv").read_bytes() == (serial / "summary.csv").read_bytes()
    assert json.loads((tmp_path / "run.json").read_text())["workers"] == 2


def test_interrupted_run_keeps_its_records(tmp_path):
    """Ctrl-C mid-run: the rows so far end up in records.csv and the report is built from them."""
    proc = subprocess.Popen([sys.executable, "-m", "pytest", "-q", "tests/test_ops.py", "--report-dir", str(tmp_path)],
                            cwd=ROOT, env=_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    part = tmp_path / ".records-main.csv.part"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None:
        if part.exists() and part.read_text().count("\n") >= 3:
            break
        time.sleep(0.05)
    interrupted = proc.poll() is None
    if interrupted:
        proc.send_signal(signal.SIGINT)
    out, _ = proc.communicate(timeout=120)
    assert not list(tmp_path.glob(".records-*")), out
    records = pd.read_csv(tmp_path / "records.csv", keep_default_na=False)
    assert len(records) >= 2, out
    summary = pd.read_csv(tmp_path / "summary.csv", keep_default_na=False)
    assert summary.n_cases.sum() == len(records)
    assert (tmp_path / "index.html").exists()
    if interrupted:
        assert proc.returncode == 2, out  # pytest's "interrupted"
        assert json.loads((tmp_path / "run.json").read_text())["exit"] == "INTERRUPTED"
