"""Default tolerances per check and dtype, and the rule that any looser one carries its reason.

A comparison passes when |actual - expected| <= atol + rtol·|expected| elementwise. The defaults are
tighter than torch.testing.assert_close's (float32: rtol 1.3e-6, atol 1e-5; float64: rtol 1e-7, atol 1e-7):

- forward / vjp_torch / kinks: refgrad against torch in the same dtype. Both round; elementwise library
  functions differ by an ulp or two, sums by the order of addition.
- vjp_numeric / jvp: refgrad (float64) against Richardson-extrapolated central differences, whose own error
  is ~1e-10 relative to the function's scale (see oracle.numeric).
- jvp_adjoint: ⟨Jv, u⟩ from forward mode against ⟨v, Jᵀu⟩ from reverse mode, both float64; measured relative
  to Σ|Jv||u| + Σ|v||Jᵀu| (the scale of rounding in an inner product), plus atol·(Σ|u| + Σ|v|): an entry of
  Jv or Jᵀu whose terms cancel (a Jacobian that is exactly 0 computed as a difference of O(1) terms, e.g.
  cross_entropy with label smoothing and class weights at equal logits) is rounding noise of the size the
  forward and vjp checks accept as atol, which the computed scale, built from those same tiny values, misses.
- double_backward: second derivatives, refgrad against torch, float64.
- double_backward_numeric (users' functions, oracle.user): a function's backward of its backward against numerical
  derivatives of its backward, float64: the same estimate as vjp_numeric's, one derivative up.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tol:
    rtol: float
    atol: float
    reason: str = ""

    def looser_than(self, other: Tol) -> bool:
        return self.rtol > other.rtol or self.atol > other.atol


DEFAULTS = {
    ("forward", "float32"): Tol(1e-6, 1e-6),
    ("forward", "float64"): Tol(1e-12, 1e-13),
    ("vjp_torch", "float32"): Tol(1e-6, 1e-6),
    ("vjp_torch", "float64"): Tol(1e-12, 1e-13),
    ("kinks", "float32"): Tol(1e-6, 1e-6),
    ("kinks", "float64"): Tol(1e-12, 1e-13),
    ("vjp_numeric", "float64"): Tol(1e-7, 1e-8),
    ("jvp", "float64"): Tol(1e-7, 1e-8),
    ("jvp_adjoint", "float64"): Tol(1e-12, 1e-13),
    ("double_backward", "float64"): Tol(1e-11, 1e-12),
    ("double_backward_numeric", "float64"): Tol(1e-7, 1e-8),
}


def default(check: str, dtype: str) -> Tol:
    return DEFAULTS[(check, dtype)]
