"""refgrad.nn.utils (clip_grad, convert_parameters) against torch.nn.utils, called in the tests: the same parameters
and gradients in both libraries, then the returned norms, the gradients after clipping (in place, their dtypes), the
vectors and the errors (torch's class and message) compared."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch
import torch.nn.utils as TU
from hypothesis import given
from hypothesis import strategies as st

import refgrad
import refgrad.nn.utils as RU
from oracle import strategies as S
from oracle.tolerances import default

TORCH_DTYPES = {np.float32: torch.float32, np.float64: torch.float64}
# gradient shapes of one parameter list: a matrix, a vector, a scalar, a 4-d weight and a size-0 one
SHAPES = [(3, 4), (5,), (), (2, 3, 2, 2), (0, 3)]
NORM_TYPES = [2.0, 1, 3, 0.5, 0, -1, -0.5, math.inf, -math.inf, "inf", 2]
DTYPE_MIXES = {"float32": [np.float32] * 5, "float64": [np.float64] * 5,
               "mixed": [np.float32, np.float64, np.float32, np.float64, np.float32]}


def _tolerance(dtype) -> dict:
    """The oracle's forward tolerance: the norms sum in another order than torch's vectorized reductions."""
    tol = default("forward", np.dtype(dtype).name)
    return {"rtol": tol.rtol, "atol": tol.atol}


def _grad_arrays(seed: int, dtypes, shapes=SHAPES, scale: float = 1.0) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [np.asarray(scale * rng.standard_normal(shape), dtype=dtype) for shape, dtype in zip(shapes, dtypes)]


def _parameters(arrays, without_grad=()):
    """The same parameters in torch and refgrad, each with the given gradient (none for the indices in
    without_grad)."""
    theirs, ours = [], []
    for i, a in enumerate(arrays):
        t = torch.nn.Parameter(torch.zeros(a.shape, dtype=torch.from_numpy(a).dtype))
        r = refgrad.nn.Parameter(refgrad.zeros(a.shape, dtype=a.dtype))
        if i not in without_grad:
            t.grad, r.grad = torch.from_numpy(a.copy()), refgrad.tensor(a.copy())
        theirs.append(t)
        ours.append(r)
    return theirs, ours


def _assert_same_tensor(ours, theirs, **tolerance):
    theirs = theirs.detach().numpy()
    assert np.asarray(ours).dtype == theirs.dtype and np.asarray(ours).shape == theirs.shape
    np.testing.assert_allclose(np.asarray(ours), theirs, equal_nan=True, **tolerance)


def _assert_same_grads(ours, theirs, tolerance):
    for r, t in zip(ours, theirs):
        if t.grad is None:
            assert r.grad is None
        else:
            _assert_same_tensor(r.grad, t.grad, **tolerance)


def _assert_same_error(torch_call, refgrad_call):
    with pytest.raises(Exception) as theirs:
        torch_call()
    with pytest.raises(Exception) as ours:
        refgrad_call()
    assert type(ours.value) is type(theirs.value)
    assert str(ours.value) == str(theirs.value)


# ---- clip_grad_norm_ ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("mix", DTYPE_MIXES)
@pytest.mark.parametrize("norm_type", NORM_TYPES, ids=str)
@pytest.mark.parametrize("max_norm", [0.5, 1e4, -2.0])
def test_clip_grad_norm_equals_torch(norm_type, mix, max_norm):
    """Every order, float32, float64 and a mixed list, clipping (0.5), no clipping (coefficient clamped to 1) and a
    negative max_norm (torch flips the gradients' sign); the size-0 gradient is left out of the negative and ±inf
    orders, whose norm of an empty tensor torch refuses (tested with the errors)."""
    shapes = SHAPES[:-1] if float(norm_type) < 0 or math.isinf(float(norm_type)) else SHAPES
    theirs, ours = _parameters(_grad_arrays(1, DTYPE_MIXES[mix], shapes), without_grad=(1,))
    ours_grads = [p.grad for p in ours]
    ours_storage = [g._data if g is not None else None for g in ours_grads]
    total_theirs = TU.clip_grad_norm_(theirs, max_norm, norm_type)
    total_ours = RU.clip_grad_norm_(ours, max_norm, norm_type)
    # mixed: a float64 total of float32 norms (each rounded in float32), so float32's tolerance
    tolerance = _tolerance(np.float64 if mix == "float64" else np.float32)
    _assert_same_tensor(total_ours, total_theirs, **tolerance)
    _assert_same_grads(ours, theirs, tolerance)
    # in place: the same gradient tensors over the same memory
    assert all(p.grad is g for p, g in zip(ours, ours_grads))
    assert all(g is None or g._data is s for g, s in zip(ours_grads, ours_storage))
    assert total_ours.grad_fn is None and not total_ours.requires_grad


@st.composite
def _gradient_lists(draw):
    """1 to 4 gradients, each float32 or float64, of any shape (size 0 too, except for the orders whose norm of an
    empty tensor torch refuses), values drawn freely or from a pool with zeros and ties; an order and a max_norm."""
    norm_type = draw(st.one_of(st.sampled_from([2.0, 1.0, 0, 3, 0.5, -1, -0.5, math.inf, -math.inf]),
                               st.floats(0.25, 6)))
    shapes = S.nonempty_shapes(0, 3, max_side=4) if norm_type < 0 or math.isinf(norm_type) else S.shapes(0, 3, max_side=4)
    arrays = []
    for dtype in draw(st.lists(st.sampled_from([np.float32, np.float64]), min_size=1, max_size=4)):
        shape = draw(shapes)
        arrays.append(draw(st.one_of(S.arrays(dtype, shape), S.with_ties(dtype, shape, (0.0, -1.0, 2.5)))))
    return arrays, norm_type, draw(st.floats(-3, 10))


@given(_gradient_lists())
def test_clip_grad_norm_of_drawn_gradients_equals_torch(drawn):
    arrays, norm_type, max_norm = drawn
    theirs, ours = _parameters(arrays)
    tolerance = _tolerance(np.float64 if all(a.dtype == np.float64 for a in arrays) else np.float32)
    _assert_same_tensor(RU.clip_grad_norm_(ours, max_norm, norm_type), TU.clip_grad_norm_(theirs, max_norm, norm_type),
                        **tolerance)
    _assert_same_grads(ours, theirs, tolerance)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", ["tiny", "huge"])
def test_clip_grad_norm_at_extreme_scales_equals_torch(scale, dtype):
    """Gradients whose squares underflow (a 2-norm of 0: nothing clipped) or overflow (1e30 in float32, 1e200 in
    float64: a 2-norm of inf, so the gradients become max_norm / inf · g = 0), in each dtype, as torch's."""
    scale = {"tiny": 1e-30, "huge": 1e30 if dtype == np.float32 else 1e200}[scale]
    theirs, ours = _parameters(_grad_arrays(2, [dtype] * 4, SHAPES[:-1], scale=scale))
    for norm_type in (2.0, math.inf):
        _assert_same_tensor(RU.clip_grad_norm_(ours, 1.0, norm_type), TU.clip_grad_norm_(theirs, 1.0, norm_type),
                            **_tolerance(dtype))
        _assert_same_grads(ours, theirs, _tolerance(dtype))


def test_clip_grad_norm_takes_a_single_tensor_a_generator_and_skips_missing_grads():
    theirs, ours = _parameters(_grad_arrays(3, [np.float64] * 5), without_grad=(0, 4))
    _assert_same_tensor(RU.clip_grad_norm_(ours[2], 0.1), TU.clip_grad_norm_(theirs[2], 0.1))
    _assert_same_tensor(RU.clip_grad_norm_((p for p in ours), 0.3), TU.clip_grad_norm_((p for p in theirs), 0.3))
    _assert_same_grads(ours, theirs, _tolerance(np.float64))
    assert ours[0].grad is None and ours[4].grad is None


def test_clip_grad_norm_of_no_gradients_is_a_zero_of_the_default_dtype():
    theirs, ours = _parameters([np.ones(3), np.ones(2)], without_grad=(0, 1))
    _assert_same_tensor(RU.clip_grad_norm_(ours, 1.0), TU.clip_grad_norm_(theirs, 1.0))
    _assert_same_tensor(RU.clip_grad_norm_([], 1.0), TU.clip_grad_norm_([], 1.0))


def test_clip_grad_norm_warns_on_an_empty_generator_as_torch():
    for lib in (TU, RU):
        with pytest.warns(UserWarning, match="`parameters` is an empty generator, no gradient clipping will occur."):
            lib.clip_grad_norm_((p for p in []), 1.0)


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
@pytest.mark.parametrize("norm_type", [2.0, 1.0, math.inf])
def test_clip_grad_norm_of_a_nonfinite_gradient_as_torch(bad, norm_type):
    """error_if_nonfinite: torch's RuntimeError naming the order; without it, the total and the scaled gradients
    (nan, 0) equal torch's."""
    arrays = _grad_arrays(4, [np.float32] * 2, [(3,), (2, 2)])
    arrays[1][0, 1] = bad
    theirs, ours = _parameters(arrays)
    _assert_same_error(lambda: TU.clip_grad_norm_(theirs, 1.0, norm_type, error_if_nonfinite=True),
                       lambda: RU.clip_grad_norm_(ours, 1.0, norm_type, error_if_nonfinite=True))
    _assert_same_grads(ours, theirs, {"rtol": 0, "atol": 0})  # untouched by the refused call
    _assert_same_tensor(RU.clip_grad_norm_(ours, 1.0, norm_type), TU.clip_grad_norm_(theirs, 1.0, norm_type))
    _assert_same_grads(ours, theirs, _tolerance(np.float32))


@pytest.mark.parametrize("foreach", [None, True, False])
def test_foreach_has_no_effect(foreach):
    theirs, ours = _parameters(_grad_arrays(5, [np.float64] * 4, SHAPES[:-1]))
    _assert_same_tensor(RU.clip_grad_norm_(ours, 0.7, foreach=foreach), TU.clip_grad_norm_(theirs, 0.7))
    RU.clip_grad_value_(ours, 0.05, foreach=foreach)
    TU.clip_grad_value_(theirs, 0.05)
    _assert_same_grads(ours, theirs, _tolerance(np.float64))


def test_deprecated_clip_grad_norm_warns_and_clips():
    theirs, ours = _parameters(_grad_arrays(6, [np.float64] * 2, [(4,), (2, 3)]))
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated in favor of `.*clip_grad_norm_`"):
        TU.clip_grad_norm(theirs, 0.5)
    with pytest.warns(FutureWarning, match="clip_grad_norm` is now deprecated in favor of `.*clip_grad_norm_`"):
        RU.clip_grad_norm(ours, 0.5)
    _assert_same_grads(ours, theirs, _tolerance(np.float64))


ERRORS = {  # id -> call(utils module, the parameters of _parameters)
    "inf_norm_of_an_empty_grad": lambda lib, ps: lib.clip_grad_norm_([ps[0]], 1.0, math.inf),
    "minus_inf_norm_of_an_empty_grad": lambda lib, ps: lib.clip_grad_norm_([ps[0]], 1.0, -math.inf),
    "negative_norm_of_an_empty_grad": lambda lib, ps: lib.clip_grad_norm_(ps, 1.0, -0.5),
    "norm_type_fro": lambda lib, ps: lib.clip_grad_norm_(ps, 1.0, "fro"),
    "norm_type_none": lambda lib, ps: lib.clip_grad_norm_(ps, 1.0, None),
    "max_norm_string": lambda lib, ps: lib.clip_grad_norm_(ps, "a"),
    "max_norm_none": lambda lib, ps: lib.clip_grad_norm_(ps, None),
    "a_none_parameter": lambda lib, ps: lib.clip_grad_norm_([ps[1], None], 1.0),
    "clip_value_none": lambda lib, ps: lib.clip_grad_value_(ps, None),
    "clip_value_string": lambda lib, ps: lib.clip_grad_value_(ps, "x"),
    "total_norm_of_an_int_tensor": lambda lib, ps: lib.get_total_norm(
        [torch.ones(3, dtype=torch.int64) if lib is TU else refgrad.ones(3, dtype=np.int64)]),
}


@pytest.mark.parametrize("case", ERRORS)
def test_clip_errors_as_torch(case):
    theirs, ours = _parameters([np.zeros((0, 2), np.float32), np.ones(3, np.float32)])
    _assert_same_error(lambda: ERRORS[case](TU, theirs), lambda: ERRORS[case](RU, ours))


def test_inf_norm_of_an_empty_gradient_with_foreach_false_as_torch():
    """torch's default (foreach) path and its foreach=False path word this error differently; refgrad's as well."""
    theirs, ours = _parameters([np.zeros((0, 2), np.float32)])
    _assert_same_error(lambda: TU.clip_grad_norm_(theirs, 1.0, math.inf, foreach=False),
                       lambda: RU.clip_grad_norm_(ours, 1.0, math.inf, foreach=False))


# ---- get_total_norm, clip_grads_with_norm_ ------------------------------------------------------------------------

@pytest.mark.parametrize("mix", DTYPE_MIXES)
@pytest.mark.parametrize("norm_type", [2.0, 1.0, 0, -1, math.inf], ids=str)
def test_get_total_norm_equals_torch(norm_type, mix):
    shapes = SHAPES[:-1] if norm_type < 0 or math.isinf(norm_type) else SHAPES
    arrays = _grad_arrays(7, DTYPE_MIXES[mix], shapes)
    ours = [refgrad.tensor(a, requires_grad=True) * 2 for a in arrays]  # in the graph: the norm is outside it
    theirs = [torch.from_numpy(a).requires_grad_() * 2 for a in arrays]
    total = RU.get_total_norm(ours, norm_type)
    _assert_same_tensor(total, TU.get_total_norm(theirs, norm_type),
                        **_tolerance(np.float64 if mix == "float64" else np.float32))
    assert total.grad_fn is None and not total.requires_grad
    _assert_same_tensor(RU.get_total_norm(ours[0], norm_type), TU.get_total_norm(theirs[0], norm_type),
                        **_tolerance(DTYPE_MIXES[mix][0]))
    _assert_same_tensor(RU.get_total_norm([], norm_type), TU.get_total_norm([], norm_type))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("total", [0.0, 0.3, 5.0, math.inf, math.nan])
def test_clip_grads_with_norm_equals_torch(total, dtype):
    """A given total norm (here not the gradients' own), in either dtype: the coefficient clamped to 1."""
    theirs, ours = _parameters(_grad_arrays(8, [dtype] * 3, [(2, 3), (4,), ()]), without_grad=(1,))
    for total_dtype in (np.float32, np.float64):
        assert RU.clip_grads_with_norm_(ours, 1.5, refgrad.tensor(total, dtype=total_dtype)) is None
        TU.clip_grads_with_norm_(theirs, 1.5, torch.tensor(total, dtype=TORCH_DTYPES[total_dtype]))
        _assert_same_grads(ours, theirs, _tolerance(dtype))


def test_get_total_norm_of_a_non_tensor_names_its_type():
    """A deliberate difference: torch fails on ``.device`` with an AttributeError; refgrad's TypeError names the
    type."""
    with pytest.raises(AttributeError):
        TU.get_total_norm([[1.0, 2.0]])
    with pytest.raises(TypeError, match="get_total_norm: expected Tensors, got an element of type list"):
        RU.get_total_norm([[1.0, 2.0]])


def test_clip_grads_with_norm_wants_a_tensor_total():
    """torch fails inside clamp with a TypeError about its overloads; refgrad's TypeError names the type."""
    theirs, ours = _parameters([np.ones(3)])
    with pytest.raises(TypeError):
        TU.clip_grads_with_norm_(theirs, 1.0, 3.0)
    with pytest.raises(TypeError, match="total_norm must be a Tensor .*, got float"):
        RU.clip_grads_with_norm_(ours, 1.0, 3.0)


# ---- clip_grad_value_ ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("mix", DTYPE_MIXES)
@pytest.mark.parametrize("clip_value", [0.5, 0, 10, -1.0, math.inf, math.nan])
def test_clip_grad_value_equals_torch(clip_value, mix):
    arrays = _grad_arrays(9, DTYPE_MIXES[mix])
    arrays[0][0, 0] = math.nan  # nan stays nan
    theirs, ours = _parameters(arrays, without_grad=(2,))
    grads = [p.grad for p in ours]
    storage = [None if g is None else g._data for g in grads]
    assert RU.clip_grad_value_(ours, clip_value) is None
    TU.clip_grad_value_(theirs, clip_value)
    _assert_same_grads(ours, theirs, {"rtol": 0, "atol": 0})
    assert all(p.grad is g and (g is None or g._data is s) for p, g, s in zip(ours, grads, storage))


def test_clip_grad_value_takes_a_single_tensor_and_a_generator():
    theirs, ours = _parameters(_grad_arrays(10, [np.float32] * 2, [(3, 3), (4,)]))
    RU.clip_grad_value_(ours[0], 0.2)
    TU.clip_grad_value_(theirs[0], 0.2)
    RU.clip_grad_value_((p for p in ours), 0.1)
    TU.clip_grad_value_((p for p in theirs), 0.1)
    _assert_same_grads(ours, theirs, {"rtol": 0, "atol": 0})


# ---- parameters_to_vector, vector_to_parameters ---------------------------------------------------------------

@pytest.mark.parametrize("mix", DTYPE_MIXES)
def test_parameters_to_vector_equals_torch_and_is_in_the_graph(mix):
    arrays = _grad_arrays(11, DTYPE_MIXES[mix])
    theirs = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in arrays]
    ours = [refgrad.nn.Parameter(refgrad.tensor(a.copy())) for a in arrays]
    vec_theirs, vec_ours = TU.parameters_to_vector(theirs), RU.parameters_to_vector(ours)
    _assert_same_tensor(vec_ours, vec_theirs, rtol=0, atol=0)
    cotangent = np.random.default_rng(12).standard_normal(vec_ours.shape)
    vec_theirs.backward(torch.from_numpy(cotangent.astype(vec_theirs.detach().numpy().dtype)))
    vec_ours.backward(refgrad.tensor(cotangent.astype(np.asarray(vec_ours.detach()).dtype)))
    for r, t in zip(ours, theirs):
        _assert_same_tensor(r.grad, t.grad, rtol=0, atol=0)
    assert not np.shares_memory(np.asarray(vec_ours.detach()), np.asarray(ours[0].detach()))  # a copy, as torch.cat


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("extra", [0, 3])
def test_vector_to_parameters_equals_torch_and_shares_the_vector(dtype, extra):
    """Each parameter takes the next numel elements, viewed as its shape; they then share the vector's memory and
    dtype (a float64 vector makes a float32 parameter float64, as torch's .data assignment); extra elements are
    left over."""
    shapes = [(2, 3), (4,), (), (0, 2), (3, 1, 2)]
    total = sum(math.prod(s) for s in shapes) + extra
    values = np.random.default_rng(13).standard_normal(total).astype(dtype)
    theirs = [torch.nn.Parameter(torch.zeros(s)) for s in shapes]
    ours = [refgrad.nn.Parameter(refgrad.zeros(s)) for s in shapes]
    vec_theirs, vec_ours = torch.from_numpy(values.copy()), refgrad.tensor(values.copy())
    assert RU.vector_to_parameters(vec_ours, ours) is None
    TU.vector_to_parameters(vec_theirs, theirs)
    for r, t in zip(ours, theirs):
        _assert_same_tensor(r.detach(), t, rtol=0, atol=0)
        assert r.requires_grad and r.is_leaf and isinstance(r, refgrad.nn.Parameter)
    vec_theirs[:6] = 7.0
    vec_ours[:6] = 7.0
    _assert_same_tensor(ours[0].detach(), theirs[0], rtol=0, atol=0)  # written through the shared memory


def test_vector_to_parameters_of_a_graph_vector_leaves_leaf_parameters():
    vec = refgrad.tensor(np.arange(6.0), requires_grad=True) * 2
    param = refgrad.nn.Parameter(refgrad.zeros(2, 3))
    RU.vector_to_parameters(vec, [param])
    assert param.is_leaf and param.grad_fn is None and param.requires_grad
    np.testing.assert_array_equal(param.detach().numpy(), np.arange(6.0).reshape(2, 3) * 2)


CONVERT_ERRORS = {  # id -> call(utils module, tensor library)
    "vector_is_an_ndarray": lambda lib, T: lib.vector_to_parameters(np.ones(6), [T.nn.Parameter(T.ones(2, 3))]),
    "vector_is_a_list": lambda lib, T: lib.vector_to_parameters([1.0] * 6, [T.nn.Parameter(T.ones(2, 3))]),
    "vector_too_short": lambda lib, T: lib.vector_to_parameters(T.ones(4), [T.nn.Parameter(T.ones(2, 3))]),
    "vector_short_for_the_second": lambda lib, T: lib.vector_to_parameters(
        T.ones(7), [T.nn.Parameter(T.ones(2, 3)), T.nn.Parameter(T.ones(2))]),
    "integer_vector": lambda lib, T: lib.vector_to_parameters(T.ones(6, dtype=T.int64),
                                                              [T.nn.Parameter(T.ones(2, 3))]),
    "no_parameters": lambda lib, T: lib.parameters_to_vector([]),
    "non_contiguous_parameter": lambda lib, T: lib.parameters_to_vector([T.ones(2, 3).t()]),
}


@pytest.mark.parametrize("case", CONVERT_ERRORS)
def test_convert_errors_as_torch(case):
    _assert_same_error(lambda: CONVERT_ERRORS[case](TU, torch), lambda: CONVERT_ERRORS[case](RU, refgrad))


def test_utils_are_exported_as_torchs():
    for name in ("clip_grad_norm_", "clip_grad_norm", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_",
                 "parameters_to_vector", "vector_to_parameters"):
        assert callable(getattr(RU, name)) and callable(getattr(TU, name))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from refgrad.nn.utils import clip_grad_norm_, parameters_to_vector  # noqa: F401
