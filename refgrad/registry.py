"""The one declaration of every public name, written beside its definition.

    @public(method=True, inplace=True, aliases=("absolute",))
    def abs(input): ...                       # refgrad.abs, refgrad.absolute, x.abs(), x.abs_(), x.absolute_()

    @public(namespace="nn.functional", also=("relu",), method=True, inplace=True)
    def relu(input, inplace=False): ...       # refgrad.nn.functional.relu, refgrad.relu, x.relu(), x.relu_()

    @public(namespace="Tensor")
    def view(input, *shape): ...              # a method only: x.view(2, 3)

A declaration says where the function lives (``namespace``: "" for ``torch.*``, "nn.functional", "linalg",
"special", or "Tensor" for a method with no function form), its aliases in that namespace, its placements in
other namespaces (``also``, qualified names such as "relu" or "special.expit"), whether it is a Tensor method
(``method=True``: ``x.f(*a)`` is ``f(x, *a)``; or the method's own function where the tensor is not the first
argument, as ``x.where(cond, y)``; ``varargs=True``: the method also takes a size or dims sequence as separate
ints, ``x.reshape(3, 2)``, where the function takes one sequence) and whether ``x.f_()`` exists (``inplace``).
refgrad's namespaces, the Tensor methods, ``python -m oracle coverage`` and the tests' lists of ops all read these
declarations; nothing keeps a second list. This module imports nothing of refgrad, so every layer may declare.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property

NAMESPACES = ("", "nn.functional", "linalg", "special", "Tensor")


@dataclass(frozen=True)
class Declaration:
    name: str
    fn: Callable
    namespace: str = ""
    aliases: tuple = ()
    also: tuple = ()  # qualified names elsewhere ("relu", "special.expit") bound to the same function
    method: bool | Callable = False
    inplace: bool | Callable = False  # a callable: what x.f_(...) computes, where it differs from f(x, ...)
    varargs: bool = False  # the method also takes its sequence argument as separate ints: x.reshape(3, 2)

    @property
    def qualified(self) -> str:
        """The canonical torch name: "exp", "nn.functional.relu", "linalg.vector_norm", "Tensor.view"."""
        return f"{self.namespace}.{self.name}" if self.namespace else self.name

    @property
    def module(self) -> str:
        """The module that defines it ("refgrad.ops.unary"): its family."""
        return self.fn.__module__

    @cached_property
    def method_fn(self) -> Callable | None:
        """What ``Tensor.<name>`` is bound to, or None when the name is no method."""
        if self.namespace == "Tensor" or self.method is True:
            return _packing_varargs(self.fn) if self.varargs else self.fn
        return self.method or None

    def placements(self) -> list[str]:
        """Every qualified name of the function: the canonical one, its aliases, the ``also`` placements."""
        prefix = f"{self.namespace}." if self.namespace else ""
        return [self.qualified, *(prefix + a for a in self.aliases), *self.also]


_declarations: dict[str, Declaration] = {}


def public(fn: Callable | None = None, *, name: str | None = None, namespace: str = "", aliases=(), also=(),
           method: bool | Callable = False, inplace: bool | Callable = False, varargs: bool = False):
    """Declares ``fn`` public (see the module docstring); usable as ``@public`` or ``@public(...)``."""

    def declare(f):
        d = Declaration(name or f.__name__, f, namespace, tuple(aliases), tuple(also), method, inplace, varargs)
        if d.namespace not in NAMESPACES:
            raise ValueError(f"{d.qualified}: namespace must be one of {NAMESPACES}, got {namespace!r}")
        if d.inplace and d.method_fn is None:
            raise ValueError(f"{d.qualified}: an in-place form x.{d.name}_() needs a method form")
        for q in d.placements():
            if q in _taken():
                raise ValueError(f"{q} is declared twice (by {_owner(q).fn.__module__} and {f.__module__})")
        _declarations[d.qualified] = d
        return f

    return declare(fn) if fn is not None else declare


def _packing_varargs(fn: Callable) -> Callable:
    """The method form of ``fn(input, sizes)`` that torch's methods have: ``x.f(3, 2)`` is ``f(x, (3, 2))``, and
    ``x.f((3, 2))``, ``x.f([3, 2])``, ``x.f(sizes=...)`` pass through (torch.reshape(x, 3, 2) itself is refused)."""

    def method(self, *args, **kwargs):
        if len(args) == 1 and isinstance(args[0], (tuple, list)) or not args:
            return fn(self, *args, **kwargs)
        return fn(self, args, **kwargs)

    method.__name__, method.__qualname__, method.__doc__ = fn.__name__, f"Tensor.{fn.__name__}", fn.__doc__
    return method


def _taken() -> set:
    return {q for d in _declarations.values() for q in d.placements()}


def _owner(qualified: str) -> Declaration:
    return next(d for d in _declarations.values() if qualified in d.placements())


def declarations() -> list[Declaration]:
    """Every declaration made so far (import refgrad first to have them all), in declaration order."""
    return list(_declarations.values())


def lookup(qualified: str) -> Declaration | None:
    """The declaration owning a qualified name (canonical, alias or ``also`` placement), or None."""
    return next((d for d in _declarations.values() if qualified in d.placements()), None)


def namespace(ns: str) -> dict[str, Callable]:
    """name -> function for every public name in namespace ns ("" is refgrad's top level)."""
    prefix = f"{ns}." if ns else ""
    out = {}
    for d in _declarations.values():
        for q in d.placements():
            rest = q[len(prefix):] if q.startswith(prefix) else None
            if rest and "." not in rest and (ns or "." not in q):
                out[rest] = d.fn
    return out


def tensor_methods() -> dict[str, Callable]:
    """name -> function bound as ``Tensor.name`` (aliases of a method are methods too)."""
    return {n: d.method_fn for d in _declarations.values() if d.method_fn is not None for n in (d.name, *d.aliases)}


def inplace_methods() -> dict[str, Callable]:
    """name -> the out-of-place function that ``Tensor.name_`` computes into its tensor (the declaration's
    ``inplace`` callable where it has one, else the function itself)."""
    return {n: d.fn if d.inplace is True else d.inplace for d in _declarations.values() if d.inplace
            for n in (d.name, *d.aliases)}
