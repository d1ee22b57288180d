"""Bad input to the linalg, activation and loss ops: refgrad raises what torch raises, naming the offenders.

Each case is one call written once against a library ``L`` (torch or refgrad: same names), run on both. Both
must raise the same exception class; refgrad's message must contain ``fragment`` (the shapes, dtypes or values
involved, in torch's words where torch names them).
"""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import refgrad


def F(L):
    return L.nn.functional


def o(L, *shape, dtype=None):
    return L.ones(*shape, dtype=getattr(L, dtype) if dtype else None)


def t(L, data, dtype=None):
    return L.tensor(data, dtype=getattr(L, dtype) if dtype else None)


CASES = [
    # ---- matmul and its fixed-rank forms ----
    ("matmul 0-d", lambda L: L.matmul(t(L, 1.0), o(L, 3)), RuntimeError, "they are 0D and 1D"),
    ("matmul 1d1d size", lambda L: L.matmul(o(L, 3), o(L, 4)), RuntimeError,
     "expected tensor [3] and src [4] to have the same number of elements"),
    ("matmul 2d2d shape", lambda L: L.matmul(o(L, 2, 3), o(L, 4, 5)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    ("matmul 1d2d shape", lambda L: L.matmul(o(L, 3), o(L, 4, 5)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (1x3 and 4x5)"),
    ("matmul 3d2d shape", lambda L: L.matmul(o(L, 2, 3, 4), o(L, 5, 2)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (6x4 and 5x2)"),
    ("matmul 2d1d shape", lambda L: L.matmul(o(L, 2, 3), o(L, 4)), RuntimeError,
     "size mismatch, got input (2), mat (2x3), vec (4)"),
    ("matmul batched shape", lambda L: L.matmul(o(L, 2, 2, 3, 4), o(L, 2, 5, 2)), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [4, 4] but got: [4, 5]."),
    ("matmul batch broadcast", lambda L: L.matmul(o(L, 2, 2, 3), o(L, 3, 3, 5)), RuntimeError,
     "The size of tensor a (2) must match the size of tensor b (3) at non-singleton dimension 0"),
    ("matmul dtype 2d", lambda L: L.matmul(o(L, 2, 3), o(L, 3, 2, dtype="float64")), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: float != double"),
    ("matmul dtype 1d", lambda L: L.matmul(o(L, 3, dtype="int64"), o(L, 3)), RuntimeError,
     "dot : expected both vectors to have same dtype, but found Long and Float"),
    ("matmul dtype 2d1d", lambda L: L.matmul(o(L, 2, 3), o(L, 3, dtype="float64")), RuntimeError,
     "addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    ("matmul dtype batched", lambda L: L.matmul(o(L, 2, 2, 3, dtype="float64"), o(L, 2, 3, 2)), RuntimeError,
     "expected scalar type Double but found Float"),
    ("matmul bool", lambda L: L.matmul(o(L, 2, 3, dtype="bool"), o(L, 3, 2, dtype="bool")), NotImplementedError,
     "'Bool'"),
    ("matmul list", lambda L: L.matmul([1.0], o(L, 1)), TypeError, "list"),
    ("mm 1-d", lambda L: L.mm(o(L, 3), o(L, 3, 4)), RuntimeError, "self must be a matrix"),
    ("mm 3-d mat2", lambda L: L.mm(o(L, 2, 3), o(L, 2, 3, 4)), RuntimeError, "mat2 must be a matrix"),
    ("mm shape", lambda L: L.mm(o(L, 2, 3), o(L, 4, 5)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 4x5)"),
    ("mm dtype", lambda L: L.mm(o(L, 2, 3, dtype="int64"), o(L, 3, 2)), RuntimeError,
     "expected m1 and m2 to have the same dtype, but got: long int != float"),
    ("bmm 2-d", lambda L: L.bmm(o(L, 2, 3), o(L, 3, 4)), RuntimeError, "batch1 must be a 3D tensor"),
    ("bmm 2-d batch2", lambda L: L.bmm(o(L, 2, 2, 3), o(L, 3, 4)), RuntimeError, "batch2 must be a 3D tensor"),
    ("bmm batch", lambda L: L.bmm(o(L, 2, 2, 3), o(L, 3, 3, 4)), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."),
    ("bmm inner", lambda L: L.bmm(o(L, 2, 2, 3), o(L, 2, 4, 4)), RuntimeError,
     "to be: [2, 3] but got: [2, 4]."),
    ("bmm dtype", lambda L: L.bmm(o(L, 2, 2, 3), o(L, 2, 3, 4, dtype="float64")), RuntimeError,
     "expected scalar type Float but found Double"),
    ("mv ranks", lambda L: L.mv(o(L, 2, 3), o(L, 3, 1)), RuntimeError,
     "vector + matrix @ vector expected, got 1, 2, 2"),
    ("mv shape", lambda L: L.mv(o(L, 2, 3), o(L, 4)), RuntimeError, "size mismatch, got input (2), mat (2x3), vec (4)"),
    ("mv dtype", lambda L: L.mv(o(L, 2, 3), o(L, 3, dtype="float64")), RuntimeError,
     "addmv input tensors must have the same dtype, but got Double, Float, and Double"),
    ("dot 2-d", lambda L: L.dot(o(L, 2, 3), o(L, 2, 3)), RuntimeError, "1D tensors expected, but got 2D and 2D tensors"),
    ("dot 0-d", lambda L: L.dot(o(L, 3), t(L, 1.0)), RuntimeError, "1D tensors expected, but got 1D and 0D tensors"),
    ("dot size", lambda L: L.dot(o(L, 3), o(L, 4)), RuntimeError, "got 3 and 4 elements respectively"),
    ("dot dtype", lambda L: L.dot(o(L, 3), o(L, 3, dtype="float64")), RuntimeError,
     "expected both vectors to have same dtype, but found Float and Double"),
    ("dot bool", lambda L: L.dot(o(L, 3, dtype="bool"), o(L, 3, dtype="bool")), NotImplementedError, "'Bool'"),
    ("outer 2-d", lambda L: L.outer(o(L, 3, 2), o(L, 4)), RuntimeError, "outer: Expected 1-D argument self, but got 2-D"),
    ("outer 0-d vec2", lambda L: L.outer(o(L, 3), t(L, 1.0)), RuntimeError,
     "outer: Expected 1-D argument vec2, but got 0-D"),
    ("inner shape", lambda L: L.inner(o(L, 2, 3), o(L, 4, 5)), RuntimeError,
     "the last dimension must match on both input tensors but got shapes [2, 3] and [4, 5]"),
    ("inner dtype", lambda L: L.inner(o(L, 3, dtype="int64"), o(L, 3)), RuntimeError, "both inputs should have same dtype"),
    ("trace 3-d", lambda L: L.trace(o(L, 2, 3, 4)), RuntimeError, "trace: expected a matrix, but got tensor with dim 3"),
    ("trace 1-d", lambda L: L.trace(o(L, 3)), RuntimeError, "got tensor with dim 1"),
    ("trace bool", lambda L: L.trace(o(L, 2, 2, dtype="bool")), NotImplementedError, "'Bool'"),
    # ---- tensordot ----
    ("tensordot negative", lambda L: L.tensordot(o(L, 3, 4), o(L, 4, 5), dims=-1), RuntimeError,
     "tensordot expects dims >= 0, but got dims=-1"),
    ("tensordot too many", lambda L: L.tensordot(o(L, 3, 4), o(L, 4, 5), dims=3), RuntimeError,
     "but got dims=3"),
    ("tensordot sizes", lambda L: L.tensordot(o(L, 3, 4), o(L, 5, 5), dims=1), RuntimeError,
     "first has size 4 in dim -1 and second has size 5 in dim 0"),
    ("tensordot list lengths", lambda L: L.tensordot(o(L, 3, 4), o(L, 4, 3), dims=([0, 1], [1])), RuntimeError,
     "both dimension lists should have same length"),
    ("tensordot repeated dim", lambda L: L.tensordot(o(L, 3, 3), o(L, 3, 3), dims=([0, 0], [0, 1])), RuntimeError,
     "dim 0 appears multiple times in the list of dims"),
    ("tensordot dim range", lambda L: L.tensordot(o(L, 3, 3), o(L, 3, 3), dims=([2], [0])), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("tensordot float dims", lambda L: L.tensordot(o(L, 3), o(L, 3), dims=1.0), RuntimeError, "but got dims=1.0"),
    ("tensordot tuple of ints", lambda L: L.tensordot(o(L, 3, 4), o(L, 4, 3), dims=(1, 0)), TypeError,
     "must be tuple of ints, not int"),
    ("tensordot dtype", lambda L: L.tensordot(o(L, 3, 4, dtype="int64"), o(L, 4, 3), dims=1), RuntimeError,
     "both inputs should have same dtype"),
    # ---- add-products ----
    ("addmm 3-d mat1", lambda L: L.addmm(o(L, 2, 4), o(L, 2, 2, 3), o(L, 3, 4)), RuntimeError,
     "mat1 must be a matrix, got 3-D tensor"),
    ("addmm 1-d mat2", lambda L: L.addmm(o(L, 2, 2), o(L, 2, 3), o(L, 3)), RuntimeError,
     "mat2 must be a matrix, got 1-D tensor"),
    ("addmm shape", lambda L: L.addmm(o(L, 2, 4), o(L, 2, 3), o(L, 5, 4)), RuntimeError,
     "mat1 and mat2 shapes cannot be multiplied (2x3 and 5x4)"),
    ("addmm input broadcast", lambda L: L.addmm(o(L, 3), o(L, 2, 3), o(L, 3, 4)), RuntimeError,
     ("The expanded size of the tensor (4) must match the existing size (3) at non-singleton dimension 1.  Target "
      "sizes: [2, 4].  Tensor sizes: [3]")),
    ("addmm input rank", lambda L: L.addmm(o(L, 1, 2, 2), o(L, 2, 3), o(L, 3, 2)), RuntimeError,
     "the number of sizes provided (2) must be greater or equal to the number of dimensions in the tensor (3)"),
    ("addmm dtype self", lambda L: L.addmm(o(L, 2, 2, dtype="float64"), o(L, 2, 3), o(L, 3, 2)), RuntimeError,
     "self and mat2 must have the same dtype, but got Double and Float"),
    ("addmm dtype mats", lambda L: L.addmm(o(L, 2, 2), o(L, 2, 3, dtype="float64"), o(L, 3, 2)), RuntimeError,
     "mat1 and mat2 must have the same dtype, but got Double and Float"),
    ("addmv shape", lambda L: L.addmv(o(L, 3), o(L, 2, 3), o(L, 3)), RuntimeError,
     "size mismatch, got input (3), mat (2x3), vec (3)"),
    ("addmv ranks", lambda L: L.addmv(o(L, 1, 2), o(L, 2, 3), o(L, 3)), RuntimeError,
     "vector + matrix @ vector expected, got 2, 2, 1"),
    ("addmv dtype", lambda L: L.addmv(o(L, 2), o(L, 2, 3), o(L, 3, dtype="float64")), RuntimeError,
     "addmv input tensors must have the same dtype, but got Float, Float, and Double"),
    ("baddbmm shape", lambda L: L.baddbmm(o(L, 2, 2, 4), o(L, 2, 2, 3), o(L, 3, 3, 4)), RuntimeError,
     "Expected size for first two dimensions of batch2 tensor to be: [2, 3] but got: [3, 3]."),
    ("baddbmm input", lambda L: L.baddbmm(o(L, 3, 2, 4), o(L, 2, 2, 3), o(L, 2, 3, 4)), RuntimeError,
     "The expanded size of the tensor (2) must match the existing size (3) at non-singleton dimension 0."),
    ("baddbmm dtype input", lambda L: L.baddbmm(o(L, 1, 2, 2, dtype="float64"), o(L, 1, 2, 3), o(L, 1, 3, 2)),
     RuntimeError, "Input dtypes must be the same, got: input double, batch1: float, batch2: float"),
    ("baddbmm dtype batches", lambda L: L.baddbmm(o(L, 1, 2, 2), o(L, 1, 2, 3), o(L, 1, 3, 2, dtype="float64")),
     RuntimeError, "expected scalar type Float but found Double"),
    # ---- einsum ----
    ("einsum fewer operands", lambda L: L.einsum("ij,jk->ik", o(L, 2, 3)), RuntimeError,
     "fewer operands were provided than specified in the equation"),
    ("einsum more operands", lambda L: L.einsum("ij->ij", o(L, 2, 3), o(L, 2, 3)), RuntimeError,
     "more operands were provided than specified in the equation"),
    ("einsum rank", lambda L: L.einsum("ijk->ij", o(L, 2, 3)), RuntimeError,
     "the number of subscripts in the equation (3) does not match the number of dimensions (2) for operand 0"),
    ("einsum rank with ellipsis", lambda L: L.einsum("ijk...->", o(L, 2, 3)), RuntimeError,
     "the number of subscripts in the equation (3) is more than the number of dimensions (2) for operand 0"),
    ("einsum sizes", lambda L: L.einsum("ij,ij->ij", o(L, 2, 3), o(L, 3, 4)), RuntimeError,
     "subscript i has size 3 for operand 1 which does not broadcast with previously seen size 2"),
    ("einsum repeated sizes", lambda L: L.einsum("ii->i", o(L, 3, 4)), RuntimeError,
     "subscript i is repeated for operand 0 but the sizes don't match, 4 != 3"),
    ("einsum ellipsis sizes", lambda L: L.einsum("...ij,...jk->...ik", o(L, 2, 2, 3), o(L, 5, 3, 4)), RuntimeError,
     "has size 5 which does not broadcast with previously seen ellipsis with size 2"),
    ("einsum bad subscript", lambda L: L.einsum("i1->i", o(L, 2, 3)), RuntimeError,
     "invalid subscript given at index 1 in the equation string, subscripts must be in [a-zA-Z]"),
    ("einsum unknown output", lambda L: L.einsum("ij->k", o(L, 2, 3)), RuntimeError,
     "output subscript k does not appear in the equation for any input operand"),
    ("einsum repeated output", lambda L: L.einsum("ij->ii", o(L, 2, 3)), RuntimeError,
     "output subscript i appears more than once in the output"),
    ("einsum two ellipses", lambda L: L.einsum("......->", o(L, 2, 3)), RuntimeError,
     "found '.' for operand 0 for which an ellipsis was already found"),
    ("einsum lone dots", lambda L: L.einsum("..ij", o(L, 2, 3)), RuntimeError,
     "found '.' for operand 0 that is not part of any ellipsis"),
    ("einsum dtype", lambda L: L.einsum("ij,jk", o(L, 2, 3), o(L, 3, 4, dtype="float64")), RuntimeError,
     "expected scalar type Float but found Double"),
    ("einsum non-tensor", lambda L: L.einsum("ij", 3), TypeError, "expected Tensor as element 0 in argument 1"),
    ("einsum equation type", lambda L: L.einsum(3, o(L, 2, 3)), TypeError, "must be str, not int"),
    ("einsum sublist range", lambda L: L.einsum(o(L, 2, 3), [0, 60]), ValueError,
     "subscript in subscript list is not within the valid range [0, 52)"),
    # ---- activations ----
    ("relu bool", lambda L: F(L).relu(o(L, 2, dtype="bool")), RuntimeError, "Boolean inputs not supported for relu"),
    ("relu list", lambda L: F(L).relu([1.0, 2.0]), TypeError, "list"),
    ("softmax int", lambda L: F(L).softmax(o(L, 2, 3, dtype="int64"), 1), NotImplementedError, "'Long'"),
    ("log_softmax int", lambda L: F(L).log_softmax(o(L, 2, 3, dtype="int64"), 1), NotImplementedError, "'Long'"),
    ("softmax dim range", lambda L: F(L).softmax(o(L, 2, 3), 2), IndexError,
     "Dimension out of range (expected to be in range of [-2, 1], but got 2)"),
    ("log_softmax dim range", lambda L: F(L).log_softmax(o(L, 2, 3), -3), IndexError, "but got -3)"),
    ("softmax dim type", lambda L: F(L).softmax(o(L, 2, 3), "a"), TypeError, "str"),
    ("relu inplace leaf", lambda L: F(L).relu(o(L, 3).requires_grad_(), inplace=True), RuntimeError,
     "a leaf Variable that requires grad is being used in an in-place operation."),
    # ---- cross_entropy ----
    ("ce target out of range", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 5, 1, 0])), IndexError,
     "Target 5 is out of bounds."),
    ("ce negative target", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, -1, 1, 0])), IndexError,
     "Target -1 is out of bounds."),
    ("ce target out of range nd", lambda L: F(L).cross_entropy(o(L, 2, 3, 4), L.full((2, 4), 7)), IndexError,
     "Target 7 is out of bounds."),
    ("ce target dtype int32", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2, 0], "int32")), RuntimeError,
     "expected target dtype to be Long or Byte, but got Int"),
    ("ce target dtype float", lambda L: F(L).cross_entropy(o(L, 4, 3), o(L, 4)), RuntimeError,
     "expected target dtype to be Long or Byte, but got Float"),
    ("ce byte target nd", lambda L: F(L).cross_entropy(o(L, 2, 3, 2), t(L, [[0, 1], [1, 2]], "uint8")),
     RuntimeError, "expected scalar type Long but found Byte"),
    ("ce batch size", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2])), ValueError,
     "Expected input batch_size (4) to match target batch_size (3)."),
    ("ce multi-target", lambda L: F(L).cross_entropy(o(L, 4, 3), L.zeros(4, 1, dtype=L.int64)), RuntimeError,
     "0D or 1D target tensor expected, multi-target not supported"),
    ("ce nd target shape", lambda L: F(L).cross_entropy(o(L, 2, 3, 4), L.zeros(2, 5, dtype=L.int64)), RuntimeError,
     "Expected target size [2, 4], got [2, 5]"),
    ("ce 1d target size", lambda L: F(L).cross_entropy(o(L, 3), t(L, [1, 2])), ValueError,
     "For 1D input, 1D target must have size 1, but got target size: 2"),
    ("ce probabilities int", lambda L: F(L).cross_entropy(o(L, 4, 3), o(L, 4, 3, dtype="int64")), RuntimeError,
     "Expected floating point type for target with class probabilities, got Long"),
    ("ce probabilities ignore_index", lambda L: F(L).cross_entropy(o(L, 4, 3), o(L, 4, 3), ignore_index=1),
     RuntimeError, "ignore_index is not supported for floating point target"),
    ("ce reduction", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2, 0]), reduction="avg"), ValueError,
     "avg is not a valid value for reduction"),
    ("ce weight size", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2, 0]), weight=o(L, 4)), RuntimeError,
     "weight tensor should be defined either for all 3 classes or no classes but got weight tensor of shape: [4]"),
    ("ce weight dtype", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2, 0]), weight=o(L, 3, dtype="float64")),
     RuntimeError, "expected scalar type Float but found Double"),
    ("ce weight requires grad", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2, 0]),
                                                             weight=o(L, 3).requires_grad_()), RuntimeError,
     "not differentiable with respect to argument 'weight'"),
    ("ce label_smoothing", lambda L: F(L).cross_entropy(o(L, 4, 3), t(L, [0, 1, 2, 0]), label_smoothing=1.1),
     RuntimeError, "label_smoothing must be between 0.0 and 1.0. Got: 1.1"),
    ("ce int input", lambda L: F(L).cross_entropy(o(L, 2, 3, dtype="int64"), L.zeros(2, dtype=L.int64)),
     NotImplementedError, "'Long'"),
    ("ce list target", lambda L: F(L).cross_entropy(o(L, 4, 3), [0, 1, 2, 0]), TypeError, "list"),
]


@pytest.mark.parametrize("call,exc,fragment", [pytest.param(c, e, f, id=n) for n, c, e, f in CASES])
def test_error(call, exc, fragment):
    with pytest.raises(exc) as theirs:
        call(torch)
    with pytest.raises(exc) as ours:
        call(refgrad)
    assert fragment in str(ours.value), f"refgrad's message {str(ours.value)!r} does not contain {fragment!r}"
    assert fragment in str(theirs.value), f"torch's message {str(theirs.value)!r} does not contain {fragment!r}"


# ---- behaviour around the errors: what torch accepts -------------------------------------------------------
def test_relu_inplace_outside_graph_matches_torch():
    for L in (torch, refgrad):
        x = L.tensor([-1.0, 0.0, 2.0])
        out = F(L).relu(x, inplace=True)
        assert out is x and x.tolist() == [0.0, 0.0, 2.0]
        y = L.tensor([-3.0, 4.0])
        y.relu_()
        assert y.tolist() == [0.0, 4.0]
        z = L.tensor([-3.0, 4.0])
        F(L).relu_(z)
        assert z.tolist() == [0.0, 4.0]


def test_relu_inplace_under_no_grad():
    x = refgrad.tensor([-1.0, 2.0], requires_grad=True)
    with refgrad.no_grad():
        x.relu_()
    assert x.tolist() == [0.0, 2.0]


def test_softmax_implicit_dim_warns_and_picks_torch_dim():
    for shape in [(), (3,), (2, 3), (2, 2, 3), (2, 3, 2, 2)]:
        x = np.random.default_rng(0).standard_normal(shape)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            ours = F(refgrad).softmax(refgrad.tensor(x)).numpy()
            theirs = F(torch).softmax(torch.tensor(x)).numpy()
        assert [str(w.message) for w in caught][:1] == [str(w.message) for w in caught][1:2]
        assert "Implicit dimension choice for softmax has been deprecated" in str(caught[0].message)
        np.testing.assert_allclose(ours, theirs, rtol=1e-12, atol=0)


def test_softmax_third_positional_is_dtype_in_torch_form():
    x = refgrad.tensor([1.0, 2.0])
    assert refgrad.nn.functional.softmax(x, 0, refgrad.float64).dtype == refgrad.float64
    assert refgrad.nn.functional.log_softmax(x, 0, dtype=refgrad.float64).dtype == refgrad.float64


def test_addmm_beta_zero_ignores_nan_input_and_alpha_zero_ignores_inf():
    for L in (torch, refgrad):
        c = L.full((2, 2), float("nan"))
        assert L.addmm(c, L.ones(2, 3), L.ones(3, 2), beta=0).tolist() == [[3.0, 3.0], [3.0, 3.0]]
        m = L.full((2, 3), float("inf"))
        assert L.addmm(L.ones(2, 2), m, L.ones(3, 2), alpha=0).tolist() == [[1.0, 1.0], [1.0, 1.0]]


def test_cross_entropy_all_ignored_mean_is_nan_with_zero_gradient():
    x = np.random.default_rng(1).standard_normal((4, 3))
    grads = []
    for L in (torch, refgrad):
        xt = L.tensor(x, requires_grad=True)
        loss = F(L).cross_entropy(xt, L.full((4,), -100), label_smoothing=0.2)
        assert np.isnan(loss.item())
        (g,) = L.autograd.grad(loss, xt)
        grads.append(np.asarray(g.detach().numpy()))
    np.testing.assert_array_equal(grads[0], grads[1])
    assert not grads[1].any()


def test_integer_products_keep_torch_dtypes():
    for L in (torch, refgrad):
        a = L.tensor([[1, 2], [3, 4]])
        assert str(L.matmul(a, a).dtype).endswith("int64")
        assert str(L.trace(L.tensor([[1, 2], [3, 4]], dtype=L.int32)).dtype).endswith("int64")
        assert L.addmm(a, a, a, beta=2, alpha=3).tolist() == (2 * torch.tensor([[1, 2], [3, 4]]) + 3 * torch.tensor(
            [[7, 10], [15, 22]])).tolist()
