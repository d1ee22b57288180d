"""The op families. Each module lists its public functions in ``__all__`` and, optionally, which of them
are Tensor methods (``TENSOR_METHODS``, plus ``METHOD_FUNCTIONS`` for methods that take their tensor
elsewhere than first) and which have an in-place ``x.f_()`` form (``INPLACE_METHODS``).
refgrad/__init__ re-exports them; _tensor_methods binds the methods."""
from __future__ import annotations

import importlib

FAMILIES = (
    "refgrad.ops.unary", "refgrad.ops.binary", "refgrad.ops.ternary", "refgrad.ops.comparison",
    "refgrad.ops.reduction", "refgrad.ops.scan", "refgrad.ops.shape", "refgrad.ops.indexing",
    "refgrad.ops.linalg", "refgrad.nn.functional.activation", "refgrad.nn.functional.loss",
    "refgrad.nn.functional.padding", "refgrad.nn.functional.encoding",
)


def family_modules():
    return [importlib.import_module(name) for name in FAMILIES]


def _prefix(module) -> str:
    """Where torch has the function: refgrad.nn.functional.* -> 'nn.functional.', refgrad.ops.* -> ''."""
    return "nn.functional." if module.__name__.startswith("refgrad.nn.functional") else ""


def public_functions() -> dict:
    """The torch-level functions (torch.<name>): refgrad re-exports these at its top level."""
    return {name: getattr(m, name) for m in family_modules() if not _prefix(m) for name in getattr(m, "__all__", ())}


def qualified_public_functions() -> dict:
    """Every public op under its torch name: 'exp', 'nn.functional.relu', 'Tensor.view' (method-only)."""
    out = {}
    for m in family_modules():
        names = getattr(m, "__all__", ())
        out.update({_prefix(m) + n: getattr(m, n) for n in names})
        out.update({"Tensor." + n: getattr(m, n) for n in getattr(m, "TENSOR_METHODS", ()) if n not in names})
        out.update({"Tensor." + n: f for n, f in getattr(m, "METHOD_FUNCTIONS", {}).items()})
    return out


def tensor_methods() -> dict:
    """name -> function bound as Tensor.name: TENSOR_METHODS (x.f(...) is f(x, ...)) and METHOD_FUNCTIONS
    (methods whose tensor is not the op's first argument, e.g. x.where(condition, y))."""
    out = {}
    for m in family_modules():
        out.update({n: getattr(m, n) for n in getattr(m, "TENSOR_METHODS", ())})
        out.update(getattr(m, "METHOD_FUNCTIONS", {}))
    return out


def _collect(attr: str) -> list:
    return [n for m in family_modules() for n in getattr(m, attr, ())]


def __getattr__(attr):  # TENSOR_METHODS / INPLACE_METHODS, gathered lazily (families import each other)
    if attr in ("TENSOR_METHODS", "INPLACE_METHODS"):
        return _collect(attr)
    raise AttributeError(attr)
