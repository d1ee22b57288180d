"""End to end: a transformer encoder classifier (token embedding as a Parameter through F.embedding, learned
positions, a 2-layer TransformerEncoder over padded sequences with a key padding mask, mean pooling over the real
tokens, a Linear head) written once against the shared torch/refgrad namespaces, trained 20 steps in both libraries
from the same weights and batches with hand-written SGD (oracle.training); losses and parameters agree at every step
(float64, relative 1e-9). dropout 0: the runs are deterministic."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
from oracle.training import train_side_by_side

STEPS = 20
RTOL = 1e-9
VOCAB, LENGTH, CLASSES = 12, 7, 3


def encoder_classifier(lib, d_model: int = 16, heads: int = 4, norm_first: bool = False, activation: str = "relu"):
    class EncoderClassifier(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.embedding = lib.nn.Parameter(lib.randn(VOCAB, d_model))
            self.positions = lib.nn.Parameter(lib.randn(LENGTH, d_model) * 0.1)
            layer = lib.nn.TransformerEncoderLayer(d_model, heads, 2 * d_model, dropout=0.0, activation=activation,
                                                   batch_first=True, norm_first=norm_first)
            self.encoder = lib.nn.TransformerEncoder(layer, 2, enable_nested_tensor=False)
            self.head = lib.nn.Linear(d_model, CLASSES)

        def forward(self, tokens, padding, keep):
            h = lib.nn.functional.embedding(tokens, self.embedding) + self.positions
            h = self.encoder(h, src_key_padding_mask=padding)
            pooled = (h * keep.unsqueeze(-1)).sum(1) / keep.sum(1, keepdim=True)
            return self.head(pooled)

    return EncoderClassifier()


def classification_loss(lib, model, tokens, padding, keep, labels):
    return lib.nn.functional.cross_entropy(model(tokens, padding, keep), labels)


def token_batches(rng, steps: int, batch: int) -> list:
    """Sequences of 3 to LENGTH tokens, padded (padding=True past the end); the label is the first token's class
    (token mod CLASSES): learnable in a few steps, and it needs attention to reach the pooled summary."""
    batches = []
    for _ in range(steps):
        tokens = rng.integers(0, VOCAB, (batch, LENGTH))
        lengths = rng.integers(3, LENGTH + 1, batch)
        padding = np.arange(LENGTH) >= lengths[:, None]
        tokens[padding] = 0
        batches.append((tokens, padding, (~padding).astype(np.float64), tokens[:, 0] % CLASSES))
    return batches


@pytest.mark.parametrize("norm_first, activation", [(False, "relu"), (True, "gelu")])
def test_transformer_encoder_classifier_trains_as_torch(norm_first, activation):
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    batches = token_batches(rng, STEPS, 16)
    run = train_side_by_side(encoder_classifier(torch, norm_first=norm_first, activation=activation),
                             encoder_classifier(refgrad, norm_first=norm_first, activation=activation),
                             batches, classification_loss, lr=0.1)
    run.assert_agree(RTOL)
    assert run.torch_losses[-1] < run.torch_losses[0]  # it trained: the comparison covers a moving model
