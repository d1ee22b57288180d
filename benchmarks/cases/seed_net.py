"""One training step of the seed net (a two-layer net), with its L2 term written each way users write it.

N=256, D=3072, H=100, C=10, float64: scores = relu(X W1 + b1) W2 + b2, softmax cross-entropy (mean over the batch)
+ reg·(‖W1‖² + ‖W2‖²); one step = forward, backward, and an SGD update of the four parameters. The hand-written NumPy
step makes the same BLAS calls, so refgrad's time over it is the graph's bookkeeping; target (issue #13): within 1.2×
of it for every formulation.
"""
from __future__ import annotations

import numpy as np

from ..case import NUMPY, REFGRAD, TORCH, Case, library

N, D, H, C = 256, 3072, 100, 10
REG, LR = 1e-3, 1e-2
SMOKE = {"N": 16, "D": 48, "H": 12}  # the smoke test's sizes

# the L2 term of one weight, as users write it (issue #13's natural forms)
L2_FORMS = {
    "(W * W).sum()": lambda lib, W: (W * W).sum(),
    "(W ** 2).sum()": lambda lib, W: (W ** 2).sum(),
    "W.pow(2).sum()": lambda lib, W: W.pow(2).sum(),
    "square(W).sum()": lambda lib, W: lib.square(W).sum(),
    "sum(W ** 2)": lambda lib, W: lib.sum(W ** 2),
}
QUICK_FORMS = {"(W * W).sum()", "(W ** 2).sum()"}


def make_data(seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((N, D))
    y = rng.integers(0, C, N)
    params = {"W1": rng.standard_normal((D, H)) * np.sqrt(2.0 / D), "b1": np.zeros(H),
              "W2": rng.standard_normal((H, C)) * np.sqrt(2.0 / H), "b2": np.zeros(C)}
    return X, y, params


class NumpyStep:
    """The backprop-lecture step, every gradient written out by hand."""

    def __init__(self, X, y, params):
        self.X, self.y, self.p = X, y, {k: v.copy() for k, v in params.items()}

    def __call__(self) -> float:
        X, y, p = self.X, self.y, self.p
        h_pre = X @ p["W1"] + p["b1"]
        h = np.maximum(h_pre, 0)
        scores = h @ p["W2"] + p["b2"]
        shifted = scores - scores.max(axis=1, keepdims=True)
        log_probs = shifted - np.log(np.exp(shifted).sum(axis=1, keepdims=True))
        loss = -log_probs[np.arange(N), y].mean() + REG * (np.sum(p["W1"] ** 2) + np.sum(p["W2"] ** 2))
        dscores = np.exp(log_probs)
        dscores[np.arange(N), y] -= 1
        dscores /= N
        dW2 = h.T @ dscores + 2 * REG * p["W2"]
        db2 = dscores.sum(axis=0)
        dh = dscores @ p["W2"].T
        dh[h_pre <= 0] = 0
        dW1 = X.T @ dh + 2 * REG * p["W1"]
        db1 = dh.sum(axis=0)
        for k, g in (("W1", dW1), ("b1", db1), ("W2", dW2), ("b2", db2)):
            p[k] -= LR * g
        return float(loss)


class AutogradStep:
    """The same step written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, X, y, params, l2):
        self.lib, self.F, self.l2 = lib, lib.nn.functional, l2
        self.X, self.y = lib.tensor(X), lib.tensor(y)
        self.p = {k: lib.tensor(v, requires_grad=True) for k, v in params.items()}

    def __call__(self) -> float:
        lib, F, p = self.lib, self.F, self.p
        h = F.relu(self.X @ p["W1"] + p["b1"])
        scores = h @ p["W2"] + p["b2"]
        loss = F.cross_entropy(scores, self.y) + REG * (self.l2(lib, p["W1"]) + self.l2(lib, p["W2"]))
        loss.backward()
        with lib.no_grad():
            for t in p.values():
                t -= LR * t.grad
                t.grad = None
        return float(loss.item())


def cases() -> list[Case]:
    def builder(form):
        def build(implementation):
            if implementation == NUMPY:
                return NumpyStep(*make_data())
            return AutogradStep(library(implementation), *make_data(), L2_FORMS[form])
        return build

    return [Case("seed net", f"seed net float64, L2 as {form}", builder(form), (NUMPY, TORCH, REFGRAD),
                 {NUMPY: 1.2}, rtol=1e-10, quick=form in QUICK_FORMS, warmups=3) for form in L2_FORMS]
