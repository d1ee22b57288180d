"""The natural forms of issue #13, each alone: out = form(W), then out.backward(G), on a 3072×100 float64 W (the seed
net's first weight) with a fixed cotangent G.

The hand-written NumPy step computes the same value and its gradient directly (G · f'(W)); torch's eager autograd
runs the same code as refgrad. Forms that users write for the same function share its NumPy step, so a slow path in
one of them shows as a ratio the others do not have. Target: within 1.2× NumPy, as the seed net.
"""
from __future__ import annotations

import numpy as np

from ..case import NUMPY, REFGRAD, TORCH, Case, library

ROWS, COLS = 3072, 100
SMOKE = {"ROWS": 6, "COLS": 5}  # the smoke test's sizes
C = 3.0
# form -> (as users write it on a tensor library, hand-written NumPy (value, gradient given G))
FORMS = {
    "x * x": (lambda lib, x: x * x, lambda x, g: (x * x, 2 * x * g)),
    "x ** 2": (lambda lib, x: x ** 2, lambda x, g: (x * x, 2 * x * g)),
    "x.pow(2)": (lambda lib, x: x.pow(2), lambda x, g: (x * x, 2 * x * g)),
    "square(x)": (lambda lib, x: lib.square(x), lambda x, g: (x * x, 2 * x * g)),
    "x ** 0.5": (lambda lib, x: x ** 0.5, lambda x, g: (lambda r: (r, 0.5 * g / r))(np.sqrt(x))),
    "sqrt(x)": (lambda lib, x: lib.sqrt(x), lambda x, g: (lambda r: (r, 0.5 * g / r))(np.sqrt(x))),
    "x ** -1": (lambda lib, x: x ** -1, lambda x, g: (lambda r: (r, -g * r * r))(1 / x)),
    "reciprocal(x)": (lambda lib, x: lib.reciprocal(x), lambda x, g: (lambda r: (r, -g * r * r))(1 / x)),
    "x / c": (lambda lib, x: x / C, lambda x, g: (x / C, g / C)),
    "c * x": (lambda lib, x: C * x, lambda x, g: (C * x, C * g)),
    "x - x.mean()": (lambda lib, x: x - x.mean(), lambda x, g: (x - x.mean(), g - g.mean())),
    "x.sum()": (lambda lib, x: x.sum(), lambda x, g: (x.sum(), np.full_like(x, g))),
    "sum(x)": (lambda lib, x: lib.sum(x), lambda x, g: (x.sum(), np.full_like(x, g))),
}
QUICK = {"x ** 2", "x ** 0.5"}


def make_data(form: str, seed: int = 0):
    """A positive W (sqrt and reciprocal need it) and the cotangent of form(W)."""
    rng = np.random.default_rng(seed)
    x = np.abs(rng.standard_normal((ROWS, COLS))) + 0.5
    return x, rng.standard_normal(np.shape(FORMS[form][1](x, np.ones_like(x))[0]))


class NumpyStep:
    def __init__(self, form, x, g):
        self.value_and_grad, self.x, self.g = FORMS[form][1], x, g

    def __call__(self) -> list:
        return list(self.value_and_grad(self.x, self.g))


class AutogradStep:
    def __init__(self, lib, form, x, g):
        self.lib, self.form = lib, FORMS[form][0]
        self.x, self.g = lib.tensor(x, requires_grad=True), lib.tensor(g)

    def __call__(self) -> list:
        out = self.form(self.lib, self.x)
        out.backward(self.g)
        grad, self.x.grad = self.x.grad, None
        return [out, grad]


def cases() -> list[Case]:
    def builder(form):
        def build(implementation):
            if implementation == NUMPY:
                return NumpyStep(form, *make_data(form))
            return AutogradStep(library(implementation), form, *make_data(form))
        return build

    return [Case("natural forms", f"{form} and its backward, 3072×100 float64", builder(form), (NUMPY, TORCH, REFGRAD),
                 {NUMPY: 1.2}, rtol=1e-12, atol=1e-14, quick=form in QUICK) for form in FORMS]
