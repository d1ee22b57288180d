"""Failures must show: a check that raises becomes a failing Record (status "error") in every harness, written before
the test fails; the summary counts errors, and Hypothesis examples apart from shrink attempts; `refgrad-report diff`
reports rows that vanished. End to end: a planted crash in each harness, run by a sub-pytest with --report-dir."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from hypothesis import Phase, assume, example, given, settings
from hypothesis import strategies as st
from hypothesis.database import InMemoryExampleDatabase

from oracle.execution import hypothesis_phase, run_check
from oracle.records import CsvSink, MemorySink, Record, error_record
from oracle.report import records_frame, summarize
from oracle.report.cli import main as cli

ROOT = Path(__file__).resolve().parent.parent


def rec(op="exp", check="forward", rel_err=0.0, passed=True, phase="", **kw) -> Record:
    return Record(op=op, family="unary", check=check, dtype="float64", shapes="3", params="", n_elements=3,
                  max_abs_err=rel_err, max_rel_err=rel_err, max_ulp=0.0, rtol=1e-6, atol=1e-6, passed=passed,
                  phase=phase, **kw)


def crash(op="exp", check="forward", phase=""):
    r = error_record(RuntimeError("boom"), op=op, family="unary", check=check, dtype="float64", shapes="3", seed=5)
    r.phase = phase
    return r


def row(summary, op="exp", check="forward"):
    rows = summary[(summary.op == op) & (summary.check == check)]
    assert len(rows) == 1
    return rows.iloc[0]


# ---- the summary ---------------------------------------------------------------------------------------------------
def test_a_crash_fails_its_row_and_is_counted_as_an_error():
    s = summarize(records_frame([rec(rel_err=1e-9), rec(rel_err=2e-9), crash(), crash(check="jvp")]))
    r = row(s)
    assert not r.passed and (r.n_cases, r.n_failed, r.n_errors, r.n_shrink) == (3, 1, 1, 0)
    assert r.headroom == 0 and r.headroom_basis == "error"
    assert r.worst_note == "RuntimeError: boom" and r.worst_seed == "5"
    # a check that left nothing but its crash still has its row
    jvp = row(s, check="jvp")
    assert not jvp.passed and (jvp.n_cases, jvp.n_failed, jvp.n_errors) == (1, 1, 1)


def test_a_crash_is_the_worst_case_among_equal_headroom():
    mismatch = rec(rel_err=float("inf"), passed=False, note="NaN where torch has a number")
    s = summarize(records_frame([mismatch, crash(), rec(rel_err=1e-9)]))
    assert row(s).worst_note == "RuntimeError: boom"
    assert (row(s).n_failed, row(s).n_errors) == (2, 1)


def test_shrink_attempts_are_counted_apart_from_the_cases():
    generated = [rec(rel_err=e, phase="generate") for e in (1e-9, 2e-9, 3e-9)]
    failing = rec(rel_err=1e-3, passed=False, phase="generate")
    shrinking = [rec(rel_err=e, passed=False, phase="shrink") for e in (5e-3, 2e-3, 1e-8)]
    shrinking[-1].passed = True  # a shrink attempt that no longer fails
    final = rec(rel_err=2e-3, passed=False, phase="final", seed="3")
    r = row(summarize(records_frame([*generated, failing, *shrinking, final])))
    assert (r.n_cases, r.n_failed, r.n_errors, r.n_shrink) == (4, 1, 0, 4)
    assert not r.passed
    # statistics over the cases; maxima and the worst Record over all
    assert r.median_rel_err == pytest.approx(2.5e-9) and r.p99_rel_err == 1e-3
    assert r.max_rel_err == 5e-3 and r.headroom == pytest.approx(1e-6 / 5e-3)


def test_records_without_a_phase_count_as_cases():
    r = row(summarize(records_frame([rec(rel_err=1e-9), rec(rel_err=1e-3, passed=False)])))
    assert (r.n_cases, r.n_failed, r.n_errors, r.n_shrink) == (2, 1, 0, 0)


def test_a_group_made_only_while_shrinking_takes_its_statistics_from_all():
    r = row(summarize(records_frame([rec(rel_err=1e-3, passed=False, phase="shrink")])))
    assert (r.n_cases, r.n_shrink) == (0, 1) and r.median_rel_err == 1e-3 and not r.passed


def test_old_records_files_read_without_phase_or_status(tmp_path):
    """A records.csv from before these columns: every row a case, errors none."""
    old_fields = ["op", "family", "check", "dtype", "shapes", "params", "n_elements", "max_abs_err", "max_rel_err",
                  "max_ulp", "rtol", "atol", "passed", "seed", "example", "note"]
    rows = [dict(zip(old_fields, ["exp", "unary", "forward", "float64", "3", "", "3", e, e, "0", "1e-6", "1e-6", p,
                                  "1", "", ""])) for e, p in (("1e-9", "True"), ("1e-3", "False"))]
    pd.DataFrame(rows, columns=old_fields).to_csv(tmp_path / "records.csv", index=False)
    assert cli(["build", str(tmp_path / "records.csv"), "-q"]) == 0
    r = pd.read_csv(tmp_path / "summary.csv").iloc[0]
    assert (r.n_cases, r.n_failed, r.n_errors, r.n_shrink) == (2, 1, 0, 0)


# ---- the shared runner -----------------------------------------------------------------------------------------
SPEC = SimpleNamespace(id="planted", family="test")


class _Case:
    def shapes(self):
        return "2x3"

    def params(self):
        return "dim=1"

    def example(self):
        raise ValueError("too large to describe")  # a case that cannot describe itself still gets its Record


def _boom(spec, case, dtype, seed):
    raise ZeroDivisionError("planted")


def test_run_check_writes_the_crash_then_raises_it():
    sink = MemorySink()
    with pytest.raises(ZeroDivisionError, match="planted"):
        run_check(sink, _boom, SPEC, _Case(), "float32", 7, check_name="double_backward")
    [r] = sink.records
    assert (r.op, r.family, r.check, r.dtype, r.shapes, r.params, r.seed) == (
        "planted", "test", "double_backward", "float32", "2x3", "dim=1", "7")
    assert r.status == "error" and not r.passed and r.note == "ZeroDivisionError: planted" and r.example == ""
    assert r.phase == ""  # not inside a Hypothesis test


def test_run_check_writes_and_returns_the_records_of_a_check():
    sink = MemorySink()
    one = rec()
    assert run_check(sink, lambda spec, case, dtype: one, SPEC, _Case(), "float64", check_name="forward") == [one]
    assert sink.records == [one] and one.status == "passed"


def test_run_check_leaves_an_invalid_example_to_hypothesis():
    sink = MemorySink()

    @settings(max_examples=5, database=None, derandomize=True)
    @given(st.integers(0, 10))
    def run(x):
        run_check(sink, lambda spec, case, dtype: [assume(x < 0)], SPEC, _Case(), "float64", check_name="forward")

    with pytest.raises(Exception, match="Unsatisfiable|filter"):
        run()
    assert sink.records == []


def test_the_phase_of_each_record_of_a_failing_hypothesis_test():
    """Generated examples, then shrinking, then the replay of the minimal failing example; the final replay
    raises the check's own exception."""
    sink = MemorySink()

    def check(spec, case, dtype, seed):
        if seed >= 100:
            raise OverflowError(f"{seed} too large")
        return [rec(op="planted", seed=str(seed))]

    @settings(max_examples=8, database=None, derandomize=True)
    @given(st.integers(0, 10**6))
    def run(seed):
        run_check(sink, check, SPEC, _Case(), "float64", seed, check_name="forward")

    with pytest.raises(OverflowError, match="100 too large"):
        run()
    phases = [r.phase for r in sink.records]
    assert set(phases) == {"generate", "shrink", "final"}, phases
    assert phases[-1] == "final" and sink.records[-1].seed == "100"  # the shrunk example, replayed
    first_shrink = phases.index("shrink")
    assert "generate" not in phases[first_shrink:]
    assert all(r.status == "error" for r in sink.records[first_shrink:] if r.seed != "0" and int(r.seed) >= 100)
    r = row(summarize(records_frame(sink.records)), op="planted")
    assert r.n_cases == phases.count("generate") and r.n_shrink == len(phases) - r.n_cases
    assert not r.passed and r.n_errors >= 1


def test_explicit_and_reused_examples_are_cases():
    """An @example runs in phase "explicit"; a failure saved in the example database replays in phase "reuse"."""
    sink = MemorySink()
    database = InMemoryExampleDatabase()

    @settings(max_examples=8, database=database, derandomize=False)
    @given(st.integers(0, 10**6))
    @example(3)
    def run(seed):
        run_check(sink, lambda spec, case, dtype, seed: [rec(passed=seed == 3)], SPEC, _Case(), "float64", seed,
                  check_name="forward")
        assert seed == 3  # the explicit example passes, the first generated one fails

    for _ in range(2):
        with pytest.raises(AssertionError):
            run()
    phases = [r.phase for r in sink.records]
    assert phases.count("explicit") == 2 and "reuse" in phases and not {""} & set(phases), phases
    rerun = phases[len(phases) - phases[::-1].index("explicit") - 1:]
    assert rerun[:2] == ["explicit", "reuse"] and rerun[-1] == "final"


def test_without_shrinking_every_record_is_a_case():
    sink = MemorySink()

    @settings(max_examples=5, database=None, derandomize=True, phases=(Phase.generate,))
    @given(st.integers(0, 10))
    def run(seed):
        run_check(sink, lambda spec, case, dtype, seed: [rec()], SPEC, _Case(), "float64", seed,
                  check_name="forward")

    run()
    assert [r.phase for r in sink.records] == ["generate"] * len(sink.records) and len(sink.records) >= 1
    assert hypothesis_phase() == ""


# ---- diff: vanished and added rows ---------------------------------------------------------------------------------
def _write(path, records):
    sink = CsvSink(str(path))
    sink.write(records)
    sink.close()
    return str(path)


def test_diff_fails_on_a_vanished_row_unless_allowed(tmp_path, capsys):
    old = _write(tmp_path / "old.csv", [rec(), rec(check="double_backward")])
    new = _write(tmp_path / "new.csv", [rec()])
    assert cli(["diff", old, new]) == 1
    out = capsys.readouterr()
    assert "vanished" in out.out and "double_backward" in out.out
    assert "0 regressed" in out.err and "1 vanished" in out.err
    assert cli(["diff", old, new, "--allow-vanished"]) == 0
    assert "1 vanished (in OLD only) (allowed)" in capsys.readouterr().err
    # a regression still fails when vanished rows are allowed
    broken = _write(tmp_path / "broken.csv", [rec(rel_err=1.0, passed=False)])
    assert cli(["diff", old, broken, "--allow-vanished"]) == 1


def test_diff_lists_added_rows_without_failing(tmp_path, capsys):
    old = _write(tmp_path / "old.csv", [rec()])
    new = _write(tmp_path / "new.csv", [rec(), rec(op="log")])
    assert cli(["diff", old, new]) == 0
    out = capsys.readouterr()
    assert "added" in out.out and "log" in out.out and "1 added (in NEW only)" in out.err


def test_a_crashed_row_that_passed_before_is_a_regression(tmp_path, capsys):
    old = _write(tmp_path / "old.csv", [rec(check="double_backward")])
    new = _write(tmp_path / "new.csv", [crash(check="double_backward", phase="generate")])
    assert cli(["diff", old, new]) == 1
    assert "regressed" in capsys.readouterr().out


# ---- end to end: a planted crash in each harness ---------------------------------------------------------------
PLANTED = textwrap.dedent('''
    """Plants crashing checks before collection: an abs spec whose torch twin has no second derivative (its
    double_backward check raises inside torch), and checks of the other harnesses that raise."""
    import dataclasses

    import torch

    from hypothesis import Phase, settings

    import oracle.pytest_plugin  # noqa: F401 (registers the ci profile)
    import oracle.specs
    from oracle import init_spec, module_checks, optim_checks


    class Sign(torch.autograd.Function):
        """sign, with no derivative of its own: differentiating through it raises, as torch does for an op that
        has no second derivative"""

        @staticmethod
        def forward(ctx, x):
            return x.sign()

        @staticmethod
        def backward(ctx, grad):
            raise RuntimeError("the derivative for 'sign' (inside abs's gradient) is not implemented")


    class Abs(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.abs()

        @staticmethod
        def backward(ctx, grad):
            (x,) = ctx.saved_tensors
            return grad * Sign.apply(x)


    _all_specs = oracle.specs.all_specs


    def all_specs():
        specs = _all_specs()
        base = next(s for s in specs if s.id == "abs")
        planted = dataclasses.replace(base, variant="planted", torch=Abs.apply, kink_cases=None,
                                      checks=("forward", "double_backward"), known_failures={}, error_cases=())
        def cases_that_raise(dtype):
            raise ValueError("planted: this spec's strategy raises while it is built")

        outside = dataclasses.replace(base, variant="planted_strategy", cases=cases_that_raise, kink_cases=None,
                                      checks=("forward",), known_failures={}, error_cases=())
        return [*specs, planted, outside]


    oracle.specs.all_specs = all_specs
    # the ci profile without the explain phase: once a test fails, explaining it traces hundreds of runs
    settings.register_profile("planted", settings.get_profile("ci"), max_examples=4,
                              phases=(Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink))


    def crash_in(table, check, spec_id):
        real = table[check]

        def planted(spec, case, dtype, *rest):
            if spec.id == spec_id:
                raise RuntimeError(f"planted crash in {spec_id} {check}")
            return real(spec, case, dtype, *rest)

        table[check] = planted


    crash_in(module_checks.MODULE_CHECKS, "forward", "nn.Linear")
    crash_in(optim_checks.OPTIMIZER_CHECKS, "trajectory", "optim.SGD")
    crash_in(optim_checks.SCHEDULER_CHECKS, "schedule", "lr_scheduler.StepLR")
    crash_in(init_spec.CHECKS, "exact", "nn.init.zeros_")
    crash_in(init_spec.CHECKS, "exact", "nn.init.ones_")
''')
CRASHED = {("abs[planted]", "double_backward", "float64"), ("abs[planted_strategy]", "forward", "float64"),
           ("nn.Linear", "forward", "float64"),
           ("optim.SGD", "trajectory", "float64"), ("lr_scheduler.StepLR", "schedule", "float64"),
           ("nn.init.zeros_", "exact", "float64"), ("nn.init.ones_", "exact", "float64")}
NODES = ["tests/test_ops.py::test_op[abs[planted]-forward-float64]",
         "tests/test_ops.py::test_op[abs[planted]-double_backward-float64]",
         # fails outside its check (the strategy raises): the plugin's safety net writes its error Record
         "tests/test_ops.py::test_op[abs[planted_strategy]-forward-float64]",
         "tests/test_modules.py::test_module[nn.Linear-forward-float64]",
         "tests/test_optim.py::test_optimizer[optim.SGD-trajectory-float64]",
         "tests/test_optim.py::test_scheduler[lr_scheduler.StepLR-schedule]",
         "tests/test_init.py::test_declared_case[nn.init.zeros_-exact-float64-2x3x4()]",
         "tests/test_init.py::test_drawn_cases[nn.init.ones_-exact-float64]"]


def test_a_crash_in_each_harness_shows_as_a_failing_row(tmp_path):
    (tmp_path / "planted_crashes.py").write_text(PLANTED)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "HYPOTHESIS_"))}
    env.update(PYTHONDONTWRITEBYTECODE="1", PYTHONPATH=os.pathsep.join([str(tmp_path), str(ROOT)]))
    report = tmp_path / "report"
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "planted_crashes", *NODES,
                           "--hypothesis-profile=planted", "--report-dir",
                           str(report)], check=False, cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    assert "7 failed, 1 passed" in out, out
    assert "the derivative for 'sign'" in out and "planted crash in nn.Linear forward" in out  # the exceptions show

    records = pd.read_csv(report / "records.csv", keep_default_na=False, dtype={"seed": str})
    errors = records[records.status == "error"]
    assert set(zip(errors.op, errors.check, errors.dtype)) == CRASHED
    assert errors.note.str.match(r"^(RuntimeError|ValueError): ").all() and (errors.passed.astype(str) == "False").all()
    summary = pd.read_csv(report / "summary.csv", keep_default_na=False).set_index(["op", "check", "dtype"])
    for key in CRASHED:
        r = summary.loc[key]
        assert str(r.passed) == "False" and r.n_errors >= 1 and r.n_failed >= r.n_errors, (key, r)
        assert float(r.headroom) == 0 and r.headroom_basis == "error" and r.worst_note.startswith(("RuntimeError",
                                                                                                    "ValueError"))
    assert f'data-rows="{len(summary)}"' in (report / "index.html").read_text()  # the page has the crashed rows
    ok = summary.loc[("abs[planted]", "forward", "float64")]
    assert str(ok.passed) == "True" and ok.n_errors == 0 and ok.n_shrink == 0
    # every Record is a case or a shrink attempt; the crash that Hypothesis shrank and replayed is counted once a case
    assert (summary.n_cases + summary.n_shrink).sum() == len(records)
    crashed = records[(records.op == "abs[planted]") & (records.check == "double_backward")]
    assert {"generate", "final"} <= set(crashed.phase)
    assert summary.loc[("abs[planted]", "double_backward", "float64")].n_cases == (crashed.phase == "generate").sum()
