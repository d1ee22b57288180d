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


@pytest.mark.parametrize("line_search_fn", [None, "strong_wolfe"])
def test_lbfgs_float32_steps_away_from_the_minimum_agree_with_torch(line_search_fn):
    """The spec compares float64 only (see its no_float32): here float32 parameters and state, in float32, agree
    with torch's over a step that stays far from the minimum (two iterations from x = 0, the centre at 3)."""
    from oracle.optim_checks import OPTIMIZER_CHECKS, OptimizerCase
    from oracle.specs.optim import all_optimizer_specs

    (spec,) = [s for s in all_optimizer_specs() if s.name == "LBFGS"]
    rng = np.random.default_rng(2)
    objective = [((1 + 2 * rng.random(n)).astype(np.float32), np.full(n, 3.0, np.float32)) for n in (3, 4)]
    case = OptimizerCase([np.zeros(3, np.float32), np.zeros((2, 2), np.float32)], [[0, 1]], [{}],
                         {"lr": 0.5, "max_iter": 2, "line_search_fn": line_search_fn}, [None], objective)
    record = OPTIMIZER_CHECKS["trajectory"](spec, case, "float32", 0)[0]
    assert record.passed, record.note  # the state's dtypes included: float32 tensors, float64 where torch's are


@pytest.mark.parametrize("make,step,error", [
    (lambda lib, p: lib.optim.LBFGS([{"params": p[:1]}, {"params": p[1:]}]), None, ValueError),
    (lambda lib, p: lib.optim.LBFGS(p, line_search_fn="wolfe"), "closure", RuntimeError),
    (lambda lib, p: lib.optim.LBFGS(p), "none", TypeError),
])
def test_lbfgs_errors_as_torch(make, step, error):
    """One parameter group only; an unknown line search fails at the step; step() needs the closure."""
    messages = []
    for lib in LIBS:
        params = [lib.nn.Parameter(lib.ones(2)), lib.nn.Parameter(lib.ones(3))]

        def closure(params=params):
            loss = sum((p * p).sum() for p in params)
            loss.backward()
            return loss

        with pytest.raises(error) as raised:
            optimizer = make(lib, params)
            if step == "closure":
                optimizer.step(closure)
            elif step == "none":
                optimizer.step()
        messages.append(str(raised.value))
    if error is not TypeError:  # the missing argument's message names the method
        assert messages[0] == messages[1]
