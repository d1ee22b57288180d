"""OptimizerSpec and SchedulerSpec: what the oracle needs to know about one optimizer or learning-rate schedule.

    OptimizerSpec("SGD", hyperparameters=st.fixed_dictionaries({"lr": LR, "momentum": st.sampled_from([0, 0.9])}))
    SchedulerSpec("StepLR", settings=st.fixed_dictionaries({"step_size": st.integers(1, 10), "gamma": GAMMA}))

An optimizer's checks (oracle/optim_checks.py) draw parameters (shapes, one or two parameter groups with their own
options), a sequence of gradients (a parameter sometimes without one), and the hyperparameters; they run
refgrad's optimizer and torch's side by side and compare the parameters and the whole optimizer state after every
step. A schedule's check steps refgrad's scheduler and torch's, each over its own optimizer, and compares the
learning rates (and momenta) after every step. The classes default to ``refgrad.optim.<name>`` and
``torch.optim.<name>`` (``lr_scheduler.<name>`` for schedules).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from .tolerances import Tol

OPTIMIZER_CHECKS = ("trajectory", "resume")
OPTIMIZER_CHECK_DTYPES = {"trajectory": ("float32", "float64"), "resume": ("float64",)}
SCHEDULER_CHECKS = ("schedule", "resume")
# a trajectory is a long chain of updates: float64 agrees to rounding, float32 to its own (see optim_checks)
OPTIMIZER_TOLERANCES = {"float64": Tol(1e-12, 1e-14), "float32": Tol(1e-5, 1e-6)}
SCHEDULE_TOLERANCE = Tol(1e-12, 1e-15)


def _check_reasons(spec_id: str, known_failures: dict, tolerances: dict, defaults: dict) -> None:
    for key, reason in known_failures.items():
        if not reason:
            raise ValueError(f"{spec_id}: known_failures[{key!r}] must say why")
    for key, tol in tolerances.items():
        if tol.looser_than(defaults[key]) and not tol.reason:
            raise ValueError(f"{spec_id}: tolerance for {key} is looser than the default and must say why")


@dataclass
class OptimizerErrorCase:
    """A bad construction ``Optimizer(params, **kwargs)`` (params: a list of parameter shapes, or "tensor" for a
    bare tensor, or "empty"), or a bad step (``sparse_grad=True``: a sparse gradient given to it): torch's
    exception class, refgrad's message containing every fragment (SAME_MESSAGE: torch's message itself)."""

    id: str
    kwargs: dict = field(default_factory=dict)
    params: Any = ((2, 3),)
    sparse_grad: bool = False
    fragments: tuple | str = ()


@dataclass
class OptimizerSpec:
    name: str
    hyperparameters: Any  # a strategy of constructor kwargs (every option torch accepts, drawn)
    variant: str = ""
    ref: Callable | None = None
    torch: Callable | None = None
    steps: int = 6
    sparse: bool = False  # gradients given as sparse rows (SparseAdam); dense ones are an error case
    closure: bool = False  # step(closure) on a fixed smooth loss (LBFGS) instead of given gradients
    max_groups: int = 2  # parameter groups drawn: 1 for an optimizer that takes only one (LBFGS)
    nonempty: bool = False  # parameters drawn without size-0 dims (where torch's step divides by their size)
    no_float32: str = ""  # why float32 trajectories cannot be compared (then only float64 runs); empty: both run
    # {state key: why}: a work buffer the optimizer rewrites before it reads it, kept in the state as torch keeps it;
    # compared by structure (keys, lengths, shapes, dtypes), its values being intermediates of one step
    scratch_state: dict = field(default_factory=dict)
    checks: tuple = OPTIMIZER_CHECKS
    tolerances: dict = field(default_factory=dict)  # {dtype name: Tol}
    family: str = "optim"
    error_cases: tuple = ()
    known_failures: dict = field(default_factory=dict)

    def __post_init__(self):
        _check_reasons(self.id, self.known_failures, self.tolerances, OPTIMIZER_TOLERANCES)

    @property
    def id(self) -> str:
        return f"optim.{self.name}[{self.variant}]" if self.variant else f"optim.{self.name}"

    def known_failure(self, check: str, dtype: str) -> str:
        return self.known_failures.get((check, dtype)) or self.known_failures.get(check, "")

    def check_dtypes(self, check: str) -> tuple:
        return tuple(d for d in OPTIMIZER_CHECK_DTYPES[check] if not (d == "float32" and self.no_float32))

    def tol(self, dtype: str) -> Tol:
        return self.tolerances.get(dtype, OPTIMIZER_TOLERANCES[dtype])

    def refgrad_class(self) -> Callable:
        import refgrad

        return self.ref or getattr(refgrad.optim, self.name)

    def torch_class(self) -> Callable:
        import torch

        return self.torch or getattr(torch.optim, self.name)


@dataclass
class SchedulerSpec:
    """``settings`` draws the scheduler's kwargs; ``make(lib, optimizer, **settings)`` builds it where the
    constructor needs more than kwargs (LambdaLR's functions, SequentialLR's children); ``metrics`` draws the
    values passed to step() (ReduceLROnPlateau); ``state_keys`` names scheduler attributes compared after every step
    as the lrs are."""

    name: str
    settings: Any
    variant: str = ""
    make: Callable | None = None
    optimizer: str = "SGD"  # the optimizer it schedules (CyclicLR's momentum cycling needs one with momentum)
    optimizer_kwargs: dict = field(default_factory=lambda: {"lr": 0.1, "momentum": 0.9})
    steps: int = 120
    metrics: Any = None
    state_keys: tuple = ()  # scheduler attributes compared after every step too (ReduceLROnPlateau's best ...)
    checks: tuple = SCHEDULER_CHECKS
    tolerance: Tol = SCHEDULE_TOLERANCE
    family: str = "optim.lr_scheduler"
    error_cases: tuple = ()
    known_failures: dict = field(default_factory=dict)

    def __post_init__(self):
        _check_reasons(self.id, self.known_failures, {"float64": self.tolerance}, {"float64": SCHEDULE_TOLERANCE})

    @property
    def id(self) -> str:
        return f"lr_scheduler.{self.name}[{self.variant}]" if self.variant else f"lr_scheduler.{self.name}"

    def known_failure(self, check: str, dtype: str = "float64") -> str:
        return self.known_failures.get((check, dtype)) or self.known_failures.get(check, "")

    def build(self, lib, optimizer, settings: dict):
        if self.make is not None:
            return self.make(lib, optimizer, **settings)
        return getattr(lib.optim.lr_scheduler, self.name)(optimizer, **settings)
