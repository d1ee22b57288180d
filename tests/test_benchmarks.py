"""Smoke test of the benchmark matrix (benchmarks/): every case builds and runs in each of its implementations, and
the implementations agree on what the case compares (the losses of the first steps, or outputs and gradients). Nothing
here is timed: the matrix's figures come from ``python -m benchmarks``, never from pytest."""
from __future__ import annotations

import collections
import csv
import dataclasses
import sys
from pathlib import Path

import numpy as np
import pyperf
import pytest

from benchmarks import matrix
from benchmarks.case import REFGRAD, as_arrays
from benchmarks.cases import all_cases, by_name
from benchmarks.results import write_results
from benchmarks.timing import BLOCK_SECONDS, Measurement, balanced_orders, block_calls, timed_call

CASES = all_cases()


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_case_runs_and_implementations_agree(case, monkeypatch):
    # at the sizes its module declares for this test (the same code paths in a fraction of the time)
    module = sys.modules[case.build.__module__]
    for name, value in getattr(module, "SMOKE", {}).items():
        monkeypatch.setattr(module, name, value)
    # two calls: a training step's second loss depends on the first step's gradients
    results = {}
    for implementation in case.implementations:
        step = case.build(implementation)
        results[implementation] = [as_arrays(step()) for _ in range(2)]
        assert all(np.isfinite(array).all() for result in results[implementation] for array in result)
    matrix.check_agreement(case, results)


def test_disagreement_is_reported():
    case = by_name("elementwise: x * y")
    results = {implementation: [as_arrays(case.build(implementation)())] for implementation in case.implementations}
    results[REFGRAD][0][1] = results[REFGRAD][0][1] * (1 + 1e-3)  # x's gradient off by 0.1%
    with pytest.raises(AssertionError, match="refgrad against torch, warm-up call 1, result 1"):
        matrix.check_agreement(case, results)


def test_isolated_workers_keep_torch_out_of_refgrads_process():
    case = by_name("reduction: x.sum()")
    timers, versions, peaks, workers = matrix.prepare(case, isolate=True)  # raises if torch is in refgrad's process
    try:
        assert "torch" not in versions[REFGRAD] and "torch" in versions["torch"]
        assert peaks[REFGRAD] > 0  # a step allocates its graph and arrays
    finally:
        for worker in workers.values():
            worker.stop()


def test_against_times_another_checkouts_refgrad_beside_this_one(capsys):
    """--against CHECKOUT: that checkout's refgrad (here this one's own folder, so the two must agree) runs in a
    worker of its own beside the others, and the tables show refgrad's ratio to it."""
    root = Path(matrix.__file__).resolve().parents[1]
    matrix.main(["--against", str(root), "--only", "reduction: x.sum()", "--seconds", "0.05", "--no-write"])
    out = capsys.readouterr().out
    name = matrix.Against.of(root).name
    assert f"| torch | {name} | refgrad | refgrad/torch | refgrad/{name} |" in out
    assert f"{name} is refgrad from {root}" in out
    assert "malloc thresholds " in out and f"malloc thresholds ({name}) " in out  # each refgrad's own, both kept


@pytest.mark.parametrize("n", [2, 3, 4, 5])
def test_balanced_orders_follow_each_other_equally_often(n):
    orders = balanced_orders(n, 12)
    assert len(orders) >= 12
    sequence = [i for order in orders for i in order]
    follows = collections.Counter(zip(sequence, sequence[1:]))
    assert sorted(map(sorted, orders)) == [list(range(n))] * len(orders)
    # every ordered pair follows (with two, AB then BA repeats each at a boundary: AA and BB too)
    assert len(follows) == (4 if n == 2 else n * (n - 1))
    if n > 2:
        assert all(a != b for a, b in follows)
        assert max(follows.values()) - min(follows.values()) <= 1


def test_a_short_step_is_timed_over_a_block_of_calls_after_an_untimed_one():
    """A training loop's steps run on warm caches: a step shorter than BLOCK_SECONDS is timed over consecutive calls
    after one untimed call, a long one alone; the figures are one call's."""
    assert block_calls(BLOCK_SECONDS / 10) == (10, True)
    assert block_calls(BLOCK_SECONDS / 10.5) == (11, True)
    assert block_calls(BLOCK_SECONDS * 3) == (1, False)
    made = []

    def step():  # touches 4,096 fresh pages, kept alive so that no call reuses another's
        made.append(bytearray(1 << 24))
        made[-1][::4096] = b"x" * 4096

    measured = timed_call(step, 3, True)
    assert len(made) == 4  # three timed, one untimed before them
    assert 1 << 12 <= measured.page_faults < 1 << 13  # one call's count, not the block's


def test_a_timed_call_counts_the_garbage_collectors_time():
    import gc

    assert timed_call(lambda: None).gc_seconds == 0.0
    assert timed_call(gc.collect).gc_seconds > 0.0


def test_results_tables(tmp_path):
    """The tables from made-up per-round figures: ratios of medians, targets beside them, where each stands."""
    met = by_name("seed net float64, L2 as (W * W).sum()")
    missed = by_name("elementwise: x * y")
    rounds = 6

    def fake(case, seconds):  # implementation -> [(seconds, page faults)] per round
        return matrix.CaseResult(case, {name: [Measurement(s, s / 2, 0, s / 8)] * rounds for name, s in seconds.items()}, benchmarks={
            name: pyperf.Benchmark([pyperf.Run([s / case.ops_per_call] * rounds, metadata={
                "name": f"{case.name} | {name}", "unit": "second"}, collect_metadata=False)])
            for name, s in seconds.items()}, versions={name: {"numpy": np.__version__} for name in seconds},
            peak_bytes={name: 2_500_000 for name in seconds})

    with_numpy, without = by_name("attention float64, plain"), by_name("LSTM language model step float32")
    with_numpy, without = (dataclasses.replace(c, implementations=i) for c, i in
                           ((with_numpy, ("numpy", "torch", REFGRAD)), (without, ("torch", REFGRAD))))
    results = [fake(met, {"numpy": 0.010, "torch": 0.020, REFGRAD: 0.011}),
               fake(missed, {"torch": 0.002, REFGRAD: 0.003}),
               # one group, one row with a NumPy step and one without: the CPU-time column names the other's baseline
               fake(with_numpy, {"numpy": 0.010, "torch": 0.008, REFGRAD: 0.012}),
               fake(without, {"torch": 0.010, REFGRAD: 0.015})]
    setting = {"started": "2000-01-01 00:00 UTC", "mode": "one process", "quick": True, "note": "",
               "machine": {"cpu_count": "2"}}
    text = write_results(results, setting, tmp_path / "run")
    assert "**2 of 4 cases within their targets.**" in text
    assert "| **1.20×** (1.20–1.20) | **1.50×** (1.50–1.50) | ≤ 1.2× torch | ✗ 1.50× > 1.2× torch | 1.20× | 0 / 0 |" in text
    assert "| – | **1.50×** (1.50–1.50) | ≤ 2.0× torch | ✓ | 1.50× torch | 0 / 0 torch |" in text
    assert "| per-op | 1 | 0 | 1.50×, 1.50× torch (elementwise: x * y) |" in text  # the summary by group
    assert "| **1.10×** (1.10–1.10) | **0.55×** (0.55–0.55) | ≤ 1.2× numpy | ✓ | 1.10× | 0 / 0 | 2.5 / 2.5 |" in text
    assert "✗ 1.50× > 1.0× torch" in text
    assert "| 10 µs ±0% | 15 µs ±0% |" in text  # per-op cases show µs per op
    assert "| 2.5 / 2.5 | 12.5% |" in text  # the garbage collector's share of refgrad's time
    rows = list(csv.DictReader((tmp_path / "run.csv").open(encoding="utf-8")))
    assert rows[0]["refgrad garbage collector share"] == "0.1250"
    assert [row["within target"] for row in rows] == ["yes", "no", "no", "yes"]
    assert rows[0]["refgrad/numpy"] == "1.100" and rows[1]["refgrad/torch"] == "1.500"
    assert rows[0]["refgrad/numpy CPU time"] == "1.100" and rows[1]["refgrad CPU median"] == "7.5"  # µs per op
    assert rows[0]["numpy peak traced MB"] == "2.5" and rows[1]["torch peak traced MB"] == ""  # torch's is not traced
    suite = pyperf.BenchmarkSuite.load(str(tmp_path / "run.json.gz"))
    assert len(suite.get_benchmarks()) == 10


@pytest.mark.parametrize("activation", ["tanh", "sigmoid", "relu"])
def test_bare_engine_takes_the_same_steps_as_numpy(activation):
    # the floor benchmarks/bare_engine.py times must be the same step: the same losses over steps that train
    from benchmarks.bare_engine import steps

    implementations = steps((8, 8, 8, 4), 4, np.float64, activation)
    losses = {name: [step() for _ in range(3)] for name, step in implementations.items()}
    for name, values in losses.items():
        np.testing.assert_allclose(values, losses["numpy"], rtol=1e-12, err_msg=name)
    assert losses["numpy"][2] != losses["numpy"][0]  # the steps moved the parameters
