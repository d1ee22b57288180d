"""Binds ops onto Tensor: the methods and in-place methods their declarations ask for (refgrad.registry), and the
one table that says which op an operator (``x + y``, ``~x``) is."""
from __future__ import annotations

import warnings

import numpy as np

from . import registry
from .ops.common import cast
from .ops.shape import Permute
from .tensor import Tensor


def _reflected(fn):
    return lambda self, other: fn(other, self)


_PLAIN_OPERANDS = frozenset([Tensor, int, float])  # (isinstance's answer for them, at a set lookup's cost)


_TAKE_ALPHA = frozenset([np.add, np.subtract])


def _scaled_update(self, other, kwargs: dict) -> bool:
    """Whether x.add_(other, alpha=a) (or sub_) is an optimizer's plain update: a float tensor, another of its
    shape and dtype, and a Python int or float alpha (any other alpha goes through add's own checks)."""
    data = self._data
    return (len(kwargs) == 1 and type(kwargs.get("alpha")) in (int, float) and type(other) is Tensor
            and data.dtype.kind == "f" and other._data.dtype == data.dtype and other._data.shape == data.shape)


def _inplace(fn, ufunc=None):
    """x.f_(...): with a NumPy ufunc (add, sub, mul, div) and one plain operand, computed into x's storage."""

    def method(self, *args, **kwargs):
        if ufunc is not None and len(args) == 1 and self._data.dtype.kind != "b" and (
                type(args[0]) in _PLAIN_OPERANDS or isinstance(args[0], (Tensor, int, float, np.number))):
            if not kwargs:
                return self._inplace_ufunc(ufunc, args[0])
            if ufunc in _TAKE_ALPHA and _scaled_update(self, args[0], kwargs):  # p.add_(g, alpha=-lr)
                return self._inplace_ufunc(ufunc, args[0], kwargs["alpha"])
        return self._inplace(fn, *args, **kwargs)

    return method


def bind() -> None:
    ns = registry.namespace("")
    # x.f(...) is refgrad.f(x, ...) for every op declared a method
    for name, fn in registry.tensor_methods().items():
        setattr(Tensor, name, fn)
    # in-place variants, refused where a graph is recorded (see Tensor._check_inplace)
    ufuncs = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "div": np.true_divide,
              "true_divide": np.true_divide}
    for name, fn in registry.inplace_methods().items():
        setattr(Tensor, name + "_", _inplace(fn, ufuncs.get(name)))
    operators = {
        "add": "add", "sub": "sub", "mul": "mul", "truediv": "true_divide", "floordiv": "floor_divide",
        "mod": "remainder", "pow": "pow", "matmul": "matmul", "and": "bitwise_and", "or": "bitwise_or",
        "xor": "bitwise_xor",  # torch's & | ^ are bitwise (logical on bool tensors)
    }
    for op, name in operators.items():
        if name in ns:
            setattr(Tensor, f"__{op}__", ns[name])
            # 2 * x is mul(x, 2), as in torch, whose __radd__ and __rmul__ are add and mul: no frame to swap them
            setattr(Tensor, f"__r{op}__", ns[name] if op in ("add", "mul") else _reflected(ns[name]))
            setattr(Tensor, f"__i{op}__", _inplace(ns[name], ufuncs.get(name)))
    for op in ("neg", "abs", "lt", "le", "gt", "ge"):
        setattr(Tensor, f"__{op}__", ns[op])
    eq, ne, bitwise_not = ns["eq"], ns["ne"], ns["bitwise_not"]
    Tensor.__pos__ = lambda self: self
    Tensor.__eq__ = lambda self, other: False if other is None else eq(self, other)  # x == None, as torch
    Tensor.__ne__ = lambda self, other: True if other is None else ne(self, other)
    Tensor.__invert__ = lambda self: bitwise_not(_integral(self))
    # dtype conversions
    Tensor.to = lambda self, *args, dtype=None, **kw: cast(self, _to_dtype_arg(args, dtype, self))
    Tensor.type = lambda self, dtype=None: str(self.dtype) if dtype is None else cast(self, dtype)
    Tensor.type_as = lambda self, other: cast(self, other.dtype)
    for method, dt in {"float": "float32", "double": "float64", "half": "float16", "long": "int64",
                       "int": "int32", "bool": "bool"}.items():
        setattr(Tensor, method, (lambda d: lambda self: cast(self, d))(dt))
    Tensor.T = property(_reversed_dims)
    Tensor.mT = property(_matrix_transpose)


def _reversed_dims(self):
    """Tensor.T: a matrix's transpose (on every x @ w.T, hence the direct Permute); any other rank's dims reversed,
    with torch's deprecation warnings."""
    n = self._data.ndim
    if n == 2:
        return Permute.apply(self, dims=(1, 0))
    if n == 0:
        warnings.warn("Tensor.T is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=2)
    else:
        warnings.warn("The use of `x.T` on tensors of dimension other than 2 to reverse their shape is deprecated and "
                      "it will throw an error in a future release. Consider `x.mT` to transpose batches of matrices "
                      "or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` to reverse the dimensions of a tensor.",
                      UserWarning, stacklevel=2)
    return Permute.apply(self, dims=tuple(range(n - 1, -1, -1)))


def _matrix_transpose(self):
    """Tensor.mT: the last two dims swapped (on every backward of a matmul, hence the direct Permute)."""
    if self.ndim < 2:
        if self.ndim == 1:
            raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. Got 1-D tensor.")
        warnings.warn("Tensor.mT is deprecated on 0-D tensors. This function is the identity in these cases.",
                      UserWarning, stacklevel=2)
        return self
    return Permute.apply(self, dims=(*range(self.ndim - 2), self.ndim - 1, self.ndim - 2))


def _integral(self):
    """~x's operand: integer and bool tensors only, as torch."""
    if self.dtype.kind == "f":
        raise TypeError("~ (operator.invert) is only implemented on integer and Boolean-type tensors "
                        f"(got {self.dtype})")
    return self


def _to_dtype_arg(args, dtype, tensor):
    """x.to(dtype), x.to(other_tensor), x.to('cpu'), x.to('cpu', dtype)."""
    for a in args:
        if isinstance(a, Tensor):
            return a.dtype
        elif not (a is None or isinstance(a, str) and a.startswith("cpu")):  # a device is accepted, ignored
            dtype = a
    return tensor.dtype if dtype is None else dtype
