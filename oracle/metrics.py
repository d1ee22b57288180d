"""How far apart two results are: measured the same way by every check.

``compare(actual, expected, rtol, atol)`` passes when, elementwise, |actual - expected| <= atol + rtol·|expected|
and both sides agree on where they are NaN, +inf and -inf. Integer and bool results must match exactly.

``compare_strict`` adds what extreme inputs make visible: equal dtypes, and the same sign wherever both sides
are zero (-0.0 is not 0.0: 1/x tells them apart). With rtol = atol = 0 it is bitwise equality up to NaN
payloads, which the variant checks use (a method and its function run the same code). The extremes check
compares gradients with ``signed_zeros=False``: a zero gradient's sign only says whether the backward formula
multiplied the cotangent by 0 (g·0 is -0.0 for g < 0) or selected a 0, which torch itself does either way from
op to op; it vanishes in every accumulation (-0.0 + 0.0 = 0.0) and update (p - lr·(-0.0) = p).

Relative error has a floor taken from the scale of the output (``relative_floor``)::

    rel_i = |a_i - e_i| / max(|e_i|, floor),   floor = min(FLOOR_FRACTION · max|e|, atol / rtol)

An element far below the array's largest carries rounding of the array's scale (a sum that cancels, the jvp of
square at x ≈ 0), so dividing by its own tiny |e_i| reported errors of 1e285 on passing checks. Below 1e-3 of the
largest expected magnitude an element's error is measured relative to that 1e-3 instead. The cap atol/rtol (where
the absolute tolerance takes over in the pass rule) keeps rtol / max_rel_err a lower bound of the headroom the
report shows, and makes rel_i <= rtol imply the element passes. With every expected element 0 the floor is atol/rtol.
The pass rule itself does not use the floor. ``max_ulp`` is measured at the same floored magnitude, and only where
an ulp means something: ``ulp=False`` (comparisons against numerical derivatives, inner products) records NaN.

float32 against the float64 truth (``compare_to_truth``): see its docstring and oracle/checks.py's header.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

FLOOR_FRACTION = 1e-3  # relative errors of elements below this fraction of the largest are measured at that fraction
TRUTH_FACTOR = 4.0  # float32: refgrad may be this many times further from the float64 truth than torch (see below)
# torch's float32 this far (relative) from the float64 result: the float64 run computes something else (RMSNorm's
# eps=None is the dtype's machine epsilon; a normalization of a near-constant group), no truth: direct comparison only
TRUTH_MAX = 0.1
TRUTH_RESAMPLES = 3  # torch float32 vs the truth at this many inputs one ulp away, when a comparison fails directly
NAN = float("nan")


@dataclass(frozen=True)
class Errors:
    max_abs_err: float
    max_rel_err: float
    max_ulp: float
    n_elements: int
    passed: bool
    note: str = ""
    truth_rel_err: float = NAN  # float32 against the float64 truth: refgrad's relative error (compare_to_truth)
    torch_truth_rel_err: float = NAN  # ... and torch's


def ulp_distance(abs_err: np.ndarray, magnitude: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``abs_err`` in units of the spacing of ``dtype`` at ``magnitude`` (the floored |expected|)."""
    with np.errstate(over="ignore", invalid="ignore"):
        spacing = np.spacing(np.abs(magnitude).astype(dtype)).astype(np.float64)
        spacing = np.where(spacing > 0, spacing, np.finfo(dtype).smallest_subnormal)
        return abs_err / spacing


def relative_floor(expected: np.ndarray, rtol: float, atol: float) -> float:
    """The magnitude below which an element's relative error is measured at the array's scale (module docstring).
    ``expected``: the finite expected values, float64."""
    cap = atol / rtol if rtol > 0 else np.inf
    largest = float(np.abs(expected).max(initial=0.0))
    floor = min(FLOOR_FRACTION * largest, cap) if largest > 0 else cap
    return floor if 0 < floor < np.inf else float(np.finfo(np.float64).tiny)


def compare(actual, expected, rtol: float, atol: float, dtype=None, ulp: bool = True) -> Errors:
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.shape != expected.shape:
        return Errors(np.inf, np.inf, np.inf, expected.size, False,
                      f"shape mismatch: got {actual.shape}, expected {expected.shape}")
    if expected.dtype.kind not in "fc" or actual.dtype.kind not in "fc":
        if actual.dtype.kind != expected.dtype.kind and {actual.dtype.kind, expected.dtype.kind} != {"i", "u"}:
            return Errors(np.inf, np.inf, np.inf, expected.size, False,
                          f"dtype kind mismatch: got {actual.dtype}, expected {expected.dtype}")
        diff = np.abs(actual.astype(np.float64) - expected.astype(np.float64))
        worst = float(diff.max(initial=0.0))
        return Errors(worst, worst, worst, expected.size, worst == 0.0, "" if worst == 0 else "integer mismatch")
    dtype = np.dtype(dtype or expected.dtype)
    a, e = actual.astype(np.float64), expected.astype(np.float64)
    finite = np.isfinite(a) & np.isfinite(e)
    same_nonfinite = (np.isnan(a) & np.isnan(e)) | ((a == e) & ~np.isnan(a))
    nonfinite_ok = bool(np.all(finite | same_nonfinite))
    a, e = a[finite], e[finite]
    abs_err = np.abs(a - e)
    magnitude = np.maximum(np.abs(e), relative_floor(e, rtol, atol))
    with np.errstate(over="ignore"):
        rel_err = np.where(abs_err == 0, 0.0, abs_err / magnitude)
    within = bool(np.all(abs_err <= atol + rtol * np.abs(e)))
    note = ""
    if not nonfinite_ok:
        where = tuple(int(i) for i in np.argwhere(~(finite | same_nonfinite))[0])
        note = (f"NaN/inf pattern differs: at {where} got {actual[where]!r}, expected {expected[where]!r}"
                if actual.ndim else f"NaN/inf pattern differs: got {actual!r}, expected {expected!r}")
    max_ulp = float(ulp_distance(abs_err, magnitude, dtype).max(initial=0.0)) if ulp else NAN
    return Errors(float(abs_err.max(initial=0.0)), float(rel_err.max(initial=0.0)), max_ulp, int(expected.size),
                  within and nonfinite_ok, note)


def compare_strict(actual, expected, rtol: float, atol: float, signed_zeros: bool = True) -> Errors:
    """compare(), and equal dtypes, and (signed_zeros) the same sign wherever both sides are zero."""
    actual, expected = np.asarray(actual), np.asarray(expected)
    if actual.dtype != expected.dtype:
        return Errors(np.inf, np.inf, np.inf, expected.size, False,
                      f"dtype: got {actual.dtype}, expected {expected.dtype}")
    errs = compare(actual, expected, rtol, atol)
    if not signed_zeros or not errs.passed or expected.dtype.kind not in "fc" or actual.shape != expected.shape:
        return errs
    both_zero = (actual == 0) & (expected == 0)
    flipped = both_zero & (np.signbit(actual) != np.signbit(expected))
    if flipped.any():
        where = tuple(int(i) for i in np.argwhere(flipped)[0])
        return dataclasses.replace(errs, passed=False, note=f"signed zero differs at {where}: got "
                                   f"{actual[where]!r}, expected {expected[where]!r}")
    return errs


def compare_inner_products(a: float, b: float, scale: float, rtol: float, floor: float = 0.0) -> Errors:
    """Two values of one inner product ⟨x, y⟩ computed two ways. Rounding in such a sum is bounded by
    rtol·Σ|x_i||y_i| (``scale``), not by |⟨x, y⟩|, which cancellation can make arbitrarily small. ``floor``
    is an absolute allowance on top (the absolute noise its factors may carry, carried into the sum)."""
    abs_err = abs(a - b)
    measure = max(scale, floor / rtol) if rtol > 0 else scale  # (as relative_floor: rel <= rtol implies a pass)
    rel = abs_err / measure if measure > 0 else (0.0 if abs_err == 0 else np.inf)
    ok = bool(np.isfinite(a) and np.isfinite(b) and abs_err <= rtol * scale + floor) or (a == b)
    return Errors(float(abs_err), float(rel), NAN, 1, ok)  # no ulp: a sum's rounding is not at its value's scale


def _same_computation(expected: np.ndarray, truth: np.ndarray, rtol: float, atol: float) -> bool:
    """Whether torch's float32 result is within TRUTH_MAX of the float64 one, relative to |truth| but never to less
    than atol/rtol (where the comparison itself turns absolute). A gradient that is exactly 0 because terms of size 10
    cancel comes out of torch's float32 as 4e-6 (a relative error of 5e8 at a float64 truth of 7e-15): that is the
    float64 result's float32 rounding, not another computation (TripletMarginWithDistanceLoss with a cosine distance
    on one-element features, found by the thorough profile)."""
    e, t = expected.astype(np.float64), truth.astype(np.float64)
    finite = np.isfinite(e) & np.isfinite(t)
    cap = atol / rtol if rtol > 0 else 0.0  # (an atol-only comparison: relative, as before)
    with np.errstate(invalid="ignore", over="ignore"):
        return bool(np.all(np.abs(e[finite] - t[finite]) <= TRUTH_MAX * np.maximum(np.abs(t[finite]), cap)))


def compare_to_truth(actual, expected, truth, rtol: float, atol: float, resamples=None) -> Errors:
    """A float32 result of refgrad (``actual``) against torch's (``expected``), judged with the float64 truth
    (torch's result for the same inputs cast up exactly). Records both libraries' relative errors against the
    truth (the floored metric above, at the truth's scale) and passes, element by element, when

        |a - e| <= atol + rtol·|e|                                          (the direct comparison), or
        |a - t| <= atol + rtol·|t| + TRUTH_FACTOR · τ · max(|t|, floor)     (no less accurate than torch),

    where τ is torch's largest relative error against the truth over the array, and over ``resamples()`` (called
    only when the direct comparison fails: pairs (torch's float32 result, the float64 truth) at inputs one ulp away,
    TRUTH_RESAMPLES of them). The tolerance in the second rule is the floor that keeps torch being exact from
    demanding exactness; τ measures how ill-conditioned this case is in float32 (a sum whose terms cancel: both
    libraries' roundings are ~u·Σ|terms| however small the result). One sample of torch's error is a noisy measure
    of that (torch lands exactly by luck as often as refgrad does: 2 of 20 cancelling sums failed on one sample);
    the largest of 1 + 3 is steadier. Measured on 200 such sums (tests/test_truth.py's construction): 192 pass (158
    by the truth), 8 fail with refgrad 4-50x further than torch (torch's float32 sum is the more accurate there,
    both within 3·u·Σ|terms|); a planted defect (one term off by 0.25·g) fails in 199 of 200.
    TRUTH_FACTOR = 4: two correct float32 evaluations that add in different orders have the same error bound but
    land at different points within it (one may be exact by luck, one at the bound), so refgrad may be a few times
    further from the truth than torch; a defect (a wrong formula, a lost term) is off by far more. Where torch's
    float32 is more than TRUTH_MAX from the float64 result, that result is no truth: direct comparison, no truth
    errors recorded (and such a sample one ulp away is left out of τ); unless torch's float32 is that close to it
    measured where atol takes over (``_same_computation``: a result near 0, whose tiny values' relative errors
    are huge). There torch's rounding is measured absolutely: the second rule's last term becomes TRUTH_FACTOR ·
    (torch's largest absolute error against the truth, here and one ulp away). NaN/inf placement and shapes must still
    agree with torch's; where the truth is not finite, only the direct comparison counts."""
    direct = compare(actual, expected, rtol, atol, np.float32)
    actual, expected, truth = np.asarray(actual), np.asarray(expected), np.asarray(truth)
    if truth.shape != expected.shape or actual.shape != expected.shape or truth.dtype.kind != "f":
        return direct
    ours = compare(actual, truth, rtol, atol, np.float32)
    theirs = compare(expected, truth, rtol, atol, np.float32)
    conditioning = theirs.max_rel_err <= TRUTH_MAX  # then τ, torch's relative error, measures the conditioning
    if not conditioning and not _same_computation(expected, truth, rtol, atol):
        return direct
    errs = dataclasses.replace(direct, truth_rel_err=ours.max_rel_err, torch_truth_rel_err=theirs.max_rel_err)
    if direct.passed or direct.note:  # passed already, or failed on shapes / NaN-inf placement: no truth helps
        return errs
    nearby = [compare(h, t, rtol, atol) for h, t in (resamples or list)() if np.shape(h) == np.shape(t)]
    a, e, t = (x.astype(np.float64) for x in (actual, expected, truth))
    finite = np.isfinite(a) & np.isfinite(e) & np.isfinite(t)
    if conditioning:
        tau = max([theirs.max_rel_err] + [r.max_rel_err for r in nearby if r.max_rel_err <= TRUTH_MAX])
    else:  # a result near 0: torch's float32 rounding of it, measured absolutely (at the array's scale)
        near = TRUTH_MAX * (atol / rtol if rtol > 0 else 0.0)
        rounding = max([theirs.max_abs_err] + [r.max_abs_err for r in nearby if r.max_abs_err <= near])
    with np.errstate(invalid="ignore", over="ignore"):
        direct_ok = np.abs(a - e) <= atol + rtol * np.abs(e)
        magnitude = np.maximum(np.abs(t), relative_floor(t[finite], rtol, atol))
        slack = TRUTH_FACTOR * tau * magnitude if conditioning else TRUTH_FACTOR * rounding
        truth_ok = np.abs(a - t) <= atol + rtol * np.abs(t) + slack
    compared = np.isfinite(a) & np.isfinite(e)  # elsewhere NaN/inf placement already agrees (direct.note is empty)
    passed = bool(np.all(direct_ok | ~compared | (finite & truth_ok)))
    if not passed:
        return errs
    return dataclasses.replace(errs, passed=True, note=(
        f"passes against the float64 truth: refgrad's error {ours.max_rel_err:.2g}, torch's {theirs.max_rel_err:.2g}"
        + (f" (up to {tau:.2g} one ulp away)" if conditioning else
           f" (a result near 0: torch's absolute error up to {rounding:.2g})")))
