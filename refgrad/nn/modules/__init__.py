"""refgrad.nn.modules: mirrors torch.nn.modules (Module, the containers; the layers come in later files)."""
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .module import Module

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
