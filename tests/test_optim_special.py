"""SparseAdam, Adafactor and LBFGS beyond their specs: end-to-end training against torch, and the errors the
spec's error cases cannot express."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad

LIBS = [torch, refgrad]


def _embedding_model(lib, dtype):
    """Embedding(sparse=True) + Linear, with the same weights in both libraries."""
    rng = np.random.default_rng(0)
    kind = getattr(lib, np.dtype(dtype).name)
    embedding = lib.nn.Embedding(7, 4, sparse=True, dtype=kind)
    linear = lib.nn.Linear(4, 3, dtype=kind)
    weights = {"embedding": {"weight": rng.standard_normal((7, 4)).astype(dtype)},
               "linear": {"weight": rng.standard_normal((3, 4)).astype(dtype), "bias": rng.standard_normal(3).astype(
                   dtype)}}
    for module, name in ((embedding, "embedding"), (linear, "linear")):
        module.load_state_dict({k: lib.tensor(v) for k, v in weights[name].items()})
    return embedding, linear


@pytest.mark.parametrize("dtype,rtol", [(np.float64, 1e-12), (np.float32, 1e-5)])
def test_sparse_adam_trains_an_embedding_as_torch(dtype, rtol):
    """SparseAdam on the embedding's sparse gradients, plain SGD on the linear layer: losses and weights agree with
    torch's at every step (batches repeat rows and leave rows out)."""
    rng = np.random.default_rng(1)
    batches = [(rng.integers(0, 7, size=(5, 2)), rng.integers(0, 3, size=5)) for _ in range(6)]
    runs = []
    for lib in LIBS:
        embedding, linear = _embedding_model(lib, dtype)
        sparse = lib.optim.SparseAdam(list(embedding.parameters()), lr=0.05, betas=(0.8, 0.99))
        dense = lib.optim.SGD(list(linear.parameters()), lr=0.1)
        trace = []
        for rows, labels in batches:
            sparse.zero_grad()
            dense.zero_grad()
            logits = linear(embedding(lib.tensor(rows)).mean(dim=1))
            loss = lib.nn.functional.cross_entropy(logits, lib.tensor(labels))
            loss.backward()
            assert embedding.weight.grad.is_sparse
            sparse.step()
            dense.step()
            trace.append([float(loss.item())] + [np.array(p.detach().numpy()) for p in
                                                 (embedding.weight, linear.weight, linear.bias)])
        runs.append(trace)
    for theirs, ours in zip(*runs):
        for a, b in zip(ours, theirs):
            assert np.asarray(a).dtype == np.asarray(b).dtype == (np.float64 if np.ndim(a) == 0 else dtype)
            np.testing.assert_allclose(a, b, rtol=rtol, atol=rtol * 1e-2)


def test_adafactor_divides_by_a_size_0_parameter_as_torch():
    """torch's step takes RMS(θ) = ‖θ‖/√numel, a division by zero for an empty parameter (the spec draws none)."""
    for lib in LIBS:
        params = [lib.nn.Parameter(lib.zeros(0, 3)), lib.nn.Parameter(lib.ones(2))]
        for p in params:
            p.grad = lib.ones_like(p)
        with pytest.raises(ZeroDivisionError):
            lib.optim.Adafactor(params).step()
