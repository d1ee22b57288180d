"""refgrad.special: mirrors torch.special for the functions refgrad implements (placed ``also=("special.<name>",)``
beside their definitions)."""
from . import ops  # noqa: F401  (declares the names)
from .registry import namespace as _namespace

globals().update(_namespace("special"))
__all__ = sorted(_namespace("special"))
