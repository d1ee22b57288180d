"""The harness: one test per (spec, check, dtype) over the whole OpSpec registry, with Hypothesis cases."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from oracle.checks import CHECKS
from oracle.spec import CHECK_DTYPES
from oracle.specs import all_specs

SPECS = all_specs()
PARAMS = [pytest.param(spec, check, dtype, id=f"{spec.id}-{check}-{dtype}")
          for spec in SPECS for check in spec.checks for dtype in CHECK_DTYPES[check]]


def _describe(r) -> str:
    return (f"{r.op} {r.check} {r.dtype}: shapes {r.shapes} params ({r.params}) seed {r.seed}\n"
            f"  max_abs_err {r.max_abs_err:.3e}  max_rel_err {r.max_rel_err:.3e}  max_ulp {r.max_ulp:.3g}  "
            f"(rtol {r.rtol:g}, atol {r.atol:g})  {r.note}\n  example: {r.example or '(large; see the case above)'}")


@pytest.mark.parametrize("spec,check,dtype", PARAMS)
@given(data=st.data())
def test_op(spec, check, dtype, data, oracle_records):
    strategy = spec.strategy(np.dtype(dtype), kinks=check == "kinks")
    case = data.draw(strategy, label="case")
    seed = data.draw(st.integers(0, 2**32 - 1), label="seed")
    records = CHECKS[check](spec, case, dtype, seed)
    oracle_records.write(records)
    failed = [r for r in records if not r.passed]
    assert not failed, "\n".join(_describe(r) for r in failed)
