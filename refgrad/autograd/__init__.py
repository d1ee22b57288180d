"""refgrad.autograd: the engine (backward, grad), grad modes and the Function base of every op."""
from .engine import backward, grad
from .function import Context, Function, Node
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled

__all__ = ["backward", "grad", "Function", "Context", "Node", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled"]
