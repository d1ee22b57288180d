"""refgrad.nn.modules: mirrors torch.nn.modules. One file per family, named as torch's; each lists its modules in
``__all__``. No math lives here: a module holds parameters and buffers and calls refgrad.nn.functional."""
import importlib

from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .module import Module

FAMILIES = ("activation", "loss", "distance", "dropout", "padding", "flatten", "linear", "sparse",
            "conv", "fold", "pixelshuffle", "upsampling", "pooling", "batchnorm", "normalization", "instancenorm",
            "rnn", "attention", "transformer")

__all__ = ["Module", "Sequential", "ModuleList", "ModuleDict", "ParameterList", "ParameterDict"]
for _name in FAMILIES:
    _family = importlib.import_module(f"{__package__}.{_name}")
    globals().update({n: getattr(_family, n) for n in _family.__all__})
    __all__ += _family.__all__
