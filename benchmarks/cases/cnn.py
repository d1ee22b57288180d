"""One training step of a small CNN built from nn modules: torch CPU vs refgrad, float32 and float64.

N=32 images 3×32×32: Conv2d 3→16 (3×3, padding 1), batch norm, relu, max_pool2d 2, Conv2d 16→32 (3×3, padding 1),
batch norm, relu, adaptive_avg_pool2d 1, Linear 32→10, cross_entropy; one step = forward, backward and an SGD update
of every parameter. The model is written once against the torch API and built in each library; torch's twin loads
refgrad's initial weights with load_state_dict (so refgrad's process never needs torch). Targets (issue #9): refgrad
within 1.2× torch in float64 and 2× in float32.
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library

N, SIZE, LR = 32, 32, 1e-2
SMOKE = {"N": 4, "SIZE": 8}  # the smoke test's sizes


def small_cnn(lib):
    """The model of ``lib`` (torch or refgrad: their namespaces mirror each other)."""
    nn = lib.nn
    return nn.Sequential(nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(16, 32, 3, padding=1), nn.BatchNorm2d(32), nn.ReLU(), nn.AdaptiveAvgPool2d(1),
                         nn.Flatten(), nn.Linear(32, 10))


def initial_state(model_of, seed: int = 0) -> dict:
    """refgrad's seeded initial weights of a model, as NumPy arrays: every implementation starts from them."""
    import refgrad

    refgrad.manual_seed(seed)
    return {k: np.array(v) for k, v in model_of(refgrad).state_dict().items()}


def load(lib, model, state: dict, dtype):
    """``model`` in ``dtype`` holding ``state``'s values."""
    model = model.to(getattr(lib, dtype_name(dtype)))
    model.load_state_dict({k: lib.tensor(v.astype(dtype) if v.dtype.kind == "f" else v) for k, v in state.items()})
    return model


class Step:
    """One SGD training step of ``model`` on fixed data."""

    def __init__(self, lib, model, x, y):
        self.lib, self.model = lib, model
        self.x, self.y = lib.tensor(x), lib.tensor(y)

    def __call__(self) -> float:
        loss = self.lib.nn.functional.cross_entropy(self.model(self.x), self.y)
        loss.backward()
        with self.lib.no_grad():
            for p in self.model.parameters():
                p -= LR * p.grad
                p.grad = None
        return float(loss.item())


def cases() -> list[Case]:
    def builder(dtype):
        def build(implementation):
            lib = library(implementation)
            rng = np.random.default_rng(0)
            x, y = rng.standard_normal((N, 3, SIZE, SIZE)).astype(dtype), rng.integers(0, 10, N)
            return Step(lib, load(lib, small_cnn(lib), initial_state(small_cnn), dtype), x, y)
        return build

    return [Case("models", f"small CNN step {dtype_name(dtype)}", builder(dtype), (TORCH, REFGRAD), {TORCH: target},
                 rtol=1e-10 if dtype == np.float64 else 1e-4, quick=dtype == np.float32, warmups=3)
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0))]
