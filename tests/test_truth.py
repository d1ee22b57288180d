"""Errors that mean something (the relative-error floor, ulp only where meaningful) and float32 judged against the
float64 truth (oracle.metrics.compare_to_truth), on cases built for it."""
from __future__ import annotations

import numpy as np
import pytest

import refgrad
from oracle import checks, metrics
from oracle.records import Record
from oracle.report import aggregate
from oracle.spec import Case, OpSpec
from oracle.tolerances import Tol

N_TERMS = 48


# ---- the relative-error floor --------------------------------------------------------------------------------
def test_near_zero_expected_elements_are_measured_at_the_arrays_scale():
    expected = np.array([3.0, -2.0, 1e-300, 0.0])
    actual = expected + np.array([3e-13, 0.0, 1e-16, -2e-16])
    errs = metrics.compare(actual, expected, rtol=1e-12, atol=1e-13)
    # the near-zero elements' errors count relative to 1e-3 of the largest magnitude, not to 1e-300
    assert errs.max_rel_err == pytest.approx(1e-13)
    assert errs.max_ulp < 1e4
    # the pass rule is unchanged: 2e-16 is within atol, and 3e-13 beside 3.0 within rtol
    assert errs.passed
    assert not metrics.compare(actual, expected, rtol=1e-14, atol=1e-13).passed


def test_the_floor_is_capped_where_atol_takes_over_and_covers_an_all_zero_array():
    # largest 1e6: 1e-3 of it (1e3) would exceed atol/rtol = 0.1, which keeps rtol / max_rel_err a true headroom
    expected = np.array([1e6, 1e-3])
    errs = metrics.compare(expected + np.array([0.0, 5e-14]), expected, rtol=1e-12, atol=1e-13)
    assert errs.max_rel_err == pytest.approx(5e-13)
    assert metrics.compare(np.array([2e-14, 0.0]), np.zeros(2), rtol=1e-12, atol=1e-13).max_rel_err == \
        pytest.approx(2e-13)


def test_ulp_is_absent_for_numerical_derivatives_and_inner_products():
    spec = OpSpec("square", None)
    case = Case((np.array([0.0, 1.5, -2.0]),))
    for check in ("vjp_numeric", "jvp"):
        records = checks.CHECKS[check](spec, case, "float64", 0)
        assert all(r.passed and np.isnan(r.max_ulp) for r in records), records
        assert all(r.max_rel_err < 1e-6 for r in records)
    (fwd,) = checks.CHECKS["forward"](spec, case, "float64", 0)
    assert fwd.max_ulp == 0.0 and np.isnan(fwd.truth_rel_err)  # float64: no truth to judge against


# ---- float32 against the float64 truth -----------------------------------------------------------------------
def _cancelling_pow(seed: int, bump: float = 0.0):
    """pow(1, p) with 48 exponents of size 50-100 chosen so that the gradient of x, Σ g_j·p_j over the broadcast dim
    for the check's cotangent g, cancels to ~0.01: float32 rounds it at ~u·Σ|g_j·p_j| ≈ 1e-4, far beyond the
    default tolerance, in torch as in refgrad. ``bump`` plants a defect: refgrad's first exponent off by it."""
    g = np.random.default_rng(seed).standard_normal(N_TERMS).astype(np.float32)  # what vjp_torch draws
    rng = np.random.default_rng(1000 + seed)
    p = (rng.uniform(50, 100, N_TERMS) * np.sign(rng.standard_normal(N_TERMS))).astype(np.float32)
    p[-1] = np.float32(-(g[:-1].astype(np.float64) @ p[:-1]) / g[-1] + 0.01)
    shift = np.zeros(N_TERMS, np.float32)
    shift[0] = bump
    spec = OpSpec("pow", None, ref=lambda x, e: refgrad.pow(x, e + refgrad.tensor(shift)))
    terms = g.astype(np.float64) * p
    return spec, Case((np.ones(1, np.float32), p)), abs(terms.sum()), 3 * 2.0**-24 * np.abs(terms).sum()


@pytest.mark.parametrize("seed", range(10))
def test_an_ill_conditioned_float32_gradient_passes_against_the_truth(seed):
    spec, case, truth, bound = _cancelling_pow(seed)
    (record,) = checks.CHECKS["vjp_torch"](spec, case, "float32", seed)
    assert record.passed, record
    # both libraries within 3·u·Σ|terms| of the float64 value, as recorded (the gradient of p is 0: x = 1)
    assert record.truth_rel_err * truth < bound and record.torch_truth_rel_err * truth < bound
    if record.max_abs_err > record.atol + record.rtol * truth:  # the two float32 results disagree: judged by truth
        assert "passes against the float64 truth" in record.note


@pytest.mark.parametrize("seed", range(10))
def test_a_wrong_float32_gradient_still_fails(seed):
    spec, case, _, _ = _cancelling_pow(seed, bump=0.25)
    (record,) = checks.CHECKS["vjp_torch"](spec, case, "float32", seed)
    assert not record.passed and record.truth_rel_err > metrics.TRUTH_FACTOR * record.torch_truth_rel_err


def test_the_rule_on_arrays():
    truth = np.array([1.0, 2.0, 3.0])
    torch32 = (truth * (1 + 1e-4)).astype(np.float32)  # an ill-conditioned case: torch 1e-4 off the truth
    within = (truth * (1 - 3e-4)).astype(np.float32)  # refgrad 3e-4 off on the other side: direct fails, 4x passes
    errs = metrics.compare_to_truth(within, torch32, truth, 1e-6, 1e-6)
    assert errs.passed and errs.truth_rel_err == pytest.approx(3e-4, rel=1e-2)
    assert errs.torch_truth_rel_err == pytest.approx(1e-4, rel=1e-2)
    beyond = (truth * (1 - 5e-4)).astype(np.float32)  # 5x torch's error: less accurate than torch allows
    assert not metrics.compare_to_truth(beyond, torch32, truth, 1e-6, 1e-6).passed
    # torch exact: refgrad within the tolerance of the truth passes, further does not
    exact = truth.astype(np.float32)
    assert metrics.compare_to_truth(exact, exact, truth, 1e-6, 1e-6).passed
    assert not metrics.compare_to_truth((truth * (1 + 1e-5)).astype(np.float32), exact, truth, 1e-6, 1e-6).passed
    # NaN placement still has to agree with torch's
    nan = np.array([np.nan, 2.0, 3.0], np.float32)
    assert not metrics.compare_to_truth(nan, torch32, truth, 1e-6, 1e-6).passed


def test_the_extremes_checks_strict_rules_keep_their_signed_zeros_and_nans_under_the_truth():
    """extremes in float32: finite values judged with the truth (as forward), signed zeros and NaN/inf as torch's."""
    truth = np.array([1.0, 2.0, 0.0, np.inf])
    torch32 = np.array([1.0001, 2.0002, 0.0, np.inf], np.float32)  # torch 1e-4 off the truth
    ours = np.array([0.9997, 1.9994, 0.0, np.inf], np.float32)  # 3e-4 off on the other side: within 4x torch's
    shape = truth.shape

    def judged(a):
        (err,) = checks._compare_lists([a], [torch32], [shape], Tol(1e-6, 1e-6), "float32", metrics.compare_strict,
                                       truth=[truth])
        return err

    assert judged(ours).passed
    assert not checks._compare_lists([ours], [torch32], [shape], Tol(1e-6, 1e-6), "float32",
                                     metrics.compare_strict)[0].passed  # directly: 3e-4 apart
    flipped = ours.copy()
    flipped[2] = -0.0
    assert not judged(flipped).passed and "signed zero" in judged(flipped).note
    overflowed = ours.copy()
    overflowed[1] = np.inf
    assert not judged(overflowed).passed
    planted = ours.copy()
    planted[0] = 0.99  # 1e-2 off: beyond 4x torch's error
    assert not judged(planted).passed


def test_the_extremes_checks_samples_one_ulp_away_keep_every_extreme_value():
    """Moving an inf to max (or max to inf, a zero to a subnormal) would measure torch's error at another case."""
    special = np.array([np.inf, -np.inf, np.nan, 0.0, -0.0, np.finfo(np.float32).max, -np.finfo(np.float32).max],
                       np.float32)
    x = np.concatenate([special, np.float32([1.5, -2.25, 3e-3])])
    (near,) = checks._nearby(Case((x,)), np.random.default_rng(0), extremes=True).args
    np.testing.assert_array_equal(near[:7], special)  # bit for bit, signed zeros and NaN included
    assert np.array_equal(np.signbit(near[:7]), np.signbit(special))
    assert np.all(near[7:] != x[7:]) and np.all(np.abs(near[7:] - x[7:]) <= np.spacing(np.abs(x[7:])))


def test_a_float64_result_far_from_torchs_float32_is_no_truth():
    # RMSNorm(eps=None) takes the dtype's machine epsilon: its float64 run computes another function
    truth = np.array([1.0, 2.0])
    torch32 = np.array([1.5, 2.0], np.float32)
    errs = metrics.compare_to_truth(np.array([1.0, 2.0], np.float32), torch32, truth, 1e-6, 1e-6)
    assert not errs.passed and np.isnan(errs.truth_rel_err) and np.isnan(errs.torch_truth_rel_err)


def test_a_near_zero_truth_that_torch_rounds_within_the_tolerance_is_still_a_truth():
    """The thorough run's TripletMarginWithDistanceLoss(distance=cosine) on 1-element features: the anchor's
    gradient is exactly 0 (cosine is scale-invariant; terms of size 10 cancel). torch's float32 gives 3.8e-6, refgrad's
    0, float64 7e-15: the direct comparison fails at atol 1e-6 and torch's relative error against the truth is 5e8,
    yet that is the truth's float32 rounding, measured absolutely: refgrad up to 4x torch's absolute error from the
    truth passes, further fails."""
    truth = np.array([7.105e-15, 0.0])
    torch32 = np.array([3.8147e-6, 0.0], np.float32)
    errs = metrics.compare_to_truth(np.array([0.0, 0.0], np.float32), torch32, truth, 1e-6, 1e-6)
    assert errs.passed and errs.torch_truth_rel_err > metrics.TRUTH_MAX
    other_side = np.array([-1.2e-5, 0.0], np.float32)  # 3x torch's error, on the other side: direct fails, truth passes
    assert metrics.compare_to_truth(other_side, torch32, truth, 1e-6, 1e-6).passed
    beyond = np.array([-2e-5, 0.0], np.float32)  # 5x torch's error
    assert not metrics.compare_to_truth(beyond, torch32, truth, 1e-6, 1e-6).passed


# ---- the summary's float32 columns -----------------------------------------------------------------------------
def _rec(op, dtype, ours, theirs, check="forward"):
    return Record(op=op, family="f", check=check, dtype=dtype, shapes="3", params="", n_elements=3,
                  max_abs_err=1e-7, max_rel_err=1e-7, max_ulp=1.0, rtol=1e-6, atol=1e-6, passed=True,
                  truth_rel_err=ours, torch_truth_rel_err=theirs)


def test_summary_columns_compare_refgrads_float32_with_torchs():
    nan = float("nan")
    records = [_rec("a", "float32", 1e-7, 2e-6), _rec("a", "float32", 3e-7, 1e-7),  # max 3e-7 vs 2e-6: more
               _rec("b", "float32", 4e-6, 3e-6),  # within 2x: same
               _rec("c", "float32", 1e-5, 1e-6),  # less
               _rec("d", "float32", 0.0, 1e-8),  # both correctly rounded: same
               _rec("e", "float64", nan, nan), _rec("f", "float32", nan, nan)]  # no truth
    summary = aggregate.summarize(aggregate.records_frame(records)).set_index("op")
    assert summary.loc["a", "truth_rel_err"] == 3e-7 and summary.loc["a", "torch_truth_rel_err"] == 2e-6
    assert summary["accuracy"].to_dict() == {"a": "more", "b": "same", "c": "less", "d": "same", "e": "", "f": ""}
    assert np.isnan(summary.loc["e", "truth_rel_err"])
    listed = aggregate.float32_accuracy(summary.reset_index())
    assert list(listed["op"]) == ["c", "b", "d", "a"]  # least accurate first


# ---- modules: the same rule, torch's float64 module as the truth ------------------------------------------------
class _ScaledLinear(refgrad.nn.Linear):
    """Linear whose output is 1e-4 too large (relative): a float32 defect far beyond float32's rounding."""

    def forward(self, input):
        return super().forward(input) * (1 + 1e-4)


def test_module_checks_record_the_truth_and_still_fail_a_wrong_float32_twin():
    from oracle.module_checks import MODULE_CHECKS
    from oracle.module_spec import ModuleCase, ModuleSpec

    case = ModuleCase((3, 2), inputs=(np.random.default_rng(0).standard_normal((4, 3)).astype(np.float32),))
    for check in ("forward", "vjp_torch"):
        records = MODULE_CHECKS[check](ModuleSpec("Linear", cases=None), case, "float32", 0)
        assert all(r.passed and r.truth_rel_err < 1e-6 and r.torch_truth_rel_err < 1e-6 for r in records), records
    records = MODULE_CHECKS["forward"](ModuleSpec("Linear", cases=None, ref=_ScaledLinear), case, "float32", 0)
    assert records and all(not r.passed and r.truth_rel_err > 5e-5 for r in records), records


# ---- module checks resample as op checks do: torch's float32 error one ulp away ------------------------------------
def _thorough_transformer_case():
    """The case the thorough profile drew (d_model 3, layer norms over 3 features with eps 0.01): torch's float32
    output lands 1.2e-6 from the float64 truth here by luck, 1.2e-5 one ulp away; refgrad's is 4e-5."""
    from oracle.module_spec import ModuleCase

    a = np.array([[[0.679018, 2.1960404, 1.], [-3.0195053, 0., 1.2680979]], [[-1., 0., 1.], [-1., 0., 1.]]],
                 np.float32)
    b = np.array([[[9.9999952e-01, 1.6974367e-04, 1.5500209e+00], [-1., -5.6161892e-01, -4.9660385e-01]],
                  [[-1., 0., 1.], [-1., 0., 1.]]], np.float32)
    kwargs = {"d_model": 3, "nhead": 3, "dim_feedforward": 1, "dropout": 0.0, "activation": "tanh callable",
              "layer_norm_eps": 0.01, "batch_first": True, "norm_first": True, "bias": False,
              "num_encoder_layers": 1, "num_decoder_layers": 1}
    return ModuleCase(args=(), kwargs=kwargs, inputs=(a, b))


def _transformer_spec():
    from oracle.specs.modules import all_module_specs

    return next(s for s in all_module_specs() if s.id == "nn.Transformer")


def test_a_module_output_is_judged_with_torchs_float32_error_one_ulp_away():
    from oracle.module_checks import MODULE_CHECKS

    records = MODULE_CHECKS["forward"](_transformer_spec(), _thorough_transformer_case(), "float32", 0)
    assert records and all(r.passed and "one ulp away" in r.note for r in records), records


def test_a_module_output_far_beyond_torchs_nearby_error_still_fails(monkeypatch):
    from oracle.module_checks import MODULE_CHECKS

    layer_norm = refgrad.nn.functional.layer_norm
    monkeypatch.setattr(refgrad.nn.functional, "layer_norm", lambda *a, **k: layer_norm(*a, **k) * (1 + 1e-3))
    records = MODULE_CHECKS["forward"](_transformer_spec(), _thorough_transformer_case(), "float32", 0)
    assert records and not any(r.passed for r in records), records


def test_a_module_gradient_that_is_zero_by_symmetry_is_judged_against_the_truth(monkeypatch):
    """TripletMarginWithDistanceLoss(cosine) on 1-element features (the thorough profile's case): the anchor's
    gradient is 0 by scale invariance, and float32 roundoff (~1e-6) in either library exceeds atol; the near-zero truth
    rule judges it (the nearby samples, shared with the forward check's, are not needed here). refgrad's cosine rounds
    as torch's on this case since its norm's vjp is torch's formula, so here it takes the cosine of 3·u, the same
    value and truth by the same invariance, with a roundoff of its own."""
    from oracle.module_checks import MODULE_CHECKS
    from oracle.module_spec import ModuleCase
    from oracle.specs.modules import all_module_specs

    cosine = refgrad.nn.functional.cosine_similarity
    monkeypatch.setattr(refgrad.nn.functional, "cosine_similarity",
                        lambda u, v, dim=1, eps=1e-8: cosine(u * 3.0, v, dim=dim, eps=eps))
    spec = next(s for s in all_module_specs() if s.id == "nn.TripletMarginWithDistanceLoss")
    case = ModuleCase(args=(), kwargs={"distance": "cosine", "reduction": "none"},
                      inputs=(np.array([[[0.10000002]]], np.float32), np.full((4, 1, 1), 2, np.float32),
                              np.full((1, 2, 1), 3, np.float32)))
    records = MODULE_CHECKS["vjp_torch"](spec, case, "float32", 0)
    assert records and all(r.passed and "float64 truth" in r.note for r in records), records
