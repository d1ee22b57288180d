"""The usual ways of writing a loss term cost what the tuned one costs: backward allocates one array (the gradient)
for each, however it is written, and the vjps that write into their own temporaries (into_temporary) still
give torch's values and still differentiate again when the graph is recorded."""
from __future__ import annotations

import operator
import tracemalloc

import numpy as np
import pytest
import torch

import refgrad as rg
from refgrad.ops.common import into_temporary

FORMS = {
    "x * x": lambda lib, x: x * x,
    "x ** 2": lambda lib, x: x ** 2,
    "x.pow(2)": lambda lib, x: x.pow(2),
    "square": lambda lib, x: lib.square(x),
    "x ** 3": lambda lib, x: x ** 3,
    "x ** 0.5": lambda lib, x: x ** 0.5,
    "sqrt": lambda lib, x: lib.sqrt(x),
    "x ** -1": lambda lib, x: x ** -1,
    "reciprocal": lambda lib, x: lib.reciprocal(x),
    "1 / x": lambda lib, x: 1 / x,
    "x / 3": lambda lib, x: x / 3,
    "3 * x": lambda lib, x: 3 * x,
    "x - x.mean()": lambda lib, x: x - x.mean(),
    "tanh": lambda lib, x: lib.tanh(x),
    "sigmoid": lambda lib, x: lib.sigmoid(x),
}
X = np.random.default_rng(3).random((512, 256)) + 0.5  # positive: every form is defined


@pytest.mark.parametrize("form", FORMS)
def test_backward_allocates_only_the_gradient(form):
    x = rg.tensor(X, requires_grad=True)
    loss = FORMS[form](rg, x).sum()
    tracemalloc.start()
    try:
        loss.backward()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # the gradient itself is one X-sized array; a chain of fresh temporaries (the general power vjp made three)
    # would be two or more
    assert peak < 1.5 * X.nbytes, f"{form}: backward peaked at {peak / X.nbytes:.2f} arrays of x's size"


@pytest.mark.parametrize("form", FORMS)
def test_gradients_and_second_derivatives_are_torchs(form):
    u = np.random.default_rng(4).standard_normal(X.shape)
    results = {}
    for name, lib in (("refgrad", rg), ("torch", torch)):
        x = lib.tensor(X[:8, :8].copy(), requires_grad=True)
        (plain,) = lib.autograd.grad(FORMS[form](lib, x).sum(), x)
        (grad,) = lib.autograd.grad(FORMS[form](lib, x).sum(), x, create_graph=True)
        # a linear form's gradient is a constant: no graph to differentiate, in torch as here
        second = lib.autograd.grad(grad, x, lib.tensor(u[:8, :8]))[0] if grad.requires_grad else lib.zeros(8, 8)
        results[name] = [t.detach().numpy() for t in (plain, grad, second)] + [grad.requires_grad]
    (plain, grad, second, nonlinear), (t_plain, _, t_second, t_nonlinear) = results["refgrad"], results["torch"]
    assert nonlinear == t_nonlinear
    np.testing.assert_array_equal(plain, grad)  # written in place or recorded: the same operations, same values
    np.testing.assert_allclose(plain, t_plain, rtol=1e-15, atol=0)
    np.testing.assert_allclose(second, t_second, rtol=1e-13, atol=1e-15)


def test_into_temporary_writes_only_an_unshared_temporary_outside_recording():
    a = rg.tensor(np.arange(6.0))
    view = a[1:4]  # shares a's memory: never written
    assert into_temporary(view, operator.mul, view, 2) is not view
    np.testing.assert_array_equal(a.numpy(), np.arange(6.0))
    tmp = a * 1
    with rg.no_grad():
        assert into_temporary(tmp, operator.mul, tmp, 2) is tmp
    np.testing.assert_array_equal(tmp.numpy(), 2 * np.arange(6.0))
    x = rg.tensor(np.arange(6.0), requires_grad=True)
    tmp = x * 1
    recorded = into_temporary(tmp, operator.mul, tmp, 2)  # grad mode on: a recorded op, tmp untouched
    assert recorded is not tmp and recorded.grad_fn is not None
    np.testing.assert_array_equal(tmp.detach().numpy(), np.arange(6.0))
    wider = rg.tensor(np.ones((2, 6)))
    with rg.no_grad():  # the result would not fit tmp's shape: a fresh array
        assert into_temporary(tmp.detach() * 1, operator.mul, tmp.detach() * 1, wider).shape == (2, 6)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(256, 32), (4, 64, 32)], ids=["rows", "batch of sequences"])
def test_linear_with_a_bias_adds_it_into_the_product(shape, dtype):
    """F.linear with a bias is torch's addmm (a (batch, time, features) input folded into rows): the bias is added
    into the product's array, not into a second output-sized array, and the values and gradients are those of the
    composition x @ w.T + b to the bit (the same operations)."""
    rng = np.random.default_rng(5)
    x, w, b = (rg.tensor(rng.standard_normal(s).astype(dtype), requires_grad=True) for s in (shape, (512, 32), (512,)))
    tracemalloc.start()
    try:
        out = rg.nn.functional.linear(x, w, b)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # (NumPy's iterator buffers the broadcast bias's add in chunks of 8192 values: 64 KiB, an eighth of the output)
    nbytes = out.detach().numpy().nbytes
    assert peak < 1.5 * nbytes, f"linear's forward peaked at {peak / nbytes:.2f} outputs"
    composed = x @ w.T + b
    np.testing.assert_array_equal(out.detach().numpy(), composed.detach().numpy())
    u = rg.tensor(rng.standard_normal(out.shape).astype(dtype))
    for g, h in zip(rg.autograd.grad(out, (x, w, b), u), rg.autograd.grad(composed, (x, w, b), u)):
        np.testing.assert_array_equal(g.numpy(), h.numpy())


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rows", [(4,), (2, 4)], ids=["rows", "batch of sequences"])
@pytest.mark.parametrize("bias", [True, False], ids=["with a bias", "without"])
@pytest.mark.parametrize("form", ["F.linear", "nn.Linear"])
def test_a_linear_layer_records_one_node_per_call(form, bias, rows, dtype):
    """The weight's transpose is made inside linear's op, not recorded as a node of its own: a layer called at every
    step of a loop costs one node per call (and one vjp), where x @ w.T + b written out costs three."""
    layer = rg.nn.Linear(5, 3, bias=bias).to(getattr(rg, dtype))
    x = rg.tensor(np.random.default_rng(6).standard_normal(rows + (5,)).astype(dtype), requires_grad=True)
    out = layer(x) if form == "nn.Linear" else rg.nn.functional.linear(x, layer.weight, layer.bias)
    names, stack = [], [out.grad_fn]
    while stack:  # every node of the graph
        node = stack.pop()
        names.append(node.name())
        stack += [next_fn for next_fn, _ in node.next_functions if next_fn is not None]
    # (a batch of sequences is folded into rows and back, as torch's matmul folds it: two reshapes)
    assert sorted(names) == sorted(["_LinearBackward"] + ["ReshapeBackward"] * (2 * (len(rows) - 1)))


UPDATES = {  # the ways a hand-written SGD step updates a parameter, under no_grad
    "p -= lr * g": lambda p, g, lr: p.__isub__(lr * g),
    "p.sub_(lr * g)": lambda p, g, lr: p.sub_(lr * g),
    "p.add_(g, alpha=-lr)": lambda p, g, lr: p.add_(g, alpha=-lr),
    "p.sub_(g, alpha=lr)": lambda p, g, lr: p.sub_(g, alpha=lr),
    "p.data.add_(g, alpha=-lr)": lambda p, g, lr: p.data.add_(g, alpha=-lr),
    "p.copy_(p - lr * g)": lambda p, g, lr: p.copy_(p - lr * g),
}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("form", UPDATES)
def test_an_sgd_update_written_any_way_gives_the_same_parameters(form, dtype):
    """Each form writes p - lr·g into p's own storage, to the bit, and moves p's version where torch does (a saved p
    then refuses backward; a write through p.data moves only p.data's, in torch as here). torch's own add_(alpha=)
    fuses the multiply and the add (one rounding, not two), so its result may differ from its own p -= lr * g in the
    last bit: every form is compared with p -= lr * g in torch."""
    rng = np.random.default_rng(5)
    value, grad = rng.standard_normal((2, 33, 17)).astype(dtype)
    lr = 0.01
    refused = {}
    for lib in (rg, torch):
        p = lib.tensor(value.copy(), requires_grad=True)
        storage = p.data_ptr() if lib is torch else p._data
        saved = p * p  # Mul saves p (its values give the gradient): writing into p makes its backward refuse
        with lib.no_grad():
            UPDATES[form](p, lib.tensor(grad), lr)
        if lib is rg:
            assert p._data is storage, f"{form} replaced p's storage instead of writing into it"
            t = torch.tensor(value.copy())
            t -= lr * torch.tensor(grad)
            np.testing.assert_array_equal(p.detach().numpy(), t.numpy())
        try:
            saved.sum().backward()
            refused[lib.__name__] = False
        except RuntimeError as e:
            assert "modified by an inplace operation" in str(e)
            refused[lib.__name__] = True
    assert refused["refgrad"] == refused["torch"], refused
