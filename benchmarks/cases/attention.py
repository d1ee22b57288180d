"""scaled_dot_product_attention forward + backward: refgrad vs torch CPU.

Batch 8, 4 heads, 128 tokens, head dim 32 (query, key and value (8, 4, 128, 32)), float32 and float64, in the forms
users write: no mask, is_causal=True and a boolean padding mask (True: take part). One step = the forward, then
backward of a fixed cotangent into the three inputs. torch runs what it picks by default on CPU (its flash kernel
for these 4-D inputs) and, for reference, its math backend ("torch math"), the one refgrad mirrors. refgrad's
targets: <= 1.2x torch in float64, <= 2x in float32. The NumPy step, no target, writes the same forward and backward
out by hand (the products, the softmax and its backward, each a NumPy pass): what refgrad's time would be without
its own cost, so that the refgrad/numpy ratio separates refgrad's overhead from NumPy's kernels against torch's.
"""
from __future__ import annotations

import math

import numpy as np

from ..case import NUMPY, REFGRAD, TORCH, Case, dtype_name, library

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


class NumpyStep:
    """The forward and its gradients written out in NumPy: s = softmax(q kᵀ/√E + mask), out = s v; then
    dv = sᵀ g, ds = (g vᵀ − Σ g vᵀ·s)·s, dq = ds k/√E, dk = dsᵀ q/√E."""

    def __init__(self, arrays, cotangent, padding, form):
        (self.q, self.k, self.v), self.g = arrays, cotangent
        self.scale = 1 / math.sqrt(self.q.shape[-1])
        keep = {"plain": None, "causal": np.tri(L, L, dtype=bool), "padding": padding}[form]
        self.mask = None if keep is None else np.where(keep, 0.0, -np.inf).astype(self.q.dtype)

    def __call__(self) -> list:
        q, k, v, g = self.q, self.k, self.v, self.g
        s = q @ k.swapaxes(-1, -2)
        s *= self.scale
        if self.mask is not None:
            s += self.mask
        s -= s.max(axis=-1, keepdims=True)
        np.exp(s, out=s)
        s /= s.sum(axis=-1, keepdims=True)
        out = s @ v
        dv = s.swapaxes(-1, -2) @ g
        ds = g @ v.swapaxes(-1, -2)
        ds -= (ds * s).sum(axis=-1, keepdims=True)
        ds *= s
        ds *= self.scale
        return [out, ds @ k, ds.swapaxes(-1, -2) @ q, dv]


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
        def build(implementation):
            if implementation == NUMPY:
                return NumpyStep(*make_data(dtype), form)
            return Step(library(implementation), *make_data(dtype), form, math_backend=implementation == TORCH_MATH)
        return build

    return [Case("models", f"attention {dtype_name(dtype)}, {form}", builder(dtype, form),
                 (NUMPY, TORCH, TORCH_MATH, REFGRAD), {TORCH: target},
                 rtol=1e-10 if dtype == np.float64 else 1e-4, atol=1e-12 if dtype == np.float64 else 1e-5,
                 quick=dtype == np.float32 and form == "plain")
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0)) for form in FORMS]
