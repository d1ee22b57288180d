"""Bad input to x[index] and the in-place indexing forms: refgrad raises torch's exception class, with a message
naming the offending values/shapes/dtypes (bad input to gather/scatter & co., pad and one_hot is declared with
their specs, ``ERRORS`` in oracle/specs/indexing.py, padding.py, encoding.py). Each case runs in torch too, so
the expected class is torch's own. Then a few behaviours the oracle's specs do not reach: in-place forms,
Tensor.__setitem__ through normalize_index, and second derivatives through the indexing primitives."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as RF


def _m(lib):
    return torch if lib == "torch" else refgrad


def _F(lib):
    return TF if lib == "torch" else RF


def _t(lib, data, dtype=None):
    a = np.asarray(data, dtype=dtype)
    return torch.from_numpy(a.copy()) if lib == "torch" else refgrad.tensor(a)


X = np.arange(12.0).reshape(3, 4)
X3 = np.arange(24.0).reshape(2, 3, 4)
L = np.int64

# (id, f(lib) -> result, substrings the refgrad message must contain)
CASES = [
    # ---- x[index] ----
    ("int_oob", lambda lib: _t(lib, X)[5], ["index 5", "dimension 0", "size 3"]),
    ("int_oob_neg", lambda lib: _t(lib, X)[:, -5], ["index -5", "dimension 1", "size 4"]),
    ("too_many", lambda lib: _t(lib, X)[0, 0, 0], ["too many indices", "dimension 2"]),
    ("zero_dim_int", lambda lib: _t(lib, 3.0)[0], ["0-dim tensor"]),
    ("zero_dim_slice", lambda lib: _t(lib, 3.0)[0:1], ["0-dim tensor"]),
    ("float_tensor_index", lambda lib: _t(lib, X)[_t(lib, [1.0])], ["long, int, byte or bool"]),
    ("int8_tensor_index", lambda lib: _t(lib, X)[_t(lib, [1], np.int8)], ["long, int, byte or bool"]),
    ("float_scalar_index", lambda lib: _t(lib, X)[1.5], ["got float"]),
    ("tensor_index_oob", lambda lib: _t(lib, X3)[:, _t(lib, [0, 7], L)], ["index 7", "size 3"]),
    ("tensor_index_oob_neg", lambda lib: _t(lib, X3)[_t(lib, [0, 1], L), _t(lib, [-4], L)], ["index -4", "size 3"]),
    ("mask_shape", lambda lib: _t(lib, X3)[:, _t(lib, [True, False])], ["mask [2]", "[2, 3, 4]"]),
    ("broadcast", lambda lib: _t(lib, X)[_t(lib, [0, 1], L), _t(lib, [0, 1, 2], L)], ["[2]", "[3]"]),
    ("negative_step", lambda lib: _t(lib, X)[::-1], ["step"]),
    ("zero_step", lambda lib: _t(lib, X)[::0], ["step"]),
    ("index_size_zero_dim", lambda lib: _t(lib, np.zeros((2, 0)))[:, _t(lib, [0], L)], ["size 0"]),
    # ---- masked_fill ----
    ("masked_fill_inplace_broadcast", lambda lib: _t(lib, X[0]).masked_fill_(_t(lib, X > 3), 1.0),
     ["[4]", "[3, 4]"]),
]


@pytest.mark.parametrize("make,substrings", [pytest.param(f, s, id=i) for i, f, s in CASES])
def test_error_matches_torch(make, substrings):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception) as expected:
            make("torch")
    with pytest.raises(expected.type) as got:
        make("refgrad")
    assert type(got.value) is expected.type, f"torch raises {expected.type.__name__}: {expected.value}"
    message = str(got.value)
    for s in substrings:
        assert s in message, f"{s!r} not in {message!r}"


def test_circular_pad_past_cropped_dim_is_an_error():
    """torch reads uninitialised memory here (its check compares with the uncropped size); refgrad refuses."""
    with pytest.raises(RuntimeError, match="only 2 of its 4 elements remain"):
        RF.pad(refgrad.tensor(X3), (-2, 3), mode="circular")


# ---- behaviours outside the oracle's specs ------------------------------------------------------------------
def test_inplace_forms_match_torch():
    idx = np.array([[2, 0, 2, 1]])
    for name, args in [("masked_fill_", (X > 4, -1.0)), ("scatter_", (0, idx, np.ones((1, 4)))),
                       ("scatter_", (1, idx[:, :2], 7.0)), ("scatter_add_", (0, idx, np.full((1, 4), 2.0))),
                       ("tril_", (1,)), ("triu_", (-1,))]:
        t, r = torch.from_numpy(X.copy()), refgrad.tensor(X)
        out_t = getattr(t, name)(*[torch.from_numpy(a.copy()) if isinstance(a, np.ndarray) else a for a in args])
        out_r = getattr(r, name)(*[refgrad.tensor(a) if isinstance(a, np.ndarray) else a for a in args])
        assert out_r is r and out_t is t
        np.testing.assert_array_equal(r.numpy(), t.numpy(), err_msg=name)


def test_tensor_methods_match_torch():
    t, r = torch.from_numpy(X3.copy()), refgrad.tensor(X3)
    np.testing.assert_array_equal(r.diagonal(offset=1, dim1=-1, dim2=0).numpy(),
                                  t.diagonal(offset=1, dim1=-1, dim2=0).numpy())
    np.testing.assert_array_equal(r.index_select(2, refgrad.tensor([3, 3])).numpy(),
                                  t.index_select(2, torch.tensor([3, 3])).numpy())
    np.testing.assert_array_equal(r[0].diag(1).numpy(), t[0].diag(1).numpy())
    np.testing.assert_array_equal(r.take_along_dim(refgrad.tensor([[[5]]]), 2).numpy(),
                                  t.take_along_dim(torch.tensor([[[5]]]), 2).numpy())


@pytest.mark.parametrize("index", [
    (1, slice(None, None, 2)), (np.array([0, 1, 1]), Ellipsis, np.array([3, 0, 0])),
    (slice(None), np.array([[True, False, True, True]] * 3)), (None, True, 0, np.array([2])), np.array([[1, 0]]),
])
def test_setitem_matches_torch(index):
    t, r = torch.from_numpy(X3.copy()), refgrad.tensor(X3)
    ti = tuple(torch.from_numpy(i) if isinstance(i, np.ndarray) else i for i in index) if isinstance(
        index, tuple) else torch.from_numpy(index)
    ri = tuple(refgrad.tensor(i) if isinstance(i, np.ndarray) else i for i in index) if isinstance(
        index, tuple) else refgrad.tensor(index)
    t[ti] = -5.0
    r[ri] = -5.0
    np.testing.assert_array_equal(r.numpy(), t.numpy())


def test_setitem_errors():
    r = refgrad.tensor(X)
    with pytest.raises(IndexError, match="index 5 is out of bounds for dimension 0 with size 3"):
        r[5] = 1.0
    with pytest.raises(IndexError, match="too many indices"):
        r[0, 0, 0] = 1.0
    with pytest.raises(IndexError, match="long, int, byte or bool"):
        r[refgrad.tensor([1.0])] = 1.0


def test_repeated_indices_accumulate():
    x = refgrad.tensor(X, requires_grad=True)
    (x[refgrad.tensor([0, 0, 2])].sum() + x.gather(1, refgrad.tensor([[1, 1]] * 3)).sum()).backward()
    expected = np.zeros_like(X)
    expected[0] += 2
    expected[2] += 1
    expected[:, 1] += 2
    np.testing.assert_array_equal(x.grad.numpy(), expected)


def test_scatter_gradients_match_torch_on_collisions():
    """The losing src element still gets its target's gradient, and input gets none where written."""
    idx = np.array([1, 1, 0])
    g = np.array([10.0, 20.0, 30.0])
    grads = {}
    for lib in ("torch", "refgrad"):
        m = torch if lib == "torch" else refgrad
        x = m.tensor([1.0, 2.0, 3.0], requires_grad=True)
        src = m.tensor([4.0, 5.0, 6.0], requires_grad=True)
        out = m.scatter(x, 0, m.tensor(idx), src)
        grads[lib] = [np.asarray(a.detach().numpy()) for a in (out, *m.autograd.grad(out, (x, src), m.tensor(g)))]
    for a, b in zip(grads["refgrad"], grads["torch"]):
        np.testing.assert_array_equal(a, b)


def test_second_derivative_through_indexing_matches_torch():
    """vjp of x[idx] is a scatter-add whose own vjp is the indexing again: differentiate the gradient with
    respect to the cotangent, and check the result against torch."""
    idx = np.array([2, 0, 2])
    w = np.arange(12.0).reshape(3, 4) / 7
    results = []
    for m in (torch, refgrad):
        x = m.tensor(X, requires_grad=True)
        v = m.tensor(np.ones((3, 4)), requires_grad=True)
        y = x[m.tensor(idx)] * 2.0
        (gx,) = m.autograd.grad(y, x, v, create_graph=True)
        (gv,) = m.autograd.grad((gx * m.tensor(w)).sum(), v)
        results.append(np.asarray(gv.detach().numpy()))
    np.testing.assert_array_equal(results[0], results[1])


def test_pad_folds_gradient_back():
    """reflect/replicate/circular copies fold their gradient back onto the element they copy (vs torch)."""
    for mode, pads in [("reflect", (2, 3)), ("replicate", (3, -1, 2, 2)), ("circular", (4, 4))]:
        out = []
        for m, F in ((torch, TF), (refgrad, RF)):
            x = m.tensor(X3, requires_grad=True)
            y = F.pad(x, pads, mode=mode)
            (g,) = m.autograd.grad(y, x, m.tensor(np.arange(float(np.prod(tuple(y.shape)))).reshape(tuple(y.shape))))
            out.append(np.asarray(g.detach().numpy()))
        np.testing.assert_array_equal(out[1], out[0], err_msg=mode)


def test_non_contiguous_inputs():
    """Inputs that are transposed views (refgrad's permute) index, scatter and pad like contiguous ones."""
    idx = np.array([[0, 2, 1]])
    t, r = torch.from_numpy(X.copy()).T, refgrad.tensor(X).permute(1, 0)
    ti, ri = torch.from_numpy(idx), refgrad.tensor(idx)
    src_t, src_r = torch.ones(1, 3, dtype=torch.float64), refgrad.ones(1, 3, dtype=refgrad.float64)
    pairs = [
        (torch.scatter(t, 0, ti, src_t), refgrad.scatter(r, 0, ri, src_r)),
        (torch.scatter_add(t, 0, ti, src_t), refgrad.scatter_add(r, 0, ri, src_r)),
        (torch.gather(t, 0, ti), refgrad.gather(r, 0, ri)),
        (t[ti[0], 1:], r[ri[0], 1:]),
        (TF.pad(t[None], (1, 2), mode="reflect"), RF.pad(r[None], (1, 2), mode="reflect")),
        (TF.pad(t, (1, -1, 0, 2)), RF.pad(r, (1, -1, 0, 2))),
    ]
    for a, b in pairs:
        np.testing.assert_array_equal(b.numpy(), a.numpy())


@pytest.mark.parametrize("form", ["tensor", "int32 tensor", "ndarray", "list"])
def test_rows_index_with_negative_and_repeated_rows_matches_torch(form):
    """x[rows] for 1-D int rows as users write them (refgrad's one-take path): values and the gradient, where a
    negative row counts from the end and a repeated row accumulates."""
    rows = [2, -3, 0, 2, -1]
    index = {"tensor": lambda m: m.tensor(np.array(rows)), "int32 tensor": lambda m: m.tensor(np.array(rows, np.int32)),
             "ndarray": lambda m: np.array(rows) if m is refgrad else torch.tensor(rows), "list": lambda m: rows}[form]
    w = np.arange(20.0).reshape(5, 4) / 3
    results = []
    for m in (torch, refgrad):
        x = m.tensor(X, requires_grad=True)
        y = x[index(m)]
        (y * m.tensor(w)).sum().backward()
        results.append((np.asarray(y.detach().numpy()), np.asarray(x.grad.numpy())))
    for ours, theirs in zip(results[1], results[0]):
        np.testing.assert_array_equal(ours, theirs)
