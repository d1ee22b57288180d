"""pytest plugin (registered through the pytest11 entry point): Hypothesis profiles, the Records sink, and
``--report-dir DIR`` to keep the Records of a run and build the error report from them.

With ``--report-dir DIR`` every process (the only one, or each pytest-xdist worker) appends its Records to its
own ``DIR/.records-<worker>.csv.part`` as they come, flushed after each check, so a crash or Ctrl-C keeps the
rows so far. At the end of the session the controlling process merges the parts into ``DIR/records.csv``
(rows sorted deterministically, so a parallel run's file equals a serial run's), writes ``DIR/run.json``
(versions, Hypothesis profile, date) and builds ``DIR/summary.csv`` and ``DIR/index.html``; each file is
written to a temporary name and moved into place. Should a run die before that, ``refgrad-report build DIR``
builds the report from the parts it left.
"""
from __future__ import annotations

import glob
import importlib
import os
import pkgutil
import time
import warnings

import pytest
from hypothesis import HealthCheck, settings

from .records import CsvSink

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture]
# ci: deterministic and bounded (the whole suite in about ten minutes on 2 cores)
settings.register_profile("ci", max_examples=8, derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_OK, database=None)
settings.register_profile("dev", max_examples=25, deadline=None, print_blob=True, suppress_health_check=_SLOW_OK)
settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_OK)

PART_GLOB = ".records-*.csv.part"
_report_key = pytest.StashKey[dict]()


def pytest_addoption(parser):
    group = parser.getgroup("oracle")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="write the Records of this run (records.csv) and the report (summary.csv, index.html) to DIR")


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def _import_local_packages(names=("refgrad", "oracle")) -> None:
    """Imports every module of refgrad and oracle up front.

    Hypothesis mixes constants found in the source of the *local* modules loaded so far (``sys.modules``) into
    the values it draws. Were some of them imported lazily, mid-run, the inputs a test gets would depend on which
    tests ran before it in the same process, and a pytest-xdist worker would generate other cases than a serial
    run (or a ``-k`` selection other cases than the full suite). With every module loaded before the first test,
    the cases depend only on the code."""
    for name in names:
        try:
            package = importlib.import_module(name)
            for info in pkgutil.walk_packages(package.__path__, name + "."):
                if info.name.rsplit(".", 1)[-1] != "__main__":
                    importlib.import_module(info.name)
        except Exception as e:  # noqa: BLE001 (a broken module fails the tests that use it; here only warn)
            warnings.warn(f"oracle: could not import every module of {name} up front ({e!r}); Hypothesis may "
                          f"then draw different cases in parallel and serial runs", stacklevel=1)


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ci")
    _import_local_packages()
    report_dir = config.getoption("report_dir")
    if report_dir and not _is_worker(config):
        # the controlling process, before any worker starts: parts of an earlier run in DIR must not be appended to
        os.makedirs(report_dir, exist_ok=True)
        for part in glob.glob(os.path.join(report_dir, PART_GLOB)):
            os.unlink(part)
        config.stash[_report_key] = {"dir": os.path.abspath(report_dir), "start": time.time(), "result": None}


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist, on the controller: tell each worker the report folder as an absolute path."""
    state = node.config.stash.get(_report_key, None)
    if state is not None:
        node.workerinput["oracle_report_dir"] = state["dir"]


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    state = config.stash.get(_report_key, None)
    if state is None or _is_worker(config):
        return
    from .records import merge_record_files
    from .report import build, meta

    report_dir = state["dir"]
    parts = sorted(glob.glob(os.path.join(report_dir, PART_GLOB)))
    records_csv = os.path.join(report_dir, "records.csv")
    n = merge_record_files(parts, records_csv)
    for part in parts:
        os.unlink(part)
    workers = config.getoption("numprocesses", None) if config.pluginmanager.hasplugin("xdist") else None
    info = meta.collect(args=[str(a) for a in config.invocation_params.args], workers=workers or None,
                        duration_s=round(time.time() - state["start"], 1), n_records=n,
                        exit=_exit_name(exitstatus))
    meta.write(report_dir, info)
    summary = build(records_csv, report_dir, meta=info, progress=False)
    failing = int((~summary["passed"].astype(bool)).sum()) if len(summary) else 0
    state["result"] = (f"error report: {n} records, {len(summary)} op/check/dtype rows ({failing} failing) -> "
                       f"{os.path.join(report_dir, 'index.html')}")


def _exit_name(status) -> str:
    if not int(status):
        return ""
    try:
        return pytest.ExitCode(int(status)).name
    except ValueError:
        return str(int(status))


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    state = config.stash.get(_report_key, None)
    if state and state.get("result"):
        terminalreporter.write_line(state["result"])


class _Sink:
    """With --report-dir, appends every Record to this process's CSV as it comes; without, counts them only
    (a thorough run makes hundreds of thousands: holding them would cost hundreds of MB for nothing)."""

    def __init__(self, config):
        self.csv, self.count = None, 0
        report_dir = config.getoption("report_dir")
        if _is_worker(config):
            report_dir = config.workerinput.get("oracle_report_dir", report_dir)
        if report_dir:
            os.makedirs(report_dir, exist_ok=True)
            worker = config.workerinput["workerid"] if _is_worker(config) else "main"
            self.csv = CsvSink(os.path.join(report_dir, f".records-{worker}.csv.part"))

    def write(self, records):
        self.count += len(records)
        if self.csv:
            self.csv.write(records)


@pytest.fixture(scope="session")
def oracle_records(request):
    sink = _Sink(request.config)
    yield sink
    if sink.csv:
        sink.csv.close()


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    """Hypothesis's pytest plugin re-wraps a parametrized test's settings for every item, each time around the
    previous item's, so with ~2000 parametrizations of tests/test_ops.py::test_op the chain of settings grows
    until a serial run hits a RecursionError. Give each item the settings the function was defined with."""
    fn = getattr(item.obj, "__func__", item.obj)
    if hasattr(fn, "_hypothesis_internal_use_settings"):
        base = fn.__dict__.setdefault("_oracle_base_settings", fn._hypothesis_internal_use_settings)
        fn._hypothesis_internal_use_settings = base
    yield
