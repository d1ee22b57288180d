"""Adagrad, RMSprop, Adadelta, Rprop, ASGD beyond the harness: what a trajectory does not show."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad

ADAPTIVE = ["Adagrad", "RMSprop", "Adadelta", "Rprop", "ASGD"]


@pytest.mark.parametrize("name", ADAPTIVE)
def test_differentiable_is_refused_by_name(name):
    with pytest.raises(NotImplementedError, match="differentiable=True"):
        getattr(refgrad.optim, name)([refgrad.nn.Parameter(refgrad.zeros(2))], differentiable=True)


def test_adagrad_state_exists_before_the_first_step_and_takes_the_constructors_accumulator():
    def build(lib):
        a, b = lib.nn.Parameter(lib.zeros(2, dtype=lib.float64)), lib.nn.Parameter(lib.zeros(3, dtype=lib.float64))
        return lib.optim.Adagrad([{"params": [a]}, {"params": [b], "initial_accumulator_value": 5.0}],
                                 initial_accumulator_value=0.5)

    ours, theirs = build(refgrad).state_dict()["state"], build(torch).state_dict()["state"]
    assert list(ours) == list(theirs) == [0, 1]
    for index in theirs:
        assert list(ours[index]) == list(theirs[index]) == ["step", "sum"]
        assert ours[index]["step"].dtype == np.float32 and float(ours[index]["step"]) == 0.0
        np.testing.assert_array_equal(ours[index]["sum"].numpy(), theirs[index]["sum"].numpy())  # 0.5, not 5.0


def test_adagrad_sparse_gradient_touches_only_its_rows():
    weights = np.arange(12.0).reshape(4, 3)

    def run(lib, grad):
        w = lib.nn.Parameter(lib.tensor(weights.copy()))
        optimizer = lib.optim.Adagrad([w], lr=0.5, initial_accumulator_value=0.1)
        w.grad = grad(lib)
        optimizer.step()
        return np.asarray(w.detach().numpy()), np.asarray(optimizer.state[w]["sum"].numpy())

    rows, values = np.array([2, 0, 2]), np.ones((3, 3))
    from refgrad.sparse import SparseRowTensor

    ours = run(refgrad, lambda lib: SparseRowTensor(rows, values, (4, 3)))
    theirs = run(torch, lambda lib: torch.sparse_coo_tensor(torch.tensor(rows[None]), torch.tensor(values), (4, 3)))
    for a, b in zip(ours, theirs):
        np.testing.assert_allclose(a, b, rtol=1e-15)
    untouched = [1, 3]
    np.testing.assert_array_equal(ours[0][untouched], weights[untouched])
    np.testing.assert_array_equal(ours[1][untouched], 0.1)
