"""Extreme values through the reduction, scan, linalg, activation and loss ops: each op runs in torch and in
refgrad on inputs holding inf, -inf, nan, ±0, huge (near the dtype's max), denormal values, all-equal ties and
size-0 dims, and must give torch's values and gradients (NaN and inf in the same places, zeros of the same sign)
without any NumPy RuntimeWarning. Plus the accumulation dtypes (float16 sums past 65504, float32 var/std whose
square overflows or underflows), cross_entropy's ignored and zero-weight targets, and the loss reduction helper.
"""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import refgrad
import refgrad.nn.functional as RF
from refgrad.nn.functional import _reduction

TORCH_DTYPES = {np.float16: torch.float16, np.float32: torch.float32, np.float64: torch.float64}


def _first(out):
    return out[0] if isinstance(out, tuple) else out


def _unary_reductions():
    ops = []
    for name in ["sum", "mean", "prod", "amax", "amin", "max", "min", "var", "std", "norm"]:
        ops.append((name, lambda L, F, x, name=name: getattr(L, name)(x), [(4,)]))
        ops.append((f"{name}-dim", lambda L, F, x, name=name: _first(getattr(L, name)(x, 1)), [(2, 3)]))
    for p in [1, 1.5, 3, 0.5, math.inf, -math.inf, 0]:
        ops.append((f"norm-p{p}", lambda L, F, x, p=p: L.norm(x, p=p), [(4,)]))
    return ops


OPS = _unary_reductions() + [
    ("logsumexp", lambda L, F, x: L.logsumexp(x, 0), [(4,)]),
    ("cumsum", lambda L, F, x: L.cumsum(x, 0), [(4,)]),
    ("cumprod", lambda L, F, x: L.cumprod(x, 0), [(4,)]),
    ("logcumsumexp", lambda L, F, x: L.logcumsumexp(x, 0), [(4,)]),
    ("matmul", lambda L, F, a, b: a @ b, [(2, 3), (3, 2)]),
    ("mm", lambda L, F, a, b: L.mm(a, b), [(2, 3), (3, 2)]),
    ("mv", lambda L, F, a, b: L.mv(a, b), [(2, 3), (3,)]),
    ("dot", lambda L, F, a, b: L.dot(a, b), [(3,), (3,)]),
    ("bmm", lambda L, F, a, b: L.bmm(a, b), [(1, 2, 3), (1, 3, 2)]),
    ("outer", lambda L, F, a, b: L.outer(a, b), [(2,), (3,)]),
    ("inner", lambda L, F, a, b: L.inner(a, b), [(2, 3), (2, 3)]),
    ("tensordot", lambda L, F, a, b: L.tensordot(a, b, 1), [(2, 3), (3, 2)]),
    ("trace", lambda L, F, a: L.trace(a), [(3, 3)]),
    ("einsum", lambda L, F, a, b: L.einsum("ij,jk->ik", a, b), [(2, 3), (3, 2)]),
    ("addmm", lambda L, F, c, a, b: L.addmm(c, a, b), [(2, 2), (2, 3), (3, 2)]),
    ("addmv", lambda L, F, c, a, b: L.addmv(c, a, b), [(2,), (2, 3), (3,)]),
    ("baddbmm", lambda L, F, c, a, b: L.baddbmm(c, a, b), [(1, 2, 2), (1, 2, 3), (1, 3, 2)]),
    ("addcdiv", lambda L, F, a, b, c: L.addcdiv(a, b, c), [(4,), (4,), (4,)]),
    ("relu", lambda L, F, x: F.relu(x), [(4,)]),
    ("softmax", lambda L, F, x: F.softmax(x, 0), [(4,)]),
    ("log_softmax", lambda L, F, x: F.log_softmax(x, 0), [(4,)]),
    ("cross_entropy", lambda L, F, x: F.cross_entropy(x.reshape(2, 2), L.tensor([0, 1])), [(4,)]),
    ("cross_entropy-ignored", lambda L, F, x: F.cross_entropy(x.reshape(2, 2), L.tensor([0, -100]),
                                                              reduction="none"), [(4,)]),
]

# Where refgrad deliberately differs from torch's gradient (it must still be silent): torch's logcumsumexp backward
# sums the cotangent in log space, exp(log 3 - 1e38 + 1e38) rounds to exp(0): a gradient of 1 where the exact
# one (refgrad's, and float64's at moderate values) is 3.
# And torch's std_backward divides by 2·std, which overflows float32 when std > 1.7e38: a gradient of 0 where
# refgrad's (0.5/std) is the exact one.
GRADIENT_DIFFERS = {("logcumsumexp", "huge"), ("std-dim", "huge"), ("std-dim", "-huge")}
# torch multiplies float16 products in float16, element after element (overflowing at a partial product, or
# flushing to 0); NumPy's product carries float32 between the float16 elements and rounds once at the end.
FLOAT16_VALUE_DIFFERS = {"prod", "prod-dim"}


def _special_values(dtype):
    info = np.finfo(dtype)
    return {"inf": math.inf, "-inf": -math.inf, "nan": math.nan, "zero": 0.0, "-zero": -0.0,
            "huge": float(info.max) * 0.9, "-huge": -float(info.max) * 0.9,
            "denormal": float(info.smallest_subnormal), "ties": "ties", "empty": "empty"}


def _input(shape, value, rng, dtype):
    if value == "ties":
        return np.full(shape, 1.5, dtype)
    if value == "empty":
        return np.zeros(shape[:-1] + (0,), dtype)
    data = rng.uniform(0.5, 2.0, shape)
    data.reshape(-1)[1 % data.size] = value
    return data.astype(dtype)


def assert_same(refgrad_value, torch_value, dtype, what, floor=0.0):
    """Equal NaN places, equal infinities, equal signs of exact zeros, finite values close (relative to the
    largest finite magnitude, or to ``floor`` if larger, so that a rounding-level residue where torch has an
    exact 0 is allowed: the gradients of softmax(x).sum() are 1 - Σ softmax rounded)."""
    expected = torch_value.detach().double().numpy()
    actual = np.asarray(refgrad_value, np.float64)
    assert actual.shape == expected.shape, what
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected), err_msg=f"{what}: NaN places")
    np.testing.assert_array_equal(np.where(np.isinf(actual), actual, 0), np.where(np.isinf(expected), expected, 0),
                                  err_msg=f"{what}: infinities")
    finite = np.isfinite(expected) & np.isfinite(actual)
    scale = np.abs(expected[finite]).max(initial=floor)
    eps = float(np.finfo(dtype).eps)
    np.testing.assert_allclose(actual[finite], expected[finite], rtol=8 * eps, atol=8 * eps * scale,
                               err_msg=f"{what}: values")
    zeros = finite & (expected == 0) & (actual == 0)
    np.testing.assert_array_equal(np.signbit(actual[zeros]), np.signbit(expected[zeros]),
                                  err_msg=f"{what}: signs of zeros")


def _run(lib, F, call, datas, dtype, differentiate):
    make = ((lambda d: torch.tensor(d, dtype=TORCH_DTYPES[dtype], requires_grad=differentiate)) if lib is torch
            else (lambda d: refgrad.tensor(d, requires_grad=differentiate)))
    inputs = [make(d) for d in datas]
    out = call(lib, F, *inputs)
    if not differentiate:
        return out, None
    grads = lib.autograd.grad(out.sum(), inputs, allow_unused=True)
    return out, grads


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("name,call,shapes", OPS, ids=[op[0] for op in OPS])
def test_extreme_values_match_torch_without_warnings(name, call, shapes, dtype):
    differentiate = dtype != np.float16  # float16: values only
    for value_name, value in _special_values(dtype).items():
        rng = np.random.default_rng(0)
        datas = [_input(s, value, rng, dtype) for s in shapes]
        what = f"{name}({value_name}, {np.dtype(dtype).name})"
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            warnings.filterwarnings("ignore", "degrees of freedom", UserWarning)  # torch's own warning
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    torch_out, torch_grads = _run(torch, TF, call, datas, dtype, differentiate)
            except Exception as torch_error:  # torch refuses this input (an empty max, say): so must refgrad
                with pytest.raises(type(torch_error)):
                    _run(refgrad, RF, call, datas, dtype, differentiate)
                continue
            out, grads = _run(refgrad, RF, call, datas, dtype, differentiate)
        if dtype == np.float16 and name in FLOAT16_VALUE_DIFFERS:
            continue
        assert_same(out.detach().numpy(), torch_out, dtype, what)
        if grads is None or (name, value_name) in GRADIENT_DIFFERS:
            continue
        for i, (g, gt) in enumerate(zip(grads, torch_grads)):
            if gt is not None:
                # the cotangent is ones: the gradient's terms are at least of order 1
                assert_same(np.zeros(gt.shape) if g is None else g.numpy(), gt, dtype, f"{what} gradient {i}",
                            floor=1.0)


# ---- accumulation dtypes ----------------------------------------------------------------------------------
F16_PAST_MAX = [60000.0, 60000.0, -60000.0, -59000.0]  # partial sums past float16's 65504, a finite total


@pytest.mark.parametrize("call", [
    lambda L, x: L.sum(x), lambda L, x: L.sum(x.reshape(4, 1), 0), lambda L, x: L.mean(x),
    lambda L, x: L.mean(x.reshape(4, 1), 0), lambda L, x: L.cumsum(x, 0), lambda L, x: L.std(x / 200),
    lambda L, x: L.var(x / 400), lambda L, x: L.norm(x / 200), lambda L, x: L.norm(x / 200, p=3),
    lambda L, x: L.logsumexp(x / 6000, 0), lambda L, x: L.logcumsumexp(x / 6000, 0),
    lambda L, x: L.dot(x, L.ones_like(x)), lambda L, x: x.reshape(1, 4) @ L.ones_like(x).reshape(4, 1),
], ids=["sum", "sum-dim0", "mean", "mean-dim0", "cumsum", "std", "var", "norm", "norm-p3", "logsumexp",
        "logcumsumexp", "dot", "matmul"])
def test_float16_reductions_accumulate_in_float32_like_torch(call):
    expected = call(torch, torch.tensor(F16_PAST_MAX, dtype=torch.float16))
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        actual = call(refgrad, refgrad.tensor(F16_PAST_MAX, dtype=refgrad.float16))
    assert actual.dtype == refgrad.float16
    np.testing.assert_array_equal(actual.numpy().astype(np.float64), expected.double().numpy())


@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize("scale", [1e20, 1e-30, 1e38, 1e200, 1e-200])
@pytest.mark.parametrize("name", ["std", "var", "norm"])
def test_var_std_norm_whose_squares_overflow_or_underflow_match_torch(name, scale, dtype):
    """float32 std accumulates in float64 as torch's kernel (std([1e20, -1e20]) = 1.41e20); var and norm are
    inf or 0 exactly where torch's are; gradients agree too."""
    with np.errstate(over="ignore"):  # 1e200 in float32 is inf: skipped below, without NumPy's warning
        data = np.array([scale, -scale, 0.5 * scale], np.float64).astype(dtype)
    if not np.all(np.isfinite(data)) or not np.all(data != 0):
        pytest.skip("the scale is not representable in this dtype")
    xt = torch.tensor(data, requires_grad=True)
    out_t = getattr(torch, name)(xt)
    (grad_t,) = torch.autograd.grad(out_t, xt)
    x = refgrad.tensor(data, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        out = getattr(refgrad, name)(x)
        (grad,) = refgrad.autograd.grad(out, x)
    assert_same(out.detach().numpy(), out_t, dtype, f"{name}({scale})")
    assert_same(grad.numpy(), grad_t, dtype, f"{name}({scale}) gradient")


@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64], ids=lambda d: np.dtype(d).name)
@pytest.mark.parametrize("cotangent", [-1.5, math.inf, math.nan])
def test_a_zero_norms_gradient_is_the_zeroed_quotient_times_the_cotangent_as_torch(cotangent, dtype):
    """vector_norm's gradient at a zero row: torch zeroes x/‖x‖ there first and then multiplies by the cotangent, so
    a negative one gives -0 and an inf or nan one gives nan (refgrad gave +0 until round 16)."""
    data = np.array([[0.0, -0.0, 0.0], [3.0, -4.0, 0.0]], dtype)
    g = np.array([cotangent, 2.0], dtype)
    grads = []
    for lib in (torch, refgrad):
        x = lib.tensor(data, requires_grad=True)
        lib.linalg.vector_norm(x, dim=1).backward(lib.tensor(g))
        grads.append(np.asarray(x.grad.numpy()))
    theirs, ours = grads
    np.testing.assert_array_equal(np.isnan(ours), np.isnan(theirs))
    np.testing.assert_array_equal(np.signbit(ours), np.signbit(theirs))
    np.testing.assert_array_equal(ours, theirs)


# ---- cross_entropy: ignored rows holding inf / nan, zero class weights ------------------------------------
PAD_ROWS = {"-inf row": [-math.inf] * 3, "+inf": [math.inf, 1.0, 2.0], "nan": [math.nan, 1.0, 2.0],
            "one -inf": [-math.inf, 1.0, 2.0], "two +inf": [math.inf, math.inf, 1.0]}


def _cross_entropy_both(logits, target, **kwargs):
    results = []
    for lib, F in ((torch, TF), (refgrad, RF)):
        x = lib.tensor(logits, requires_grad=True)
        args = dict(kwargs)
        if "weight" in args:
            args["weight"] = lib.tensor(args["weight"])
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)
            out = F.cross_entropy(x, lib.tensor(target), **args)
            (grad,) = lib.autograd.grad(out.sum(), x)
        results.append((out, grad))
    return results


@pytest.mark.parametrize("label_smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weight", [None, [1.0, 2.0, 0.5]], ids=["unweighted", "weighted"])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("row", PAD_ROWS.values(), ids=PAD_ROWS.keys())
def test_cross_entropy_ignores_padding_rows_holding_inf_or_nan(row, reduction, weight, label_smoothing):
    kwargs = dict(reduction=reduction, label_smoothing=label_smoothing)
    if weight is not None:
        kwargs["weight"] = weight
    (out_t, grad_t), (out, grad) = _cross_entropy_both([[1.0, 2.0, 3.0], row], [0, -100], **kwargs)
    assert_same(out.detach().numpy(), out_t, np.float32, "loss")
    assert np.isfinite(out.detach().numpy()).all()
    assert_same(grad.numpy(), grad_t, np.float32, "gradient")


@pytest.mark.parametrize("label_smoothing", [0.0, 0.1])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("target,weight", [([0, 1], [0.0, 0.0, 1.0]), ([-100, -100], None),
                                           ([-100, 1], [1.0, 0.0, 1.0])],
                         ids=["all-weights-zero", "all-ignored", "ignored-and-zero-weight"])
def test_cross_entropy_with_no_weight_left_matches_torch(target, weight, reduction, label_smoothing):
    """mean over a zero total weight: nan, and a nan gradient where targets are kept (0/0), 0 when all are
    ignored, as torch. (Signs of the zero gradients at zero-weight targets are not compared: torch's is -0 at
    the target class, refgrad's +0.)"""
    kwargs = dict(reduction=reduction, label_smoothing=label_smoothing)
    if weight is not None:
        kwargs["weight"] = weight
    (out_t, grad_t), (out, grad) = _cross_entropy_both([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]], target, **kwargs)
    assert_same(out.detach().numpy(), out_t, np.float32, "loss")
    expected, actual = grad_t.numpy(), grad.numpy()
    np.testing.assert_array_equal(np.isnan(actual), np.isnan(expected))
    np.testing.assert_allclose(actual, expected, rtol=1e-6, atol=1e-7)


# ---- the loss reduction helper ----------------------------------------------------------------------------
LEGACY = [None, True, False]


@pytest.mark.parametrize("reduce", LEGACY)
@pytest.mark.parametrize("size_average", LEGACY)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_legacy_size_average_and_reduce_take_precedence_as_in_torch(size_average, reduce, reduction):
    x = np.array([[0.5, -1.0, 2.0], [1.0, 0.0, -2.0]], np.float32)
    expected_warning = size_average is not None or reduce is not None
    with warnings.catch_warnings(record=True) as torch_warnings:
        warnings.simplefilter("always")
        expected = TF.cross_entropy(torch.tensor(x), torch.tensor([2, 0]), size_average=size_average, reduce=reduce,
                                    reduction=reduction)
        torch_mse = TF.mse_loss(torch.tensor(x), torch.zeros(2, 3), size_average=size_average, reduce=reduce,
                                reduction=reduction)
    with warnings.catch_warnings(record=True) as refgrad_warnings:
        warnings.simplefilter("always")
        actual = RF.cross_entropy(refgrad.tensor(x), refgrad.tensor([2, 0]), size_average=size_average,
                                  reduce=reduce, reduction=reduction)
        resolved = _reduction.resolve_reduction(size_average, reduce, reduction)
    np.testing.assert_allclose(actual.numpy(), expected.numpy(), rtol=1e-6)
    # mse_loss (not yet in refgrad) names the same reduction through the helper
    squares = refgrad.tensor(x) * refgrad.tensor(x)
    np.testing.assert_allclose(_reduction.apply_reduction(squares, resolved).numpy(), torch_mse.numpy(), rtol=1e-6)
    messages = [str(w.message) for w in torch_warnings if "size_average" in str(w.message)]
    ours = [str(w.message) for w in refgrad_warnings if "size_average" in str(w.message)]
    assert bool(ours) == expected_warning == bool(messages)
    assert set(ours) <= set(messages)  # the same text, naming the same replacement reduction


@pytest.mark.parametrize("reduction", ["avg", "", None, "MEAN"])
def test_invalid_reduction_raises_as_torch(reduction):
    x = np.zeros((2, 3), np.float32)
    with pytest.raises(ValueError) as torch_error:
        TF.cross_entropy(torch.tensor(x), torch.tensor([0, 1]), reduction=reduction)
    with pytest.raises(ValueError) as refgrad_error:
        RF.cross_entropy(refgrad.tensor(x), refgrad.tensor([0, 1]), reduction=reduction)
    assert str(refgrad_error.value) == str(torch_error.value)
    with pytest.raises(ValueError, match=f"{reduction} is not a valid value for reduction"):
        _reduction.apply_reduction(refgrad.tensor(x), reduction)


# ---- cumprod's gradient at a slice's first zero --------------------------------------------------------------
@pytest.mark.parametrize("row", [[2.0, 0.0, 3.0, -0.0, math.inf], [0.0, 1.0, -0.0, -math.inf, 2.0],
                                 [-0.0, 2.0, 0.0, math.nan, 1.0], [0.0, math.inf, 0.0, 3.0, 2.0]],
                         ids=["inf-after-second-zero", "-inf-after", "nan-after", "inf-between"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
def test_cumprod_gradient_with_two_zeros_places_nan_as_torch(row, dtype):
    """torch sums the first zero's terms over the whole slice, the cotangent zeroed outside the segment between the
    first and second zeros, where the running product keeps the segment's value: an inf in the segment gives
    0·inf = nan in that sum (inf-between); refgrad summed only the segment and gave inf (found by the thorough
    profile's extremes check). The other rows put inf or nan elsewhere, where both give numbers."""
    data, g = np.array([row], dtype), np.array([[0.7, -1.3, 0.4, 2.1, -0.6]], dtype)
    grads = []
    for lib in (torch, refgrad):
        x = lib.tensor(data, requires_grad=True)
        lib.cumprod(x, 1).backward(lib.tensor(g))
        grads.append(x.grad)
    assert_same(grads[1].numpy(), grads[0], dtype, f"cumprod{row} gradient", floor=1.0)
