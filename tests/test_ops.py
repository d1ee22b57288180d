"""The harness: one test per (spec, check, dtype) over the whole OpSpec registry, with Hypothesis cases; the
checks derived from refgrad's declarations (method, in-place, alias forms; input mutation; extreme values)
included. Then one test per (spec, error case): a bad input, refused by torch, refused alike by refgrad."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from oracle.checks import CHECKS, error_case
from oracle.execution import run_check
from oracle.records import describe
from oracle.spec import CHECK_DTYPES, RarelyDrawn, known_failure_marks
from oracle.specs import all_specs

SPECS = all_specs()
KNOWN_FAILURE_EXAMPLES = 400


def _marks(spec, check, dtype):
    # raises=AssertionError: a known failure fails by its comparison, not by any exception on the way
    return known_failure_marks(spec.known_failure(check, dtype), raises=AssertionError)


PARAMS = [pytest.param(spec, check, dtype, id=f"{spec.id}-{check}-{dtype}", marks=_marks(spec, check, dtype))
          for spec in SPECS for check in spec.all_checks() for dtype in CHECK_DTYPES[check]]
# a known failure of an error case is declared as KNOWN_FAILURES {spec id: {("error", case id): reason}}
ERROR_PARAMS = [pytest.param(spec, ec, id=f"{spec.id}-{ec.id}", marks=_marks(spec, "error", ec.id))
                for spec in SPECS for ec in spec.error_cases]


@pytest.mark.parametrize("spec,check,dtype", PARAMS)
def test_op(spec, check, dtype, oracle_records):
    strategy = spec.strategy(np.dtype(dtype), kinks=check == "kinks")

    def run(data):
        case = data.draw(strategy, label="case")
        seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
        records = run_check(oracle_records, CHECKS[check], spec, case, dtype, seed, check_name=check)
        failed = [r for r in records if not r.passed]
        assert not failed, "\n".join(describe(r) for r in failed)

    reason = spec.known_failure(check, dtype)
    if not reason or isinstance(reason, RarelyDrawn):  # (a rarely drawn one fails where drawn, as a plain test)
        given(data=st.data())(run)()
        return
    # a strict xfail must fail wherever the plain test would: first the examples the profile gives the plain test
    # (an input-dependent defect may be drawn there only), then more, to fail under every profile; the first failure
    # ends the run, and shrinking it would only cost time. (Each run its own @given: settings apply once per test.)
    unshrunk = (Phase.explicit, Phase.reuse, Phase.generate)
    settings(phases=unshrunk)(given(data=st.data())(run))()
    settings(max_examples=KNOWN_FAILURE_EXAMPLES, phases=unshrunk)(given(data=st.data())(run))()


@pytest.mark.parametrize("spec,error_case_", ERROR_PARAMS)
def test_error_case(spec, error_case_):
    problems = error_case(spec, error_case_)
    assert not problems, "\n".join(problems)
