"""embedding / embedding_bag beyond the oracle's dense checks: the sparse row gradient (sparse=True) against torch's
sparse COO gradient, its accumulation in .grad, max_norm's in-place renormalization of weight, and the two places
where refgrad deliberately does not follow torch's CPU kernels (embedding_bag's scale_grad_by_freq with unsorted
indices, and its mean with include_last_offset short of the input's end), checked against what torch documents."""
from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as F
from refgrad.sparse import SparseRowTensor

RNG = np.random.default_rng(0)
W = RNG.standard_normal((7, 3))
INDEX = np.array([[1, 4, 1, 0], [6, 4, 1, 3]])
OFFSETS = np.array([0, 3, 3, 5])


def _grads(fn_ref, fn_torch, weight=W, cotangent_seed=1, times=1):
    """weight.grad after ``times`` backward passes of each library's function (same cotangents)."""
    wr = refgrad.tensor(weight.copy(), requires_grad=True)
    wt = torch.tensor(weight.copy(), requires_grad=True)
    rng = np.random.default_rng(cotangent_seed)
    for _ in range(times):
        out_t = fn_torch(wt)
        g = rng.standard_normal(tuple(out_t.shape))
        out_t.backward(torch.from_numpy(g))
        fn_ref(wr).backward(refgrad.tensor(g))
    return wr.grad, wt.grad


def _assert_same_sparse(ours, theirs):
    assert isinstance(ours, SparseRowTensor) and ours.is_sparse and theirs.is_sparse
    assert ours.shape == tuple(theirs.shape) and ours.dtype == np.dtype(str(theirs.dtype).split(".")[1])
    ours, theirs = ours.coalesce(), theirs.coalesce()
    assert ours.is_coalesced() and ours.indices().dtype == np.int64 and ours.indices().shape == (1, ours._nnz())
    np.testing.assert_array_equal(np.asarray(ours.indices()._data), theirs.indices().numpy())
    np.testing.assert_allclose(np.asarray(ours.values()._data), theirs.values().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(np.asarray(ours.to_dense()._data), theirs.to_dense().numpy(), rtol=1e-12, atol=1e-13)


@pytest.mark.parametrize("padding_idx", [None, 1, -3])
@pytest.mark.parametrize("index_dtype", [np.int64, np.int32])
def test_embedding_sparse_gradient_as_torch(padding_idx, index_dtype):
    index = INDEX.astype(index_dtype)
    ours, theirs = _grads(lambda w: F.embedding(refgrad.tensor(index), w, padding_idx=padding_idx, sparse=True),
                          lambda w: TF.embedding(torch.from_numpy(index), w, padding_idx=padding_idx, sparse=True))
    _assert_same_sparse(ours, theirs)
    assert ours._nnz() == theirs._nnz()  # uncoalesced: one entry per looked-up position, the padding ones left out
    dense, _ = _grads(lambda w: F.embedding(refgrad.tensor(index), w, padding_idx=padding_idx),
                      lambda w: TF.embedding(torch.from_numpy(index), w, padding_idx=padding_idx))
    np.testing.assert_allclose(np.asarray(ours.to_dense()._data), np.asarray(dense._data), rtol=1e-15, atol=0)


@pytest.mark.parametrize("mode", ["sum", "mean"])
@pytest.mark.parametrize("padding_idx", [None, 4])
def test_embedding_bag_sparse_gradient_as_torch(mode, padding_idx):
    flat = INDEX.reshape(-1)
    kw = dict(mode=mode, sparse=True, padding_idx=padding_idx)
    ours, theirs = _grads(lambda w: F.embedding_bag(refgrad.tensor(flat), w, refgrad.tensor(OFFSETS), **kw),
                          lambda w: TF.embedding_bag(torch.from_numpy(flat), w, torch.from_numpy(OFFSETS), **kw))
    _assert_same_sparse(ours, theirs)


def test_sparse_gradients_accumulate_as_torch():
    ours, theirs = _grads(lambda w: F.embedding(refgrad.tensor(INDEX), w, sparse=True),
                          lambda w: TF.embedding(torch.from_numpy(INDEX), w, sparse=True), times=2)
    _assert_same_sparse(ours, theirs)  # the sum of both passes (how each library lays out its entries may differ)


def test_sparse_and_dense_gradients_of_one_weight_sum_to_dense_as_torch():
    def both(lib, functional, w):
        index = lib.tensor(INDEX) if lib is refgrad else torch.from_numpy(INDEX)
        return functional.embedding(index, w, sparse=True).sum(dim=-1) + (w * w).sum()

    ours, theirs = _grads(lambda w: both(refgrad, F, w), lambda w: both(torch, TF, w))
    assert not ours.is_sparse and not theirs.is_sparse
    np.testing.assert_allclose(np.asarray(ours._data), theirs.numpy(), rtol=1e-12, atol=1e-13)


def test_a_sparse_gradient_reaching_another_op_is_densified():
    """torch passes a sparse cotangent on where an op has a sparse kernel (mul); refgrad densifies it: the leaf's
    gradient has the same values, dense."""
    ours, theirs = _grads(lambda w: F.embedding(refgrad.tensor(INDEX), w * 2.0, sparse=True),
                          lambda w: TF.embedding(torch.from_numpy(INDEX), w * 2.0, sparse=True))
    assert not ours.is_sparse
    np.testing.assert_allclose(np.asarray(ours._data), theirs.to_dense().numpy(), rtol=1e-15, atol=0)


def test_autograd_grad_returns_the_sparse_gradient():
    w = refgrad.tensor(W, requires_grad=True)
    (g,) = refgrad.autograd.grad(F.embedding(refgrad.tensor(INDEX), w, sparse=True).sum(), w)
    wt = torch.tensor(W, requires_grad=True)
    (gt,) = torch.autograd.grad(TF.embedding(torch.from_numpy(INDEX), wt, sparse=True).sum(), wt)
    _assert_same_sparse(g, gt)


def test_sparse_with_scale_grad_by_freq_raises_at_backward_as_torch():
    wt = torch.tensor(W, requires_grad=True)
    out = TF.embedding(torch.from_numpy(INDEX), wt, scale_grad_by_freq=True, sparse=True).sum()
    with pytest.raises(RuntimeError) as theirs:
        out.backward()
    w = refgrad.tensor(W, requires_grad=True)
    out = F.embedding(refgrad.tensor(INDEX), w, scale_grad_by_freq=True, sparse=True).sum()
    with pytest.raises(RuntimeError) as ours:
        out.backward()
    assert str(ours.value) == str(theirs.value)


def test_uncoalesced_indices_and_values_raise_as_torch():
    ours, theirs = _grads(lambda w: F.embedding(refgrad.tensor(INDEX), w, sparse=True),
                          lambda w: TF.embedding(torch.from_numpy(INDEX), w, sparse=True))
    assert not ours.is_coalesced() and not theirs.is_coalesced()
    for name in ("indices", "values"):
        with pytest.raises(RuntimeError) as expected:
            getattr(theirs, name)()
        with pytest.raises(RuntimeError) as got:
            getattr(ours, name)()
        assert str(got.value) == str(expected.value)
    np.testing.assert_array_equal(np.asarray(ours._indices()._data), theirs._indices().numpy())
    np.testing.assert_allclose(np.asarray(ours._values()._data), theirs._values().numpy(), rtol=1e-15, atol=0)


def test_sparse_row_tensor_arithmetic():
    g = SparseRowTensor(np.array([3, 0, 3]), np.arange(6.0).reshape(3, 2), (4, 2))
    dense = np.asarray(g.to_dense()._data)
    assert g.coalesce().coalesce() is g.coalesce() or g.coalesce().is_coalesced()
    np.testing.assert_array_equal(np.asarray((g * 2.0).to_dense()._data), 2 * dense)
    np.testing.assert_array_equal(np.asarray((-g).to_dense()._data), -dense)
    np.testing.assert_array_equal(np.asarray((g + g).to_dense()._data), 2 * dense)
    np.testing.assert_array_equal(np.asarray((g + refgrad.ones(4, 2, dtype=refgrad.float64))._data), dense + 1)
    clone = g.clone()
    clone.zero_()
    assert clone._nnz() == 0 and g._nnz() == 3 and not np.any(np.asarray(clone.to_dense()._data))
    assert (g.sparse_dim(), g.dense_dim(), g.size(), g.size(0)) == (1, 1, (4, 2), 4)
    with pytest.raises(RuntimeError, match="same size"):
        g + SparseRowTensor(np.array([0]), np.ones((1, 3)), (4, 3))


# ---- max_norm: weight renormalized in place ----------------------------------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("max_norm, norm_type", [(1.0, 2.0), (0.5, 1.0), (2.0, float("inf")), (1.5, 3.0)])
@pytest.mark.parametrize("bag", [False, True])
def test_max_norm_renormalizes_the_looked_up_rows_in_place_as_torch(dtype, max_norm, norm_type, bag):
    weight = (RNG.standard_normal((7, 3)) * 2).astype(dtype)
    wr, wt = refgrad.tensor(weight.copy(), requires_grad=True), torch.tensor(weight.copy(), requires_grad=True)
    version = wr._version
    if bag:
        out_r = F.embedding_bag(refgrad.tensor(INDEX), wr, max_norm=max_norm, norm_type=norm_type, mode="sum")
        out_t = TF.embedding_bag(torch.from_numpy(INDEX), wt, max_norm=max_norm, norm_type=norm_type, mode="sum")
    else:
        out_r = F.embedding(refgrad.tensor(INDEX), wr, max_norm=max_norm, norm_type=norm_type)
        out_t = TF.embedding(torch.from_numpy(INDEX), wt, max_norm=max_norm, norm_type=norm_type)
    tol = dict(rtol=1e-6, atol=1e-6) if dtype == np.float32 else dict(rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(np.asarray(wr._data), wt.detach().numpy(), **tol)
    np.testing.assert_allclose(np.asarray(out_r._data), out_t.detach().numpy(), **tol)
    untouched = np.setdiff1d(np.arange(7), INDEX)
    np.testing.assert_array_equal(np.asarray(wr._data)[untouched], weight[untouched])
    assert wr._version > version and wr.is_leaf and wr.grad_fn is None
    g = RNG.standard_normal(tuple(out_t.shape)).astype(dtype)
    out_r.backward(refgrad.tensor(g))
    out_t.backward(torch.from_numpy(g))
    np.testing.assert_allclose(np.asarray(wr.grad._data), wt.grad.numpy(), **tol)


# ---- where refgrad deliberately differs from torch's CPU kernels ----------------------------------------------
def test_embedding_bag_scale_grad_by_freq_uses_each_rows_true_frequency():
    """torch's documented rule, "scale gradients by the inverse of frequency of the words in the mini-batch", is what
    its embedding does; its CPU embedding_bag kernel divides by other rows' counts (index [0, 0, 1]: row 1, looked
    up once, gets 1/2; [2, 0, 0, 0, 1]: rows 1 and 2 get 1/3), right only where a single row is looked up. refgrad's
    embedding_bag divides as torch's embedding: checked against torch's embedding with each bag's cotangent spread
    over the bag's positions."""
    flat = np.array([2, 0, 0, 0, 1, 5, 2, 0])
    offsets = np.array([0, 4, 4])
    bag_of = np.array([0, 0, 0, 0, 2, 2, 2, 2])
    g = RNG.standard_normal((3, 3))
    wr = refgrad.tensor(W, requires_grad=True)
    F.embedding_bag(refgrad.tensor(flat), wr, refgrad.tensor(offsets), mode="sum", scale_grad_by_freq=True).backward(
        refgrad.tensor(g))
    wt = torch.tensor(W, requires_grad=True)
    TF.embedding(torch.from_numpy(flat), wt, scale_grad_by_freq=True).backward(torch.from_numpy(g[bag_of]))
    np.testing.assert_allclose(np.asarray(wr.grad._data), wt.grad.numpy(), rtol=1e-12, atol=1e-13)


def test_embedding_bag_mean_with_include_last_offset_divides_by_the_bags_size():
    """torch's CPU mean divides the last bag by the count up to the input's end when the last offset falls short of
    it; refgrad divides by the bag's size, which is torch's own result on the input cut at the last offset."""
    flat = INDEX.reshape(-1)
    offsets = np.array([0, 2, 5])  # two bags: [0, 2) and [2, 5); positions 5.. belong to none
    ours = F.embedding_bag(refgrad.tensor(flat), refgrad.tensor(W), refgrad.tensor(offsets), include_last_offset=True)
    expected = TF.embedding_bag(torch.from_numpy(flat[:5]), torch.from_numpy(W), torch.from_numpy(offsets),
                                include_last_offset=True)
    np.testing.assert_allclose(np.asarray(ours._data), expected.numpy(), rtol=1e-15, atol=0)


@pytest.mark.parametrize("padding_idx", [None, 4])
def test_embedding_gradient_differentiates_in_the_cotangent(padding_idx):
    """The gradient of weight is linear in the cotangent g; its derivative in g, applied to u, is u[index] with the
    padding positions zeroed, as torch's embedding_dense_double_backward."""
    u = RNG.standard_normal(W.shape)
    g0 = RNG.standard_normal(INDEX.shape + (3,))
    results = []
    for lib, functional in ((refgrad, F), (torch, TF)):
        w = lib.tensor(W, requires_grad=True)
        g = lib.tensor(g0, requires_grad=True)
        index = lib.tensor(INDEX)
        (gw,) = lib.autograd.grad(functional.embedding(index, w, padding_idx=padding_idx), w, g, create_graph=True)
        (gg,) = lib.autograd.grad((gw * lib.tensor(u)).sum(), g)
        results.append(np.asarray(gg.detach().numpy()))
    np.testing.assert_allclose(results[0], results[1], rtol=1e-15, atol=0)


def test_scale_grad_by_freq_gradient_differentiates_in_the_cotangent_with_the_scaling():
    """With scale_grad_by_freq the gradient of weight is Σ g[p] / count(row) over the positions p of each row, so its
    derivative in g applied to u is u[index] / count. (torch's embedding_dense_double_backward leaves the 1/count out:
    its result is u[index]; refgrad does not copy that.)"""
    u = RNG.standard_normal(W.shape)
    w = refgrad.tensor(W, requires_grad=True)
    g = refgrad.tensor(RNG.standard_normal(INDEX.shape + (3,)), requires_grad=True)
    (gw,) = refgrad.autograd.grad(F.embedding(refgrad.tensor(INDEX), w, scale_grad_by_freq=True), w, g,
                                  create_graph=True)
    (gg,) = refgrad.autograd.grad((gw * refgrad.tensor(u)).sum(), g)
    counts = np.bincount(INDEX.reshape(-1), minlength=W.shape[0])
    np.testing.assert_allclose(np.asarray(gg._data), u[INDEX] / counts[INDEX][..., None], rtol=1e-15, atol=0)
