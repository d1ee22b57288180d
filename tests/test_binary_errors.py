"""Bad input to the binary, ternary and comparison families through the Python operators, the in-place forms and
backward: each call raises in refgrad with the exception class torch raises for the same call (checked here
against torch itself), and a message naming the offending shapes, dtypes or values. Bad input to the functions
themselves is declared with their specs (``ERRORS`` in oracle/specs/binary.py, ternary.py, comparison.py)."""
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
    "mul_operator_broadcast": (lambda T: _f(T, 2, 3) * _f(T, 4), [BROADCAST]),
    "pow_broadcast": (lambda T: _f(T, 2, 3) ** _f(T, 4), [BROADCAST]),
    "eq_broadcast": (lambda T: _f(T, 2, 3) == _f(T, 4), [BROADCAST]),
    "bitwise_and_broadcast": (lambda T: T.ones(2, 3, dtype=T.int64) & T.ones(4, dtype=T.int64), [BROADCAST]),
    # arguments torch refuses
    "sub_bools": (lambda T: _b(T) - _b(T), ["Subtraction", "bool tensors"]),
    "add_operator_none": (lambda T: _f(T, 2) + None, []),
    "int_pow_negative_number": (lambda T: _i(T) ** -1, ["Integers to negative integer powers are not allowed"]),
    "floor_divide_int_zero": (lambda T: _i(T) // 0, ["ZeroDivisionError"]),
    "remainder_int_zero": (lambda T: _i(T) % 0, ["ZeroDivisionError"]),
    # dtypes a kernel does not take
    "bitwise_and_floats": (lambda T: _f(T, 2) & _f(T, 2), ["bitwise_and", "Float"]),
    "bitwise_or_float_number": (lambda T: _b(T) | 2.5, ["bitwise_or", "Float"]),
    # in-place: the result must fit the tensor written into
    "iadd_float_into_int": (_iadd_float_into_int, ["can't be cast", "int64"]),
    "iadd_broadcast_wider": (_iadd_wider, ["[3]", "[2, 3]"]),
    # in-place with alpha: what add's out-of-place form checks, it checks in place too
    "add_inplace_bool_alpha": (lambda T: _f(T, 3).add_(_f(T, 3), alpha=True), ["Boolean alpha"]),
    "sub_inplace_alpha_wider": (lambda T: _f(T, 3).sub_(_f(T, 2, 3), alpha=2.0), ["[3]", "[2, 3]"]),
    "add_inplace_alpha_leaf": (lambda T: T.ones(3, requires_grad=True).add_(_f(T, 3), alpha=-0.1),
                               ["leaf Variable that requires grad"]),
    "add_inplace_alpha_float_into_int": (lambda T: _i(T).add_(_i(T), alpha=0.5), ["alpha must not be a floating"]),
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
