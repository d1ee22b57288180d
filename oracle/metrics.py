"""How far apart two results are: measured the same way by every check.

``compare(actual, expected, rtol, atol)`` passes when, elementwise, |actual - expected| <= atol + rtol·|expected|
and both sides agree on where they are NaN, +inf and -inf. Integer and bool results must match exactly.

``compare_strict`` adds what extreme inputs make visible: equal dtypes, and the same sign wherever both sides
are zero (-0.0 is not 0.0: 1/x tells them apart). With rtol = atol = 0 it is bitwise equality up to NaN
payloads, which the variant checks use (a method and its function run the same code). The extremes check
compares gradients with ``signed_zeros=False``: a zero gradient's sign only says whether the backward formula
multiplied the cotangent by 0 (g·0 is -0.0 for g < 0) or selected a 0, which torch itself does either way from
op to op; it vanishes in every accumulation (-0.0 + 0.0 = 0.0) and update (p - lr·(-0.0) = p).
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Errors:
    max_abs_err: float
    max_rel_err: float
    max_ulp: float
    n_elements: int
    passed: bool
    note: str = ""


def ulp_distance(actual: np.ndarray, expected: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """|actual - expected| in units of the spacing of ``dtype`` at ``expected``."""
    with np.errstate(over="ignore", invalid="ignore"):
        spacing = np.spacing(np.abs(expected).astype(dtype)).astype(np.float64)
        spacing = np.where(spacing > 0, spacing, np.finfo(dtype).smallest_subnormal)
        return np.abs(actual - expected) / spacing


def compare(actual, expected, rtol: float, atol: float, dtype=None) -> Errors:
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
    with np.errstate(over="ignore"):
        rel_err = abs_err / np.maximum(np.abs(e), np.finfo(np.float64).tiny)
    rel_err = np.where(abs_err == 0, 0.0, rel_err)
    within = bool(np.all(abs_err <= atol + rtol * np.abs(e)))
    note = ""
    if not nonfinite_ok:
        where = tuple(int(i) for i in np.argwhere(~(finite | same_nonfinite))[0])
        note = (f"NaN/inf pattern differs: at {where} got {actual[where]!r}, expected {expected[where]!r}"
                if actual.ndim else f"NaN/inf pattern differs: got {actual!r}, expected {expected!r}")
    return Errors(float(abs_err.max(initial=0.0)), float(rel_err.max(initial=0.0)),
                  float(ulp_distance(a, e, dtype).max(initial=0.0)), int(expected.size), within and nonfinite_ok, note)


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
    rel = abs_err / scale if scale > 0 else (0.0 if abs_err == 0 else np.inf)
    ok = bool(np.isfinite(a) and np.isfinite(b) and abs_err <= rtol * scale + floor) or (a == b)
    return Errors(float(abs_err), float(rel), float(ulp_distance(np.float64(a), np.float64(b), np.float64)), 1, ok)
