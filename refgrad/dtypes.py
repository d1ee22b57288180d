"""dtypes, the default dtype and torch's type-promotion rules.

refgrad dtypes are plain NumPy dtypes, so ``t.dtype == refgrad.float32`` and ``np.asarray(t).dtype``
agree. Promotion follows torch (not NumPy): float32 with int64 stays float32, and a Python scalar or a
0-d tensor only raises the *category* (bool < integer < floating) of a result, never its width.
"""
from __future__ import annotations

import builtins

import numpy as np

float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)
float16 = np.dtype(np.float16)
int64 = np.dtype(np.int64)
int32 = np.dtype(np.int32)
int16 = np.dtype(np.int16)
int8 = np.dtype(np.int8)
uint8 = np.dtype(np.uint8)
bool = np.dtype(np.bool_)  # noqa: A001 - torch.bool
# torch's aliases
float = float32  # noqa: A001
double = float64
half = float16
long = int64
int = int32  # noqa: A001

_default_float = float32


# torch's names for its scalar types, as its messages print them ("Float", "Long", "torch.FloatTensor")
_TORCH_SCALAR_NAMES = {"float16": "Half", "float32": "Float", "float64": "Double", "int8": "Char", "int16": "Short",
                       "int32": "Int", "int64": "Long", "uint8": "Byte", "bool": "Bool"}
SUPPORTED = frozenset(np.dtype(name) for name in _TORCH_SCALAR_NAMES)
# the C++ types torch's "value cannot be converted to type int64_t without overflow" names
_CPP_TYPE_NAMES = {"float16": "c10::Half", "float32": "float", "float64": "double", "int8": "int8_t",
                   "int16": "int16_t", "int32": "int32_t", "int64": "int64_t", "uint8": "uint8_t", "bool": "bool"}


def scalar_type_name(dtype) -> str:
    """torch's ScalarType name of a dtype ('Float', 'Double', 'Long', ...), as torch's messages print it."""
    name = np.dtype(dtype).name
    return _TORCH_SCALAR_NAMES.get(name, name)


def tensor_type_name(dtype) -> str:
    """torch's legacy tensor-type name of a dtype ('torch.FloatTensor', 'torch.LongTensor', ...)."""
    return f"torch.{scalar_type_name(dtype)}Tensor"


def type_name(x) -> str:
    """The name torch's argument parser gives a Python object's type: 'float', 'Tensor', 'numpy.ndarray'."""
    cls = type(x)
    if cls.__module__ == "builtins" or cls.__name__ in ("Tensor", "Parameter"):
        return cls.__name__
    return f"{cls.__module__.split('.')[0]}.{cls.__name__}"


def to_dtype(dtype) -> np.dtype:
    """A dtype argument -> its NumPy dtype: a refgrad/NumPy dtype, a NumPy dtype name, a torch.dtype, or a Python
    type (float -> float64, int -> int64, bool -> bool, as torch). refgrad's dtypes are NumPy's, so NumPy's
    spellings are accepted too (torch takes only torch.dtype); anything outside torch's dtypes is torch's
    TypeError."""
    if type(dtype) is np.dtype and dtype in SUPPORTED:  # the common case, first
        return dtype
    if dtype is builtins.int:  # np.dtype(int) is the platform's C long
        return int64
    if type(dtype).__module__.startswith("torch"):  # a torch.dtype, e.g. torch.float64
        dtype = str(dtype).rsplit(".", 1)[-1]
    try:
        converted = np.dtype(dtype)
    except TypeError:
        converted = None
    if converted not in SUPPORTED:
        raise TypeError(f"argument 'dtype' must be torch.dtype, not {type_name(dtype)} ({dtype!r} is not one of "
                        f"refgrad's dtypes: {', '.join(_TORCH_SCALAR_NAMES)})")
    return converted


def checked_scalar(value, dtype: np.dtype, type_name: str | None = None) -> np.ndarray:
    """A Python or NumPy number as a 0-d array of dtype, refusing, as torch's checked conversion of a fill value
    does, a value the dtype cannot hold: NaN, ±inf or an out-of-range number into an integer dtype, a finite
    number beyond a float dtype's range (inf stays inf). Floats into integers truncate toward zero and an
    unsigned dtype takes negatives down to -max modulo 2**bits (full((2,), -1, dtype=uint8) is 255), as in torch.
    type_name: how the message names the dtype (torch's fill ops say 'int64_t', its tensor() 'int64')."""
    if dtype.kind == "b":
        return np.asarray(builtins.bool(value))
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        low = -builtins.int(info.max) if dtype.kind == "u" else builtins.int(info.min)
        if low <= value <= builtins.int(info.max):  # False for NaN
            return np.asarray(builtins.int(value)).astype(dtype)  # int(): truncation, exact for Python ints
    elif not abs(value) > builtins.float(np.finfo(dtype).max) or np.isinf(value):  # NaN and ±inf convert
        return np.asarray(value, dtype)
    raise RuntimeError(f"value cannot be converted to type {type_name or _CPP_TYPE_NAMES[dtype.name]} without "
                       f"overflow (value {value!r})")


def set_default_dtype(dtype) -> None:
    """Mirrors torch.set_default_dtype: only float32 and float64 are accepted."""
    global _default_float
    dtype = to_dtype(dtype)
    if dtype not in (float32, float64):
        raise TypeError(f"only floating-point types are supported as the default type, got {dtype}")
    _default_float = dtype


def get_default_dtype() -> np.dtype:
    return _default_float


def is_floating_point(dtype: np.dtype) -> builtins.bool:
    return dtype.kind == "f"


def category(dtype: np.dtype) -> builtins.int:
    """0 bool, 1 integer, 2 floating: the order in which torch lets a lower-priority operand promote."""
    return 2 if dtype.kind == "f" else 0 if dtype.kind == "b" else 1


def promote_types(a: np.dtype, b: np.dtype) -> np.dtype:
    """torch.promote_types: the higher category wins outright; within one, the wider dtype."""
    ca, cb = category(a), category(b)
    if ca != cb:
        return a if ca > cb else b
    if ca == 1 and a.kind != b.kind:  # uint8 with a signed int: the NumPy rule is torch's here
        return np.promote_types(a, b)
    return a if a.itemsize >= b.itemsize else b


def _scalar_dtype(x) -> np.dtype:
    if isinstance(x, (builtins.bool, np.bool_)):
        return bool
    if isinstance(x, (builtins.int, np.integer)):
        return int64
    if isinstance(x, (builtins.float, np.floating)):
        return _default_float
    raise TypeError(f"unsupported operand type {type_name(x)}")


def result_type(*operands) -> np.dtype:
    """torch.result_type over tensors and Python scalars.

    Operands rank in three tiers: dimensioned tensors, 0-d tensors, Python scalars. The result's category
    is the highest among all operands; its dtype is the promotion of the highest tier that reaches that
    category (a scalar of that category contributes the default dtype for it).
    """
    tiers: list[list[np.dtype]] = [[], [], []]
    for x in operands:
        dt = getattr(x, "dtype", None)
        if dt is not None and hasattr(x, "ndim"):
            tiers[0 if x.ndim > 0 else 1].append(np.dtype(dt))
        else:
            tiers[2].append(_scalar_dtype(x))
    top = max(category(d) for tier in tiers for d in tier)
    for tier in tiers:
        reaching = [d for d in tier if category(d) == top]
        if reaching:
            out = reaching[0]
            for d in reaching[1:]:
                out = promote_types(out, d)
            return out
    raise AssertionError("unreachable")
