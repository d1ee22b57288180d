"""The autograd engine: graph shapes, accumulation, retain_graph, grad modes, hooks, double backward, forward
mode, and torch's errors. Each graph is built the same way in refgrad and in torch and the results compared."""
from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

import refgrad as rg
from benchmarks.timing import peak_traced_bytes


def _both(fn, *arrays, requires_grad=True):
    """Runs fn(lib, *tensors) with refgrad and with torch on the same float64 leaves; returns both leaf lists."""
    out = []
    for lib in (rg, torch):
        leaves = [lib.tensor(a, dtype=lib.float64, requires_grad=requires_grad) for a in arrays]
        fn(lib, *leaves)
        out.append(leaves)
    return out


def _assert_grads_match(rg_leaves, th_leaves, atol_of_largest=0.0):
    """Within rtol 1e-13; with ``atol_of_largest``, also within that fraction of the gradient's largest magnitude,
    for sums whose order differs from torch's: an element that is the small remainder of a cancellation moves by
    eps·Σ|terms| when the terms are added in another order, which is large beside the remainder itself."""
    for r, t in zip(rg_leaves, th_leaves):
        assert (r.grad is None) == (t.grad is None)
        if r.grad is not None:
            atol = atol_of_largest * np.abs(t.grad.numpy()).max()
            np.testing.assert_allclose(r.grad.numpy(), t.grad.numpy(), rtol=1e-13, atol=atol)


RNG = np.random.default_rng(0)
A, B = RNG.standard_normal((3, 4)), RNG.standard_normal((4,))


def test_diamond_graph_sums_both_paths():
    def f(lib, x):
        y = x * 2.0
        left, right = y.exp(), y * y  # y feeds two branches that meet again
        (left + right).sum().backward()

    _assert_grads_match(*_both(f, A))


def test_fan_out_of_one_leaf_into_many_ops():
    def f(lib, x, w):
        (x * w + x - w * x * x).sum().backward()

    _assert_grads_match(*_both(f, A, B))


def test_gradients_accumulate_across_backward_calls():
    def f(lib, x):
        (x * x).sum().backward()
        (x * 3.0).sum().backward()

    _assert_grads_match(*_both(f, A))


def test_a_leafs_grad_accumulates_in_place_where_torch_does():
    # torch's AccumulateGrad adds into a leaf's .grad in place in a first-order backward (a caller holding that .grad
    # sees the sum, its version moves); a retained non-leaf's .grad and a create_graph backward's get a new tensor
    def holders(lib):
        x = lib.tensor(A, dtype=lib.float64, requires_grad=True)
        y = x * 2.0
        y.retain_grad()
        (y * y).sum().backward(retain_graph=True)
        leaf, nonleaf, version = x.grad, y.grad, x.grad._version
        (y * 3.0).sum().backward()
        first_order = (leaf is x.grad, nonleaf is y.grad, x.grad._version - version)
        (x * x).sum().backward(create_graph=True)
        return first_order + (leaf is x.grad,), leaf.detach().numpy().copy(), nonleaf.detach().numpy().copy()

    (ours, our_leaf, our_nonleaf), (theirs, their_leaf, their_nonleaf) = holders(rg), holders(torch)
    assert ours == theirs == (True, False, 1, False)
    np.testing.assert_allclose(our_leaf, their_leaf, rtol=1e-14)
    np.testing.assert_allclose(our_nonleaf, their_nonleaf, rtol=1e-14)


def test_retain_graph_allows_a_second_backward_and_accumulates():
    def f(lib, x):
        y = (x.exp() * x).sum()
        y.backward(retain_graph=True)
        y.backward()

    _assert_grads_match(*_both(f, A))


def test_second_backward_through_freed_graph_raises_like_torch():
    for lib in (rg, torch):
        x = lib.tensor(A, requires_grad=True)
        y = (x.exp() * x).sum()
        y.backward()
        with pytest.raises(RuntimeError, match="backward through the graph a second time"):
            y.backward()


def test_backward_on_non_scalar_without_gradient_raises():
    for lib in (rg, torch):
        y = lib.tensor(A, requires_grad=True) * 2.0
        with pytest.raises(RuntimeError, match="grad can be implicitly created only for scalar outputs"):
            y.backward()


def test_backward_with_explicit_gradient():
    g = RNG.standard_normal((3, 4))

    def f(lib, x):
        (x * x).backward(lib.tensor(g, dtype=lib.float64))

    _assert_grads_match(*_both(f, A))


def test_backward_on_tensor_without_grad_raises():
    for lib in (rg, torch):
        with pytest.raises(RuntimeError, match="does not require grad"):
            lib.tensor(A).sum().backward()


def test_requires_grad_on_integer_tensor_raises():
    for lib in (rg, torch):
        with pytest.raises(RuntimeError, match="floating point"):
            lib.tensor([1, 2, 3], requires_grad=True)
        with pytest.raises(RuntimeError, match="floating point"):
            lib.tensor([1, 2, 3]).requires_grad_()


def test_incompatible_broadcast_names_both_shapes():
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(4\)"):
        rg.ones(2, 3) + rg.ones(4)
    with pytest.raises(RuntimeError, match=r"size of tensor a \(3\) must match the size of tensor b \(4\)"):
        torch.ones(2, 3) + torch.ones(4)


def test_no_grad_records_nothing_and_enable_grad_reenables():
    x = rg.tensor(A, requires_grad=True)
    with rg.no_grad():
        y = x * 2.0
        with rg.enable_grad():
            z = x * 2.0
    assert not y.requires_grad and y.grad_fn is None
    assert z.requires_grad and z.grad_fn is not None
    assert rg.is_grad_enabled()


def test_no_grad_as_decorator_and_set_grad_enabled():
    x = rg.tensor(A, requires_grad=True)

    @rg.no_grad()
    def double(t):
        return t * 2.0

    assert not double(x).requires_grad
    with rg.set_grad_enabled(False):
        assert not (x * 2.0).requires_grad
    assert (x * 2.0).requires_grad
    rg.set_grad_enabled(False)
    assert not rg.is_grad_enabled()
    rg.set_grad_enabled(True)


def test_detach_cuts_the_graph():
    def f(lib, x):
        y = x * x
        (y.detach() * x).sum().backward()  # only the direct x path

    _assert_grads_match(*_both(f, A))


def test_retain_grad_keeps_a_non_leaf_gradient():
    results = []
    for lib in (rg, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x.exp()
        y.retain_grad()
        (y * y).sum().backward()
        results.append(y.grad.numpy())
    np.testing.assert_allclose(results[0], results[1], rtol=1e-13)


def test_autograd_grad_fills_a_retained_gradient_but_no_leafs_as_torch():
    results = []
    for lib in (rg, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x.exp()
        y.retain_grad()
        (gx,) = lib.autograd.grad((y * y).sum(), x)
        assert x.grad is None
        results.append((y.grad.numpy().copy(), gx.numpy()))
    for r, t in zip(*results):
        np.testing.assert_allclose(r, t, rtol=1e-13)


def test_hooks_see_and_replace_gradients():
    seen = {}
    for lib in (rg, torch):
        x = lib.tensor(A, requires_grad=True)
        y = x * 3.0
        y.register_hook(lambda g, lib=lib: seen.update({lib.__name__: g.numpy().copy()}))  # observes only
        x.register_hook(lambda g: g * 2.0)  # a returned tensor replaces the gradient
        (y * y).sum().backward()
        seen[lib.__name__ + ".x"] = x.grad.numpy()
    np.testing.assert_allclose(seen["refgrad"], seen["torch"], rtol=1e-13)
    np.testing.assert_allclose(seen["refgrad.x"], seen["torch.x"], rtol=1e-13)


def test_hook_handle_removes_the_hook():
    x = rg.tensor(A, requires_grad=True)
    handle = x.register_hook(lambda g: g * 0.0)
    handle.remove()
    (x * 1.0).sum().backward()
    assert np.all(x.grad.numpy() == 1.0)


def test_autograd_grad_returns_without_accumulating():
    for lib in (rg, torch):
        x = lib.tensor(A, requires_grad=True)
        (g,) = lib.autograd.grad((x * x).sum(), x)
        assert x.grad is None
        np.testing.assert_allclose(g.numpy(), 2 * A, rtol=1e-15)


def test_autograd_grad_w_r_t_a_non_leaf():
    out = []
    for lib in (rg, torch):
        x = lib.tensor(A, dtype=lib.float64, requires_grad=True)
        y = x.exp()
        (g,) = lib.autograd.grad((y * y * x).sum(), y)
        out.append(g.numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-13)


def test_autograd_grad_unused_input():
    for lib in (rg, torch):
        x, z = lib.tensor(A, requires_grad=True), lib.tensor(A, requires_grad=True)
        with pytest.raises(RuntimeError, match="not have been used in the graph"):
            lib.autograd.grad((x * 2.0).sum(), (x, z))
        gx, gz = lib.autograd.grad((x * 2.0).sum(), (x, z), allow_unused=True)
        assert gz is None


def test_double_backward_matches_torch():
    out = []
    for lib in (rg, torch):
        x = lib.tensor(A, dtype=lib.float64, requires_grad=True)
        w = lib.tensor(B, dtype=lib.float64, requires_grad=True)
        y = ((x * w).exp() * x).sum()
        gx, gw = lib.autograd.grad(y, (x, w), create_graph=True)
        hx, hw = lib.autograd.grad((gx * gx).sum() + gw.sum(), (x, w))
        out.append((hx.numpy(), hw.numpy()))
    for r, t in zip(*out):
        np.testing.assert_allclose(r, t, rtol=1e-12)


def test_backward_with_create_graph_gives_differentiable_grad():
    out = []
    for lib in (rg, torch):
        x = lib.tensor(A, dtype=lib.float64, requires_grad=True)
        (x * x * x).sum().backward(create_graph=True)
        g = x.grad
        assert g.requires_grad
        (h,) = lib.autograd.grad(g.sum(), x)
        out.append(h.numpy())
    np.testing.assert_allclose(out[0], out[1], rtol=1e-13)


def test_forward_mode_matches_reverse_mode():
    v = RNG.standard_normal((3, 4))
    u = RNG.standard_normal((3, 4))

    def f(x):
        return (x * x).exp() * x

    x = rg.tensor(A)
    _, jv = rg.func.jvp(f, (x,), (rg.tensor(v),))
    _, vjp_fn = rg.func.vjp(f, x)
    (jtu,) = vjp_fn(rg.tensor(u))
    np.testing.assert_allclose(float((jv.numpy() * u).sum()), float((v * jtu.numpy()).sum()), rtol=1e-12)
    _, th_jv = torch.func.jvp(lambda t: (t * t).exp() * t, (torch.tensor(A),), (torch.tensor(v),))
    np.testing.assert_allclose(jv.numpy(), th_jv.numpy(), rtol=1e-13)


def test_mixed_dtype_gradients_come_back_in_each_inputs_dtype():
    for lib in (rg, torch):
        x = lib.ones(3, dtype=lib.float32, requires_grad=True)
        y = lib.ones(3, dtype=lib.float64, requires_grad=True)
        z = x * y
        assert z.dtype == lib.float64
        z.sum().backward()
        assert x.grad.dtype == lib.float32 and y.grad.dtype == lib.float64


def test_inplace_on_a_leaf_that_requires_grad_raises():
    for lib in (rg, torch):
        x = lib.ones(3, requires_grad=True)
        with pytest.raises(RuntimeError, match="leaf Variable that requires grad"):
            x.add_(1.0)
        with lib.no_grad():
            x.add_(1.0)  # the optimizer's way: allowed
        assert float(x.sum().item()) == 6.0


def test_modifying_a_saved_tensor_before_backward_raises():
    for lib in (rg, torch):
        w = lib.ones(3, requires_grad=True)
        y = (w * w).sum()
        with lib.no_grad():
            w.mul_(2.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.backward()


@pytest.mark.parametrize("op", ["max", "amax", "min", "amin", "abs"])
def test_modifying_an_input_whose_values_backward_reads_raises(op):
    # these backwards read their saved input (max's ties, abs's sign), found at backward as torch finds them: a
    # forward under no_grad then costs the op alone
    for lib in (rg, torch):
        x = lib.tensor([1.0, 3.0, 3.0], requires_grad=True)
        y = x * 1.0
        m = getattr(y, op)(0) if op in ("amax", "amin") else getattr(y, op)()
        with lib.no_grad():
            y.add_(1.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            m.sum().backward()


@pytest.mark.parametrize("op", ["add", "floor", "getitem"])
def test_modifying_an_input_the_backward_does_not_read_is_allowed(op):
    # only values a vjp reads are version-checked (as torch): these backwards need the input's shape alone
    f = {"add": lambda w: w + 1.0, "floor": lambda w: w.floor(), "getitem": lambda w: w[1:]}[op]
    out = []
    for lib in (rg, torch):
        w = lib.ones(3, dtype=lib.float64, requires_grad=True)
        y = f(w)
        with lib.no_grad():
            w.mul_(2.0)
        y.sum().backward()
        out.append(w.grad.numpy())
    np.testing.assert_array_equal(out[0], out[1])


_READS = {  # ops on (w, c): w needs a gradient and c, a constant, does not; each keeps only what w's gradient reads
    "w * 2.0": lambda lib, w, c: w * 2.0,
    "w * c": lambda lib, w, c: w * c,
    "c * w": lambda lib, w, c: c * w,
    "w / c": lambda lib, w, c: w / c,
    "c / w": lambda lib, w, c: c / w,
    "c @ w": lambda lib, w, c: c.reshape(1, 3) @ w.reshape(3, 1),
    "w @ c": lambda lib, w, c: w.reshape(1, 3) @ c.reshape(3, 1),
    "linear(c, w)": lambda lib, w, c: lib.nn.functional.linear(c.reshape(1, 3), w.reshape(1, 3)),
    "linear(c, c, w)": lambda lib, w, c: lib.nn.functional.linear(c.reshape(1, 3), c.reshape(1, 3), w[:1]),
    "addmm(w, c, w)": lambda lib, w, c: lib.addmm(w[:1].reshape(1, 1), c.reshape(1, 3), w.reshape(3, 1)),
    "addcmul(c, w, c)": lambda lib, w, c: lib.addcmul(c, w, c),
    "addcmul(w, c, c)": lambda lib, w, c: lib.addcmul(w, c, c),
    "where(c > 1.5, w, c)": lambda lib, w, c: lib.where(c > 1.5, w, c),
    "hypot(w, c)": lambda lib, w, c: lib.hypot(w, c),
    "fmod(w, c)": lambda lib, w, c: lib.fmod(w, c),
    "remainder(w, c)": lambda lib, w, c: lib.remainder(w, c),
    "remainder(c, w)": lambda lib, w, c: lib.remainder(c, w),
    "lerp(w, c, c)": lambda lib, w, c: lib.lerp(w, c, c),
    "lerp(c, w, c)": lambda lib, w, c: lib.lerp(c, w, c),
    "lerp(c, c, w)": lambda lib, w, c: lib.lerp(c, c * 2, w),
    "addcdiv(w, c, c)": lambda lib, w, c: lib.addcdiv(w, c, c),
    "addcdiv(c, w, c)": lambda lib, w, c: lib.addcdiv(c, w, c),
    "addcdiv(c, c, w)": lambda lib, w, c: lib.addcdiv(c, c, w),
}


@pytest.mark.parametrize("modified", ["w", "c"])
@pytest.mark.parametrize("op", _READS)
def test_backward_refuses_a_modified_input_exactly_when_torch_does(op, modified):
    # torch saves an input only for the gradients that read it (x @ W with a data x saves x, not W), so an input
    # that no needed gradient reads may change before backward; one that is read may not
    outcome = {}
    for lib in (rg, torch):
        w = lib.ones(3, dtype=lib.float64, requires_grad=True)
        c = lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)
        y = _READS[op](lib, w, c)
        with lib.no_grad():
            (w if modified == "w" else c).mul_(2.0)
        try:
            y.sum().backward()
            outcome[lib.__name__] = w.grad.tolist()
        except RuntimeError as e:
            assert "modified by an inplace operation" in str(e)
            outcome[lib.__name__] = "refused"
    assert outcome["refgrad"] == outcome["torch"], outcome


_DECLARED_READS = {  # the ops that declare Function.reads, on distinct operands
    "mul": lambda lib, a, b: a * b,
    "div": lambda lib, a, b: a / b,
    "matmul": lambda lib, a, b: a.reshape(1, 3) @ b.reshape(3, 1),
    "hypot": lambda lib, a, b: lib.hypot(a, b),
    "fmod": lambda lib, a, b: lib.fmod(a, b),
    "remainder": lambda lib, a, b: lib.remainder(a, b),
    "addmm": lambda lib, a, b, c: lib.addmm(a.reshape(3, 1), b.reshape(3, 1), c.reshape(1, 3)),
    "linear": lambda lib, a, b, c: lib.nn.functional.linear(a.reshape(1, 3), b.reshape(1, 3), c[:1]),
    "addcmul": lambda lib, a, b, c: lib.addcmul(a, b, c),
    "addcdiv": lambda lib, a, b, c: lib.addcdiv(a, b, c),
    "lerp": lambda lib, a, b, c: lib.lerp(a, b, c),
    "where": lambda lib, a, b, c: lib.where(c > 2, a, b),
}


@pytest.mark.parametrize("op", _DECLARED_READS)
def test_every_input_that_needs_a_gradient_and_every_modified_input_as_torch(op):
    # each combination of which operands need a gradient and which one is modified in place before backward: the
    # gradients where torch computes them, the refusal where torch refuses
    f = _DECLARED_READS[op]
    arity = f.__code__.co_argcount - 1
    for needs in itertools.product((False, True), repeat=arity):
        for modified in range(arity if any(needs) else 0):
            outcome = {}
            for lib in (rg, torch):
                ts = [lib.tensor([1.0, 2.0, 3.5], dtype=lib.float64, requires_grad=n) for n in needs]
                y = f(lib, *ts)
                if not y.requires_grad:  # (where's condition alone needs one: it gets none)
                    outcome[lib.__name__] = "no graph"
                    continue
                with lib.no_grad():
                    ts[modified].mul_(1.5)
                try:
                    y.sum().backward()
                    outcome[lib.__name__] = [None if t.grad is None else t.grad.tolist() for t in ts]
                except RuntimeError as e:
                    assert "modified by an inplace operation" in str(e)
                    outcome[lib.__name__] = "refused"
            assert outcome["refgrad"] == outcome["torch"], (needs, modified, outcome)


def test_a_product_with_a_constant_keeps_the_constant_not_the_other_factor():
    """As torch saves a factor only for the other factor's gradient: h * c with a constant c keeps c, not h, so h's
    memory goes when the caller drops h (and the gradient, c, is still right)."""
    import tracemalloc

    x = rg.tensor(RNG.standard_normal((256, 1024)), requires_grad=True)  # 2 MB
    c = rg.tensor(RNG.standard_normal((256, 1024)))
    tracemalloc.start()
    try:
        h = x + 1.0
        y = h * c
        before = tracemalloc.get_traced_memory()[0]
        del h
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert before - after >= x.detach().numpy().nbytes, f"dropping h freed {before - after} bytes"
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.numpy(), c.numpy())


def test_modifying_a_saved_output_before_backward_raises():
    # exp's vjp reads its output: changing that output under no_grad must not give a silently wrong gradient
    for lib in (rg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        with lib.no_grad():
            y.mul_(2.0)
        with pytest.raises(RuntimeError, match="output 0 of Exp.* is at version 1; expected version 0"):
            y.sum().backward()


@pytest.mark.parametrize("alias", ["view", "permute", "detach", "expand_same_shape", "getitem"])
def test_writing_through_a_view_of_a_saved_tensor_raises(alias):
    # views and detach() share their base's version counter, as in torch: the write invalidates the saved value
    make = {"view": lambda y: y.view(2, 1), "permute": lambda y: y.view(1, 2).permute(1, 0),
            "detach": lambda y: y.detach(), "expand_same_shape": lambda y: y.expand(2), "getitem": lambda y: y[1]}[alias]
    for lib in (rg, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x.exp()
        with lib.no_grad():
            make(y).mul_(2.0)
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            y.sum().backward()


def test_writing_through_data_is_not_tracked_as_in_torch():
    out = []
    for lib in (rg, torch):
        x = lib.tensor([1.0, 2.0], dtype=lib.float64, requires_grad=True)
        y = x.exp()
        y.data.mul_(2.0)  # torch's documented escape hatch: no version bump, the modified value is used
        y.sum().backward()
        out.append(x.grad.numpy())
    np.testing.assert_array_equal(out[0], out[1])


def test_a_dropped_output_is_freed_at_once():
    # a node keeps its saved output without a reference cycle, so forward without backward frees by refcount,
    # as torch does, not at the garbage collector's next pass
    import gc
    import weakref

    x = rg.randn(1000, dtype=rg.float64, requires_grad=True)
    gc.disable()
    try:
        y = x.exp().sigmoid()  # both save their outputs
        alive = weakref.ref(y)
        del y
        assert alive() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("op, most", [
    (lambda h, w: h + w, 3),  # the node, its inputs tuple and h's stand-in (add reads no values)
    (lambda h, w: h * w, 4),  # the node, its inputs tuple, and h itself with its version counter (mul reads it)
    (lambda h, w: h.tanh(), 4),  # the node, its inputs tuple, h's stand-in and the saved output's version counter
], ids=["add", "mul", "tanh"])
def test_a_recorded_op_keeps_few_objects_for_the_garbage_collector(op, most):
    # Every object a graph keeps alive is one the garbage collector counts, and a long graph (a loop over 400 time
    # steps) pushes them into its oldest generation, which each full collection scans: with a Context beside each
    # Node, a list per stand-in and a tuple per saved output, the pieces loops spent a quarter of their time there
    # (issue #13). torch keeps none: its graph is C++. Counted as the tracked objects a chain of ops adds.
    import gc

    x, w = rg.randn(4, 8, dtype=rg.float64, requires_grad=True), rg.randn(4, 8, dtype=rg.float64, requires_grad=True)
    h, chain = op(x * 1.0, w), 200
    gc.disable()
    try:
        gc.collect()  # (a collection untracks the tuples that hold only numbers, as it would in a program)
        before = len(gc.get_objects())
        for _ in range(chain):
            h = op(h, w)
        gc.collect()
        kept = (len(gc.get_objects()) - before) / chain
    finally:
        gc.enable()
    assert kept <= most, f"{kept} objects kept per op"
    h.sum().backward()  # the graph still works
    assert x.grad is not None


def test_deep_chain_does_not_hit_the_recursion_limit():
    x = rg.tensor(1.0, dtype=rg.float64, requires_grad=True)
    y = x
    for _ in range(5000):
        y = y * 1.0001
    y.backward()
    np.testing.assert_allclose(x.grad.item(), 1.0001**5000, rtol=1e-11)  # 5000 roundings of ~1e-16 each


def test_graph_metadata():
    x = rg.tensor(A, requires_grad=True)
    y = x.exp()
    assert x.is_leaf and not y.is_leaf and y.grad_fn.name() == "ExpBackward"
    assert y.grad_fn.next_functions[0][0] is None


def test_grads_of_two_leaves_never_share_storage():
    # add's vjp hands one cotangent object to both inputs; in-place work on one .grad must not touch the other
    a, b = rg.ones(3, requires_grad=True), rg.ones(3, requires_grad=True)
    g = rg.ones(3)
    (a + b).backward(g)
    with rg.no_grad():
        a.grad.mul_(5.0)
    assert b.grad.tolist() == [1.0, 1.0, 1.0] and g.tolist() == [1.0, 1.0, 1.0]


@pytest.mark.parametrize("layout", ["row-major", "transposed"])
@pytest.mark.parametrize("loss", [lambda x: x.sum(), lambda x: x.mean(), lambda x: (x + 1.0).sum()],
                         ids=["sum", "mean", "add"])
def test_a_leafs_grad_copy_is_laid_out_as_the_leaf_as_in_torch(layout, loss):
    # a broadcast or shared gradient is copied into .grad in its leaf's layout (torch's clone_obey_contract)
    grads = []
    for lib in (rg, torch):
        x = lib.tensor(A if layout == "row-major" else A.T.copy(), dtype=lib.float64)
        x = (x if layout == "row-major" else x.t()).detach().requires_grad_()
        loss(x).backward()
        grads.append(x.grad)
    ours, theirs = grads
    assert tuple(s // ours.numpy().itemsize for s in ours.numpy().strides) == theirs.stride()
    np.testing.assert_array_equal(ours.numpy(), theirs.numpy())


def test_fan_out_accumulation_in_place_is_exact():
    def f(lib, x):
        (x * x + x.exp() + x * 2.0 + x).sum().backward()  # four contributions to x's gradient

    _assert_grads_match(*_both(f, A))


def test_in_place_accumulation_never_changes_a_tensor_held_elsewhere():
    # fan-out sums may be formed in place, but only in a gradient nobody else holds: here the caller's
    # grad_output (passed straight through by add and expand), a hook's captured tensor, a retained .grad
    x = rg.tensor(A, requires_grad=True)
    y = x * 1.5
    y.retain_grad()
    seen = []
    y.register_hook(lambda g: seen.append(g))
    z = y + y  # add's vjp returns the caller's tensor for both slots
    w = z.exp() + z  # z's gradient: a fresh product, then the caller's tensor again
    grad_out = rg.tensor(np.broadcast_to(B, (3, 4)).copy())  # owns its memory, as an in-place target would
    before = grad_out.numpy().copy()
    w.backward(grad_out)
    np.testing.assert_array_equal(grad_out.numpy(), before)
    expected = before * (np.exp(2 * 1.5 * A) + 1) * 2  # dw/dy
    np.testing.assert_allclose(seen[0].numpy(), expected, rtol=1e-14)
    np.testing.assert_allclose(y.grad.numpy(), expected, rtol=1e-14)
    np.testing.assert_allclose(x.grad.numpy(), expected * 1.5, rtol=1e-14)
    assert y.grad is not seen[0] or not np.shares_memory(y.grad.numpy(), x.grad.numpy())


def test_fan_out_sums_reuse_a_gradient_nobody_else_holds():
    # like torch's engine: x's four contributions are summed into the first one's memory and each is freed
    # once added, so backward holds two x-sized arrays at most (summing out of place would hold three)
    import tracemalloc

    x = rg.zeros(256, 1024, dtype=rg.float64, requires_grad=True)
    loss = (x * 2.0 + x * 3.0 + x * 4.0 + x * 5.0).sum()
    tracemalloc.start()
    loss.backward()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    size = x.detach().numpy().nbytes
    assert peak < 2.5 * size, f"backward held {peak / size:.2f} x-sized arrays at its peak"
    np.testing.assert_array_equal(x.grad.numpy(), np.full((256, 1024), 14.0))


# ---- gradients of views that pick a piece (select, narrow, basic indexing): written piece by piece ------------
PIECES = {
    "unbind": lambda lib, x: list(x.unbind(0)) + list(x.unbind(1)),
    "split": lambda lib, x: list(x.split(2, 1)) + list(x.split([1, 2], 0)),
    "chunk": lambda lib, x: list(x.chunk(3, 1)),
    "select and narrow": lambda lib, x: [x.select(1, 2), x.narrow(0, 1, 2), x.select(0, -1)],
    "basic indexing": lambda lib, x: [x[1], x[:, 1:3], x[None, 2, ::2], x[..., 0], x[2, 3]],
}


@pytest.mark.parametrize("direct_first", [True, False], ids=["direct use first", "pieces first"])
@pytest.mark.parametrize("pieces", PIECES.values(), ids=PIECES.keys())
def test_gradients_of_pieces_sum_with_every_other_use_as_in_torch(pieces, direct_first):
    def f(lib, x):
        direct = (x * x).sum()
        parts = [(p * (k + 1)).sum() for k, p in enumerate(pieces(lib, x))]
        terms = [direct] + parts if direct_first else parts + [direct]
        sum(terms[1:], terms[0]).backward()

    _assert_grads_match(*_both(f, RNG.standard_normal((3, 4))))


def test_gradients_of_pieces_reach_hooks_retain_grad_and_grad_dense_as_in_torch():
    results = {}
    for lib in (rg, torch):
        x = lib.tensor(A, dtype=lib.float64, requires_grad=True)
        y = x * 2.0
        y.retain_grad()
        seen = []
        y.register_hook(lambda g, seen=seen: seen.append(g.clone()))
        loss = sum((r * (k + 1)).sum() for k, r in enumerate(y.unbind(0)))
        (dx,) = lib.autograd.grad(loss, x, retain_graph=True)
        loss.backward()
        results[lib] = [seen[0], seen[1], y.grad, dx, x.grad]
    for r, t in zip(results[rg], results[torch]):
        assert type(r) is rg.Tensor and r.shape == tuple(t.shape)
        np.testing.assert_array_equal(r.numpy(), t.numpy())


def test_second_derivatives_through_pieces_match_torch():
    def f(lib, x):
        inner = sum((r ** 3).sum() for r in x.unbind(1)) + (x[1:, :2] ** 2).sum()
        (g,) = lib.autograd.grad(inner, x, create_graph=True)
        (g * g).sum().backward()

    _assert_grads_match(*_both(f, A))


def test_backward_through_many_pieces_writes_each_piece_into_one_gradient(monkeypatch):
    # not a zero-padded x-sized array per piece, summed into x's gradient (O(T²) for T pieces), as before
    from refgrad.autograd.placed import Placed
    from refgrad.ops.shape import EmbedNarrow

    built = []
    dense = Placed.dense
    monkeypatch.setattr(Placed, "dense", lambda self: built.append(self) or dense(self))
    monkeypatch.setattr(EmbedNarrow, "forward", staticmethod(lambda *a, **k: pytest.fail("a padded piece was built")))
    x = rg.tensor(RNG.standard_normal((64, 3, 5)), requires_grad=True)
    loss = sum((x_t * x_t).sum() for x_t in x.unbind(0)) + sum(x_t.sum() for x_t in x.split(1, 1))
    loss.backward()
    assert len(built) == 1  # the first piece to arrive; the other 66 are written into it
    np.testing.assert_array_equal(x.grad.numpy(), 2 * x.detach().numpy() + 1)


# ---- a weight that several matmuls share: its gradient's products taken as one (autograd/products.py) ----------
# how users write a step's product with the shared weight: a matmul, an mm, a linear layer's addmm with its bias
STEP_FORMS = {
    "h @ w + u_t": lambda lib, h, w, u_t: h @ w + u_t,
    "mm(h, w) + u_t": lambda lib, h, w, u_t: lib.mm(h, w) + u_t,
    "linear(h, w.T, u_t[0])": lambda lib, h, w, u_t: lib.nn.functional.linear(h, w.T, u_t[0]),
}


def _recurrence(lib, h, w, u, steps=6, form="h @ w + u_t"):
    """h_{t+1} = tanh(form(h_t, w, u_t)): w shared by every step, as an RNN's recurrent weight."""
    for t in range(steps):
        h = lib.tanh(STEP_FORMS[form](lib, h, w, u[t]))
    return h


def _spy_on_products(monkeypatch) -> list:
    """Notes each product that backward builds as (pairs, values the pairs held, values of the sum)."""
    from refgrad.autograd import products

    built, original = [], products._sum_of_products

    def build(lefts, rights):
        product = original(lefts, rights)
        built.append((len(lefts), sum(a.size + b.size for a, b in zip(lefts, rights)), product.size))
        return product

    monkeypatch.setattr(products, "_sum_of_products", build)
    return built


@pytest.mark.parametrize("form", STEP_FORMS)
def test_a_weight_shared_by_many_matmuls_gets_one_product_whose_sum_matches_torch(monkeypatch, form):
    built = _spy_on_products(monkeypatch)
    # six steps' pairs hold 6 · (2·30 + 2·30) = 720 values, fewer than w's 900: they fit in one product
    h, w, u = RNG.standard_normal((2, 30)), RNG.standard_normal((30, 30)) / 8, RNG.standard_normal((6, 2, 30))
    rg_leaves, th_leaves = _both(lambda lib, *xs: (_recurrence(lib, *xs, form=form) ** 2).sum().backward(), h, w, u)
    # w's six products, joined as they arrived, then one product; in the linear form each step's products pass
    # through that step's two transposes (w.T, and linear's own) to join at w
    assert [pairs for pairs, _, _ in built] == [6]
    _assert_grads_match(rg_leaves, th_leaves, atol_of_largest=1e-13)  # one GEMM's rounding against six added


@pytest.mark.parametrize("form", STEP_FORMS)
def test_a_shared_weights_products_are_built_a_few_at_a_time_once_they_outgrow_the_sum(monkeypatch, form):
    built = _spy_on_products(monkeypatch)
    # 24 steps' pairs hold 24 · 80 values against w's 400: each product takes the pairs that outgrew the sum
    h, w, u = RNG.standard_normal((2, 20)), RNG.standard_normal((20, 20)) / 6, RNG.standard_normal((24, 2, 20))
    rg_leaves, th_leaves = _both(lambda lib, *xs: (_recurrence(lib, *xs, steps=24, form=form) ** 2).sum().backward(),
                                 h, w, u)
    assert sum(pairs for pairs, _, _ in built) == 24 and len(built) > 1
    assert all(held <= size + 80 for _, held, size in built)  # never more than the sum's size and the last pair
    _assert_grads_match(rg_leaves, th_leaves, atol_of_largest=1e-13)  # a few GEMMs' rounding against 24 added


# ---- a cotangent nothing else holds is the vjp's to overwrite (autograd/donated.py) ------------------------------
@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("form", ["softmax", "product", "through a reshape"])
def test_a_vjp_writes_into_a_cotangent_that_nothing_else_holds(form, dtype, monkeypatch):
    """(softmax(x) · w).sum(): softmax's cotangent is w times the sum's, a fresh array that backward alone holds, so
    softmax's vjp writes (g - Σ g·s)·s into it; x · w · w: the outer product's cotangent takes the inner one's
    gradient; through a reshape, the product's cotangent is a view of softmax's gradient, which nothing else holds.
    Each backward needs about one x-sized array at a time rather than two. (autograd.grad returns x's gradient as
    it comes, where a leaf's .grad would copy a view into an array of its own.)"""
    x0, w0 = RNG.standard_normal((128, 1024)).astype(dtype), RNG.standard_normal((128, 1024)).astype(dtype)

    def f(lib, x, w):
        if form == "through a reshape":
            y = (x * w).reshape(256, 512).softmax(-1) * w.reshape(256, 512)
        else:
            y = x.softmax(-1) * w if form == "softmax" else x * w * w
        return y.sum()

    x, w = rg.tensor(x0, requires_grad=True), rg.tensor(w0)
    loss, grads = f(rg, x, w), []
    peak = peak_traced_bytes(lambda: grads.extend(rg.autograd.grad(loss, [x])))
    assert peak < 1.5 * x0.nbytes, f"backward's peak {peak} bytes, x {x0.nbytes}"
    from refgrad.autograd import engine

    monkeypatch.setattr(engine, "_DONATE_FROM", float("inf"))  # the same backward, every vjp making a new array
    (plain,) = rg.autograd.grad(f(rg, x, w), [x])
    np.testing.assert_array_equal(grads[0].numpy(), plain.numpy())  # writing in place rounds alike

    def torch_grad(dt):
        tx = torch.tensor(x0.astype(dt), requires_grad=True)
        return torch.autograd.grad(f(torch, tx, torch.tensor(w0.astype(dt))), [tx])[0].numpy().astype(np.float64)

    exact = torch_grad(np.float64)
    if dtype == "float64":
        np.testing.assert_allclose(grads[0].numpy(), exact, rtol=1e-13, atol=1e-16)
    else:  # float32 against float64's gradient: off on average by no more than torch's own float32 gradient is.
        # softmax's g - Σ g·s cancels, and each library sums the rows in its own order, so the largest error lands on
        # different elements in each: over 12 draws the ratio of the two maxima ran from 0.43 to 4.1, while the ratio
        # of the mean errors over the 131,072 elements stayed within 1.00-1.27 (a gradient rounded in float16, or a
        # sum in the wrong order of magnitude, is off by orders more)
        ours, theirs = (np.abs(a - exact).mean() for a in (grads[0].numpy().astype(np.float64), torch_grad(np.float32)))
        assert ours <= 1.5 * theirs, f"float32 gradient off by {ours} on average, torch's by {theirs}"


def test_a_cotangent_someone_else_holds_is_never_overwritten():
    """A hook that keeps its gradient, a retained .grad, autograd.grad's captured gradient and the gradient the
    caller passes to backward are all read after the vjp that would overwrite them has run: each must keep its
    values."""
    x0, w0 = RNG.standard_normal((128, 1024)), RNG.standard_normal((128, 1024))
    given = RNG.standard_normal((128, 1024))

    def run(lib, x, w):
        kept, seen = [], []
        y = x.softmax(-1)
        y.register_hook(lambda g: kept.append(g) or seen.append(g.detach().clone()))
        z = y * w  # z's cotangent (the given one) reaches y's through Mul's vjp: y's is a fresh array
        z.retain_grad()
        g_given = lib.tensor(given)
        (gy,) = lib.autograd.grad(z, [y], g_given, retain_graph=True)
        gy_values = gy.detach().clone()
        z.backward(g_given)
        return kept, seen, gy, gy_values, z.grad, g_given

    x, w = rg.tensor(x0, requires_grad=True), rg.tensor(w0)
    kept, seen, gy, gy_values, z_grad, g_given = run(rg, x, w)
    for later, then in [(kept[0], seen[0]), (kept[1], seen[1]), (gy, gy_values)]:
        np.testing.assert_array_equal(later.numpy(), then.numpy())
    np.testing.assert_array_equal(g_given.numpy(), given)
    tx = torch.tensor(x0, requires_grad=True)
    *_, tz_grad, _ = run(torch, tx, torch.tensor(w0))
    np.testing.assert_array_equal(z_grad.numpy(), tz_grad.numpy())  # (autograd.grad fills a retained .grad too)
    np.testing.assert_allclose(x.grad.numpy(), tx.grad.numpy(), rtol=1e-13, atol=1e-16)


@pytest.mark.parametrize("shape", [(), (3, 4)], ids=["0-d", "matrix"])
def test_gradients_that_others_hold_are_summed_into_a_new_array(shape):
    """x - x.mean(): x's first gradient is the caller's G itself (sub passes it on), so the mean's part is added
    into a new array, G left as it was; a 0-d sum is an array too."""
    x0, g0 = RNG.standard_normal(shape), RNG.standard_normal(shape)
    grads = []
    for lib in (rg, torch):
        x, g = lib.tensor(x0, requires_grad=True), lib.tensor(g0.copy())
        (x - x.mean()).backward(g)
        np.testing.assert_array_equal(g.numpy(), g0)
        grads.append(x.grad.numpy())
    assert type(grads[0]) is np.ndarray and grads[0].shape == shape
    np.testing.assert_allclose(grads[0], grads[1], rtol=1e-13, atol=1e-16)


def test_a_view_of_a_gradient_someone_else_holds_is_never_overwritten():
    """r = (x·w).reshape(...): a hook keeps r's gradient, and the product's cotangent is a view of it, which the
    product's vjp must not write into."""
    x0, w0 = RNG.standard_normal((128, 1024)), RNG.standard_normal((256, 512))
    x, w = rg.tensor(x0, requires_grad=True), rg.tensor(w0)
    r = (x * rg.tensor(x0)).reshape(256, 512)
    kept, seen = [], []
    r.register_hook(lambda g: kept.append(g) or seen.append(g.detach().clone()))
    (r.softmax(-1) * w).sum().backward()
    np.testing.assert_array_equal(kept[0].numpy(), seen[0].numpy())
    np.testing.assert_array_equal(x.grad.numpy(), (seen[0].numpy() * x0.reshape(256, 512)).reshape(128, 1024))


def test_backward_frees_the_large_values_a_node_saved_while_the_graph_lives_on():
    """As torch releases saved variables once a node's backward has run: after loss.backward(), with loss and so
    the whole graph still alive, the activations that the products saved are freed (stand-ins keep their places,
    so next_functions still walks the graph, and a second backward says what was freed)."""
    import tracemalloc

    x = rg.tensor(RNG.standard_normal((256, 1024)), requires_grad=True)  # 2 MB
    tracemalloc.start()
    try:
        h = x
        for _ in range(5):
            h = (h * 1.5).tanh()  # each product saves its input, the tanh before it (2 MB each)
        loss = h.sum()
        before = tracemalloc.get_traced_memory()[0]
        loss.backward()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    freed = before + x.grad.numpy().nbytes - after  # (x.grad is new)
    assert freed > 3 * x.detach().numpy().nbytes, f"backward freed {freed} bytes of the graph's values"
    node, depth = loss.grad_fn, 0
    while node is not None and node.next_functions:
        node, depth = node.next_functions[0][0], depth + 1
    assert depth == 11  # sum, then 5 × (tanh, mul)
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        loss.backward()


def test_a_long_recurrences_backward_holds_about_its_weights_size_beside_the_graph():
    """The unbuilt products do not keep every step's cotangent and a copy of every pair: the backward of a 200-step
    recurrence needs little memory beyond what its forward left in the graph (before products were built a few at
    a time: three times the 200 states' size)."""
    h0 = rg.tensor(RNG.standard_normal((32, 64)))
    w = rg.tensor(RNG.standard_normal((64, 64)) / 8, requires_grad=True)
    u = rg.tensor(RNG.standard_normal((200, 32, 64)))
    loss = (_recurrence(rg, h0, w, u, steps=200) ** 2).sum()
    states_bytes = 200 * h0.numpy().nbytes  # what the forward left in the graph: each step's tanh output
    peak = peak_traced_bytes(loss.backward)
    assert peak < states_bytes / 4, f"backward's peak {peak} bytes beside a graph of {states_bytes}"
    assert w.grad.shape == (64, 64)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("rows", [(7,), (2, 7)], ids=["rows", "batch of sequences"])
@pytest.mark.parametrize("form", ["nn.Linear", "F.linear without a bias"])
def test_a_linear_layers_weight_gradient_is_built_in_the_weights_layout(form, rows, dtype):
    """nn.Linear's weight (out, in) is used transposed: its gradient comes through the transpose as the unbuilt
    product, built as gᵀx in the weight's own layout (torch's mm_mat2_backward for a transposed operand), so .grad
    takes the product's array as it is instead of a transposing copy of xᵀg."""
    layer = rg.nn.Linear(5, 3).to(getattr(rg, dtype))
    x, g = RNG.standard_normal(rows + (5,)).astype(dtype), RNG.standard_normal(rows + (3,)).astype(dtype)
    out = layer(rg.tensor(x)) if form == "nn.Linear" else rg.nn.functional.linear(rg.tensor(x), layer.weight)
    built = []
    from refgrad.autograd import products

    original = products._sum_of_products

    def build(lefts, rights):  # (notes where the product lies: holding it would make .grad copy it)
        product = original(lefts, rights)
        built.append((product.ctypes.data, product.flags.c_contiguous))
        return product

    products._sum_of_products = build
    try:
        out.backward(rg.tensor(g))
    finally:
        products._sum_of_products = original
    assert built == [(layer.weight.grad._data.ctypes.data, True)]  # .grad is the product's own array
    expected = g.reshape(-1, 3).T @ x.reshape(-1, 5)
    np.testing.assert_allclose(layer.weight.grad.numpy(), expected, rtol=1e-15 if dtype == "float64" else 1e-6)


def test_one_product_is_the_product_the_vjp_made_before_to_the_bit():
    x, w = RNG.standard_normal((7, 5)), RNG.standard_normal((5, 3))
    g = RNG.standard_normal((7, 3))
    for dtype in (np.float32, np.float64):
        wt = rg.tensor(w.astype(dtype), requires_grad=True)
        (rg.tensor(x.astype(dtype)) @ wt).backward(rg.tensor(g.astype(dtype)))
        np.testing.assert_array_equal(wt.grad.numpy(), np.matmul(x.astype(dtype).T, g.astype(dtype)))


def test_a_shared_weight_used_elsewhere_too_hooks_and_double_backward_see_dense_gradients():
    def f(lib, h, w, u):
        wt = w.t()
        wt.retain_grad()
        seen = []
        wt.register_hook(lambda g: seen.append(type(g)))
        loss = (_recurrence(lib, h, wt, u) ** 2).sum() + (wt * wt).sum() + (h @ wt).sum()
        (gw,) = lib.autograd.grad(loss, w, create_graph=True)
        (gw * gw).sum().backward(retain_graph=True)
        loss.backward()
        assert seen and all(s is lib.Tensor for s in seen) and type(wt.grad) is lib.Tensor

    h, w, u = RNG.standard_normal((4, 5)), RNG.standard_normal((5, 5)) / 2, RNG.standard_normal((6, 4, 5))
    for r, t in zip(*_both(f, h, w, u)):
        # absolute error to 1e-13 of the largest entry: an entry of u's second-order gradient is a sum that cancels
        # to 5e-4 from terms near 1, where one GEMM's rounding order against torch's six sums moves it by an ulp of those
        np.testing.assert_allclose(r.grad.numpy(), t.grad.numpy(), rtol=1e-13, atol=1e-13 * t.grad.abs().max().item())


# ---- a vjp's gradients are checked as torch's validate_outputs checks them -----------------------------------
def _twin_functions(name: str, vjp, forward=lambda ctx, a, b: a * b):
    """The same op as a refgrad Function and a torch autograd.Function, both called ``name`` (their nodes are
    ``name + "Backward"``); vjp(ctx, g, lib) gives the gradients."""
    rg_fn = type(name, (rg.autograd.Function,), {"forward": forward, "vjp": lambda ctx, g: vjp(ctx, g, rg)})
    th_fn = type(name, (torch.autograd.Function,), {
        "forward": staticmethod(lambda ctx, *xs: forward(ctx, *xs)),
        "backward": staticmethod(lambda ctx, g: vjp(ctx, g, torch))})
    return {rg: rg_fn, torch: th_fn}


@pytest.mark.parametrize("count", [1, 3])
def test_a_vjp_returning_the_wrong_number_of_gradients_raises_as_torch(count):
    fns = _twin_functions("Two", lambda ctx, g, lib: (g,) * count)
    for lib in (rg, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=rf"function TwoBackward returned an incorrect number of gradients "
                                               rf"\(expected 2, got {count}\)"):
            fns[lib].apply(a, b).sum().backward()


def test_a_vjp_may_return_surplus_nones_as_in_torch():
    fns = _twin_functions("Two", lambda ctx, g, lib: (g * 2, g * 3, None))
    grads = []
    for lib in (rg, torch):
        a, b = lib.ones(2, requires_grad=True), lib.ones(2, requires_grad=True)
        fns[lib].apply(a, b).sum().backward()
        grads.append([a.grad.numpy(), b.grad.numpy()])
    np.testing.assert_array_equal(grads[0], grads[1])


@pytest.mark.parametrize("shape", [(3,), (), (1,), (2, 1)])
def test_a_gradient_that_cannot_be_summed_back_names_the_node_as_torch(shape):
    fns = _twin_functions("Bad", lambda ctx, g, lib: lib.ones(shape, dtype=g.dtype), forward=lambda ctx, a: a * 2)
    for lib in (rg, torch):
        a = lib.ones(2, requires_grad=True)
        with pytest.raises(RuntimeError, match=rf"Function BadBackward returned an invalid gradient at index 0 - got "
                                               rf"\[{', '.join(map(str, shape))}\] but expected shape compatible "
                                               rf"with \[2\]"):
            fns[lib].apply(a).sum().backward()


@pytest.mark.parametrize("grad_dtype", ["float32", "int64"])
def test_a_gradient_of_another_dtype_is_cast_to_its_inputs_as_in_torch(grad_dtype):
    fns = _twin_functions("Cast", lambda ctx, g, lib: (g * 3).to(getattr(lib, grad_dtype)), lambda ctx, a: a * 2)
    grads = []
    for lib in (rg, torch):
        a = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        (fns[lib].apply(a) * fns[lib].apply(a)).sum().backward()  # two gradients summed, then a .grad
        assert a.grad.dtype == lib.float64
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_a_broadcast_gradient_is_summed_back_for_any_function():
    fns = _twin_functions("Wide", lambda ctx, g, lib: g.expand(5, 2, 3), forward=lambda ctx, a: a * 2)
    grads = []
    for lib in (rg, torch):
        a = lib.ones(2, 1, dtype=lib.float64, requires_grad=True)
        fns[lib].apply(a.expand(2, 3)).sum().backward()
        grads.append(a.grad.numpy())
    np.testing.assert_array_equal(grads[0], grads[1])


def test_a_gradient_that_is_not_a_tensor_raises_as_torch():
    fns = _twin_functions("Num", lambda ctx, g, lib: 3.0, forward=lambda ctx, a: a * 2)
    for lib in (rg, torch):
        with pytest.raises(RuntimeError, match="float"):
            fns[lib].apply(lib.ones(2, requires_grad=True)).sum().backward()


# ---- hooks may replace a gradient only by one of the same shape and dtype ------------------------------------
@pytest.mark.parametrize("leaf", [True, False])
@pytest.mark.parametrize("hook, error, message", [
    (lambda g: g.sum(), RuntimeError, r"hook '<lambda>' has changed the size of value \(was \[2, 3\], got \[\]\)"),
    (lambda g: g[0], RuntimeError, r"hook '<lambda>' has changed the size of value \(was \[2, 3\], got \[3\]\)"),
    (lambda g: g.float(), RuntimeError, r"hook '<lambda>' has changed the type of value \(was float64, got float32\)"),
    (lambda g: 3.0, TypeError, r"hook returned 'float'"),
])
def test_a_hook_that_changes_the_gradients_shape_or_dtype_raises_as_torch(leaf, hook, error, message):
    for lib in (rg, torch):
        x = lib.ones(2, 3, dtype=lib.float64, requires_grad=True)
        y = x if leaf else x * 2
        y.register_hook(hook)
        with pytest.raises(error, match=message if lib is rg else None):
            (y * 1.0).sum().backward()
        assert x.grad is None


# ---- grad modes ---------------------------------------------------------------------------------------------
def _grad_mode_trace(lib):
    """What a function decorated with set_grad_enabled(False), no_grad / enable_grad without parentheses and
    inference_mode in its forms observes, and the mode around it."""
    x = lib.ones(2, requires_grad=True)
    trace = []

    @lib.set_grad_enabled(False)
    def disabled():
        return lib.is_grad_enabled(), (x * 2).requires_grad

    trace += [lib.is_grad_enabled(), disabled(), disabled(), lib.is_grad_enabled()]
    no_grad, enable_grad = lib.no_grad(lambda: (x * 2).requires_grad), lib.enable_grad(lambda: (x * 2).requires_grad)
    with lib.no_grad():
        trace += [enable_grad(), no_grad()]
    inference = lib.inference_mode(lambda: (lib.is_inference_mode_enabled(), lib.is_grad_enabled(),
                                            (x * 2).requires_grad))
    inference_off = lib.inference_mode(False)(lambda: (lib.is_inference_mode_enabled(), (x * 2).requires_grad))
    trace += [inference(), lib.inference_mode()(inference)(), inference_off(), lib.is_inference_mode_enabled()]
    with lib.inference_mode():
        y = x * 2
        with lib.enable_grad():  # grad mode on, yet nothing recorded inside inference mode
            trace += [lib.is_grad_enabled(), (x * 2).requires_grad]
        with lib.inference_mode(mode=False):
            trace += [lib.is_inference_mode_enabled(), lib.is_grad_enabled(), (x * 2).requires_grad]
        trace += [lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
    trace += [y.requires_grad, y.grad_fn is None, lib.is_inference_mode_enabled(), lib.is_grad_enabled()]
    with lib.no_grad(), lib.inference_mode(False):  # inference_mode(False) turns grad mode on, as torch's
        trace += [lib.is_grad_enabled()]
    mode = lib.set_grad_enabled(False)  # takes effect at the call, restored when a with block exits
    trace += [lib.is_grad_enabled()]
    with mode:
        trace += [lib.is_grad_enabled()]
    trace += [lib.is_grad_enabled()]
    return trace


def test_grad_modes_as_decorators_and_context_managers_match_torch():
    assert _grad_mode_trace(rg) == _grad_mode_trace(torch)
    assert rg.is_grad_enabled() and not rg.is_inference_mode_enabled()


@pytest.mark.parametrize("make", [lambda: rg.no_grad(), lambda: rg.inference_mode(),
                                  lambda: rg.set_grad_enabled(False)])
def test_grad_modes_are_restored_when_the_block_raises(make):
    with pytest.raises(ZeroDivisionError), make():
        raise ZeroDivisionError
    assert rg.is_grad_enabled() and not rg.is_inference_mode_enabled()
    with pytest.raises(ZeroDivisionError):
        make()(lambda: 1 / 0)()
    assert rg.is_grad_enabled() and not rg.is_inference_mode_enabled()


def test_grad_modes_are_exported_where_torch_has_them():
    for name in ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode", "is_grad_enabled",
                 "is_inference_mode_enabled"):
        assert getattr(rg, name) is getattr(rg.autograd.grad_mode, name)
        assert hasattr(torch, name)
    for name in ("no_grad", "enable_grad", "set_grad_enabled", "inference_mode"):
        assert getattr(rg.autograd, name) is getattr(rg, name)
        assert hasattr(torch.autograd, name)


def test_set_grad_enabled_takes_only_a_bool_as_torch():
    for lib in (rg, torch):
        with pytest.raises(TypeError, match="must be bool, not str"):
            lib.set_grad_enabled("no")
        assert lib.is_grad_enabled()


# ---- a Function's parameters cannot overwrite the context's own fields -----------------------------------------
@pytest.mark.parametrize("field", ["inputs", "out", "fn", "needs_input_grad", "fn_name", "_versions", "_seq",
                                   "_saved_out", "_tensor_ref", "_freed"])
def test_a_forward_parameter_named_like_a_context_field_is_refused_at_definition(field):
    source = f"def forward(ctx, x, {field}):\n    return x\n"
    namespace = {}
    exec(source, namespace)
    with pytest.raises(TypeError, match=rf"Clash.forward has a parameter named '{field}'"):
        type("Clash", (rg.autograd.Function,), {"forward": namespace["forward"]})


def test_a_forward_may_save_values_under_any_plain_name_the_node_does_not_use():
    # the node is the context (one object): its own fields are _-named, so a forward's ctx.seq or ctx.saved_out
    # (names a user may well choose) are the values the forward saved when the vjp reads them
    class Scale(rg.autograd.Function):
        saves = ()

        def forward(ctx, x, factor):
            ctx.seq, ctx.versions, ctx.saved_out, ctx.freed, ctx.tensor_ref = factor, factor, factor, factor, factor
            return x * factor

        def vjp(ctx, g):
            assert ctx.seq == ctx.versions == ctx.saved_out == ctx.freed == ctx.tensor_ref == ctx.factor
            return g * ctx.seq

    x = rg.ones(2, requires_grad=True)
    y = Scale.apply(x * 1.0, factor=3.0)
    y.retain_grad()
    y.sum().backward()
    assert x.grad.tolist() == [3.0, 3.0] and y.grad.tolist() == [1.0, 1.0]


def test_a_forward_taking_any_params_refuses_a_context_fields_name_at_apply():
    class Scale(rg.autograd.Function):
        def forward(ctx, x, **params):
            return x * params["factor"]

        def vjp(ctx, g):
            return g * ctx.factor

    x = rg.ones(2, requires_grad=True)
    Scale.apply(x, factor=3.0).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]
    with pytest.raises(TypeError, match="Scale.forward has a parameter named 'out'"):
        Scale.apply(x, factor=3.0, out=None)


# ---- requires_grad and detach_ where torch refuses them ------------------------------------------------------
@pytest.mark.parametrize("value, error, message", [
    (False, RuntimeError, "you can only change requires_grad flags of leaf variables. If you want to use a computed"),
    (True, RuntimeError, r"you can only change requires_grad flags of leaf variables\.$"),
])
def test_setting_requires_grad_on_a_non_leaf_raises_as_torch(value, error, message):
    for lib in (rg, torch):
        y = lib.ones(2, requires_grad=True) * 2
        with pytest.raises(error, match=message):
            y.requires_grad = value
        assert y.requires_grad and y.grad_fn is not None
        with pytest.raises(RuntimeError, match="If you want to use a computed variable"):
            y.requires_grad_(False)
        assert y.requires_grad_(True) is y  # a no-op on a non-leaf


def test_requires_grad_takes_only_a_bool_as_torch():
    for lib in (rg, torch):
        x = lib.ones(2)
        with pytest.raises(RuntimeError, match="requires_grad must be a bool"):
            x.requires_grad = 1
        with pytest.raises(TypeError, match="must be bool, not NoneType"):
            x.requires_grad_(None)
        with pytest.raises(RuntimeError, match="only Tensors of floating point"):
            lib.ones(2, dtype=lib.int64).requires_grad = True
        x.requires_grad = True
        assert x.requires_grad and x.is_leaf


@pytest.mark.parametrize("make_view", [lambda a: a[0], lambda a: a.reshape(6), lambda a: a.t(), lambda a: a[0][1:],
                                       lambda a: (a * 2)[1]])
@pytest.mark.parametrize("requires_grad", [False, True])
def test_detach__on_a_view_raises_as_torch(make_view, requires_grad):
    for lib in (rg, torch):
        a = lib.ones(2, 3, requires_grad=requires_grad)
        view = make_view(a)
        assert view._is_view() and view._base is not None and view._base._is_view() is False
        with pytest.raises(RuntimeError, match=r"Can't detach views in-place\. Use detach\(\) instead"):
            view.detach_()
        assert view.grad_fn is not None or not requires_grad


def test_a_views_base_is_the_tensor_it_views_as_torch():
    for lib in (rg, torch):
        a = lib.ones(2, 3)
        assert a[0]._base is a and a[0][1:]._base is a and not a._is_view() and a._base is None


def test_detach__on_a_non_view_makes_a_leaf_as_torch():
    for lib in (rg, torch):
        a = lib.ones(2, 3, requires_grad=True)
        for t in (a[0].detach(), a * 2, lib.ones(2)):
            assert not t._is_view()
            assert t.detach_() is t and t.is_leaf and not t.requires_grad and t.grad_fn is None
