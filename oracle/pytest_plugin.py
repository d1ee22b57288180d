"""pytest plugin (registered through the pytest11 entry point, so it loads in every pytest run of an environment
with refgrad installed): the ``oracle_records`` fixture, the Records sink, and ``--report-dir DIR`` to keep the
Records of a run and build the error report from them.

It stays out of the way of projects that do not use it: at load it imports nothing beyond pytest and the standard
library, sets no Hypothesis profile and imports no module of refgrad or oracle; the sink, the report and their
dependencies load when a test asks for ``oracle_records`` or the run is given ``--report-dir``. (refgrad's own
suite loads its Hypothesis profiles and imports its modules up front in tests/conftest.py; oracle.profiles says
how a user opts in to the profiles.)

With ``--report-dir DIR`` every process (the only one, or each pytest-xdist worker) appends its Records to its
own ``DIR/.records-<worker>.csv.part`` as they come, flushed after each check, so a crash or Ctrl-C keeps the
rows so far. Each Record's ``test`` field is stamped with the node id of the test that wrote it. At the end of the
session the controlling process merges the parts into ``DIR/records.csv`` (rows sorted deterministically, so a
parallel run's file equals a serial run's), writes ``DIR/run.json`` (versions, Hypothesis profile, date, exit
status, the report's title and intro) and builds ``DIR/summary.csv`` and ``DIR/index.html``; each file is
written to a temporary name and moved into place. Should a run die before that, ``refgrad-report build DIR``
builds the report from the parts it left.
"""
from __future__ import annotations

import glob
import os
import time

import pytest

PART_GLOB = ".records-*.csv.part"
DEFAULT_TITLE = "refgrad vs PyTorch"
_report_key = pytest.StashKey[dict]()
_current_test_key = pytest.StashKey[str]()


def pytest_addoption(parser):
    group = parser.getgroup("oracle")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="write the Records of this run (records.csv) and the report (summary.csv, index.html) to DIR")
    group.addoption("--report-title", default=None, metavar="TEXT",
                    help=f'the report\'s title (default: ini oracle_report_title, else "{DEFAULT_TITLE}")')
    group.addoption("--report-intro", default=None, metavar="TEXT",
                    help="a paragraph under the report's title (default: ini oracle_report_intro)")
    parser.addini("oracle_report_title", f'the title of the --report-dir report (default "{DEFAULT_TITLE}")',
                  default=DEFAULT_TITLE)
    parser.addini("oracle_report_intro", "a paragraph under the title of the --report-dir report", default="")


def _is_worker(config) -> bool:
    return hasattr(config, "workerinput")


def pytest_configure(config):
    report_dir = config.getoption("report_dir")
    if report_dir and not _is_worker(config):
        from .extras import REPORT, missing_message

        problem = missing_message("--report-dir", REPORT)
        if problem:
            raise pytest.UsageError(problem)
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


def report_text(config) -> dict:
    """The report's title and intro: the command line's, else the ini file's, else the defaults."""
    return {"title": config.getoption("report_title") or config.getini("oracle_report_title") or DEFAULT_TITLE,
            "intro": config.getoption("report_intro") or config.getini("oracle_report_intro") or ""}


# A Ctrl-C seen by this process. pytest's own report of it can raise (seen: a KeyboardInterrupt landing in a frame
# with no line number makes its traceback formatting fail with a TypeError) before it sets the session's exit
# status, which then still reads OK: the report must not call such a run OK.
_interrupt = {"seen": False}


@pytest.hookimpl(wrapper=True)
def pytest_keyboard_interrupt(excinfo):
    if excinfo.errisinstance(KeyboardInterrupt):
        _interrupt["seen"] = True
    return (yield)


def pytest_sessionstart(session):
    _interrupt["seen"] = False


def pytest_sessionfinish(session, exitstatus):
    config = session.config
    state = config.stash.get(_report_key, None)
    if state is None or _is_worker(config):
        return
    if _interrupt["seen"] and exitstatus == pytest.ExitCode.OK:
        exitstatus = pytest.ExitCode.INTERRUPTED
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
                        exit_status=int(exitstatus), exit=exit_name(exitstatus), **report_text(config))
    meta.write(report_dir, info)
    summary = build(records_csv, report_dir, meta=info, progress=False)
    failing = int((~summary["passed"].astype(bool)).sum()) if len(summary) else 0
    state["result"] = (f"error report: {n} records, {len(summary)} op/check/dtype rows ({failing} failing) -> "
                       f"{os.path.join(report_dir, 'index.html')}")


def exit_name(status) -> str:
    """pytest's name of an exit status ("OK", "TESTS_FAILED", "INTERRUPTED", ...); the number for others."""
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
    (a thorough run makes hundreds of thousands: holding them would cost hundreds of MB for nothing). Each
    Record without a ``test`` gets the node id of the test running when it is written."""

    def __init__(self, config):
        self.config, self.csv, self.count = config, None, 0
        self.failing_tests = set()  # node ids that wrote a failing Record
        report_dir = config.getoption("report_dir")
        if _is_worker(config):
            report_dir = config.workerinput.get("oracle_report_dir", report_dir)
        if report_dir:
            from .records import CsvSink

            os.makedirs(report_dir, exist_ok=True)
            worker = config.workerinput["workerid"] if _is_worker(config) else "main"
            self.csv = CsvSink(os.path.join(report_dir, f".records-{worker}.csv.part"))

    def write(self, records) -> None:
        records = list(records)
        test = self.config.stash.get(_current_test_key, "")
        for record in records:
            if not record.test:
                record.test = test
            if not record.passed:
                self.failing_tests.add(record.test)
        self.count += len(records)
        if self.csv:
            self.csv.write(records)


@pytest.fixture(scope="session")
def oracle_records(request):
    sink = _Sink(request.config)
    yield sink
    if sink.csv:
        sink.csv.close()


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A failure must show in the report too: a test that writes Records and fails without having written a
    failing one (it failed outside its checks: a strategy raising while drawing, a broken fixture, a harness
    assertion) gets an error Record naming the exception, its op, check and dtype taken from the test's parameters
    (``spec``, ``check``, ``dtype``, or a ``job`` with them) where it has them, else its node id."""
    outcome = yield
    report = outcome.get_result()
    sink = getattr(item, "funcargs", {}).get("oracle_records")
    if call.when != "call" or not report.failed or sink is None or item.nodeid in sink.failing_tests:
        return
    from .records import error_record

    params = getattr(getattr(item, "callspec", None), "params", {})
    job = params.get("job")
    spec = params.get("spec")
    exc = call.excinfo.value if call.excinfo is not None else RuntimeError(report.longreprtext[-300:])
    sink.write([error_record(exc, op=str(getattr(spec, "id", None) or getattr(job, "id", None) or item.nodeid),
                             family=str(getattr(spec, "family", "") or "unattributed"),
                             check=str(params.get("check") or getattr(job, "check", "") or item.originalname),
                             dtype=str(params.get("dtype") or getattr(job, "dtype", "") or ""))])


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_protocol(item, nextitem):
    """Keeps the node id of the running test (its setup, call and teardown) for the sink to stamp Records with."""
    item.config.stash[_current_test_key] = item.nodeid
    yield
    item.config.stash[_current_test_key] = ""


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    """Hypothesis's pytest plugin re-wraps a parametrized test's settings for every item, each time around the
    previous item's, so with ~2000 parametrizations of tests/test_ops.py::test_op the chain of settings grows
    until a serial run hits a RecursionError. Give each item the settings the function was defined with."""
    obj = getattr(item, "obj", None)  # doctests and other plugins' items have none
    fn = getattr(obj, "__func__", obj)
    if hasattr(fn, "_hypothesis_internal_use_settings"):
        base = fn.__dict__.setdefault("_oracle_base_settings", fn._hypothesis_internal_use_settings)
        fn._hypothesis_internal_use_settings = base
    yield
