"""pytest plugin (registered through the pytest11 entry point): Hypothesis profiles, the Records sink, and
``--report-dir`` to keep the Records of a run."""
from __future__ import annotations

import os

import pytest
from hypothesis import HealthCheck, settings

from .records import CsvSink, MemorySink

_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much,
            HealthCheck.function_scoped_fixture]
# ci: deterministic and bounded (the whole suite in about ten minutes on 2 cores)
settings.register_profile("ci", max_examples=8, derandomize=True, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_OK, database=None)
settings.register_profile("dev", max_examples=25, deadline=None, print_blob=True, suppress_health_check=_SLOW_OK)
settings.register_profile("thorough", max_examples=300, deadline=None, print_blob=True,
                          suppress_health_check=_SLOW_OK)


def pytest_addoption(parser):
    group = parser.getgroup("oracle")
    group.addoption("--report-dir", default=None, metavar="DIR",
                    help="write the Records of this run (records.csv) and the report (summary.csv, index.html) to DIR")


def pytest_configure(config):
    if not config.getoption("hypothesis_profile", None):
        settings.load_profile("ci")


class _Sink:
    """Keeps every Record in memory and, with --report-dir, appends them to this process's CSV as they come."""

    def __init__(self, config):
        self.memory = MemorySink()
        self.csv = None
        report_dir = config.getoption("report_dir")
        if report_dir:
            os.makedirs(report_dir, exist_ok=True)
            worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
            self.csv = CsvSink(os.path.join(report_dir, f".records-{worker}.csv.part"))

    def write(self, records):
        self.memory.write(records)
        if self.csv:
            self.csv.write(records)

    @property
    def records(self):
        return self.memory.records


@pytest.fixture(scope="session")
def oracle_records(request):
    sink = _Sink(request.config)
    yield sink
    if sink.csv:
        sink.csv.close()
