"""refgrad.nn: mirrors torch.nn."""
from . import functional  # noqa: F401
