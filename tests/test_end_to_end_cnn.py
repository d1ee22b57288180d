"""End to end: a small CNN (conv, batch norm, relu, max pooling, adaptive average pooling, linear) trains 20 steps in
refgrad and torch from the same weights and batches with hand-written SGD; losses and parameters agree at every step
(float64, relative 1e-9), and the batch-norm running statistics with them."""
from __future__ import annotations

import numpy as np
import torch

import refgrad
from oracle.training import train_side_by_side

STEPS = 20
RTOL = 1e-9


def cnn(lib, classes: int = 10):
    nn = lib.nn
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1, padding_mode="reflect"), nn.BatchNorm2d(16), nn.ReLU(),
        nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(16, classes))


def classification_loss(lib, model, x, y):
    return lib.nn.functional.cross_entropy(model(x), y)


def test_cnn_trains_as_torch():
    rng = np.random.default_rng(0)
    torch.manual_seed(0)
    # labels from the mean colour: learnable in a few steps, so the comparison covers a moving model
    teacher = rng.standard_normal((3, 10))
    images = [rng.standard_normal((8, 3, 8, 8)) for _ in range(STEPS)]
    batches = [(x, np.argmax(x.mean(axis=(2, 3)) @ teacher, axis=1)) for x in images]
    theirs, ours = cnn(torch), cnn(refgrad)
    run = train_side_by_side(theirs, ours, batches, classification_loss, lr=0.1)
    run.assert_agree(RTOL)
    for name, buffer in theirs.named_buffers():
        np.testing.assert_allclose(np.asarray(ours.get_buffer(name)), buffer.numpy(), rtol=RTOL, atol=0)
