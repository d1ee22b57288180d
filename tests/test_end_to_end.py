"""End to end: models written once against the shared torch/refgrad namespaces train for 20 steps in both libraries
from the same weights and batches with hand-written SGD (oracle.training); losses and parameters agree at every step
(float64, relative 1e-9). The CNN, LSTM language model and transformer classifier live beside their modules' tests
(tests/test_end_to_end_*.py) and use the same runner."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
from oracle.training import train_side_by_side

STEPS = 20
RTOL = 1e-9


def mlp(lib, sizes=(20, 32, 16, 10)):
    """Linear layers with tanh between them, as the seed lectures' network."""

    class MLP(lib.nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = lib.nn.ModuleList(lib.nn.Linear(a, b) for a, b in zip(sizes[:-1], sizes[1:]))

        def forward(self, x):
            for layer in self.layers[:-1]:
                x = lib.tanh(layer(x))
            return self.layers[-1](x)

    return MLP()


def classification_loss(lib, model, x, y):
    return lib.nn.functional.cross_entropy(model(x), y)


def teacher_batches(rng, steps: int, batch: int, features: int = 20, classes: int = 10) -> list:
    """Inputs labelled by a fixed random linear teacher: a task the model can learn within a few steps."""
    teacher = rng.standard_normal((features, classes))
    xs = [rng.standard_normal((batch, features)) for _ in range(steps)]
    return [(x, np.argmax(x @ teacher, axis=1)) for x in xs]


def test_mlp_trains_as_torch():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    batches = teacher_batches(rng, STEPS, 32)
    run = train_side_by_side(mlp(torch), mlp(refgrad), batches, classification_loss, lr=0.5)
    run.assert_agree(RTOL)
    assert run.torch_losses[-1] < run.torch_losses[0]  # it trained: the comparison covers a moving model


def test_a_wrong_gradient_is_caught():
    """The runner can fail: a refgrad model whose loss gradient is scaled by 1 + 1e-6 drifts past the tolerance."""
    rng = np.random.default_rng(1)
    torch.manual_seed(1)
    batches = teacher_batches(rng, 3, 8)

    def skewed(lib, model, x, y):
        value = classification_loss(lib, model, x, y)
        return value * (1 + 1e-6) - value.detach() * 1e-6 if lib is refgrad else value

    with pytest.raises(AssertionError, match="parameter"):
        train_side_by_side(mlp(torch), mlp(refgrad), batches, skewed, lr=0.1).assert_agree(RTOL)
