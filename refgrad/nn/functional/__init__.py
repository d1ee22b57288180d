"""refgrad.nn.functional: mirrors torch.nn.functional. Its names are the ones its families declare."""
from . import activation, encoding, loss, padding  # noqa: F401
from ...registry import namespace as _namespace

globals().update(_namespace("nn.functional"))
__all__ = sorted(_namespace("nn.functional"))
