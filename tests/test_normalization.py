"""What the normalization specs do not cover: running statistics followed over several training steps (momentum
values, the module's cumulative average), evaluation with them afterwards, in-place updates of the very tensors
passed, and the configurations the specs leave out because torch fails there (a bias without a weight) or
refgrad's out=. Each compares with torch called here."""
from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as F

DTYPES = [np.float32, np.float64]


def _close(ours, theirs, dtype):
    tol = 1e-6 if dtype == np.float32 else 1e-12
    np.testing.assert_allclose(np.asarray(ours.detach()), theirs.detach().numpy(), rtol=tol, atol=tol)


def _torch_stats(c: int, dtype):
    """torch's running_mean and running_var as the modules start them: zeros and ones."""
    dt = getattr(torch, np.dtype(dtype).name)
    return [torch.zeros(c, dtype=dt), torch.ones(c, dtype=dt)]


def _steps(shape, dtype, n=4, seed=0):
    rng = np.random.default_rng(seed)
    return [(rng.standard_normal(shape) * (k + 1) + k).astype(dtype) for k in range(n)]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum", [0.1, 0.5, 1.0, 0.0])
@pytest.mark.parametrize("shape", [(5, 3), (4, 3, 6), (2, 3, 2, 3)])
def test_batch_norm_running_statistics_follow_torch(dtype, momentum, shape):
    c = shape[1]
    ours = [refgrad.zeros(c, dtype=dtype), refgrad.ones(c, dtype=dtype)]
    theirs = _torch_stats(c, dtype)
    handles = list(ours)
    for x in _steps(shape, dtype):
        y = F.batch_norm(refgrad.tensor(x), *ours, training=True, momentum=momentum)
        expected = TF.batch_norm(torch.from_numpy(x), *theirs, training=True, momentum=momentum)
        _close(y, expected, dtype)
        for a, b in zip(ours, theirs):
            _close(a, b, dtype)
    assert all(a is b for a, b in zip(ours, handles))  # updated in place, the same tensors
    x = _steps(shape, dtype, 1, seed=1)[0]  # evaluation then uses them
    _close(F.batch_norm(refgrad.tensor(x), *ours), TF.batch_norm(torch.from_numpy(x), *theirs), dtype)


@pytest.mark.parametrize("dtype", DTYPES)
def test_batch_norm_cumulative_average_as_the_module_passes_it(dtype):
    """momentum=None is the module's business (F.batch_norm refuses None, as torch's): BatchNorm passes
    1 / num_batches_tracked, a cumulative moving average, which must match torch's."""
    ours = [refgrad.zeros(3, dtype=dtype), refgrad.ones(3, dtype=dtype)]
    theirs = _torch_stats(3, dtype)
    for k, x in enumerate(_steps((6, 3, 2), dtype, 5), start=1):
        F.batch_norm(refgrad.tensor(x), *ours, training=True, momentum=1.0 / k)
        TF.batch_norm(torch.from_numpy(x), *theirs, training=True, momentum=1.0 / k)
    for a, b in zip(ours, theirs):
        _close(a, b, dtype)
    with pytest.raises(TypeError, match="momentum"):
        F.batch_norm(refgrad.tensor(x), *ours, training=True, momentum=None)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("momentum", [0.1, 0.7])
def test_instance_norm_running_statistics_follow_torch(dtype, momentum):
    ours = [refgrad.zeros(3, dtype=dtype), refgrad.ones(3, dtype=dtype)]
    theirs = _torch_stats(3, dtype)
    for x in _steps((4, 3, 5), dtype):
        y = F.instance_norm(refgrad.tensor(x), *ours, momentum=momentum)
        _close(y, TF.instance_norm(torch.from_numpy(x), *theirs, momentum=momentum), dtype)
        for a, b in zip(ours, theirs):
            _close(a, b, dtype)
    x = _steps((2, 3, 4), dtype, 1, seed=2)[0]
    _close(F.instance_norm(refgrad.tensor(x), *ours, use_input_stats=False),
           TF.instance_norm(torch.from_numpy(x), *theirs, use_input_stats=False), dtype)


def test_running_statistics_get_no_gradient_and_the_graph_is_intact():
    rm, rv = refgrad.zeros(3, dtype=np.float64), refgrad.ones(3, dtype=np.float64)
    x = refgrad.tensor(_steps((4, 3), np.float64, 1)[0], requires_grad=True)
    y = F.batch_norm(x, rm, rv, training=True)
    assert not rm.requires_grad and not rv.requires_grad
    y.sum().backward()  # the in-place update of the statistics does not touch what backward reads
    np.testing.assert_allclose(np.asarray(x.grad), 0, atol=1e-12)  # the sum of a standardized column is constant


def _bias_only_grads(lib, fn, x, b, ct, w2):
    """Gradients of fn(x, b) for cotangent ct, then of <those, w2> (double backward)."""
    xt, bt = lib.tensor(x, requires_grad=True), lib.tensor(b, requires_grad=True)
    y = fn(xt, bt)
    gx, gb = lib.autograd.grad(y, (xt, bt), lib.tensor(ct), create_graph=True)
    hx, hb = lib.autograd.grad((gx * lib.tensor(w2)).sum(), (xt, bt), allow_unused=True)
    return [np.asarray(t.detach().numpy() if hasattr(t, "detach") else t) if t is not None else 0
            for t in (y, gx, gb, hx)]


@pytest.mark.parametrize("name", ["layer_norm", "group_norm", "batch_norm", "instance_norm"])
def test_bias_without_weight(name):
    """torch 2.13 fails here (layer/batch/instance norm's double backward, group_norm's backward): refgrad's
    results must equal torch's with a weight of ones, the same function."""
    rng = np.random.default_rng(3)
    x, b = rng.standard_normal((4, 3, 2)), rng.standard_normal(3)
    ct, w2 = rng.standard_normal((4, 3, 2)), rng.standard_normal((4, 3, 2))
    calls = {
        "layer_norm": lambda mod, t, bias, w: mod.layer_norm(t, [2], w, bias),
        "group_norm": lambda mod, t, bias, w: mod.group_norm(t, 3, w, bias),
        "batch_norm": lambda mod, t, bias, w: mod.batch_norm(t, None, None, w, bias, True),
        "instance_norm": lambda mod, t, bias, w: mod.instance_norm(t, weight=w, bias=bias),
    }
    if name == "layer_norm":
        b = rng.standard_normal(2)
    ours = _bias_only_grads(refgrad, lambda t, bias: calls[name](F, t, bias, None), x, b, ct, w2)
    ones = torch.ones(b.shape, dtype=torch.float64)
    theirs = _bias_only_grads(torch, lambda t, bias: calls[name](TF, t, bias, ones), x, b, ct, w2)
    for a, e in zip(ours, theirs):
        np.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


def test_normalize_out():
    x = np.random.default_rng(4).standard_normal((3, 4))
    out = refgrad.zeros(3, 4, dtype=np.float64)
    result = F.normalize(refgrad.tensor(x), dim=0, out=out)
    assert result is out
    np.testing.assert_allclose(np.asarray(out), TF.normalize(torch.from_numpy(x), dim=0).numpy(), rtol=1e-14)


def test_rms_norm_default_eps_is_the_dtype_epsilon():
    x = np.array([[1e-4, -2e-4, 3e-4]], np.float32)
    _close(F.rms_norm(refgrad.tensor(x), [3]), TF.rms_norm(torch.from_numpy(x), [3]), np.float32)
    _close(F.rms_norm(refgrad.tensor(x), (3,), eps=None), TF.rms_norm(torch.from_numpy(x), (3,)), np.float32)


@pytest.mark.parametrize("norm", ["instance_norm", "layer_norm", "group_norm", "batch_norm"])
def test_a_nearly_constant_group_gets_an_accurate_gradient(norm):
    """Two values 0.0625 apart: their standardized values are ±0.99, and the gradient cancels 1 - x̂² ≈ 0.01. Formed
    from the forward's x·rstd - mean·rstd, x̂ carries |x|·rstd·u of rounding, which that cancellation amplified into a
    gradient 1e-12 (relative) from the exact one, 50 times torch's error (found by the thorough profile).
    For two values the exact gradient has a closed form: ±(g1 - g2)/2 · eps / (d² + eps)^(3/2), d half their
    difference."""
    x, g, eps = np.array([-2.0, -2.0625]), np.array([0.126, -0.132]), 1e-5
    calls = {"instance_norm": (lambda t: F.instance_norm(t, eps=eps), (1, 1, 2)),
             "layer_norm": (lambda t: F.layer_norm(t, (2,), eps=eps), (2,)),
             "group_norm": (lambda t: F.group_norm(t, 1, eps=eps), (1, 2)),
             "batch_norm": (lambda t: F.batch_norm(t, None, None, training=True, eps=eps), (2, 1))}
    call, shape = calls[norm]
    leaf = refgrad.tensor(x.reshape(shape), requires_grad=True)
    call(leaf).backward(refgrad.tensor(g.reshape(shape)))
    d = (x[0] - x[1]) / 2
    exact = (g[0] - g[1]) / 2 * eps / (d * d + eps) ** 1.5 * np.array([1.0, -1.0])
    # (the cancellation amplifies even x̂'s last-bit rounding ~100×: torch's gradient, and refgrad's now, are 2e-14
    # from the exact one; 1e-12 before)
    np.testing.assert_allclose(leaf.grad.numpy().ravel(), exact, rtol=1e-13)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("affine", [True, False])
def test_batch_norm_in_training_at_a_convolutions_size_matches_torch(affine, dtype):
    """The spec's drawn shapes are small; here an (N, C, 20, 20) batch, whose per-channel steps take NumPy's
    row-long buffer (refgrad._rows) and whose backward takes torch's per-channel formula in NumPy, checked against
    torch: the output and the gradients of input, weight and bias."""
    rng = np.random.default_rng(5)
    x, g = (rng.standard_normal((8, 6, 20, 20)).astype(dtype) * 3 + 1 for _ in range(2))
    w, b = rng.standard_normal(6).astype(dtype), rng.standard_normal(6).astype(dtype)
    results = []
    for lib, mod in ((refgrad, F), (torch, TF)):
        leaves = [lib.tensor(a, requires_grad=True) for a in ((x, w, b) if affine else (x,))]
        y = mod.batch_norm(leaves[0], None, None, *leaves[1:], training=True)
        grads = lib.autograd.grad(y, leaves, lib.tensor(g))
        results.append([t.detach().numpy() for t in (y, *grads)])
    tol = 1e-6 if dtype == np.float32 else 1e-12  # (as _close's; atol scaled to each result's size)
    for ours, theirs in zip(*results):
        np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol * np.abs(theirs).max())


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
@pytest.mark.parametrize("norm", ["layer_norm", "group_norm", "instance_norm"])
def test_first_order_backward_equals_the_recorded_one_bit_for_bit(norm, dtype):
    """Where backward records no graph, _Standardize's vjp runs its formula in NumPy (_standardize_backward); where
    it records one (create_graph=True), in refgrad ops that differentiate again. The same operations in the same
    order: the same bits. (8, 4, 512) takes the row-long buffer of refgrad._rows in layer_norm; (8, 4, 6) does not."""
    calls = {"layer_norm": lambda t: F.layer_norm(t, [t.shape[-1]]), "group_norm": lambda t: F.group_norm(t, 2),
             "instance_norm": lambda t: F.instance_norm(t)}
    rng = np.random.default_rng(6)
    for shape in ((8, 4, 512), (8, 4, 6)):
        x, g = (rng.standard_normal(shape).astype(dtype) * 2 + 1 for _ in range(2))
        leaf = refgrad.tensor(x, requires_grad=True)
        y = calls[norm](leaf)
        (plain,) = refgrad.autograd.grad(y, leaf, refgrad.tensor(g), retain_graph=True)
        (recorded,) = refgrad.autograd.grad(y, leaf, refgrad.tensor(g), create_graph=True)
        assert recorded.requires_grad and not plain.requires_grad
        np.testing.assert_array_equal(plain.numpy(), recorded.detach().numpy(), strict=True)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("normalized_shape", [(256,), (8, 32)])
def test_layer_norm_with_its_affine_is_one_op_with_two_arrays_each_way(normalized_shape, dtype):
    """layer_norm with a weight and a bias is one primitive, as torch's native_layer_norm: the output written in
    place (the composition of the standardization, × weight and + bias made three output-sized arrays) and a
    backward holding two x-sized arrays (it held four); its first-order gradients are those of the recorded ones
    that a double backward differentiates (the row and column sums of products taken by einsum there: an ulp apart)."""
    rng = np.random.default_rng(8)
    shape = (256,) + normalized_shape
    x = refgrad.tensor(rng.standard_normal(shape).astype(dtype) * 2 + 1, requires_grad=True)
    w, b = (refgrad.tensor(rng.standard_normal(normalized_shape).astype(dtype), requires_grad=True) for _ in range(2))
    g = refgrad.tensor(rng.standard_normal(shape).astype(dtype))
    nbytes = g.numpy().nbytes  # (NumPy's iterator buffers 8192 values: an eighth of an x here)
    tracemalloc.start()
    try:
        y = F.layer_norm(x, normalized_shape, w, b)
        held, forward_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        plain = refgrad.autograd.grad(y, (x, w, b), g, retain_graph=True)
        backward_peak = tracemalloc.get_traced_memory()[1] - held  # (beyond the output, held throughout)
    finally:
        tracemalloc.stop()
    assert [f for f, _ in y.grad_fn.next_functions] == [None, None, None]  # one node, on the leaves
    if dtype == np.float64:  # (a float32 input's moments take a float64 array of deviations, twice an output)
        assert forward_peak < 1.5 * nbytes, f"layer_norm's forward peaked at {forward_peak / nbytes:.2f} outputs"
    assert backward_peak < 2.5 * nbytes, f"layer_norm's backward peaked at {backward_peak / nbytes:.2f} inputs"
    recorded = refgrad.autograd.grad(y, (x, w, b), g, create_graph=True)
    tol = 1e-5 if dtype == np.float32 else 1e-13
    for ours, theirs in zip(plain, recorded):
        np.testing.assert_allclose(ours.numpy(), theirs.detach().numpy(), rtol=tol,
                                   atol=tol * np.abs(theirs.detach().numpy()).max())
