"""Parameter: mirrors torch.nn.Parameter, a Tensor that a Module registers as one of its parameters."""
from __future__ import annotations

import numpy as np

from .. import dtypes
from ..tensor import Tensor


class Parameter(Tensor):
    """torch.nn.Parameter(data=None, requires_grad=True): a leaf tensor over ``data``'s memory (no copy) that
    requires grad by default. Assigned as a Module attribute it is registered as a parameter. ``data=None`` is an
    empty tensor of the default dtype, as torch's."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad: bool = True):
        if data is None:
            array = np.empty(0, dtype=dtypes.get_default_dtype())
        elif isinstance(data, Tensor):
            array = data._data
        else:
            raise TypeError(f"Parameter(): argument 'data' must be Tensor or None, not {dtypes.type_name(data)}")
        super().__init__(array)
        if isinstance(data, Tensor):
            self._version_counter = data._version_counter  # the same memory: writes to either count for both
        if requires_grad:
            self.requires_grad_(True)

    def __repr__(self):
        return "Parameter containing:\n" + super().__repr__()

    def __deepcopy__(self, memo):
        if id(self) not in memo:
            memo[id(self)] = Parameter(Tensor(self._data.copy()), self.requires_grad)
        return memo[id(self)]

