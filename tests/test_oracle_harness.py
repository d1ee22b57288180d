"""The oracle's own checks fail when they should: error cases, leaked warnings, input mutation, extreme values and
the strict comparison, each on a deliberately wrong op (a spec with its own refgrad callable)."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from hypothesis import settings

import refgrad
from oracle import checks, metrics
from oracle.cases import bad
from oracle.spec import SAME_MESSAGE, Case, OpSpec, RarelyDrawn, known_failure_marks

X = np.array([1.0, -2.0, 0.5])


def _spec(ref, torch_fn=torch.exp, **kwargs):
    return OpSpec("exp", cases=None, ref=ref, torch=torch_fn, **kwargs)


def _warn_then(fn):
    def op(*args, **kwargs):
        warnings.warn("overflow encountered in exp", RuntimeWarning, stacklevel=1)
        return fn(*args, **kwargs)

    return op


# ---- error cases ------------------------------------------------------------------------------------------
def test_error_case_passes_when_refgrad_raises_like_torch():
    assert checks.error_case(OpSpec("exp", None), bad("list", [1.5], says="list")) == []


def test_error_case_that_torch_accepts_is_reported_as_wrong():
    (problem,) = checks.error_case(OpSpec("exp", None), bad("fine", X))
    assert "torch accepts exp(tensor([1.0, -2.0, 0.5], dtype=float64))" in problem and "case is wrong" in problem


def test_error_case_refgrad_accepting_or_raising_another_class_fails():
    (problem,) = checks.error_case(_spec(lambda x: x), bad("list", [1.5]))
    assert "refgrad accepts exp([1.5])" in problem and "TypeError" in problem

    def value_error(x):
        raise ValueError("no")

    (problem,) = checks.error_case(_spec(value_error), bad("list", [1.5]))
    assert "refgrad raises ValueError: no" in problem and "torch raises TypeError" in problem


def test_error_case_fragments_and_same_message():
    (problem,) = checks.error_case(OpSpec("exp", None), bad("list", [1.5], says=("list", "shape [7]")))
    assert "does not name ['shape [7]']" in problem

    def other_wording(x):
        raise TypeError("input must be a Tensor, not list")

    # not torch's "exp(): argument 'input' (position 1) must be Tensor, not list"
    (problem,) = checks.error_case(_spec(other_wording), bad("list", [1.5], says=SAME_MESSAGE))
    assert "is not torch's" in problem
    assert checks.error_case(OpSpec("exp", None), bad("list", [1.5], says=SAME_MESSAGE)) == []  # refgrad's is


def test_error_case_warning_leaked_before_raising():
    def warns_then_raises(x):
        warnings.warn("invalid value", RuntimeWarning, stacklevel=1)
        raise TypeError("list")

    (problem,) = checks.error_case(_spec(warns_then_raises), bad("list", [1.5], says="list"))
    assert "warning leaked from refgrad: RuntimeWarning: invalid value" in problem


# ---- warnings in the checks -------------------------------------------------------------------------------
def test_a_warning_torch_does_not_raise_fails_the_check():
    (record,) = checks.CHECKS["forward"](_spec(_warn_then(refgrad.exp)), Case((X,)), "float64", 0)
    assert not record.passed and "warning leaked from refgrad: RuntimeWarning: overflow encountered" in record.note


def test_a_warning_torch_raises_too_passes():
    spec = _spec(_warn_then(refgrad.exp), torch_fn=_warn_then(torch.exp))
    (record,) = checks.CHECKS["forward"](spec, Case((X,)), "float64", 0)
    assert record.passed, record.note


def test_checks_without_torch_learn_its_warnings_from_its_forward():
    records = checks.CHECKS["jvp"](_spec(_warn_then(refgrad.exp)), Case((X,)), "float64", 0)
    assert not any(r.passed for r in records)
    records = checks.CHECKS["jvp"](_spec(_warn_then(refgrad.exp), torch_fn=_warn_then(torch.exp)), Case((X,)),
                                   "float64", 0)
    assert all(r.passed for r in records)


# ---- input mutation, extremes, strict comparison -------------------------------------------------------------
def test_mutation_check_sees_an_op_writing_into_its_input():
    def writes_into_input(x):
        y = refgrad.exp(x)
        x._data[...] = 0.0
        return y

    (record,) = checks.CHECKS["mutation"](_spec(writes_into_input, checks=("forward",)), Case((X,)), "float64", 0)
    assert not record.passed and "input 0 (3) was written into" in record.note
    (record,) = checks.CHECKS["mutation"](_spec(refgrad.exp), Case((X,)), "float64", 0)
    assert record.passed, record.note


def test_extremes_replace_float_leaves_only_from_the_pool_the_spec_keeps():
    spec = _spec(refgrad.exp, extreme_skip={v: "test" for v in ("nan", "inf", "-inf", "max", "subnormal",
                                                                "-huge", "-0.0")})
    index = np.array([0, 1])
    case = checks.with_extremes(spec, Case((np.full(50, 2.0), index)), "float64", np.random.default_rng(0))
    x, kept = case.args
    assert kept is index and set(np.unique(x)) <= {0.0, 2.0} and (x == 0.0).any()
    assert not np.signbit(x).any()


def test_extremes_check_fails_on_a_signed_zero():
    (record,) = checks.CHECKS["extremes"](_spec(lambda x: x * 0.0, torch_fn=lambda x: x * 0.0, checks=("forward",)),
                                          Case((np.full(40, -1.0),)), "float64", 3)
    assert record.passed, record.note
    (record,) = checks.CHECKS["extremes"](_spec(lambda x: x * 0.0 + 0.0, torch_fn=lambda x: x * 0.0,
                                                checks=("forward",)), Case((np.full(40, -1.0),)), "float64", 3)
    assert not record.passed and "signed zero differs" in record.note


@pytest.mark.parametrize("actual,expected,strict,without_zero_signs", [
    ([0.0, np.nan], [0.0, np.nan], True, True), ([-0.0], [0.0], False, True), ([np.inf], [-np.inf], False, False),
    ([np.nan], [1.0], False, False), (np.float32([1.0]), [1.0], False, False)])
def test_compare_strict(actual, expected, strict, without_zero_signs):
    actual, expected = np.asarray(actual), np.asarray(expected)
    assert metrics.compare_strict(actual, expected, 0.0, 0.0).passed is strict
    assert metrics.compare_strict(actual, expected, 0.0, 0.0, signed_zeros=False).passed is without_zero_signs


@pytest.mark.parametrize("derandomize", [True, False])
def test_a_known_failure_is_strict_only_under_a_derandomized_profile_and_never_when_rarely_drawn(derandomize):
    previous = settings._current_profile
    settings.register_profile("_known_failure_test", settings.get_profile(previous), derandomize=derandomize)
    settings.load_profile("_known_failure_test")
    try:
        (plain,) = known_failure_marks("a defect")
        (rare,) = known_failure_marks(RarelyDrawn("a defect the ci cases miss"))
    finally:
        settings.load_profile(previous)
    assert plain.kwargs["strict"] is derandomize  # ci: fixing refgrad fails it; a random profile may just miss it
    assert rare.kwargs["strict"] is False
    assert known_failure_marks("") == []


def test_known_failure_needs_a_reason():
    with pytest.raises(ValueError, match="must say why"):
        OpSpec("exp", None, known_failures={"extremes": ""})
    with pytest.raises(ValueError, match="not among"):
        OpSpec("exp", None, extreme_skip={"huge": "typo"})
