"""refgrad: a NumPy reference implementation of PyTorch's training stack.

Names, signatures and semantics follow torch: ``import refgrad as torch`` reads the same for the ops it
covers. NumPy is the only dependency.
"""
from . import _allocator

_allocator.status = _allocator.keep_freed_memory()  # before any array: see _allocator.py

from . import dtypes as _dtypes  # noqa: E402
from .autograd import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                       set_grad_enabled)
from .dtypes import (bool, double, float, float16, float32, float64, get_default_dtype, half, int, int8, int16,
                     int32, int64, long, promote_types, set_default_dtype, uint8)
from .tensor import Tensor
from .ops.common import broadcast_shapes

from . import autograd, creation, ops, random, registry  # noqa: E402
from . import func, linalg, nn, optim, special  # noqa: E402
from .serialization import load, save  # noqa: E402
from . import _tensor_methods  # noqa: E402

globals().update(registry.namespace(""))  # every op declared at torch's top level (see refgrad.registry)
_tensor_methods.bind()

is_tensor = lambda obj: isinstance(obj, Tensor)  # noqa: E731


def result_type(tensor1, tensor2):
    return _dtypes.result_type(tensor1, tensor2)


def is_floating_point(input: Tensor) -> bool:
    return input.dtype.kind == "f"


def numel(input: Tensor) -> int:
    return input.numel()


__version__ = "0.1.0"
