"""refgrad.nn: mirrors torch.nn."""
from . import functional, init  # noqa: F401
