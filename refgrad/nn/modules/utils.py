"""What every layer module shares: new parameters and buffers from torch's factory kwargs (device, dtype), and the
``_single`` / ``_pair`` expansion of int-or-tuple arguments (torch.nn.modules.utils)."""
from __future__ import annotations

import math

import numpy as np

from ... import creation, dtypes
from ...tensor import Tensor
from .. import init
from ..parameter import Parameter


def _factory_dtype(device, dtype) -> np.dtype:
    """The dtype of a module's new floating tensors: ``dtype`` or the default; refgrad has only the CPU."""
    if device is not None and str(device) != "cpu":
        raise RuntimeError(f"refgrad has no device {str(device)!r}: only 'cpu' (or None) is accepted")
    return dtypes.get_default_dtype() if dtype is None else dtypes.to_dtype(dtype)


def new_parameter(*shape: int, device=None, dtype=None) -> Parameter:
    """An uninitialized Parameter of ``shape`` (the module's reset_parameters fills it, as torch's)."""
    return Parameter(creation.empty(shape, dtype=_factory_dtype(device, dtype)))


def new_buffer(values, device=None, dtype=None) -> Tensor:
    """A buffer holding ``values`` (array-like) in the factory dtype; integer values keep their int64."""
    array = np.asarray(values)
    if array.dtype.kind == "f":
        array = array.astype(_factory_dtype(device, dtype))
    return Tensor(array.copy())


def init_like_linear(weight: Parameter, bias: Parameter | None) -> None:
    """torch's reset_parameters of Linear and the convolutions: weight ~ kaiming_uniform_(a=√5), i.e.
    U(±1/√fan_in), and bias ~ U(±1/√fan_in) (0 for an empty fan)."""
    init.kaiming_uniform_(weight, a=math.sqrt(5))
    if bias is not None:
        fan_in, _ = init._calculate_fan_in_and_fan_out(weight)
        bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
        init.uniform_(bias, -bound, bound)


def init_uniform_by_size(parameters, size: int) -> None:
    """torch's reset_parameters of the recurrent layers: every parameter ~ U(±1/√size) (0 for size 0)."""
    bound = 1.0 / math.sqrt(size) if size > 0 else 0
    for p in parameters:
        init.uniform_(p, -bound, bound)


def _ntuple(n: int, name: str):
    def expand(value) -> tuple:
        if isinstance(value, (tuple, list)):
            return tuple(value)
        return (value,) * n

    expand.__name__ = name
    return expand


_single = _ntuple(1, "_single")
_pair = _ntuple(2, "_pair")
