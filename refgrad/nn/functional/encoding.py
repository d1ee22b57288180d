"""torch.nn.functional.one_hot."""
from __future__ import annotations

import numbers

import numpy as np

from ...registry import public
from ...tensor import Tensor


@public(namespace="nn.functional")
def one_hot(tensor, num_classes: int = -1):
    """torch.nn.functional.one_hot: int64 (..., num_classes) with a 1 at each class; no gradient.
    num_classes=-1 uses max + 1."""
    if not isinstance(tensor, Tensor):
        raise TypeError(f"one_hot(): argument 'input' (position 1) must be Tensor, not {type(tensor).__name__}")
    if not isinstance(num_classes, numbers.Integral) or isinstance(num_classes, (bool, np.bool_)):
        raise TypeError(f"one_hot(): argument 'num_classes' must be int, not {type(num_classes).__name__}")
    if tensor.dtype != np.int64:
        raise RuntimeError(f"one_hot is only applicable to index tensor of type LongTensor (got {tensor.dtype}).")
    x = tensor._data
    num_classes = int(num_classes)
    if x.size == 0:
        if num_classes <= 0:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        return Tensor(np.zeros(x.shape + (num_classes,), np.int64))
    if x.min() < 0:
        raise RuntimeError(f"Class values must be non-negative. (got {int(x.min())})")
    if num_classes == -1:
        num_classes = int(x.max()) + 1
    elif x.max() >= num_classes:
        raise RuntimeError(f"Class values must be smaller than num_classes. (got {int(x.max())} with num_classes="
                           f"{num_classes})")
    return Tensor((x[..., None] == np.arange(num_classes)).astype(np.int64))
