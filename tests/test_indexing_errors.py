"""Bad input to the indexing family (x[index], gather/scatter & co., pad, one_hot): refgrad raises torch's
exception class, with a message naming the offending values/shapes/dtypes. Each case runs in torch too, so
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
    # ---- index_select ----
    ("index_select_float", lambda lib: _m(lib).index_select(_t(lib, X), 0, _t(lib, [1.0])), ["int32 or int64"]),
    ("index_select_2d", lambda lib: _m(lib).index_select(_t(lib, X), 0, _t(lib, [[1]], L)), ["vector"]),
    ("index_select_oob", lambda lib: _m(lib).index_select(_t(lib, X), 0, _t(lib, [3], L)), ["out of range"]),
    ("index_select_neg", lambda lib: _m(lib).index_select(_t(lib, X3), 2, _t(lib, [-1], L)), ["out of range"]),
    ("index_select_oob_dim1", lambda lib: _m(lib).index_select(_t(lib, X), 1, _t(lib, [4], L)),
     ["id=4", "axis_dim=4"]),
    ("index_select_dim", lambda lib: _m(lib).index_select(_t(lib, X), 2, _t(lib, [0], L)), ["got 2"]),
    ("index_select_scalar", lambda lib: _m(lib).index_select(_t(lib, 5.0), 0, _t(lib, [0, 0], L)), ["2 value"]),
    ("index_select_empty_dim", lambda lib: _m(lib).index_select(_t(lib, np.zeros((2, 0))), 1, _t(lib, [0], L)),
     ["positive"]),
    # ---- gather ----
    ("gather_float_index", lambda lib: _m(lib).gather(_t(lib, X), 0, _t(lib, [[1.0]])), ["int32/int64"]),
    ("gather_oob", lambda lib: _m(lib).gather(_t(lib, X), 0, _t(lib, [[3]], L)), ["index 3", "size 3"]),
    ("gather_neg", lambda lib: _m(lib).gather(_t(lib, X), 1, _t(lib, [[-1]], L)), ["index -1", "size 4"]),
    ("gather_ndim", lambda lib: _m(lib).gather(_t(lib, X), 0, _t(lib, [1], L)), ["same number of dimensions"]),
    ("gather_size", lambda lib: _m(lib).gather(_t(lib, X), 0, np.zeros((2, 5), L) if lib != "torch"
                                                    else torch.zeros(2, 5, dtype=torch.long)), ["[2, 5]", "[3, 4]"]),
    # ---- scatter, scatter_add ----
    ("scatter_float_index", lambda lib: _m(lib).scatter(_t(lib, X), 0, _t(lib, [[1.0]]), _t(lib, [[1.0]])),
     ["int32/int64"]),
    ("scatter_dtype", lambda lib: _m(lib).scatter(_t(lib, X), 0, _t(lib, [[1]], L), _t(lib, [[1.0]], np.float32)),
     ["float64", "float32"]),
    ("scatter_oob", lambda lib: _m(lib).scatter(_t(lib, X), 0, _t(lib, [[3]], L), _t(lib, [[1.0]])),
     ["index 3", "size 3"]),
    ("scatter_ndim", lambda lib: _m(lib).scatter(_t(lib, X), 0, _t(lib, [1], L), _t(lib, [1.0])),
     ["same number of dimensions"]),
    ("scatter_src_ndim", lambda lib: _m(lib).scatter(_t(lib, X), 0, _t(lib, [[1]], L), _t(lib, np.ones((1, 1, 1)))),
     ["src"]),
    ("scatter_too_big", lambda lib: _m(lib).scatter(_t(lib, X), 0, _t(lib, np.zeros((3, 4), L)),
                                                         _t(lib, np.ones((2, 4)))), ["[3, 4]", "[2, 4]"]),
    ("scatter_reduce_name", lambda lib: _m(lib).scatter(_t(lib, X), 0, _t(lib, [[1]], L), _t(lib, [[1.0]]),
                                                             reduce="sum"), ["add or multiply"]),
    ("scatter_add_value", lambda lib: _m(lib).scatter_add(_t(lib, X), 0, _t(lib, [[1]], L), 1.0), ["Tensor"]),
    ("scatter_add_oob", lambda lib: _m(lib).scatter_add(_t(lib, X), 1, _t(lib, [[-1]], L), _t(lib, [[1.0]])),
     ["index -1", "size 4"]),
    # ---- take_along_dim ----
    ("take_along_dim_int32", lambda lib: _m(lib).take_along_dim(_t(lib, X), _t(lib, [[1]], np.int32), 0),
     ["Long", "Int"]),
    ("take_along_dim_ndim", lambda lib: _m(lib).take_along_dim(_t(lib, X), _t(lib, [1], L), 0),
     ["2 dimensions", "1 dimensions"]),
    ("take_along_dim_broadcast", lambda lib: _m(lib).take_along_dim(_t(lib, X), _t(lib, np.zeros((2, 3), L)), 0),
     ["(4)", "(3)"]),
    ("take_along_dim_flat_oob", lambda lib: _m(lib).take_along_dim(_t(lib, X), _t(lib, [12], L)),
     ["index 12", "size 12"]),
    ("take_along_dim_zero_size", lambda lib: _m(lib).take_along_dim(_t(lib, np.zeros((3, 0))),
                                                                         _t(lib, np.zeros((3, 2), L)), 1),
     ["ZeroDivisionError"]),
    # ---- masked_fill ----
    ("masked_fill_int_mask", lambda lib: _m(lib).masked_fill(_t(lib, X), _t(lib, np.ones((3, 4), L)), 1.0),
     ["boolean masks", "int64"]),
    ("masked_fill_value_1d", lambda lib: _m(lib).masked_fill(_t(lib, X), _t(lib, X > 3), _t(lib, [1.0])),
     ["0-dimensional", "1 dimension"]),
    ("masked_fill_broadcast", lambda lib: _m(lib).masked_fill(_t(lib, X), _t(lib, [True, False]), 1.0),
     ["(4)", "(2)"]),
    ("masked_fill_inplace_broadcast", lambda lib: _t(lib, X[0]).masked_fill_(_t(lib, X > 3), 1.0),
     ["[4]", "[3, 4]"]),
    # ---- tril, triu, diagonal, diag, diag_embed ----
    ("tril_1d", lambda lib: _m(lib).tril(_t(lib, X[0])), ["at least 2 dimensions"]),
    ("triu_float_diagonal", lambda lib: _m(lib).triu(_t(lib, X), 1.0), ["diagonal", "float"]),
    ("diagonal_same_dims", lambda lib: _m(lib).diagonal(_t(lib, X), 0, 1, -1), ["1, -1"]),
    ("diagonal_dim_range", lambda lib: _m(lib).diagonal(_t(lib, X), 0, 0, 2), ["[-2, 1]", "got 2"]),
    ("diag_3d", lambda lib: _m(lib).diag(_t(lib, X3)), ["3D"]),
    ("diag_0d", lambda lib: _m(lib).diag(_t(lib, 1.0)), ["0D"]),
    ("diag_embed_0d", lambda lib: _m(lib).diag_embed(_t(lib, 1.0)), ["got -2"]),
    ("diag_embed_same_dims", lambda lib: _m(lib).diag_embed(_t(lib, X), 0, 1, -2), ["1, -2"]),
    # ---- pad ----
    ("pad_odd", lambda lib: _F(lib).pad(_t(lib, X), (1,)), ["divisible by 2"]),
    ("pad_too_long", lambda lib: _F(lib).pad(_t(lib, X), (1,) * 6), ["padding length 6", "dimension 2"]),
    ("pad_mode", lambda lib: _F(lib).pad(_t(lib, X), (1, 1), mode="foo"), ["foo"]),
    ("pad_float", lambda lib: _F(lib).pad(_t(lib, X), (1.0, 1)), ["float"]),
    ("pad_crop_too_much", lambda lib: _F(lib).pad(_t(lib, X), (-3, -2)), ["non-negative"]),
    ("pad_reflect_value", lambda lib: _F(lib).pad(_t(lib, X3), (1, 1), mode="reflect", value=2.0),
     ['"reflect"']),
    ("pad_reflect_1d", lambda lib: _F(lib).pad(_t(lib, X[0]), (1, 1), mode="reflect"), ["1D", "size 2"]),
    ("pad_replicate_2d_on_2d", lambda lib: _F(lib).pad(_t(lib, X), (1, 1, 1, 1), mode="replicate"),
     ["2D", "size 4"]),
    ("pad_reflect_too_wide", lambda lib: _F(lib).pad(_t(lib, X3), (4, 0), mode="reflect"),
     ["(4, 0)", "dimension 2", "[2, 3, 4]"]),
    ("pad_reflect_too_high", lambda lib: _F(lib).pad(_t(lib, X3), (0, 0, 0, 3), mode="reflect"),
     ["Argument #6", "(0, 3)", "dimension 1"]),
    ("pad_reflect_empty", lambda lib: _F(lib).pad(_t(lib, np.zeros((2, 0, 3))), (1, 1), mode="reflect"),
     ["[2, 0, 3]"]),
    ("pad_replicate_too_small", lambda lib: _F(lib).pad(_t(lib, X3), (-2, -2), mode="replicate"),
     ["W: 4", "W: 0"]),
    ("pad_reflect_bool", lambda lib: _F(lib).pad(_t(lib, X3 > 3), (1, 1), mode="reflect"), ["Bool"]),
    ("pad_circular_wrap", lambda lib: _F(lib).pad(_t(lib, X3), (5, 0), mode="circular"), ["more than once"]),
    ("pad_circular_negative", lambda lib: _F(lib).pad(_t(lib, X3), (-4, -1), mode="circular"),
     ["empty dimension"]),
    # ---- one_hot ----
    ("one_hot_int32", lambda lib: _F(lib).one_hot(_t(lib, [0, 1], np.int32)), ["LongTensor"]),
    ("one_hot_negative", lambda lib: _F(lib).one_hot(_t(lib, [0, -1], L)), ["non-negative"]),
    ("one_hot_too_big", lambda lib: _F(lib).one_hot(_t(lib, [0, 3], L), 3), ["smaller than num_classes"]),
    ("one_hot_empty", lambda lib: _F(lib).one_hot(_t(lib, np.zeros(0, L))), ["empty tensor"]),
    ("one_hot_float_classes", lambda lib: _F(lib).one_hot(_t(lib, [0, 1], L), 3.0), ["num_classes", "float"]),
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
