"""refgrad.nn.functional: mirrors torch.nn.functional. Its names are the ones its families declare (one module
per family, named as torch's docs group them)."""
from . import (  # noqa: F401
    activation,
    attention,
    conv,
    distance,
    dropout,
    encoding,
    linear,
    loss,
    margin,
    normalization,
    padding,
    pooling,
    sparse,
    vision,
)
from ...registry import namespace as _namespace

globals().update(_namespace("nn.functional"))
__all__ = sorted(_namespace("nn.functional"))
