"""Argument checks following torch's argument parser: what a tensor, int, number, size or dtype argument accepts,
and torch's TypeError, naming the function, the argument and its position, when it is something else
("zeros(): argument 'size' (position 1) must be tuple of ints, not float").

Below the ops (it needs only Tensor and dtypes), so the factories, Tensor's own methods and every op family
parse arguments one way.
"""
from __future__ import annotations

import operator
import sys

import numpy as np

from . import dtypes, registry
from .tensor import Tensor


def argument_error(fn: str | None, name: str, position: int | None, expected: str, value) -> TypeError:
    """torch's TypeError for an argument of the wrong type."""
    prefix = f"{fn}(): " if fn else ""
    where = f" (position {position})" if position else ""
    return TypeError(f"{prefix}argument '{name}'{where} must be {expected}, not {dtypes.type_name(value)}")


def _public_caller() -> str | None:
    """The refgrad function a user called (the innermost refgrad frame running a function declared public, see
    refgrad.registry), found only when an error is being raised, so that the many one-line
    ``as_tensor_arg(input)`` calls need not repeat their name."""
    public = {d.fn.__code__: d.name for d in registry.declarations() if hasattr(d.fn, "__code__")}
    frame = sys._getframe(2)
    while frame is not None and frame.f_globals.get("__name__", "").startswith("refgrad"):
        if frame.f_code in public:
            return public[frame.f_code]
        frame = frame.f_back
    return None


def as_tensor_arg(x, name: str = "input", position: int | None = 1, fn: str | None = None) -> Tensor:
    """A Tensor argument: a Tensor, or an ndarray (refgrad takes NumPy arrays where torch takes tensors); anything
    else is torch's TypeError. fn defaults to the public refgrad function being called."""
    if isinstance(x, Tensor):  # the hot path: every op calls this on every tensor argument
        return x
    if isinstance(x, np.ndarray):
        return Tensor(x)
    raise argument_error(fn or _public_caller(), name, position, "Tensor", x)


def int_arg(x, name: str, position: int | None, fn: str) -> int:
    """An int argument: a Python or NumPy int or a one-element integer tensor; bool and float are refused, as in
    torch."""
    if not isinstance(x, bool):
        try:
            return operator.index(x)
        except TypeError:
            pass
    raise argument_error(fn, name, position, "int", x)


def number_arg(x, name: str, position: int | None, fn: str):
    """A Number argument: a Python or NumPy number, or a 0-d tensor (its value) -> a Python number."""
    if isinstance(x, Tensor) and x.ndim == 0:
        return x.item()
    if isinstance(x, (int, float, np.integer, np.floating, np.bool_)):
        return x.item() if isinstance(x, np.generic) else x
    raise argument_error(fn, name, position, "Number", x)


def tensor_or_number_arg(x, name: str, position: int | None, fn: str):
    """A 'Tensor or Number' argument (torch.add(x, 2)): returned as given; anything else is torch's TypeError."""
    if type(x) in (Tensor, float, int) or isinstance(x, (Tensor, np.ndarray, int, float, complex, np.number, np.bool_)):
        return x
    raise argument_error(fn, name, position, "Tensor or Number", x)


def size_arg(args: tuple, fn: str, name: str = "size", position: int = 1, keyword=None) -> tuple:
    """torch's size arguments, given as varargs f(2, 3), as one sequence f((2, 3)) / f([2, 3]) / f(x.shape), or as
    the keyword (keyword=): a tuple of Python ints. Elements are ints, NumPy ints or one-element integer tensors.
    Sizes are not checked for sign here (-1 means "infer" to reshape, view and expand)."""
    if keyword is not None:
        if args:
            raise TypeError(f"{fn}() got multiple values for argument '{name}'")
        args = (keyword,)
    if not args:
        raise TypeError(f'{fn}() missing 1 required positional arguments: "{name}"')
    if len(args) == 1 and not isinstance(args[0], (tuple, list)):  # f(3): one int
        (only,) = args
        try:
            if not isinstance(only, bool):  # torch refuses f(True), though it takes f(2, True)
                return (operator.index(only),)
        except TypeError:
            pass
        raise argument_error(fn, name, position, "tuple of ints", only)
    if len(args) == 1:
        args = args[0]
    try:  # ints and NumPy ints (the usual sizes), converted in C
        return tuple(map(operator.index, args))
    except TypeError:
        pass
    sizes = []  # find the first element that is not one, for torch's message
    for pos, s in enumerate(args):
        try:
            sizes.append(operator.index(s))
        except TypeError:
            raise TypeError(f"{fn}(): argument '{name}' (position {position}) must be tuple of ints, but found "
                            f"element of type {dtypes.type_name(s)} at pos {pos}") from None
    return tuple(sizes)


def size_keyword(kw: dict, fn: str, name: str = "size"):
    """The keyword form of a size argument (size=, shape=, dims=, ...), from a function's **kw; any other keyword is
    Python's TypeError."""
    unknown = set(kw) - {name}
    if unknown:
        raise TypeError(f"{fn}() got an unexpected keyword argument '{min(unknown)}'")
    return kw.get(name)


def new_size_arg(args: tuple, fn: str, name: str = "size", position: int = 1, keyword=None) -> tuple:
    """The size of a new tensor (zeros, rand, new_ones, ...): size_arg, with no negative sizes."""
    sizes = size_arg(args, fn, name, position, keyword)
    for s in sizes:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: {list(sizes)} ({fn}: dimension "
                               "sizes must be non-negative)")
    return sizes


def dtype_arg(dtype, default=None):
    """A dtype= argument: None -> default (None, or e.g. the default float dtype), else dtypes.to_dtype."""
    return default if dtype is None else dtypes.to_dtype(dtype)
