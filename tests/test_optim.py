"""The optimizer and schedule harness: one test per (OptimizerSpec, check, dtype) with Hypothesis cases (parameters,
groups, gradients, hyperparameters), one per (SchedulerSpec, check), and one per error case."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.execution import run_check
from oracle.optim_checks import (
    OPTIMIZER_CHECKS,
    SCHEDULER_CHECKS,
    optimizer_cases,
    optimizer_error_case,
    scheduler_cases,
)
from oracle.records import describe
from oracle.spec import known_failure_marks
from oracle.specs.optim import all_optimizer_specs, all_scheduler_specs

OPTIMIZERS = all_optimizer_specs()
SCHEDULERS = all_scheduler_specs()


def _marks(spec, check, dtype):
    return known_failure_marks(spec.known_failure(check, dtype))


PARAMS = [pytest.param(spec, check, dtype, id=f"{spec.id}-{check}-{dtype}", marks=_marks(spec, check, dtype))
          for spec in OPTIMIZERS for check in spec.checks for dtype in spec.check_dtypes(check)]
SCHEDULE_PARAMS = [pytest.param(spec, check, id=f"{spec.id}-{check}", marks=_marks(spec, check, "float64"))
                   for spec in SCHEDULERS for check in spec.checks]
ERROR_PARAMS = [pytest.param(spec, ec, id=f"{spec.id}-{ec.id}", marks=_marks(spec, "error", ec.id))
                for spec in OPTIMIZERS for ec in spec.error_cases]



@pytest.mark.parametrize("spec,check,dtype", PARAMS)
def test_optimizer(spec, check, dtype, oracle_records):
    strategy = optimizer_cases(spec, np.dtype(dtype))

    @given(data=st.data())
    def run(data):
        case = data.draw(strategy, label="case")
        seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
        records = run_check(oracle_records, OPTIMIZER_CHECKS[check], spec, case, dtype, seed, check_name=check)
        failed = [r for r in records if not r.passed]
        assert not failed, "\n".join(describe(r) for r in failed)

    run()


@pytest.mark.parametrize("spec,check", SCHEDULE_PARAMS)
def test_scheduler(spec, check, oracle_records):
    strategy = scheduler_cases(spec)

    @given(data=st.data())
    def run(data):
        case = data.draw(strategy, label="case")
        records = run_check(oracle_records, SCHEDULER_CHECKS[check], spec, case, "float64", 0, check_name=check)
        failed = [r for r in records if not r.passed]
        assert not failed, "\n".join(describe(r) for r in failed)

    run()


@pytest.mark.parametrize("spec,error_case_", ERROR_PARAMS)
def test_optimizer_error_case(spec, error_case_):
    problems = optimizer_error_case(spec, error_case_)
    assert not problems, "\n".join(problems)
