"""The op families, one module each. Importing a family declares its public names (see refgrad.registry)."""
from . import binary, comparison, indexing, linalg, reduction, scan, shape, ternary, unary  # noqa: F401
