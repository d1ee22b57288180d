"""Bad input to the shape ops' method forms (x.reshape(4, 5), x.view(...)) raises what torch raises (class and
message), and the view/copy semantics that the oracle's specs cannot see (strides, aliasing, legacy empty tensors
in cat, dtype promotion) match torch. Bad input to the functions is declared with their specs (``ERRORS`` in
oracle/specs/shape.py).

Each error case is a function of the library (refgrad or torch), so both run the very same call.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad


def Z(L, *shape, dtype=None):
    return L.zeros(shape) if dtype is None else L.zeros(shape, dtype=getattr(L, dtype))


def A(L, *shape):
    """arange reshaped: distinct values, so that layouts and aliasing are visible."""
    return L.arange(float(np.prod(shape))).reshape(*shape)


# (id, call, needles): refgrad must raise torch's exception class; the message must equal torch's, or, where
# needles is given (torch's message carries C++ context or names types refgrad has not), contain each needle.
ERRORS = [
    # reshape / view
    ("reshape_numel", lambda L: Z(L, 3, 4).reshape(4, 5), None),
    ("reshape_numel_infer", lambda L: Z(L, 3, 4).reshape(-1, 5), None),
    ("reshape_two_infer", lambda L: Z(L, 3, 4).reshape(-1, -1, 2), None),
    ("reshape_negative", lambda L: Z(L, 3, 4).reshape(-2, 6), None),
    ("reshape_zero_ambiguous", lambda L: Z(L, 0, 3).reshape(0, -1), None),
    ("reshape_zero_numel", lambda L: Z(L, 3).reshape(0, -1), None),
    ("reshape_float_size", lambda L: Z(L, 3, 4).reshape(3, 4.0), ["float"]),
    ("view_transposed", lambda L: Z(L, 3, 4).t().view(12), None),
    ("view_expanded", lambda L: Z(L, 1, 4).expand(3, 4).view(12), None),
    ("view_dtype_0d", lambda L: Z(L).view(L.float64), ["self.dim() cannot be 0", "different element sizes"]),
    ("view_dtype_size", lambda L: Z(L, 3, 3).view(L.float64), ["must be divisible by 2", "but got 3"]),
    # dims
    ("permute_len", lambda L: Z(L, 3, 4).permute(0), None),
    ("permute_dup", lambda L: Z(L, 3, 4).permute(0, -2), ["duplicate dims are not allowed"]),
    ("permute_dim", lambda L: Z(L, 3, 4).permute(0, 5), None),
    # flip / roll
    ("flip_dim", lambda L: Z(L, 3, 4).flip(2), None),
    # cat / stack / hstack / vstack
    ("concat_empty", lambda L: L.concat([]), None),
    # repeat / tile
    ("tile_negative", lambda L: Z(L, 3, 4).tile(-2), None),
]


def _raised(fn, lib):
    try:
        fn(lib)
    except Exception as e:  # noqa: BLE001 - the exception itself is what is compared
        return e
    return None


@pytest.mark.parametrize("call,needles", [pytest.param(c, n, id=i) for i, c, n in ERRORS])
def test_error_matches_torch(call, needles):
    expected = _raised(call, torch)
    assert expected is not None, "torch accepts this call: the case is wrong"
    got = _raised(call, refgrad)
    assert got is not None, f"refgrad accepts a call torch refuses with {type(expected).__name__}: {expected}"
    assert type(got) is type(expected), f"refgrad raised {type(got).__name__}: {got}; torch {expected!r}"
    if needles is None:
        assert str(got) == str(expected)
    else:
        for n in needles:
            assert n in str(got), f"{n!r} not in refgrad's message {str(got)!r} (torch: {str(expected)!r})"


# ---- views, strides and copies as torch -------------------------------------------------------------------

STRIDED = [  # (id, call on the library): torch and refgrad both accept (same values) or both refuse
    ("view_t_split_dim", lambda L: A(L, 3, 4).t().view(4, 3, 1)),
    ("view_t_2x2x3", lambda L: A(L, 3, 4).t().view(2, 2, 3)),
    ("view_t_flat", lambda L: A(L, 3, 4).t().view(12)),
    ("view_expanded_split", lambda L: A(L, 1, 4).expand(3, 4).view(3, 2, 2)),
    ("view_expanded_flat", lambda L: A(L, 1, 4).expand(3, 4).view(12)),
    ("view_permuted", lambda L: A(L, 2, 3, 4).permute(1, 0, 2).view(3, 8)),
    ("view_permuted_ok", lambda L: A(L, 2, 3, 4).permute(1, 0, 2).view(3, 2, 2, 2)),
    ("view_narrowed", lambda L: A(L, 3, 4).narrow(1, 0, 2).view(6)),
    ("view_narrowed_rows", lambda L: A(L, 4, 3).narrow(0, 1, 2).view(6)),
    ("view_selected", lambda L: A(L, 3, 4, 2).select(1, 2).view(6)),
    ("view_empty_t", lambda L: A(L, 0, 4).t().view(-1)),
    ("view_as_t", lambda L: A(L, 3, 4).t().view_as(Z(L, 12))),
    ("clone_keeps_layout", lambda L: A(L, 3, 4).t().clone().view(12)),
    ("flip_keeps_layout", lambda L: A(L, 3, 4).t().flip(0).view(12)),
    ("contiguous_then_view", lambda L: A(L, 3, 4).t().contiguous().view(12)),
    ("roll_contiguous", lambda L: A(L, 3, 4).t().roll(1).view(12)),
    ("tile_contiguous", lambda L: A(L, 3, 4).t().tile(1).view(12)),
    ("repeat_contiguous", lambda L: A(L, 3, 4).t().repeat(1, 2).view(24)),
    ("cat_contiguous", lambda L: L.cat([A(L, 3, 4).t(), A(L, 3, 4).t()]).view(24)),
    ("stack_contiguous", lambda L: L.stack([A(L, 3, 4).t()]).view(12)),
    ("clone_expanded_contiguous", lambda L: A(L, 1, 3).expand(2, 3).clone().view(6)),
    ("clone_expanded_permuted", lambda L: A(L, 2, 1, 3).expand(2, 4, 3).permute(2, 1, 0).clone().view(3, 8)),
    ("clone_expanded_permuted_back", lambda L: A(L, 2, 1, 3).expand(2, 4, 3).permute(2, 1, 0).clone()
     .permute(2, 1, 0).view(24)),
    ("flip_expanded_permuted_back", lambda L: A(L, 2, 1, 3).expand(2, 4, 3).permute(2, 1, 0).flip(1)
     .permute(2, 1, 0).view(24)),
    ("clone_narrowed_t", lambda L: A(L, 4, 6).narrow(1, 0, 3).t().clone().t().view(12)),
    ("reshape_t_copies", lambda L: A(L, 3, 4).t().reshape(12)),
    ("ravel_t", lambda L: A(L, 3, 4).t().ravel()),
    ("flatten_t", lambda L: A(L, 2, 3, 4).transpose(0, 2).flatten(1)),
]


@pytest.mark.parametrize("call", [pytest.param(c, id=i) for i, c in STRIDED])
def test_views_and_layouts_match_torch(call):
    expected, err = None, _raised(call, torch)
    if err is None:
        expected = call(torch).numpy()
    got_err = _raised(call, refgrad)
    if err is not None:
        assert type(got_err) is type(err) and str(got_err) == str(err)
        return
    assert got_err is None, f"refgrad refuses what torch accepts: {got_err!r}"
    got = call(refgrad).numpy()
    assert got.shape == expected.shape and got.dtype == expected.dtype
    np.testing.assert_array_equal(got, expected)


def test_contiguous_and_flatten_return_the_tensor_itself_as_torch():
    for L in (torch, refgrad):
        x = Z(L, 2, 3)
        assert x.contiguous() is x
        assert x.flatten(1, 1) is x and x.flatten(-1, 1) is x
        y = x.t()
        assert y.contiguous() is not y
        assert x.reshape(6) is not x  # reshape/view give a new tensor (an alias), never the input object


ALIASES = [  # writes through these views reach the base tensor, in torch and in refgrad
    ("view", lambda x: x.view(12)),
    ("reshape", lambda x: x.reshape(2, 6)),
    ("t", lambda x: x.t()),
    ("narrow", lambda x: x.narrow(1, 1, 2)),
    ("select", lambda x: x.select(0, 1)),
    ("unbind", lambda x: x.unbind(1)[2]),
    ("split", lambda x: x.split(2, 1)[1]),
    ("chunk", lambda x: x.chunk(3, 0)[2]),
    ("movedim", lambda x: x.movedim(0, 1)),
    ("unsqueeze", lambda x: x.unsqueeze(0)),
]
COPIES = [  # ... and not through these copies
    ("clone", lambda x: x.clone()),
    ("flip", lambda x: x.flip(0)),
    ("roll", lambda x: x.roll(1)),
    ("cat", lambda x: refgrad.cat([x]) if isinstance(x, refgrad.Tensor) else torch.cat([x])),
    ("repeat", lambda x: x.repeat(1, 1)),
    ("t_contiguous", lambda x: x.t().contiguous()),
]


@pytest.mark.parametrize("make", [pytest.param(m, id=i) for i, m in ALIASES + COPIES])
def test_aliasing_matches_torch(make):
    results = []
    for L in (torch, refgrad):
        x = A(L, 3, 4)
        with L.no_grad():
            make(x).mul_(0.0)
        results.append(np.asarray(x.numpy()).copy())
    np.testing.assert_array_equal(results[1], results[0])


# ---- cat's legacy empty tensors and dtype promotion ---------------------------------------------------------

def _as(L, t, name):
    return t.type(getattr(L, name))


CAT_CASES = [
    ("legacy_first", lambda L, d: [Z(L, 0, dtype=d[0]), _as(L, A(L, 2, 4), d[1])], 1),
    ("legacy_middle", lambda L, d: [_as(L, A(L, 2, 4), d[0]), Z(L, 0, dtype=d[1]), A(L, 2, 3)], 1),
    ("legacy_only", lambda L, d: [Z(L, 0, dtype=d[0]), Z(L, 0, dtype=d[1])], 5),
    ("promote", lambda L, d: [_as(L, A(L, 2, 3), d[0]), _as(L, A(L, 2, 3), d[1])], 0),
    ("promote_three", lambda L, d: [_as(L, A(L, 1, 3), d[0]), A(L, 2, 3), _as(L, A(L, 1, 3), d[1])], 0),
]
DTYPE_PAIRS = [("float32", "float64"), ("float64", "float32"), ("int64", "float32"), ("int32", "bool"),
               ("float32", "int64")]


@pytest.mark.parametrize("dts", DTYPE_PAIRS, ids="-".join)
@pytest.mark.parametrize("make,dim", [pytest.param(m, d, id=i) for i, m, d in CAT_CASES])
def test_cat_legacy_empty_and_promotion_match_torch(make, dim, dts):
    t_in, r_in = make(torch, dts), make(refgrad, dts)
    for ts, rs in ((t_in, r_in),):
        t_out, r_out = torch.cat(ts, dim), refgrad.cat(rs, dim)
        assert r_out.shape == tuple(t_out.shape) and r_out.dtype.name == str(t_out.dtype).split(".")[1]
        np.testing.assert_array_equal(r_out.numpy(), t_out.numpy())
    if t_out.dtype.is_floating_point:  # gradients reach every floating input, legacy empties included
        t_leaves = [t.detach().requires_grad_() if t.is_floating_point() else t for t in t_in]
        r_leaves = [r.detach().requires_grad_() if r.is_floating_point() else r for r in r_in]
        w = np.random.default_rng(0).standard_normal(tuple(t_out.shape))
        (torch.cat(t_leaves, dim) * torch.from_numpy(w).to(t_out.dtype)).sum().backward()
        (refgrad.cat(r_leaves, dim) * refgrad.tensor(w, dtype=r_out.dtype)).sum().backward()
        for t, r in zip(t_leaves, r_leaves):
            if t.requires_grad:
                assert r.grad is not None and r.grad.shape == tuple(t.grad.shape)
                assert r.grad.dtype.name == str(t.grad.dtype).split(".")[1]
                np.testing.assert_array_equal(r.grad.numpy(), t.grad.numpy())


def test_stack_hstack_vstack_promote_and_shape_like_torch():
    for fn, make in [("stack", lambda L: [Z(L, dtype="float32"), Z(L, dtype="float64")]),
                     ("stack", lambda L: [Z(L, 2, dtype="int64"), Z(L, 2, dtype="float32")]),
                     ("hstack", lambda L: [Z(L), Z(L, 3, dtype="float64")]),
                     ("vstack", lambda L: [Z(L), Z(L, 1, dtype="int32")]),
                     ("vstack", lambda L: [Z(L, 3), Z(L, 2, 3)])]:
        t, r = getattr(torch, fn)(make(torch)), getattr(refgrad, fn)(make(refgrad))
        assert r.shape == tuple(t.shape) and r.dtype.name == str(t.dtype).split(".")[1], fn


# ---- multi-output ops ---------------------------------------------------------------------------------------

def test_chunk_and_split_piece_counts_match_torch():
    for shape, args in [((5,), (4,)), ((6,), (4,)), ((0,), (4,)), ((0, 3), (3,)), ((7, 2), (3, 0))]:
        t, r = torch.zeros(shape).chunk(*args), refgrad.zeros(*shape).chunk(*args)
        assert [tuple(p.shape) for p in t] == [p.shape for p in r]
    for shape, args in [((0, 3), (0,)), ((4,), (5,)), ((4,), (3,)), ((0,), ([0, 0],)), ((3,), ([],))][:4]:
        t, r = torch.zeros(shape).split(*args), refgrad.zeros(*shape).split(*args)
        assert [tuple(p.shape) for p in t] == [p.shape for p in r]


def test_unused_pieces_get_zero_gradient_like_torch():
    """Only one piece of split/unbind used: the gradient is zero elsewhere, and double backward works."""
    w = np.random.default_rng(1).standard_normal((3, 4))
    out = []
    for L in (torch, refgrad):
        x = (torch.from_numpy(w) if L is torch else refgrad.tensor(w)).requires_grad_()
        a = x.split([1, 3], 1)[1]
        b = x.unbind(0)[2]
        y = (a * a).sum() + (b * b * b).sum()
        (g,) = L.autograd.grad(y, x, create_graph=True)
        (gg,) = L.autograd.grad(g.sum(), x)
        out.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(out[1][0], out[0][0], rtol=1e-14)
    np.testing.assert_allclose(out[1][1], out[0][1], rtol=1e-14)


def test_view_dtype_is_not_differentiable_like_torch():
    for L in (torch, refgrad):
        x = Z(L, 3, 4).requires_grad_()
        assert not x.view(L.int32).requires_grad
        assert not x.view(L.float32).requires_grad
        assert tuple(x.view(L.float64).shape) == (3, 2)
