"""refgrad.linalg: mirrors torch.linalg for the functions refgrad implements (declared ``namespace="linalg"``)."""
from . import ops  # noqa: F401  (declares the names)
from .registry import namespace as _namespace

globals().update(_namespace("linalg"))
__all__ = sorted(_namespace("linalg"))
