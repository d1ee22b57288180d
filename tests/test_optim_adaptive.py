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


@pytest.mark.parametrize("default", ["float32", "float64"])
def test_scalar_state_follows_the_default_dtype(default):
    """step counts, and ASGD's eta and mu, are 0-d tensors of the default dtype (torch's _get_scalar_dtype), whatever
    the parameters' dtype; their values agree with torch's."""
    def states(lib):
        before = lib.get_default_dtype()
        lib.set_default_dtype(getattr(lib, default))
        try:
            out = {}
            for name in ADAPTIVE:
                p = lib.nn.Parameter(lib.tensor(np.linspace(-1.0, 1.0, 4), dtype=lib.float64))
                optimizer = getattr(lib.optim, name)([p], lr=0.3)
                for _ in range(3):
                    p.grad = lib.tensor(np.array([0.5, -2.0, 0.25, 1.0]), dtype=lib.float64)
                    optimizer.step()
                out[name] = {k: np.asarray(v.detach().numpy() if lib is torch else v.numpy())
                             for k, v in optimizer.state[p].items()}
            return out
        finally:
            lib.set_default_dtype(before)

    ours, theirs = states(refgrad), states(torch)
    for name in ADAPTIVE:
        assert list(ours[name]) == list(theirs[name])
        for key, value in theirs[name].items():
            assert ours[name][key].dtype == value.dtype, (name, key)
            np.testing.assert_allclose(ours[name][key], value, rtol=1e-15, err_msg=f"{name} {key}")


@pytest.mark.parametrize("name", ADAPTIVE)
@pytest.mark.parametrize("options", [{}, {"maximize": True, "weight_decay": 0.1}], ids=["plain", "maximize-decay"])
def test_step_leaves_the_gradient_alone(name, options):
    options = {k: v for k, v in options.items() if k != "weight_decay" or name != "Rprop"}  # Rprop has none
    p = refgrad.nn.Parameter(refgrad.tensor(np.linspace(-1.0, 1.0, 6).reshape(2, 3)))
    optimizer = getattr(refgrad.optim, name)([p], **options)
    gradient = np.array([[0.5, -2.0, 0.0], [1.0, 3.0, -0.25]])
    p.grad = refgrad.tensor(gradient.copy())
    for _ in range(3):
        optimizer.step()
    np.testing.assert_array_equal(p.grad.numpy(), gradient)


@pytest.mark.parametrize("name", ["RMSprop", "Adadelta", "Rprop", "ASGD"])
def test_capturable_is_kept_in_the_group_and_changes_nothing(name):
    def run(capturable):
        p = refgrad.nn.Parameter(refgrad.tensor(np.linspace(-1.0, 1.0, 5)))
        optimizer = getattr(refgrad.optim, name)([p], capturable=capturable)
        for k in range(3):
            p.grad = refgrad.tensor(np.cos(np.arange(5.0) + k))
            optimizer.step()
        assert optimizer.param_groups[0]["capturable"] is capturable
        return p.detach().numpy()

    np.testing.assert_array_equal(run(True), run(False))
