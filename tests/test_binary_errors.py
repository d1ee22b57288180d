"""Bad input to the binary, ternary and comparison families: each call raises in refgrad with the exception
class torch raises for the same call (checked here against torch itself), and a message naming the offending
shapes, dtypes or values."""
from __future__ import annotations

import pytest
import torch

import refgrad


def _f(T, *shape):
    return T.ones(*shape)


def _i(T):
    return T.tensor([5, -7])


def _b(T):
    return T.tensor([True, False])


def _backward(fn):
    def call(T):
        x = T.ones(3, requires_grad=True)
        fn(T, x).sum().backward()

    return call


def _iadd_float_into_int(T):
    i = T.tensor([1, 2])
    i += 2.5


def _iadd_wider(T):
    x = T.ones(3)
    x += T.ones(2, 3)


BROADCAST = "The size of tensor a (3) must match the size of tensor b (4) at non-singleton dimension 1"

CASES = {
    # broadcasting: torch's message, naming both sizes and the dimension
    "add_broadcast": (lambda T: T.add(_f(T, 2, 3), _f(T, 4)), [BROADCAST]),
    "mul_operator_broadcast": (lambda T: _f(T, 2, 3) * _f(T, 4), [BROADCAST]),
    "div_broadcast": (lambda T: T.div(_f(T, 2, 3), _f(T, 4), rounding_mode="floor"), [BROADCAST]),
    "maximum_broadcast": (lambda T: T.maximum(_f(T, 2, 3), _f(T, 4)), [BROADCAST]),
    "atan2_broadcast": (lambda T: T.atan2(_f(T, 2, 3), _f(T, 4)), [BROADCAST]),
    "pow_broadcast": (lambda T: _f(T, 2, 3) ** _f(T, 4), [BROADCAST]),
    "clamp_tensor_bound_broadcast": (lambda T: T.clamp(_f(T, 2, 3), min=_f(T, 4)), [BROADCAST]),
    "where_broadcast": (lambda T: T.where(_f(T, 2, 3) > 0, _f(T, 4), 1.0), [BROADCAST]),
    "lerp_broadcast": (lambda T: T.lerp(_f(T, 2, 3), _f(T, 4), 0.5), [BROADCAST]),
    "addcmul_broadcast": (lambda T: T.addcmul(_f(T, 2, 3), _f(T, 4), _f(T, 4)), [BROADCAST]),
    "eq_broadcast": (lambda T: _f(T, 2, 3) == _f(T, 4), [BROADCAST]),
    "logical_and_broadcast": (lambda T: T.logical_and(_f(T, 2, 3), _f(T, 4)), [BROADCAST]),
    "bitwise_and_broadcast": (lambda T: T.ones(2, 3, dtype=T.int64) & T.ones(4, dtype=T.int64), [BROADCAST]),
    # arguments torch refuses
    "clamp_no_bounds": (lambda T: T.clamp(_f(T, 3)), ["At least one of 'min' or 'max' must not be None"]),
    "clamp_both_none": (lambda T: T.clamp(_f(T, 3), None, None), ["At least one of 'min' or 'max'"]),
    "clamp_bad_bound": (lambda T: T.clamp(_f(T, 3), "a"), ["str"]),
    "div_rounding_mode": (lambda T: T.div(_f(T, 3), 2, rounding_mode="round"), ["'round'"]),
    "add_float_alpha_ints": (lambda T: T.add(_i(T), _i(T), alpha=2.5),
                             ["integral input tensors", "alpha must not be a floating point number"]),
    "add_bool_alpha_floats": (lambda T: T.sub(_f(T, 2), _f(T, 2), alpha=True), ["Boolean alpha"]),
    "sub_bools": (lambda T: _b(T) - _b(T), ["Subtraction", "bool tensors"]),
    "add_string": (lambda T: T.add(_f(T, 2), "a"), ["str"]),
    "add_operator_none": (lambda T: _f(T, 2) + None, []),
    "int_pow_negative_number": (lambda T: _i(T) ** -1, ["Integers to negative integer powers are not allowed"]),
    "floor_divide_int_zero": (lambda T: _i(T) // 0, ["ZeroDivisionError"]),
    "div_trunc_int_zero": (lambda T: T.div(_i(T), T.tensor([1, 0]), rounding_mode="trunc"), ["ZeroDivisionError"]),
    "remainder_int_zero": (lambda T: _i(T) % 0, ["ZeroDivisionError"]),
    "fmod_int_zero": (lambda T: T.fmod(_i(T), 0), ["ZeroDivisionError"]),
    # tensors required where torch requires them
    "maximum_number": (lambda T: T.maximum(_f(T, 2), 2), ["maximum()", "'other'", "Tensor", "int"]),
    "fmax_number_first": (lambda T: T.fmax(2, _f(T, 2)), ["fmax()", "'input'", "int"]),
    "atan2_number": (lambda T: T.atan2(_f(T, 2), 2.0), ["atan2()", "float"]),
    "hypot_number": (lambda T: T.hypot(_f(T, 2), 2.0), ["hypot()", "float"]),
    "logaddexp_number": (lambda T: T.logaddexp(_f(T, 2), 2), ["logaddexp()", "int"]),
    "xlogy_two_numbers": (lambda T: T.xlogy(2, 3), ["xlogy()", "int"]),
    "fmod_number_first": (lambda T: T.fmod(2, _f(T, 2)), ["fmod()", "int"]),
    "logical_and_number": (lambda T: T.logical_and(_b(T), 1), ["logical_and()", "int"]),
    "isnan_number": (lambda T: T.isnan(2.0), ["isnan()", "float"]),
    "equal_number": (lambda T: T.equal(_f(T, 2), 1), ["equal()", "int"]),
    "isclose_number": (lambda T: T.isclose(_f(T, 2), 1.0), ["isclose()", "float"]),
    "where_missing_other": (lambda T: T.where(_b(T), _f(T, 2)), []),
    # dtypes a kernel does not take
    "hypot_ints": (lambda T: T.hypot(_i(T), _i(T)), ["hypot", "Long"]),
    "logaddexp_ints": (lambda T: T.logaddexp(_i(T), _i(T)), ["logaddexp", "Long"]),
    "pow_bools": (lambda T: T.pow(_b(T), _b(T)), ["pow", "Bool"]),
    "remainder_bools": (lambda T: T.remainder(_b(T), _b(T)), ["remainder", "Bool"]),
    "fmod_bools": (lambda T: T.fmod(_b(T), _b(T)), ["fmod", "Bool"]),
    "floor_divide_bools": (lambda T: T.floor_divide(_b(T), _b(T)), ["div_floor", "Bool"]),
    "bitwise_and_floats": (lambda T: _f(T, 2) & _f(T, 2), ["bitwise_and", "Float"]),
    "bitwise_or_float_number": (lambda T: _b(T) | 2.5, ["bitwise_or", "Float"]),
    "bitwise_not_floats": (lambda T: T.bitwise_not(_f(T, 2)), ["bitwise_not", "Float"]),
    "where_float_condition": (lambda T: T.where(_f(T, 2), _f(T, 2), _f(T, 2)),
                              ["where expected condition to be a boolean tensor", "Float"]),
    "where_long_condition": (lambda T: T.where(_i(T), _f(T, 2), _f(T, 2)), ["boolean tensor", "Long"]),
    "lerp_end_dtype": (lambda T: T.lerp(_f(T, 2), _f(T, 2).double(), 0.5), ["`end`", "float32", "float64"]),
    "lerp_weight_dtype": (lambda T: T.lerp(_f(T, 2), _f(T, 2), _f(T, 2).double()), ["`weight`", "float64"]),
    "lerp_ints": (lambda T: T.lerp(_i(T), _i(T), 0.5), ["lerp", "Long"]),
    "addcmul_tensor_value": (lambda T: T.addcmul(_f(T, 2), _f(T, 2), _f(T, 2), value=_f(T, 2)),
                             ["'value'", "Number", "Tensor"]),
    "addcdiv_ints": (lambda T: T.addcdiv(_f(T, 2), _i(T), _i(T)), ["Integer division with addcdiv"]),
    "isclose_dtypes": (lambda T: T.isclose(_f(T, 2), _f(T, 2).double()), ["Float did not match Double"]),
    "allclose_dtypes": (lambda T: T.allclose(_f(T, 2), _i(T)), ["Float did not match Long"]),
    # in-place: the result must fit the tensor written into
    "iadd_float_into_int": (_iadd_float_into_int, ["can't be cast", "int64"]),
    "iadd_broadcast_wider": (_iadd_wider, ["[3]", "[2, 3]"]),
    # no derivative in torch, none here: backward raises
    "floor_divide_backward": (_backward(lambda T, x: T.floor_divide(x, 2)), ["floor_divide", "not implemented"]),
    "rmod_backward": (_backward(lambda T, x: 2.5 % (x + 1)), ["remainder", "not implemented"]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_raises_like_torch(name):
    call, fragments = CASES[name]
    with pytest.raises(Exception) as expected:
        call(torch)
    with pytest.raises(Exception) as got:
        call(refgrad)
    assert type(got.value) is expected.type, (
        f"refgrad raised {type(got.value).__name__}: {got.value}; torch raises {expected.type.__name__}: "
        f"{expected.value}")
    for fragment in fragments:
        assert fragment in str(got.value), f"{fragment!r} not in refgrad's message: {got.value}"


def test_operators_on_bool_are_logical_and_on_ints_bitwise():
    """& | ^ ~ are torch's bitwise ops: logical on bool tensors, two's complement on integers."""
    for T in (torch, refgrad):
        b, i = T.tensor([True, False]), T.tensor([5, -7])
        assert (b & T.tensor([True, True])).tolist() == [True, False]
        assert (~b).tolist() == [False, True]
        assert (~i).tolist() == [-6, 6]
        assert (i ^ 3).tolist() == [6, -6]
        assert (2 & b).dtype == (T.int64 if T is refgrad else torch.int64)
