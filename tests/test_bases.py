"""The Function bases (refgrad/autograd/bases.py) and choose (refgrad/ops/choose.py).

The ops built on them are checked against torch by tests/test_ops.py; here: what the bases promise of a new op,
and the masked writes whose unchosen branch must get exactly 0 (torch's where/masked_fill), not g·0, which is
nan for an inf or nan cotangent or tangent.
"""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad as rg
from refgrad.autograd.bases import Elementwise, Linear, identity, zero
from refgrad.ops.choose import choose

INF, NAN = float("inf"), float("nan")


def _grads(lib, fn, inputs, cotangent):
    """The gradients of fn(*inputs) for the cotangent, as ndarrays."""
    leaves = [lib.tensor(np.array(a), requires_grad=True) for a in inputs]
    grads = lib.autograd.grad(fn(lib, *leaves), leaves, lib.tensor(np.array(cotangent)))
    return [g.detach().numpy() for g in grads]


X23 = [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]
G23 = [[INF, NAN, 1.0], [1.0, 1.0, INF]]  # non-finite where the output is filled (or left) by the op
MASKED_WRITES = {
    "masked_fill_tensor_value": (lambda lib, x, v: x.masked_fill(lib.tensor([[True, False, True]]), v),
                                 [X23, 0.5]),
    "masked_fill_number": (lambda lib, x: x.masked_fill(lib.tensor([[True, True, False]]), 7.0), [X23]),
    "tril": (lambda lib, x: x.tril(), [X23]),
    "triu": (lambda lib, x: x.triu(1), [X23]),
    "scatter_src": (lambda lib, x, s: x.scatter(0, lib.tensor([[1, 0, 1]]), s), [X23, [[10.0, 20.0, 30.0]]]),
    "scatter_value": (lambda lib, x: x.scatter(0, lib.tensor([[1, 0, 1]]), 7.0), [X23]),
}


@pytest.mark.parametrize("name", sorted(MASKED_WRITES))
def test_a_masked_write_sends_exactly_zero_to_what_it_overwrote(name):
    fn, inputs = MASKED_WRITES[name]
    for r, t in zip(_grads(rg, fn, inputs, G23), _grads(torch, fn, inputs, G23)):
        np.testing.assert_array_equal(r, t)  # exact: 0 (not nan) where the output no longer depends on x


@pytest.mark.parametrize("name", ["masked_fill_number", "tril"])
def test_a_masked_write_drops_the_tangent_it_overwrote(name):
    fn, (x,) = MASKED_WRITES[name]
    tangent = np.array(G23)
    results = []
    for lib in (rg, torch):
        _, jv = lib.func.jvp(lambda t, lib=lib: fn(lib, t), (lib.tensor(np.array(x)),), (lib.tensor(tangent),))
        results.append(jv.detach().numpy())
    np.testing.assert_array_equal(*results)


def test_choose_is_differentiable_in_both_branches_and_again():
    mask = np.array([True, False, True])
    a = rg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = rg.tensor([INF, 5.0, NAN], requires_grad=True)
    out = choose(mask, a * a, b)
    np.testing.assert_array_equal(out.detach().numpy(), [1.0, 5.0, 9.0])
    ga, gb = rg.autograd.grad(out, (a, b), rg.tensor([1.0, 1.0, 1.0]), create_graph=True)
    np.testing.assert_array_equal(ga.detach().numpy(), 2 * a.detach().numpy() * mask)
    np.testing.assert_array_equal(gb.detach().numpy(), ~mask * 1.0)
    (gaa,) = rg.autograd.grad(ga.sum(), a)
    np.testing.assert_array_equal(gaa.numpy(), 2.0 * mask)


def test_choose_takes_numbers_in_the_other_operands_dtype():
    out = choose(np.array([True, False]), rg.tensor([1.0, 2.0], dtype=rg.float32), np.nan)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out.numpy(), [1.0, np.nan])


# ---- the bases, as a new op would use them --------------------------------------------------------------------
class _Cube(Elementwise):
    """x³ with its derivative stated once."""

    def forward(ctx, x):
        return x * x * x

    def d_x(ctx, v):
        x = ctx.inputs[0]
        return v * (3 * x * x)


class _ScaledProduct(Elementwise):
    """scale·a·b: two inputs and a keyword-only parameter."""

    def forward(ctx, a, b, *, scale):
        return scale * a * b

    def d_a(ctx, v):
        return v * ctx.inputs[1] * ctx.scale

    def d_b(ctx, v):
        return v * ctx.inputs[0] * ctx.scale


def test_elementwise_derives_vjp_jvp_and_double_backward_from_d():
    x0, dx = np.array([0.5, -2.0, 3.0]), np.array([1.0, 0.25, -1.0])
    x = rg.tensor(x0, requires_grad=True)
    (g,) = rg.autograd.grad(_Cube.apply(x).sum(), x, create_graph=True)
    np.testing.assert_allclose(g.detach().numpy(), 3 * x0 ** 2)
    (gg,) = rg.autograd.grad(g.sum(), x)
    np.testing.assert_allclose(gg.numpy(), 6 * x0)
    _, jv = rg.func.jvp(_Cube.apply, (rg.tensor(x0),), (rg.tensor(dx),))
    np.testing.assert_allclose(jv.numpy(), 3 * x0 ** 2 * dx)


def test_elementwise_with_two_inputs_sums_the_tangents_and_skips_unneeded_gradients():
    a0, b0, da, db = np.array([1.0, 2.0]), np.array([3.0, -4.0]), np.array([0.5, 1.0]), np.array([2.0, -1.0])
    _, jv = rg.func.jvp(lambda a, b: _ScaledProduct.apply(a, b, scale=2.0), (rg.tensor(a0), rg.tensor(b0)),
                        (rg.tensor(da), rg.tensor(db)))
    np.testing.assert_allclose(jv.numpy(), 2.0 * (da * b0 + a0 * db))
    a = rg.tensor(a0, requires_grad=True)
    out = _ScaledProduct.apply(a, rg.tensor(b0), scale=2.0)
    ga, gb = out.grad_fn.vjp(rg.tensor([1.0, 1.0]))
    np.testing.assert_allclose(ga.numpy(), 2.0 * b0)
    assert gb is None  # b does not require grad: its derivative is not computed


def test_zero_and_identity_are_one_line_derivatives():
    class Step(Elementwise):
        def forward(ctx, x):
            return (x > 0).astype(x.dtype)

        d_x = zero

    class Copy(Elementwise):
        def forward(ctx, x):
            return x.copy()

        d_x = identity

    x = rg.tensor([-1.0, 2.0], requires_grad=True)
    (g,) = rg.autograd.grad((Step.apply(x) + Copy.apply(x)).sum(), x, rg.tensor(INF))
    np.testing.assert_array_equal(g.numpy(), [INF, INF])  # zero is exact zeros: inf + 0, not inf + inf·0 = nan


def test_elementwise_refuses_an_input_without_its_derivative():
    with pytest.raises(TypeError, match="d_b"):
        class _Forgot(Elementwise):
            def forward(ctx, a, b):
                return a + b

            def d_a(ctx, v):
                return v


def test_a_hand_written_jvp_is_kept_and_the_vjp_still_derived():
    class Twice(Elementwise):
        def forward(ctx, x):
            return 2 * x

        def d_x(ctx, v):
            return 2 * v

        def jvp(ctx, dx):
            return dx + dx

    assert Twice.jvp.__name__ == "jvp" and Twice.vjp is Twice.d_x


class _Shift(Linear):
    """np.roll along one axis, a linear op: only the adjoint is written."""
    saves = ()
    params = ("steps",)

    def forward(ctx, x, steps):
        return np.roll(x, steps)

    def vjp(ctx, g):
        return _Shift.apply(g, steps=-ctx.steps)


def test_linear_jvp_is_the_op_on_the_tangent_with_the_same_params():
    x0, dx = np.array([1.0, 2.0, 3.0]), np.array([10.0, 20.0, 30.0])
    _, jv = rg.func.jvp(lambda x: _Shift.apply(x, steps=1), (rg.tensor(x0),), (rg.tensor(dx),))
    np.testing.assert_array_equal(jv.numpy(), np.roll(dx, 1))


def test_linear_refuses_a_param_its_forward_does_not_take():
    with pytest.raises(TypeError, match="stpes"):
        class _Typo(Linear):
            params = ("stpes",)

            def forward(ctx, x, steps):
                return x


def test_view_tangent_goes_through_reshape_whatever_its_layout():
    x = np.arange(6.0).reshape(3, 2)
    tangent = np.arange(6.0).reshape(2, 3).T  # not contiguous: view() could not reshape it
    results = []
    for lib in (rg, torch):
        _, jv = lib.func.jvp(lambda t: t.view(6), (lib.tensor(x),), (lib.tensor(tangent),))
        results.append(jv.detach().numpy())
    np.testing.assert_array_equal(*results)
