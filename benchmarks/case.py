"""One row of the matrix: a step that each implementation builds from the same seeded data, the targets refgrad's
time is held to, and how closely the implementations' results must agree.

A case module never imports torch (or refgrad) at its top: ``build`` imports only the library the implementation
needs, so a worker process for refgrad or NumPy never loads torch (its OpenMP threads slow refgrad, issue #13)."""
from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

REFGRAD, NUMPY, TORCH = "refgrad", "numpy", "torch"


@dataclass(frozen=True)
class Case:
    group: str  # the table the case appears in ("seed net", "MLP", "per-op", "models", "optimizer step")
    name: str  # unique across the matrix
    build: Callable[[str], Callable[[], object]]  # implementation name -> a step; a step returns what is compared
    implementations: tuple[str, ...]
    targets: dict[str, float]  # baseline implementation -> the largest refgrad/baseline ratio aimed at
    rtol: float
    atol: float = 0.0  # as a fraction of each compared array's largest magnitude (gradients' scales differ)
    quick: bool = False  # part of --quick
    compare: bool = True  # False for random steps (dropout): timed only
    ops_per_call: int = 1  # a per-op case's step repeats its op this often; the table shows time per op
    warmups: int = 2  # calls before timing; stateful steps compare all of them (gradients included)

    @property
    def unit(self) -> str:
        return "µs per op" if self.ops_per_call > 1 else "ms per step"


def library(implementation: str):
    """The module an autograd implementation runs on ("torch math" is torch with its math SDPA backend;
    "refgrad@<commit>" is refgrad imported from another checkout, ``--against``)."""
    return importlib.import_module(implementation.split()[0].split("@")[0])


def dtype_name(dtype) -> str:
    return np.dtype(dtype).name


def as_arrays(result) -> list[np.ndarray]:
    """A step's result (a loss, or a list of outputs and gradients, in either library) as NumPy arrays, copied: a
    later step updates parameters in place."""
    items = result if isinstance(result, list | tuple) else [result]
    return [np.array(item.detach().numpy() if hasattr(item, "detach") else item, dtype=np.float64) for item in items]


def assert_agree(got: list[np.ndarray], want: list[np.ndarray], rtol: float, atol: float, what: str) -> None:
    if len(got) != len(want):
        raise AssertionError(f"{what}: {len(got)} results against {len(want)}")
    for i, (g, w) in enumerate(zip(got, want)):
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol * float(np.max(np.abs(w), initial=0.0)),
                                   err_msg=f"{what}, result {i}")
