"""An LSTM language-model training step: refgrad vs torch CPU.

Batch 32, 35 time steps, vocabulary 1000, embedding 128, a 2-layer LSTM of hidden size 256, a linear decoder to the
vocabulary; one step = embedding lookup, LSTM, decoder, cross-entropy over the 35·32 next tokens, backward, and a
hand-written SGD update of every parameter, in float32 and float64. The model is written once against the torch API
(the embedding a Parameter matrix looked up with F.embedding) and runs on either library from refgrad's seeded
initial weights. refgrad's targets: <= 1.2x torch in float64, <= 2x in float32.
"""
from __future__ import annotations

import numpy as np

from ..case import REFGRAD, TORCH, Case, dtype_name, library
from .cnn import initial_state, load

BATCH, STEPS, VOCAB, EMBED, HIDDEN, LAYERS = 32, 35, 1000, 128, 256, 2
LR = 0.1
SMOKE = {"BATCH": 4, "STEPS": 5, "VOCAB": 50, "EMBED": 8, "HIDDEN": 16}  # the smoke test's sizes


def language_model(lib):
    class LanguageModel(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = lib.nn.Parameter(lib.randn(VOCAB, EMBED))
            self.lstm = lib.nn.LSTM(EMBED, HIDDEN, LAYERS)
            self.decoder = lib.nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens):
            out, _ = self.lstm(lib.nn.functional.embedding(tokens, self.embedding))
            return self.decoder(out)

    return LanguageModel()


class Step:
    """One training step of a model on fixed tokens; returns the loss."""

    def __init__(self, lib, model, tokens: np.ndarray, targets: np.ndarray):
        self.lib, self.model = lib, model
        self.tokens, self.targets = lib.tensor(tokens), lib.tensor(targets.reshape(-1))

    def __call__(self) -> float:
        lib = self.lib
        logits = self.model(self.tokens)
        loss = lib.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), self.targets)
        self.model.zero_grad(set_to_none=True)
        loss.backward()
        with lib.no_grad():
            for p in self.model.parameters():
                p -= LR * p.grad
        return float(loss.item())


def cases() -> list[Case]:
    def builder(dtype):
        def build(implementation):
            lib = library(implementation)
            sequence = np.random.default_rng(0).integers(0, VOCAB, size=(STEPS + 1, BATCH))
            model = load(lib, language_model(lib), initial_state(language_model), dtype)
            return Step(lib, model, sequence[:-1], sequence[1:])
        return build

    return [Case("models", f"LSTM language model step {dtype_name(dtype)}", builder(dtype), (TORCH, REFGRAD),
                 {TORCH: target}, rtol=1e-10 if dtype == np.float64 else 1e-4, quick=False)
            for dtype, target in ((np.float64, 1.2), (np.float32, 2.0))]
