"""scaled_dot_product_attention forward + backward: refgrad vs torch CPU.

Batch 8, 4 heads, 128 tokens, head dim 32 (query, key and value (8, 4, 128, 32)), float32 and float64, in the forms
users write: no mask, is_causal=True and a boolean padding mask (True: take part). One step = the forward, then
backward of a fixed cotangent into the three inputs. torch runs what it picks by default on CPU (its flash kernel
for these 4-D inputs) and, for reference, its math backend ("torch math"), the one refgrad mirrors. refgrad's
targets: <= 1.2x torch in float64, <= 2x in float32.
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library

B, H, L, D = 8, 4, 128, 32
SMOKE = {"B": 2, "H": 2, "L": 8, "D": 4}  # the smoke test's sizes
TORCH_MATH = "torch math"
FORMS = ("plain", "causal", "padding")


def make_data(dtype, seed: int = 0):
    rng = np.random.default_rng(seed)
    q, k, v = (rng.standard_normal((B, H, L, D)).astype(dtype) for _ in range(3))
    cotangent = rng.standard_normal((B, H, L, D)).astype(dtype)
    padding = np.ones((B, 1, 1, L), bool)
    padding[:, :, :, L - L // 4:] = False  # the last quarter of the keys is padding
    return (q, k, v), cotangent, padding


class Step:
    """sdpa forward and backward, written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, arrays, cotangent, padding, form, math_backend=False):
        self.lib, self.F, self.math_backend = lib, lib.nn.functional, math_backend
        self.inputs = [lib.tensor(a, requires_grad=True) for a in arrays]
        self.cotangent = lib.tensor(cotangent)
        self.kwargs = {"plain": {}, "causal": {"is_causal": True}, "padding": {"attn_mask": lib.tensor(padding)}}[form]

    def __call__(self) -> list:
        if self.math_backend:
            from torch.nn.attention import SDPBackend, sdpa_kernel

            with sdpa_kernel(SDPBackend.MATH):
                out = self.F.scaled_dot_product_attention(*self.inputs, **self.kwargs)
        else:
            out = self.F.scaled_dot_product_attention(*self.inputs, **self.kwargs)
        out.backward(self.cotangent)
        grads = [t.grad for t in self.inputs]
        for t in self.inputs:
            t.grad = None
        return [out] + grads


def cases() -> list[Case]:
    def builder(dtype, form):
        return lambda implementation: Step(library(implementation), *make_data(dtype), form,
                                           math_backend=implementation == TORCH_MATH)

    return [Case("models", f"attention {dtype_name(dtype)}, {form}", builder(dtype, form),
                 (TORCH, TORCH_MATH, REFGRAD), {TORCH: target},
                 rtol=1e-10 if dtype == np.float64 else 1e-4, atol=1e-12 if dtype == np.float64 else 1e-5,
                 quick=dtype == np.float32 and form == "plain")
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0)) for form in FORMS]
