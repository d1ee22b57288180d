"""Loops over the pieces of a sequence, as recurrent and per-step code writes them, forward and backward.

x is (STEPS, BATCH, FEATURES), float64 and float32; each form takes the steps one by one, loss = Σ_t sum(x_t · x_t),
then loss.backward(). Every piece's gradient is zero but for its own step, so a backward that builds each one whole and
adds it into x's gradient costs O(STEPS²) (refgrad did: 6 s against torch's 56 ms at 800 steps); torch's unbind
adds the pieces into one buffer. STEPS × 3 recorded ops make these per-op-overhead bound: the target is torch's time
(issue #13). The hand-written NumPy step (x·x summed, 2x) is there to check the values.
"""
from __future__ import annotations

import numpy as np

from ..case import NUMPY, REFGRAD, TORCH, Case, dtype_name, library

STEPS, BATCH, FEATURES = 400, 32, 128
SMOKE = {"STEPS": 5, "BATCH": 2, "FEATURES": 3}  # the smoke test's sizes
FORMS = {  # how the loop takes step t
    "for x_t in x.unbind(0)": lambda x: x.unbind(0),
    "for x_t in x.split(1)": lambda x: x.split(1),
    "for t in range(T): x[t]": lambda x: (x[t] for t in range(x.shape[0])),
}
QUICK = {"for x_t in x.unbind(0)"}


class NumpyStep:
    def __init__(self, x):
        self.x = x

    def __call__(self) -> list:
        return [(self.x * self.x).sum(), 2 * self.x]


class AutogradStep:
    def __init__(self, lib, pieces, x):
        self.pieces, self.x = pieces, lib.tensor(x, requires_grad=True)

    def __call__(self) -> list:
        loss = 0.0
        for x_t in self.pieces(self.x):
            loss = loss + (x_t * x_t).sum()
        loss.backward()
        grad, self.x.grad = self.x.grad, None
        return [loss, grad]


def cases() -> list[Case]:
    def builder(form, dtype):
        def build(implementation):
            x = np.random.default_rng(0).standard_normal((STEPS, BATCH, FEATURES)).astype(dtype)
            return NumpyStep(x) if implementation == NUMPY else AutogradStep(library(implementation), FORMS[form], x)
        return build

    # float32's loss adds 400 step sums in each library's own order: its implementations agree to 1e-5, not 1e-12
    return [Case("natural forms", f"{form} and its backward, {STEPS} steps of {BATCH}×{FEATURES} {dtype_name(dtype)}",
                 builder(form, dtype), (NUMPY, TORCH, REFGRAD), {TORCH: 1.0},
                 rtol=1e-12 if dtype == np.float64 else 1e-5, quick=form in QUICK and dtype == np.float64)
            for dtype in (np.float64, np.float32) for form in FORMS]
