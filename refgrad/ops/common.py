"""What every op family shares: operand conversion and promotion, dim wrapping, dtype casts."""
from __future__ import annotations

import numbers
import operator

import numpy as np

from .. import dtypes
from .._grad_state import state as _grad_state
from .._rows import rowwise
from ..arguments import (
    as_tensor_arg,  # noqa: F401 - the op families' tensor-argument check
    tensor_or_number_arg,
)
from ..autograd import Function
from ..autograd.donated import overwritable
from ..autograd.function import expandable, quiet
from ..tensor import Tensor, _wrap_dim

wrap_dim = _wrap_dim


def wrap_dims(dim, ndim: int) -> tuple:
    """dim as None (all), an int or a sequence -> sorted tuple of non-negative dims; repeats raise."""
    if dim is None:
        return tuple(range(ndim))
    if isinstance(dim, (int, np.integer)):
        return (wrap_dim(dim, ndim),)
    dims = tuple(wrap_dim(d, ndim) for d in dim)
    if len(set(dims)) != len(dims):
        raise RuntimeError(f"dim {max(dims, key=dims.count)} appears multiple times in the list of dims")
    return tuple(sorted(dims))


def is_scalar(x) -> bool:
    return isinstance(x, (numbers.Number, np.generic)) and not isinstance(x, Tensor)


def broadcast_shapes(*shapes) -> tuple:
    """torch.broadcast_shapes, with torch's message naming the mismatched sizes."""
    try:
        return np.broadcast_shapes(*shapes)
    except ValueError:
        ndim = max(len(s) for s in shapes)
        padded = [(1,) * (ndim - len(s)) + tuple(s) for s in shapes]
        for d in range(ndim):
            sizes = {p[d] for p in padded} - {1}
            if len(sizes) > 1:
                a, b = [p[d] for p in padded if p[d] != 1][:2]
                raise RuntimeError(
                    f"The size of tensor a ({a}) must match the size of tensor b ({b}) at non-singleton dimension "
                    f"{d} (shapes "
                    f"{', '.join(str(list(s)) for s in shapes)})") from None
        raise


_TENSOR_AND_NUMBER = frozenset([(Tensor, int), (Tensor, float), (int, Tensor), (float, Tensor)])


def elementwise_operands(*operands, float_only: bool = False) -> list[Tensor]:
    """Tensors/ndarrays/Python scalars -> Tensors of torch's result dtype, checked to broadcast together.

    float_only: an op that only has a floating result (div, atan2, ...) lifts integer operands to the
    default float dtype, as torch does.
    """
    if len(operands) == 2:  # the hottest paths: two float tensors of one dtype that broadcast, as they are
        a, b = operands
        kinds = type(a), type(b)
        if kinds == (Tensor, Tensor):
            x, y = a._data, b._data
            dt = x.dtype
            if dt is y.dtype and dt.kind == "f":
                xs, ys = x.shape, y.shape
                if xs == ys or _pair_broadcasts(xs, ys):
                    return [a, b]
        elif kinds in _TENSOR_AND_NUMBER:
            pair = _float_tensor_and_number(a, b, kinds[0] is Tensor)
            if pair is not None:
                return pair
    fast = _same_float_dtype(operands)
    if fast:  # the hot path: float tensors of one dtype with Python numbers (no promotion, no casts)
        tensors = [x if type(x) is Tensor else Tensor._over(np.asarray(x, fast)) for x in operands]
        shapes = [t._data.shape for t in tensors if t._data.ndim]
        if len(shapes) > 1 and any(s != shapes[0] for s in shapes) and not (len(shapes) == 2 and
                                                                             _pair_broadcasts(*shapes)):
            broadcast_shapes(*shapes)  # raises torch's error (or checks three shapes)
        return tensors
    operands = [Tensor(x) if isinstance(x, np.ndarray) else x for x in operands]
    for x in operands:
        if not isinstance(x, Tensor) and not is_scalar(x):
            raise TypeError(f"unsupported operand type {type(x).__name__}: expected a Tensor or a number")
    dt = dtypes.result_type(*operands)
    if float_only and dt.kind != "f":
        dt = dtypes.get_default_dtype()
    tensors = [cast(x, dt) if isinstance(x, Tensor) else Tensor(np.asarray(x, dt)) for x in operands]
    broadcast_shapes(*(t.shape for t in tensors))
    return tensors


def binary_operands(input, other, fn: str, float_only: bool = False, refuse=None) -> list[Tensor]:
    """A binary op's (input, other) as elementwise_operands makes them, each checked first as torch checks fn's
    'Tensor or Number' arguments. Two tensors, or a tensor and a Python number, need no check: the hot path skips
    its two calls. ``refuse(input, other)``, if given, raises for operands the op refuses (sub's bools), after those
    checks and before any promotion, as torch orders them; it is not asked about a float tensor with a float tensor
    of its dtype or with a Python int or float (elementwise_operands' first cases, taken here without its frame)."""
    if type(input) is Tensor and type(other) is Tensor:  # two float tensors of one dtype that broadcast: as they are
        x, y = input._data, other._data
        if x.dtype is y.dtype and x.dtype.kind == "f" and (x.shape == y.shape or _pair_broadcasts(x.shape, y.shape)):
            return [input, other]
    elif (kinds := (type(input), type(other))) in _TENSOR_AND_NUMBER:
        pair = _float_tensor_and_number(input, other, kinds[0] is Tensor)
        if pair is not None:
            return pair
    else:
        input = tensor_or_number_arg(input, "input", 1, fn)
        other = tensor_or_number_arg(other, "other", 2, fn)
    if refuse is not None:
        refuse(input, other)
    return elementwise_operands(input, other, float_only=float_only)


def _float_tensor_and_number(a, b, tensor_first: bool):
    """A float tensor and a Python int or float (lr * grad, x / c, 1 - x), the number as a 0-d tensor of the tensor's
    dtype, as torch computes with it; None for any other tensor."""
    t, number = (a, b) if tensor_first else (b, a)
    dt = t._data.dtype
    if dt.kind != "f":
        return None
    number = Tensor._over(np.asarray(number, dt))
    return [t, number] if tensor_first else [number, t]


def _pair_broadcasts(s: tuple, t: tuple) -> bool:
    """Whether two shapes broadcast together (x @ w + b): np.broadcast_shapes costs several µs in Python."""
    if len(t) < len(s) and s[len(s) - len(t):] == t:  # a trailing match (a bias): the common case, at once
        return True
    for m, n in zip(reversed(s), reversed(t)):
        if m != n and m != 1 and n != 1:
            return False
    return True


def _same_float_dtype(operands):
    """The common dtype when every operand is a float Tensor of that one dtype or a Python int/float."""
    dtype = None
    for x in operands:
        if type(x) is Tensor:
            dt = x._data.dtype
            if dt.kind != "f" or (dtype is not None and dt != dtype):
                return None
            dtype = dt
        elif type(x) not in (int, float):
            return None
    return dtype


class Cast(Function):
    """Tensor.to(dtype): the gradient flows back cast to the source dtype."""

    saves = ()  # backward reads shapes only

    def forward(ctx, x, dtype):
        return x.astype(dtype)

    def vjp(ctx, g):
        return cast(g, ctx.inputs[0].dtype)

    def jvp(ctx, dx):
        return cast(dx, ctx.out.dtype)


def cast(x: Tensor, dtype) -> Tensor:
    dtype = dtypes.to_dtype(dtype)
    return x if x.dtype == dtype else Cast.apply(x, dtype=dtype)



def accumulation_dtype(dtype: np.dtype, float32_to_float64: bool = False) -> np.dtype:
    """The dtype torch's CPU kernels accumulate a reduction or scan of ``dtype`` in: float16 in float32 (torch's
    acc_type), float32 in float64 where the kernel does so (``float32_to_float64``: var/std and the scans),
    anything else in itself."""
    char = dtype.char  # (cheaper than comparing with np.float16, which makes a dtype of it: every reduction asks)
    if char == "e":
        return _FLOAT32
    if char == "f" and float32_to_float64:
        return _FLOAT64
    return dtype


_FLOAT32, _FLOAT64 = np.dtype(np.float32), np.dtype(np.float64)


# ---- temporaries a vjp overwrites instead of allocating another array ----------------------------------------
_UFUNCS = {operator.mul: np.multiply, operator.truediv: np.true_divide, operator.neg: np.negative,
           operator.sub: np.subtract}


def into_temporary(tmp: Tensor, op, *operands) -> Tensor:
    """op(*operands) (operator.mul, truediv, neg or sub), one of which is usually tmp, written into tmp: a
    temporary the calling vjp/jvp made and reads no more. Where no graph is recorded (backward without
    create_graph) nothing else can hold tmp, so a formula such as torch's sqrt vjp ``g / (2·out)`` costs one
    array rather than one per step (NumPy's own temporary elision, which never sees through a Tensor). Where a
    graph is recorded, the recorded op (a double backward differentiates it). Same operations in the same
    order either way, so the same roundings."""
    if _grad_state["record"] or not _fits(tmp, operands):
        return op(*operands)
    _write(_UFUNCS[op], tmp._data, [x._data if type(x) is Tensor else x for x in operands])
    return tmp


@quiet  # inf and nan are values, as in every op's forward
def _write(ufunc, out: np.ndarray, operands: list) -> None:
    if len(operands) == 2 and type(operands[0]) is np.ndarray and type(operands[1]) is np.ndarray:
        rowwise(ufunc, *operands, out=out)
    else:
        ufunc(*operands, out=out)


def into_cotangent(g: Tensor, op, *operands) -> Tensor:
    """op(*operands) as into_temporary computes it, written into the cotangent g where backward donated g to the
    running vjp (autograd/donated.py: nothing else holds it, nothing records): for a vjp's last read of g."""
    if overwritable(g) and _operands_fit(g._data, operands):
        _write(_UFUNCS[op], g._data, [x._data if type(x) is Tensor else x for x in operands])
        return g
    return op(*operands)


def _fits(tmp: Tensor, operands) -> bool:
    """Whether every operand is a Python number or a tensor of tmp's dtype that broadcasts to tmp's shape, and
    tmp owns writeable memory: then the op's result is exactly what writing into tmp gives."""
    data = tmp._data
    if type(tmp) is not Tensor or tmp.grad_fn is not None or not (data.flags.owndata and data.flags.writeable):
        return False
    return _operands_fit(data, operands)


def _operands_fit(data: np.ndarray, operands) -> bool:
    for x in operands:
        if type(x) is Tensor:
            if x._data.dtype != data.dtype or not expandable(x._data.shape, data.shape):
                return False
        elif type(x) not in (int, float):
            return False
    return True

