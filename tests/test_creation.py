"""Factories, dtype arguments and assignment on bad or unusual arguments: each call runs through torch and refgrad
(the same expression, with the library as L) and must have the same outcome: the same exception class, or equal
values, shape and dtype, and no NumPy warning."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch

import refgrad as rg

NAN, INF = float("nan"), float("inf")


def _setitem(t, index, value):
    t[index] = value
    return t


def _mask(L):
    return L.tensor([True, False, True])


def _long(L):
    return L.zeros(3, dtype=L.int64)


CASES = {
    # Python float as a dtype is float64; arange of an integer tensor is int64
    "zeros_dtype_float": lambda L: L.zeros(2, dtype=float),
    "tensor_dtype_float": lambda L: L.tensor([0.1], dtype=float),
    "to_float": lambda L: L.ones(2).to(float),
    "rand_dtype_float": lambda L: L.rand(2, dtype=float).dtype,
    "linspace_dtype_float": lambda L: L.linspace(0, 1, 3, dtype=float),
    "arange_int_tensor": lambda L: L.arange(L.tensor(3)),
    "arange_step_tensor": lambda L: L.arange(0, 5, L.tensor(2)),
    "arange_1d_tensor": lambda L: L.arange(L.tensor([3])),
    # NaN, inf and out-of-range values into integer tensors
    "full_nan_int": lambda L: L.full((2,), NAN, dtype=L.int64),
    "full_inf_int": lambda L: L.full((2,), INF, dtype=L.int64),
    "full_big_int": lambda L: L.full((2,), 1e30, dtype=L.int64),
    "full_2_63": lambda L: L.full((2,), 2**63, dtype=L.int64),
    "full_300_uint8": lambda L: L.full((2,), 300, dtype=L.uint8),
    "full_minus1_uint8": lambda L: L.full((2,), -1, dtype=L.uint8),
    "full_minus255_uint8": lambda L: L.full((2,), -255, dtype=L.uint8),
    "full_minus256_uint8": lambda L: L.full((2,), -256, dtype=L.uint8),
    "full_2_7_int": lambda L: L.full((2,), 2.7, dtype=L.int64),
    "full_1e300_float32": lambda L: L.full((2,), 1e300, dtype=L.float32),
    "full_nan_bool": lambda L: L.full((2,), NAN, dtype=L.bool),
    "full_like_nan": lambda L: L.full_like(_long(L), NAN),
    "full_like_2_7": lambda L: L.full_like(_long(L), 2.7),
    "new_full_nan": lambda L: _long(L).new_full((2,), NAN),
    "masked_fill_nan": lambda L: _long(L).masked_fill(_mask(L), NAN),
    "masked_fill_inf": lambda L: _long(L).masked_fill(_mask(L), INF),
    "masked_fill_2_7": lambda L: _long(L).masked_fill(_mask(L), 2.7),
    "masked_fill_300_uint8": lambda L: L.zeros(3, dtype=L.uint8).masked_fill(_mask(L), 300),
    "masked_fill_2_63": lambda L: _long(L).masked_fill(_mask(L), 2**63),
    "tensor_nan_int": lambda L: L.tensor([NAN], dtype=L.int64),
    "tensor_300_uint8": lambda L: L.tensor([300], dtype=L.uint8),
    "tensor_minus1_uint8": lambda L: L.tensor([-1], dtype=L.uint8),
    "tensor_minus129_int8": lambda L: L.tensor([-129], dtype=L.int8),
    "tensor_1e300_float32": lambda L: L.tensor([1e300], dtype=L.float32),
    "arange_float_step_int": lambda L: L.arange(0, 1, 0.3, dtype=L.int64),
    "arange_truncated_end": lambda L: L.arange(0, 2.5, 1, dtype=L.int64),
    "arange_truncated_start": lambda L: L.arange(-0.5, 2, 1, dtype=L.int64),
    "arange_int32_float_step": lambda L: L.arange(0, 5, 1.5, dtype=L.int32),
    "randperm_negative": lambda L: L.randperm(-1),
    # assigning Python numbers into int and bool tensors works, as in torch
    "setitem_mask_0_0": lambda L: _setitem(_long(L), _mask(L), 0.0),
    "setitem_mask_2_7": lambda L: _setitem(_long(L), _mask(L), 2.7),
    "setitem_int_2_7": lambda L: _setitem(_long(L), 0, 2.7),
    "setitem_index_2_7": lambda L: _setitem(_long(L), L.tensor([0, 1]), 2.7),
    "setitem_bool_2_7": lambda L: _setitem(L.zeros(3, dtype=L.bool), _mask(L), 2.7),
    "setitem_mask_nan": lambda L: _setitem(_long(L), _mask(L), NAN),
    "setitem_uint8_300": lambda L: _setitem(L.zeros(3, dtype=L.uint8), 0, 300),
    "setitem_0d_float_tensor": lambda L: _setitem(_long(L), _mask(L), L.tensor(2.7)),
    "setitem_slice_float_tensor": lambda L: _setitem(_long(L), slice(None), L.tensor([2.7, 1.0, 1.0])),
    "setitem_mask_float_tensor": lambda L: _setitem(_long(L), _mask(L), L.tensor([2.7, 1.0])),
    "setitem_mask_float64_tensor": lambda L: _setitem(L.zeros(3), _mask(L), L.tensor([1.0, 2.0], dtype=L.float64)),
    "setitem_not_broadcast": lambda L: _setitem(L.zeros(2, 3), slice(None), L.zeros(3, 2)),
    "setitem_not_broadcast_row": lambda L: _setitem(L.zeros(2, 3), 0, L.zeros(2)),
    "setitem_mask_not_broadcast": lambda L: _setitem(L.zeros(3), _mask(L), L.zeros(3)),
    "setitem_list": lambda L: _setitem(L.zeros(3), 0, [1.0, 2.0]),
    "setitem_none": lambda L: _setitem(L.zeros(3), 0, None),
    "setitem_str": lambda L: _setitem(L.zeros(3), 0, "a"),
    "fill_2_7_int": lambda L: _long(L).fill_(2.7),
    "fill_2_7_bool": lambda L: L.zeros(2, dtype=L.bool).fill_(2.7),
    "fill_nan_int": lambda L: _long(L).fill_(NAN),
    "fill_0d_tensor": lambda L: _long(L).fill_(L.tensor(2.7)),
    "fill_1d_tensor": lambda L: _long(L).fill_(L.tensor([2.7])),
    "fill_300_uint8": lambda L: L.zeros(3, dtype=L.uint8).fill_(300),
    "copy_float_into_int": lambda L: _long(L).copy_(L.tensor([2.7, 1.0, 1.0])),
    "copy_number": lambda L: _long(L).copy_(2.7),
    "copy_list": lambda L: _long(L).copy_([1, 2, 3]),
    # where
    "where_one_argument": lambda L: L.where(L.tensor([True, False, True])),
    "where_one_argument_2d": lambda L: L.where(L.tensor([[1.0, 0.0], [0.0, 2.0]])),
    "where_one_argument_0d": lambda L: L.where(L.tensor(True)),
    "where_int_condition": lambda L: L.where(L.tensor([1, 0, 1]), 1.0, 2.0),
    "where_number_condition": lambda L: L.where(1),
    # bool subtraction
    "bool_minus_int": lambda L: L.tensor([True]) - 1,
    "int_minus_bool": lambda L: 1 - L.tensor([True]),
    "bool_minus_float": lambda L: L.tensor([True]) - 1.5,
    "int_tensor_minus_true": lambda L: L.tensor([1]) - True,
    "sub_bool": lambda L: L.sub(L.tensor([True]), 1),
    "sub_bool_alpha": lambda L: L.tensor([True]).sub(1, alpha=2),
    "sub__bool": lambda L: L.tensor([True]).sub_(1),
    "float_sub__bool_tensor": lambda L: L.tensor([1.0]).sub_(L.tensor([True])),
    "isub_bool": lambda L: L.tensor([True]).__isub__(1),
    "bool_plus_int": lambda L: L.tensor([True]) + 1,
    # sizes
    "zeros_no_size": lambda L: L.zeros(),
    "ones_no_size": lambda L: L.ones(),
    "empty_no_size": lambda L: list(L.empty().shape),
    "rand_no_size": lambda L: list(L.rand().shape),
    "new_zeros_no_size": lambda L: L.zeros(2).new_zeros(),
    "zeros_empty_tuple": lambda L: L.zeros(()),
    "zeros_negative": lambda L: L.zeros(2, -1),
    "zeros_bool_size": lambda L: L.zeros(True),
    "zeros_bool_element": lambda L: L.zeros(2, True),
    "zeros_bool_in_tuple": lambda L: L.zeros((2, True)),
    "zeros_np_int": lambda L: L.zeros(np.int64(2), np.int32(3)),
    "zeros_float_size": lambda L: L.zeros(2.0),
    "zeros_float_element": lambda L: L.zeros(2, 3.0),
    "zeros_np_float_size": lambda L: L.zeros(np.float64(2)),
    "zeros_0d_int_tensor": lambda L: L.zeros(L.tensor(2)),
    "zeros_0d_float_tensor": lambda L: L.zeros(L.tensor(2.0)),
    "zeros_2_element_tensor": lambda L: L.zeros(L.tensor([2, 3])),
    "zeros_tensor_in_tuple": lambda L: L.zeros((L.tensor(2), 3)),
    "zeros_nested_list": lambda L: L.zeros([2, [3]]),
    "zeros_none": lambda L: L.zeros(None),
    "zeros_str": lambda L: L.zeros("a"),
    "zeros_size_keyword": lambda L: L.zeros(size=(2, 3)),
    "zeros_dtype_int": lambda L: L.zeros(3, dtype=int),
    "zeros_dtype_3": lambda L: L.zeros(2, dtype=3),
    "zeros_dtype_str_type": lambda L: L.zeros(2, dtype=str),
    "full_int_size": lambda L: L.full(2, 1.0),
    "full_float_in_size": lambda L: L.full((2.0,), 1),
    "full_negative": lambda L: L.full((-1,), 1.0),
    "full_none": lambda L: L.full([2], None),
    "full_str": lambda L: L.full((2,), "a"),
    "full_0d_tensor": lambda L: L.full((2,), L.tensor(1.5)),
    "full_1d_tensor": lambda L: L.full((2,), L.tensor([1.5])),
    "full_bool_dtype": lambda L: L.full((2,), True),
    "rand_negative": lambda L: L.rand(-1),
    "rand_int_dtype": lambda L: L.rand(2, dtype=L.int64),
    "randn_int_dtype": lambda L: L.randn(2, dtype=L.int64),
    "randn_float_element": lambda L: L.randn(2, 2.0),
    "new_zeros_negative": lambda L: L.zeros(2).new_zeros(-1),
    "new_ones_float": lambda L: L.zeros(2).new_ones(2.0),
    "new_zeros_dtype_float": lambda L: L.zeros(2).new_zeros(3, dtype=float),
    "new_tensor_ragged": lambda L: L.zeros(2).new_tensor([[1], [2, 3]]),
    # *_like of a non-tensor
    "zeros_like_list": lambda L: L.zeros_like([1.0, 2.0]),
    "ones_like_list": lambda L: L.ones_like([1.0, 2.0]),
    "full_like_list": lambda L: L.full_like([1.0, 2.0], 3),
    "full_like_str": lambda L: L.full_like(L.zeros(2), "a"),
    "rand_like_list": lambda L: L.rand_like([1.0, 2.0]),
    "zeros_like_dtype_float": lambda L: L.zeros_like(L.zeros(2), dtype=float),
    # arange, linspace, eye
    "arange_nan": lambda L: L.arange(NAN),
    "arange_inf": lambda L: L.arange(INF),
    "arange_minus_inf": lambda L: L.arange(-INF, 0),
    "arange_nan_step": lambda L: L.arange(0, 1, NAN),
    "arange_zero_step": lambda L: L.arange(0, 1, 0),
    "arange_str": lambda L: L.arange("a"),
    "arange_none": lambda L: L.arange(None),
    "arange_bool_dtype": lambda L: L.arange(3, dtype=L.bool),
    "arange_huge": lambda L: L.arange(0, 1e20, 1e-3),
    "arange_wrong_sign": lambda L: L.arange(10, 0, 3),
    "arange_bool": lambda L: L.arange(True),
    "arange_float_steps": lambda L: L.arange(0, 1, 0.1),
    "linspace_float_steps": lambda L: L.linspace(0, 1, 2.5),
    "linspace_bool_steps": lambda L: L.linspace(0, 1, True),
    "linspace_negative": lambda L: L.linspace(0, 1, -1),
    "linspace_nan_start": lambda L: L.linspace(NAN, 1, 3),
    "linspace_inf_end": lambda L: L.linspace(0, INF, 3),
    "linspace_int_dtype": lambda L: L.linspace(0, 10, 4, dtype=L.int64),
    "linspace_np_int_steps": lambda L: L.linspace(0, 1, np.int64(3)),
    "linspace_0d_tensor_steps": lambda L: L.linspace(0, 1, L.tensor(3)),
    "linspace_str": lambda L: L.linspace("a", 1, 3),
    "linspace_bool_dtype": lambda L: L.linspace(0, 1, 3, dtype=L.bool),
    "linspace_one_step": lambda L: L.linspace(2, 5, 1),
    "eye_float": lambda L: L.eye(2.0),
    "eye_float_m": lambda L: L.eye(2, 2.0),
    "eye_bool": lambda L: L.eye(True),
    "eye_negative": lambda L: L.eye(-1),
    "eye_negative_m": lambda L: L.eye(2, -1),
    "eye_0d_tensor": lambda L: L.eye(L.tensor(2)),
    # randint, randperm
    "randint_int_size": lambda L: L.randint(3, 2),
    "randint_float_high": lambda L: L.randint(3.5, (2,)),
    "randint_float_size": lambda L: L.randint(5, 2.0),
    "randint_low_ge_high": lambda L: L.randint(3, 3, (2,)),
    "randint_bool_dtype": lambda L: L.randint(5, (2,), dtype=L.bool),
    "randint_uint8_overflow": lambda L: L.randint(0, 300, (2,), dtype=L.uint8),
    "randint_uint8_negative": lambda L: L.randint(-1, 2, (2,), dtype=L.uint8),
    "randint_tensor_size": lambda L: L.randint(3, L.tensor([2])),
    "randint_keywords": lambda L: list(L.randint(high=5, size=(2,)).shape),
    "randint_dtype_float": lambda L: L.randint(5, (2,), dtype=float).dtype,
    "randint_negative_size": lambda L: L.randint(5, (-1,)),
    "randperm_float": lambda L: L.randperm(3.0),
    "randperm_bool": lambda L: L.randperm(True),
    "randperm_none": lambda L: L.randperm(None),
    "randperm_0d_tensor": lambda L: list(L.randperm(L.tensor(3)).shape),
    "randperm_bool_dtype": lambda L: L.randperm(3, dtype=L.bool),
    "randperm_uint8_overflow": lambda L: L.randperm(257, dtype=L.uint8),
    "randperm_dtype_float": lambda L: L.randperm(3, dtype=float).dtype,
    # tensor / as_tensor / from_numpy
    "tensor_ragged": lambda L: L.tensor([[1, 2], [3]]),
    "tensor_ragged_deep": lambda L: L.tensor([[[1], [2]], [[1, 2], [3]]]),
    "as_tensor_ragged": lambda L: L.as_tensor([[1], [2, 3]]),
    "tensor_none": lambda L: L.tensor(None),
    "tensor_list_of_none": lambda L: L.tensor([None]),
    "as_tensor_none": lambda L: L.as_tensor(None),
    "tensor_2_63": lambda L: L.tensor(2**63),
    "tensor_below_int64": lambda L: L.tensor(-(2**63) - 1),
    "tensor_int64_min": lambda L: L.tensor(-(2**63)),
    "tensor_2_64_list": lambda L: L.tensor([2**64]),
    "tensor_2_63_float64": lambda L: L.tensor(2**63, dtype=L.float64),
    "tensor_str": lambda L: L.tensor("a"),
    "tensor_mixed_str": lambda L: L.tensor([1, "a"]),
    "tensor_bytes": lambda L: L.tensor(b"ab"),
    "tensor_dict": lambda L: L.tensor({1: 2}),
    "tensor_set": lambda L: L.tensor({1, 2}),
    "tensor_dtype_3": lambda L: L.tensor([1], dtype=3),
    "tensor_dtype_str_type": lambda L: L.tensor([1], dtype=str),
    "tensor_range": lambda L: L.tensor(range(3)),
    "as_tensor_dtype_float": lambda L: L.as_tensor([1.0, 2.0], dtype=float),
    "from_numpy_list": lambda L: L.from_numpy([1.0]),
    "from_numpy_object": lambda L: L.from_numpy(np.zeros(2, dtype=object)),
    "from_numpy_big_endian": lambda L: L.from_numpy(np.zeros(2, dtype=">f4")),
}


def _outcome(L, case):
    """('value', array, dtype name) / ('shape', ...) for a result, or ('raises', exception class)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", RuntimeWarning)  # a NumPy warning leaking out of refgrad fails
            out = CASES[case](L)
    except Exception as e:  # noqa: BLE001 - the class is what is compared
        return ("raises", type(e).__name__ if not isinstance(e, RuntimeWarning) else "RuntimeWarning leaked")
    if isinstance(out, tuple):
        return ("tuple", [_outcome_of(x) for x in out])
    return _outcome_of(out)


def _outcome_of(out):
    if isinstance(out, (rg.Tensor, torch.Tensor)):
        values = [repr(v) for v in np.asarray(out).ravel().tolist()]  # repr: NaN equals NaN, -0.0 differs from 0.0
        return ("tensor", list(out.shape), str(out.dtype).replace("torch.", ""), values)
    if isinstance(out, (torch.dtype, np.dtype)):
        return ("dtype", str(out).replace("torch.", ""))
    return ("other", out)


_RANDOM = ("rand", "randn", "randint", "randperm", "empty")


@pytest.mark.parametrize("case", sorted(CASES))
def test_same_outcome_as_torch(case):
    expected, got = _outcome(torch, case), _outcome(rg, case)
    if case.startswith(_RANDOM) and expected[0] == got[0] == "tensor":  # random or uninitialized values
        expected, got = expected[:3], got[:3]
    assert got == expected, f"{case}: torch gives {expected}, refgrad {got}"


def test_uint8_where_condition_warns_as_torch():
    for L in (torch, rg):
        with pytest.warns(UserWarning, match="uint8 condition tensor"):
            out = L.where(L.tensor([1, 0, 1], dtype=L.uint8), L.tensor([1.0, 2.0, 3.0]), 0.0)
        assert np.asarray(out).tolist() == [1.0, 0.0, 3.0]


@pytest.mark.parametrize("call, message", [
    (lambda: rg.full((2,), NAN, dtype=rg.int64), "value cannot be converted to type int64_t without overflow"),
    (lambda: rg.zeros(2.0), "zeros(): argument 'size' (position 1) must be tuple of ints, not float"),
    (lambda: rg.zeros_like([1.0]), "zeros_like(): argument 'input' (position 1) must be Tensor, not list"),
    (lambda: rg.eye(2.0), "eye(): argument 'n' (position 1) must be int, not float"),
    (lambda: rg.tensor([[1, 2], [3]]), "expected sequence of length 2 at dim 1 (got 1)"),
    (lambda: rg.exp([1.0]), "exp(): argument 'input' (position 1) must be Tensor, not list"),
    (lambda: rg.where(rg.tensor([True]), None, 1.0),
     "where(): argument 'input' (position 2) must be Tensor or Number, not NoneType"),
])
def test_messages_name_the_function_argument_and_type(call, message):
    with pytest.raises(Exception) as info:
        call()
    assert message in str(info.value)
