"""A TransformerEncoderLayer training step: refgrad vs torch CPU.

Batch 16, 64 tokens, d_model 128, 4 heads, dim_feedforward 512 (4·d_model), batch_first, float32 and float64, in the
forms users write: post-norm with dropout 0 (outputs and gradients compared), post-norm with dropout 0.1 (random:
timed only) and pre-norm (norm_first) with a causal mask. One step = the forward, an MSE loss against a fixed target,
backward, and an SGD update of every parameter under no_grad. torch runs what it picks on CPU (the attention inside
calls scaled_dot_product_attention, its flash kernel for these inputs; its fused fast path needs no gradients, so a
training step never takes it). Both start from refgrad's seeded initial weights. refgrad's targets: <= 1.2x torch in
float64, <= 2x in float32.
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library
from .cnn import initial_state, load

BATCH, TOKENS, D_MODEL, HEADS, FEEDFORWARD = 16, 64, 128, 4, 512
LR = 1e-3
SMOKE = {"BATCH": 2, "TOKENS": 8, "D_MODEL": 16, "HEADS": 2, "FEEDFORWARD": 32}  # the smoke test's sizes
FORMS = {"post-norm": {"dropout": 0.0}, "dropout 0.1": {"dropout": 0.1},
         "pre-norm causal": {"dropout": 0.0, "norm_first": True}}


def encoder_layer(form):
    return lambda lib: lib.nn.TransformerEncoderLayer(D_MODEL, HEADS, FEEDFORWARD, batch_first=True, **FORMS[form])


class Step:
    """One training step of an encoder layer, written once against the torch API; runs on torch or on refgrad."""

    def __init__(self, lib, form: str, dtype):
        self.lib = lib
        self.layer = load(lib, encoder_layer(form)(lib), initial_state(encoder_layer(form)), dtype).train()
        rng = np.random.default_rng(0)
        x, target = (rng.standard_normal((BATCH, TOKENS, D_MODEL)).astype(dtype) for _ in range(2))
        self.x, self.target = lib.tensor(x, requires_grad=True), lib.tensor(target)
        causal = lib.nn.Transformer.generate_square_subsequent_mask(TOKENS, dtype=getattr(lib, dtype_name(dtype)))
        self.kwargs = {"src_mask": causal, "is_causal": True} if "causal" in form else {}

    def __call__(self) -> list:
        lib = self.lib
        out = self.layer(self.x, **self.kwargs)
        loss = lib.nn.functional.mse_loss(out, self.target)
        loss.backward()
        grads = [p.grad for p in self.layer.parameters()] + [self.x.grad]
        with lib.no_grad():
            for p in self.layer.parameters():
                p -= LR * p.grad
                p.grad = None
        self.x.grad = None
        return [out] + grads


def cases() -> list[Case]:
    def builder(form, dtype):
        return lambda implementation: Step(library(implementation), form, dtype)

    return [Case("models", f"transformer layer step {dtype_name(dtype)}, {form}", builder(form, dtype),
                 (TORCH, REFGRAD), {TORCH: target}, rtol=1e-9 if dtype == np.float64 else 1e-3,
                 atol=1e-11 if dtype == np.float64 else 1e-4, compare=FORMS[form]["dropout"] == 0,
                 quick=dtype == np.float32 and form == "post-norm")
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0)) for form in FORMS]
