"""ModuleSpec: everything the oracle needs to know about one nn module, declared once.

    ModuleSpec("Linear", cases=linear_cases)
    ModuleSpec("LSTM", cases=lstm_cases, tolerances={("forward", "float32"): Tol(1e-5, 1e-5, reason="...")})

``cases(dtype)`` is a Hypothesis strategy of ``ModuleCase``s: the constructor's positional args and kwargs, and the
forward call's inputs and kwargs. Every ndarray (nested in tuples and lists too, as LSTM's ``(h0, c0)``) becomes a
tensor of each library; everything else passes through. The harness builds the torch module (seeded), loads its
state_dict into the refgrad twin with ``load_state_dict``, casts both to the check's dtype and compares them (see
oracle/module_checks.py). The module classes default to ``refgrad.nn.<name>`` and ``torch.nn.<name>``.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .spec import Case, resolve
from .tolerances import Tol, default

MODULE_CHECKS = ("state_dict", "forward", "vjp_torch", "double_backward", "init")
MODULE_CHECK_DTYPES = {"state_dict": ("float32", "float64"), "forward": ("float32", "float64"),
                       "vjp_torch": ("float32", "float64"), "double_backward": ("float64",), "init": ("float32",)}
MODES = ("train", "eval")


@dataclass
class ModuleCase:
    """One configuration and one call: ``Module(*args, **kwargs)(*inputs, **forward_kwargs)``."""

    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    inputs: tuple = ()
    forward_kwargs: dict = field(default_factory=dict)

    @property
    def call(self) -> Case:
        """The forward call as an op's Case: its leaves (inputs, then forward kwargs by name), their shapes and
        values come from there."""
        return Case(tuple(self.inputs), self.forward_kwargs)

    def leaves(self) -> list[np.ndarray]:
        return self.call.leaves()

    def build_forward(self, convert: Callable[[int, np.ndarray], Any]) -> tuple[list, dict]:
        """inputs, forward kwargs with the i-th leaf replaced by convert(i, leaf)."""
        return self.call.build(convert)

    def build_constructor(self, convert: Callable[[np.ndarray], Any]) -> tuple[list, dict]:
        """Constructor args, kwargs with ndarrays (a loss's class weights) made tensors by convert."""
        return Case(tuple(self.args), self.kwargs).build(lambda i, a: convert(a))

    def shapes(self) -> str:
        return self.call.shapes()

    def params(self, mode: str = "") -> str:
        forward = self.call.params()
        parts = ([f"mode={mode}"] if mode else []) + [p for p in (Case(tuple(self.args), self.kwargs).params(),) if p]
        return ", ".join(parts + ([f"forward {forward}"] if forward else []))

    def example(self, limit: int = 24) -> str:
        return self.call.example(limit)


@dataclass
class ModuleErrorCase:
    """A bad configuration or a bad call: ``Module(*args, **kwargs)`` must raise in torch and in refgrad alike
    (inputs None), or construct in both and raise at ``module(*inputs, **forward_kwargs)``; same exception class,
    refgrad's message containing every fragment (``SAME_MESSAGE``: torch's message itself)."""

    id: str
    args: tuple = ()
    kwargs: dict = field(default_factory=dict)
    inputs: tuple | None = None
    forward_kwargs: dict = field(default_factory=dict)
    fragments: tuple | str = ()


@dataclass
class ModuleSpec:
    name: str  # refgrad.nn.<name> (and torch.nn.<name>)
    cases: Callable[[np.dtype], Any]  # dtype -> strategy of ModuleCase
    variant: str = ""
    ref: Callable | None = None  # the refgrad module class (or a factory), default refgrad.nn.<name>
    torch: Callable | None = None
    grad_inputs: tuple | None = None  # forward leaf positions that get gradients; default: every float leaf
    checks: tuple = MODULE_CHECKS
    # the modes each check runs in; a module that is random in training (Dropout) runs in eval only, and its
    # training form is checked by structure in its tests (why must be said in modes_reason)
    modes: tuple = MODES
    modes_reason: str = ""
    tolerances: dict = field(default_factory=dict)  # {(check, dtype name): Tol(rtol, atol, reason)}
    family: str = ""
    notes: str = ""
    error_cases: tuple = ()
    known_failures: dict = field(default_factory=dict)  # {check or (check, dtype): reason}: strict xfails

    def __post_init__(self):
        for key, reason in self.known_failures.items():
            if not reason:
                raise ValueError(f"{self.id}: known_failures[{key!r}] must say why")
        if tuple(self.modes) != MODES and not self.modes_reason:
            raise ValueError(f"{self.id}: runs in modes {self.modes} only and must say why (modes_reason)")
        unknown = set(self.checks) - set(MODULE_CHECK_DTYPES)
        if unknown:
            raise ValueError(f"{self.id}: unknown module checks {sorted(unknown)}")
        ids = [e.id for e in self.error_cases]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{self.id}: duplicate error case ids {sorted({i for i in ids if ids.count(i) > 1})}")
        for (check, dtype), tol in self.tolerances.items():
            base = default("forward" if check == "state_dict" else check, dtype)
            if tol.looser_than(base) and not tol.reason:
                raise ValueError(f"{self.id}: tolerance for {check}/{dtype} is looser than the default and must "
                                 f"say why (Tol(..., reason=...))")

    @property
    def id(self) -> str:
        return f"nn.{self.name}[{self.variant}]" if self.variant else f"nn.{self.name}"

    def known_failure(self, check: str, dtype: str) -> str:
        return self.known_failures.get((check, dtype)) or self.known_failures.get(check, "")

    def tol(self, check: str, dtype: str) -> Tol:
        return self.tolerances.get((check, dtype), default(check, dtype))

    def refgrad_module(self) -> Callable:
        import refgrad

        return self.ref or resolve(refgrad, f"nn.{self.name}")

    def torch_module(self) -> Callable:
        import torch

        return self.torch or resolve(torch, f"nn.{self.name}")

    def strategy(self, dtype: np.dtype):
        cache = self.__dict__.setdefault("_strategies", {})
        key = np.dtype(dtype)
        if key not in cache:
            cache[key] = self.cases(key)
        return cache[key]

    def grad_leaves(self, case: ModuleCase) -> list[int]:
        leaves = case.leaves()
        chosen = range(len(leaves)) if self.grad_inputs is None else self.grad_inputs
        return [i for i in chosen if i < len(leaves) and leaves[i].dtype.kind == "f"]
