"""refgrad.nn.utils.convert_parameters: mirrors torch.nn.utils.convert_parameters (parameters_to_vector,
vector_to_parameters). refgrad has one device, so torch's same-device check has nothing to check."""
from __future__ import annotations

from collections.abc import Iterable

from ...ops.shape import cat
from ...tensor import Tensor
from ..modules.module import _typename

__all__ = ["parameters_to_vector", "vector_to_parameters"]


def parameters_to_vector(parameters: Iterable[Tensor]) -> Tensor:
    """torch.nn.utils.parameters_to_vector: the parameters flattened (``view(-1)``, so a non-contiguous one raises
    view's error, as torch's) and concatenated into one new vector, in the graph (the vector's gradient flows back to
    the parameters); dtypes promote as torch.cat's. No parameters: torch.cat's ValueError."""
    return cat([param.view(-1) for param in parameters])


def vector_to_parameters(vec: Tensor, parameters: Iterable[Tensor]) -> None:
    """torch.nn.utils.vector_to_parameters: each parameter's ``.data`` becomes the next ``numel`` elements of ``vec``
    viewed as the parameter's shape, so afterwards the parameters share ``vec``'s memory (and dtype), as torch's. A
    ``vec`` too short for a parameter raises view's RuntimeError; elements left over are ignored, as torch's."""
    if not isinstance(vec, Tensor):
        raise TypeError(f"expected torch.Tensor, but got: {_typename(vec)}")
    pointer = 0
    for param in parameters:
        num_param = param.numel()
        piece = vec[pointer:pointer + num_param].view_as(param)
        # torch's Tensor.data setter refuses an integer tensor for a parameter that requires grad
        if param.requires_grad and not piece.is_floating_point():
            raise RuntimeError("data set to a tensor that requires gradients must be floating point or complex dtype")
        param.data = piece.data
        pointer += num_param
