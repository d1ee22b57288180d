"""One optimizer step over a model's parameters: torch CPU vs refgrad, float32 and float64.

100 parameter tensors of mixed sizes, 1M values in all (50 weight matrices of lognormally spread sizes and their 50
biases, as a model's), each with a fixed gradient; one step = ``optimizer.step()``. SGD runs with momentum 0.9, every
other optimizer refgrad.optim declares with torch's defaults (SparseAdam takes sparse gradients only and LBFGS
re-evaluates a closure: neither is a per-tensor step, so both are left out). torch runs its default implementation
(on CPU tensors it picks the single-tensor loop: foreach and fused off). refgrad's target (issue #10): ≤ 1.0× torch.
"""
from __future__ import annotations

import inspect

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library

N_TENSORS, N_VALUES = 100, 1_000_000
SMOKE = {"N_TENSORS": 10, "N_VALUES": 20_000}  # the smoke test's sizes
OPTIONS = {"SGD": {"momentum": 0.9}}  # non-default options; the others run with torch's defaults
LEFT_OUT = {"SparseAdam", "LBFGS"}
QUICK = {"SGD", "Adam"}


def parameter_shapes(seed: int = 0) -> list[tuple[int, ...]]:
    """50 (rows, cols) weights and their (rows,) biases, N_VALUES values in all (up to rounding)."""
    rng = np.random.default_rng(seed)
    rows = rng.integers(16, 513, N_TENSORS // 2)
    share = rng.lognormal(0.0, 1.0, N_TENSORS // 2)
    weight_values = share / share.sum() * (N_VALUES - rows.sum())
    cols = np.maximum(1, np.round(weight_values / rows)).astype(int)
    return [shape for r, c in zip(rows, cols) for shape in ((int(r), int(c)), (int(r),))]


def make_tensors(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(s).astype(dtype), rng.standard_normal(s).astype(dtype)) for s in parameter_shapes()]


def declared_optimizers() -> list[str]:
    import refgrad

    optim = refgrad.optim
    return [name for name in optim.__all__ if inspect.isclass(getattr(optim, name))
            and issubclass(getattr(optim, name), optim.Optimizer) and getattr(optim, name) is not optim.Optimizer
            and name not in LEFT_OUT]


class Step:
    """``optimizer.step()`` over fresh parameters holding the given values and gradients; returns the parameters."""

    def __init__(self, lib, name: str, tensors):
        self.params = []
        for value, grad in tensors:
            p = lib.tensor(value.copy(), requires_grad=True)
            p.grad = lib.tensor(grad.copy())
            self.params.append(p)
        self.optimizer = getattr(lib.optim, name)(self.params, **OPTIONS.get(name, {}))

    def __call__(self) -> list:
        self.optimizer.step()
        return self.params


def cases() -> list[Case]:
    def builder(name, dtype):
        return lambda implementation: Step(library(implementation), name, make_tensors(dtype))

    # parameters after the warm-up steps (the first ones create the state) agree to a few float32 / float64 ulps
    return [Case("optimizer step", f"{name} step {dtype_name(dtype)}", builder(name, dtype), (TORCH, REFGRAD),
                 {TORCH: 1.0}, rtol=0.0, atol=1e-5 if dtype == np.float32 else 1e-12,
                 quick=dtype == np.float32 and name in QUICK, warmups=3)
            for dtype in (np.float32, np.float64) for name in declared_optimizers()]
