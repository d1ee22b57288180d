"""End to end: an LSTM language model (embedding, a 2-layer LSTM, a linear decoder) written once against the shared
torch/refgrad namespaces trains for 20 steps in both libraries from the same weights and batches with hand-written
SGD (oracle.training); losses and parameters agree at every step (float64, relative 1e-9)."""
from __future__ import annotations

import numpy as np
import torch

import refgrad
from oracle.training import train_side_by_side

STEPS = 20
RTOL = 1e-9
VOCAB, EMBED, HIDDEN, LAYERS = 40, 16, 24, 2


def lstm_language_model(lib):
    class LanguageModel(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = lib.nn.Embedding(VOCAB, EMBED)
            self.lstm = lib.nn.LSTM(EMBED, HIDDEN, LAYERS)
            self.decoder = lib.nn.Linear(HIDDEN, VOCAB)

        def forward(self, tokens):
            out, _ = self.lstm(self.embedding(tokens))
            return self.decoder(out)

    return LanguageModel()


def next_token_loss(lib, model, tokens, targets):
    logits = model(tokens)
    return lib.nn.functional.cross_entropy(logits.reshape(-1, VOCAB), targets.reshape(-1))


def counting_batches(rng, steps: int, length: int = 12, batch: int = 8) -> list:
    """Sequences that count up modulo VOCAB in random strides of 1 or 2 from random starts: the next token depends on
    the previous two, which the LSTM learns within a few steps. Each batch: (tokens (T, B), targets: tokens shifted)."""
    batches = []
    for _ in range(steps):
        strides = rng.integers(1, 3, size=(1, batch))
        start = rng.integers(0, VOCAB, size=(1, batch))
        sequence = (start + strides * np.arange(length + 1)[:, None]) % VOCAB
        batches.append((sequence[:-1], sequence[1:]))
    return batches


def test_lstm_language_model_trains_as_torch():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    batches = counting_batches(rng, STEPS)
    run = train_side_by_side(lstm_language_model(torch), lstm_language_model(refgrad), batches, next_token_loss,
                             lr=5.0)
    run.assert_agree(RTOL)
    assert run.torch_losses[-1] < 0.9 * run.torch_losses[0]  # it trained: the comparison covers a moving model
