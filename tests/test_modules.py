"""The module harness: one test per (ModuleSpec, check, dtype) over the module spec registry, with Hypothesis cases
(each example runs the check in train and in eval mode); then one test per (ModuleSpec, error case)."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from oracle.execution import run_check
from oracle.module_checks import MODULE_CHECKS, module_error_case
from oracle.module_spec import MODULE_CHECK_DTYPES
from oracle.records import describe
from oracle.spec import known_failure_marks
from oracle.specs.modules import all_module_specs

SPECS = all_module_specs()
# the init check builds each configuration many times (a KS test per parameter over the draws): a few
# configurations tell a wrong distribution, whatever the profile
INIT_EXAMPLES = 3


def _marks(spec, check, dtype):
    return known_failure_marks(spec.known_failure(check, dtype))


PARAMS = [pytest.param(spec, check, dtype, id=f"{spec.id}-{check}-{dtype}", marks=_marks(spec, check, dtype))
          for spec in SPECS for check in spec.checks for dtype in MODULE_CHECK_DTYPES[check]]
ERROR_PARAMS = [pytest.param(spec, ec, id=f"{spec.id}-{ec.id}", marks=_marks(spec, "error", ec.id))
                for spec in SPECS for ec in spec.error_cases]



@pytest.mark.parametrize("spec,check,dtype", PARAMS)
def test_module(spec, check, dtype, oracle_records):
    strategy = spec.strategy(np.dtype(dtype))

    @given(data=st.data())
    def run(data):
        case = data.draw(strategy, label="case")
        seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
        records = run_check(oracle_records, MODULE_CHECKS[check], spec, case, dtype, seed, check_name=check)
        failed = [r for r in records if not r.passed]
        assert not failed, "\n".join(describe(r) for r in failed)

    if check == "init":
        run = settings(max_examples=INIT_EXAMPLES, suppress_health_check=list(HealthCheck))(run)
    run()


@pytest.mark.parametrize("spec,error_case_", ERROR_PARAMS)
def test_module_error_case(spec, error_case_):
    problems = module_error_case(spec, error_case_)
    assert not problems, "\n".join(problems)
