"""refgrad.autograd: the engine (backward, grad), grad modes and the Function base of every op.

refgrad's packages are layered, each importing only the ones below it (tests/test_layering.py checks it):

    dtypes, _grad_state  ->  tensor (creation, random)  ->  autograd  ->  ops  ->  nn

tensor.py holds the data and the autograd fields (requires_grad, grad, grad_fn, hooks); autograd builds and walks
the graph over them and binds ``Tensor.backward``; ops are Functions and bind the other methods. The engine's one
op, summing a gradient back to the shape it was broadcast from, is ``function.sum_to``. The grad-mode flags sit at
the bottom (``_grad_state``) because tensor.py reads them too.
"""
from .engine import backward, grad
from .function import Context, Function, Node
from .grad_mode import (enable_grad, inference_mode, is_grad_enabled, is_inference_mode_enabled, no_grad,
                        set_grad_enabled)

__all__ = ["backward", "grad", "Function", "Context", "Node", "no_grad", "enable_grad", "set_grad_enabled",
           "inference_mode", "is_grad_enabled", "is_inference_mode_enabled"]
