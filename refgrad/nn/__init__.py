"""refgrad.nn: mirrors torch.nn."""
from . import functional, init  # noqa: F401
from .modules import Module, ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential  # noqa: F401
from .parameter import Parameter  # noqa: F401
