"""OpSpec: everything the oracle needs to know about one op, declared once.

    OpSpec("exp", cases=unary_cases(REAL))
    OpSpec("log", cases=unary_cases(POSITIVE))
    OpSpec("sum", cases=reduction_cases(), variant="dim")

``cases(dtype)`` is a Hypothesis strategy of ``Case``s: positional args and kwargs in which every ndarray
becomes a tensor (refgrad or torch) and everything else passes through unchanged. The refgrad and torch
callables default to the same dotted name on each library ("exp", "nn.functional.relu", "Tensor.view").
"""
from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .tolerances import Tol, default

ALL_CHECKS = ("forward", "vjp_torch", "vjp_numeric", "jvp", "double_backward")
FORWARD_ONLY = ("forward",)
CHECK_DTYPES = {"forward": ("float32", "float64"), "vjp_torch": ("float32", "float64"),
                "vjp_numeric": ("float64",), "jvp": ("float64",), "double_backward": ("float64",),
                "kinks": ("float32", "float64"), "method": ("float64",), "inplace": ("float64",),
                "alias": ("float64",), "mutation": ("float64",), "extremes": ("float32", "float64")}
# the values the extremes check writes into float inputs, by name (a spec may leave one out, saying why)
EXTREME_VALUES = ("nan", "inf", "-inf", "0.0", "-0.0", "max", "subnormal", "-huge")


class RarelyDrawn(str):
    """A known failure's reason (in ``known_failures``) for a defect that the ci profile's examples do not reliably
    reach, so that a strict xfail would pass there: it runs as a non-strict xfail, failing visibly (an xfail, and a
    failing row in the report) wherever it is drawn."""


def known_failure_marks(reason: str, raises=None) -> list:
    """The pytest marks of a check that KNOWN_FAILURES names (none for ""): an xfail, strict under a derandomized
    profile (ci: fixing refgrad turns it into a failure that asks for the entry's removal) unless RarelyDrawn. Under
    a random profile (dev, thorough) a defect its draws miss is no sign of a fix, so the xfail is not strict there."""
    if not reason:
        return []
    import pytest
    from hypothesis import settings

    strict = bool(settings.default.derandomize) and not isinstance(reason, RarelyDrawn)
    return [pytest.mark.xfail(strict=strict, raises=raises, reason=f"known refgrad defect: {reason}")]


@dataclass
class ErrorCase:
    """A bad input: ``op(*args, **kwargs)`` must raise in torch, and in refgrad with the same exception class and
    a message containing every fragment (the offending shape, dtype, value or argument name). ndarrays (any dtype,
    nested in lists too) become tensors of each library, NumPy dtypes become each library's dtype; everything
    else (numbers, lists, None, strings) is passed as it is. ``fragments=SAME_MESSAGE`` requires torch's message
    itself."""

    id: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    fragments: tuple | str = ()


SAME_MESSAGE = "same message as torch"


@dataclass
class Case:
    args: tuple
    kwargs: dict = field(default_factory=dict)

    def leaves(self) -> list[np.ndarray]:
        """Every ndarray in args (nested lists included) then kwargs, in a fixed order."""
        out: list[np.ndarray] = []
        _walk(self.args, out.append)
        _walk([self.kwargs[k] for k in sorted(self.kwargs)], out.append)
        return out

    def build(self, convert: Callable[[int, np.ndarray], Any]) -> tuple[list, dict]:
        """args, kwargs with the i-th leaf replaced by convert(i, leaf)."""
        counter = iter(range(10**9))
        args = _rebuild(list(self.args), lambda a: convert(next(counter), a))
        kw_values = _rebuild([self.kwargs[k] for k in sorted(self.kwargs)], lambda a: convert(next(counter), a))
        return args, dict(zip(sorted(self.kwargs), kw_values))

    def shapes(self) -> str:
        return ";".join("x".join(map(str, a.shape)) or "()" for a in self.leaves())

    def params(self) -> str:
        parts = [_short(a) for a in self.args if not isinstance(a, (np.ndarray, list, tuple))]
        parts += [f"{k}={_short(v)}" for k, v in sorted(self.kwargs.items()) if not isinstance(v, np.ndarray)]
        return ", ".join(parts)

    def example(self, limit: int = 24) -> str:
        """The values themselves when small enough to reproduce from the record."""
        leaves = self.leaves()
        if sum(a.size for a in leaves) > limit:
            return ""
        return "; ".join(np.array2string(a, separator=",", precision=17, floatmode="unique").replace("\n", "")
                         for a in leaves)


def _short(v) -> str:
    return str(v) if not isinstance(v, np.dtype) else v.name


def _walk(obj, visit):
    if isinstance(obj, np.ndarray):
        visit(obj)
    elif isinstance(obj, (list, tuple)):
        for o in obj:
            _walk(o, visit)


def _rebuild(obj, convert):
    if isinstance(obj, np.ndarray):
        return convert(obj)
    if isinstance(obj, (list, tuple)):
        return type(obj)(_rebuild(o, convert) for o in obj)
    return obj


def resolve(root, dotted: str) -> Callable:
    """'exp' -> root.exp; 'nn.functional.relu' -> root.nn.functional.relu; 'Tensor.view' -> the method."""
    if dotted.startswith("Tensor."):
        method = dotted.split(".", 1)[1]
        return lambda x, *a, **k: getattr(x, method)(*a, **k)
    return operator.attrgetter(dotted)(root)


@dataclass
class OpSpec:
    op: str  # the public refgrad name
    cases: Callable[[np.dtype], Any]  # dtype -> strategy of Case
    variant: str = ""
    ref: Callable | None = None
    torch: Callable | None = None
    grad_args: tuple | None = None  # leaf positions that get gradients; default: every float leaf
    checks: tuple = ALL_CHECKS
    kink_cases: Callable[[np.dtype], Any] | None = None  # points at kinks/ties: adds the "kinks" check
    tolerances: dict = field(default_factory=dict)  # {(check, dtype name): Tol(rtol, atol, reason)}
    family: str = ""
    notes: str = ""
    error_cases: tuple = ()  # ErrorCases: bad inputs and what refgrad must say about them
    # {check or (check, dtype name): reason}: a check that fails because refgrad is wrong (it runs as a strict
    # xfail, so that fixing refgrad turns it into a failure that asks for this entry's removal)
    known_failures: dict = field(default_factory=dict)
    # {extreme value name: reason}: values the extremes check leaves out for this op (torch disagrees with itself)
    extreme_skip: dict = field(default_factory=dict)

    def __post_init__(self):
        for what, reasons in (("known_failures", self.known_failures), ("extreme_skip", self.extreme_skip)):
            for key, reason in reasons.items():
                if not reason:
                    raise ValueError(f"{self.id}: {what}[{key!r}] must say why")
        unknown = set(self.extreme_skip) - set(EXTREME_VALUES)
        if unknown:
            raise ValueError(f"{self.id}: extreme_skip names {sorted(unknown)}, not among {EXTREME_VALUES}")
        ids = [e.id for e in self.error_cases]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: duplicate error case ids {sorted({i for i in ids if ids.count(i) > 1})}")
        for (check, dtype), tol in self.tolerances.items():
            if tol.looser_than(default(check, dtype)) and not tol.reason:
                raise ValueError(f"{self.id}: tolerance for {check}/{dtype} is looser than the default and must "
                                 f"say why (Tol(..., reason=...))")
        if self.kink_cases is not None and "kinks" not in self.checks:
            self.checks = (*self.checks, "kinks")

    def declaration(self):
        """refgrad's declaration of this spec's op when the spec calls it as declared (no ref of its own), else
        None: the variant checks (method, in-place, alias forms) derive from it."""
        import refgrad

        return None if self.ref is not None else refgrad.registry.lookup(self.op)

    def mutates_input(self) -> bool:
        """torch's convention: a trailing underscore (relu_) writes into its input."""
        return self.op.rsplit(".", 1)[-1].endswith("_")

    def all_checks(self) -> tuple:
        """The declared checks, then those derived for every spec, then the variant checks its declaration
        allows (no list of ops is kept anywhere: adding a spec or a declaration adds these tests)."""
        derived = ["extremes"] + ([] if self.mutates_input() else ["mutation"])
        d = self.declaration()
        if d is not None and d.qualified == self.op:
            if d.method_fn is d.fn:
                derived.append("method")
            if d.inplace:
                derived.append("inplace")
            if len(d.placements()) > 1:
                derived.append("alias")
        return (*self.checks, *derived)

    def known_failure(self, check: str, dtype: str) -> str:
        """The reason this check is known to fail in this dtype, or ""."""
        return self.known_failures.get((check, dtype)) or self.known_failures.get(check, "")

    @property
    def id(self) -> str:
        return f"{self.op}[{self.variant}]" if self.variant else self.op

    def tol(self, check: str, dtype: str) -> Tol:
        return self.tolerances.get((check, dtype), default(check, dtype))

    def refgrad_fn(self) -> Callable:
        import refgrad

        return self.ref or resolve(refgrad, self.op)

    def torch_fn(self) -> Callable:
        import torch

        return self.torch or resolve(torch, self.op)

    def strategy(self, dtype: np.dtype, kinks: bool = False):
        """The (cached) Hypothesis strategy of Cases for dtype: regular points, or kink/tie points."""
        cache = self.__dict__.setdefault("_strategies", {})
        key = (np.dtype(dtype), kinks)
        if key not in cache:
            cache[key] = (self.kink_cases if kinks else self.cases)(np.dtype(dtype))
        return cache[key]

    def grad_leaves(self, case: Case) -> list[int]:
        leaves = case.leaves()
        chosen = range(len(leaves)) if self.grad_args is None else self.grad_args
        return [i for i in chosen if leaves[i].dtype.kind == "f"]
