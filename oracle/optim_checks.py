"""The optimizer and schedule checks. Each returns one Record.

| check              | compares                                                                          | dtypes   |
|--------------------|-----------------------------------------------------------------------------------|----------|
| trajectory         | refgrad's and torch's parameters and whole optimizer state (every state entry of  | f32, f64 |
|                    | every parameter) after each step, from the same parameters and gradients          |          |
| resume             | torch's state_dict taken mid-way (arrays through np.asarray) loaded into a fresh  | f64      |
|                    | refgrad optimizer, which continues as a fresh torch one loading it does;          |          |
|                    | param_groups equal                                                                |          |
| (closure specs)    | both: each step is step(closure) on the same smooth loss of the parameters,      |          |
|                    | written once for both libraries (see objective_loss), instead of given gradients  |          |
| schedule           | the learning rates (and momenta / betas) after every scheduler step               | f64      |
| resume (schedules) | a scheduler rebuilt mid-way from the other's state_dict continues the sequence    | f64      |

A refgrad call that raises where torch's does not is a failing Record naming the exception; where torch's step
raises (Adafactor on a size-0 parameter divides by zero), refgrad's must raise the same class, and the run ends.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np
from hypothesis import strategies as st

from . import checks as C
from . import metrics
from . import strategies as S
from .optim_spec import OptimizerErrorCase, OptimizerSpec, SchedulerSpec
from .records import Record


# ---- cases --------------------------------------------------------------------------------------------------
@dataclass
class OptimizerCase:
    """Parameters (initial values), their split into parameter groups with each group's own options, the
    constructor's kwargs, and per step one gradient per parameter (None: no gradient that step). A sparse
    gradient is (rows, values). A closure spec's case has ``objective`` (per parameter the curvatures w and centre c
    of its loss term, see objective_loss) and one None per step in ``grads``."""

    initial: list
    groups: list  # lists of parameter indices
    group_options: list  # dicts, one per group
    kwargs: dict
    grads: list = field(default_factory=list)
    objective: list | None = None

    def shapes(self) -> str:
        return ";".join("x".join(map(str, a.shape)) or "()" for a in self.initial)

    def params(self) -> str:
        parts = [f"{k}={v}" for k, v in sorted(self.kwargs.items())]
        parts += [f"group {i} {k}={v}" for i, o in enumerate(self.group_options) for k, v in sorted(o.items())]
        return ", ".join(parts)


def optimizer_cases(spec: OptimizerSpec, dtype: np.dtype):
    """Hypothesis strategy of OptimizerCase for spec in dtype."""

    @st.composite
    def draw(draw_):
        shapes = draw_(st.lists(S.shapes(0, 3, min_side=int(spec.nonempty), max_side=4), min_size=1, max_size=3))
        if spec.sparse:  # sparse row gradients (an embedding's): 2-D parameters with rows
            shapes = [(max(s[0] if s else 1, 1), max(s[1] if len(s) > 1 else 1, 1)) for s in shapes]
        initial = [draw_(S.arrays(dtype, s)) for s in shapes]
        kwargs = draw_(spec.hyperparameters)
        two_groups = spec.max_groups > 1 and len(shapes) > 1 and draw_(st.booleans())
        groups = [[0], list(range(1, len(shapes)))] if two_groups else [list(range(len(shapes)))]
        options = [{}] + ([draw_(spec.hyperparameters)] if two_groups else [])
        if spec.closure:
            rng = np.random.default_rng(draw_(st.integers(0, 2**32 - 1)))
            objective = [_objective_terms(rng, a.size, dtype) for a in initial]
            return OptimizerCase(initial, groups, options, kwargs, [None] * spec.steps, objective)
        grads = []
        for _ in range(spec.steps):
            step = []
            for s in shapes:
                if draw_(st.integers(0, 9)) == 0:
                    step.append(None)
                elif spec.sparse:
                    rows = draw_(st.lists(st.integers(0, s[0] - 1), min_size=0, max_size=4))
                    step.append((np.array(rows, np.int64), draw_(S.arrays(dtype, (len(rows), s[1])))))
                else:
                    step.append(draw_(S.arrays(dtype, s)))
            grads.append(step)
        return OptimizerCase(initial, groups, options, kwargs, grads)

    return draw()


def _objective_terms(rng: np.random.Generator, n: int, dtype) -> tuple[np.ndarray, np.ndarray]:
    """Per-value curvatures w in [1, 3) and a centre c, for one parameter of n values."""
    return (1 + 2 * rng.random(n)).astype(dtype), rng.standard_normal(n).astype(dtype)


def objective_loss(lib, params: list, objective: list):
    """The closure specs' smooth loss, written once for torch and refgrad: for each parameter p (flattened to x),
    with r = x − c, ½ Σ w r² + ¼ Σ r⁴. Its gradient w r + r³ is elementwise, so both libraries compute it to the
    same bits from the same x (no reduction whose order differs), and near the minimum r = 0 without cancellation
    (x − c is exact there). A loss whose gradient cancels O(1) terms or sums in a library-specific order leaves
    rounding noise that LBFGS's curvature pairs 1/(y·s) amplify without bound as it converges."""
    loss = None
    for p, (w, c) in zip(params, objective):
        r = p.reshape(-1) - _tensor(lib.__name__, c)
        square = r * r
        term = 0.5 * (_tensor(lib.__name__, w) * square).sum() + 0.25 * (square * square).sum()
        loss = term if loss is None else loss + term
    return loss


# ---- running both -------------------------------------------------------------------------------------------
def _library(lib: str):
    if lib == "torch":
        import torch

        return torch
    import refgrad

    return refgrad


def _tensor(lib: str, array: np.ndarray):
    return _library(lib).tensor(np.array(array))


def _sparse_grad(lib: str, rows: np.ndarray, values: np.ndarray, shape: tuple):
    if lib == "torch":
        import torch

        return torch.sparse_coo_tensor(torch.from_numpy(rows[None].copy()), torch.from_numpy(values.copy()), shape)
    from refgrad.sparse import SparseRowTensor

    return SparseRowTensor(rows.copy(), values.copy(), shape)


def _options(lib: str, options: dict) -> dict:
    """Hyperparameters for one library: a 0-d array (lr given as a tensor) becomes that library's tensor, in a tuple
    too (Adam's betas as a pair of tensors)."""
    def convert(value):
        if isinstance(value, tuple):
            return tuple(convert(v) for v in value)
        return _tensor(lib, value) if isinstance(value, np.ndarray) else value

    return {k: convert(v) for k, v in options.items()}


class _Run:
    """One library's parameters and optimizer over a case."""

    def __init__(self, spec: OptimizerSpec, case: OptimizerCase, lib: str, initial=None):
        self.lib, self.spec = lib, spec
        module = _library(lib)
        self.params = [module.nn.Parameter(_tensor(lib, a)) for a in (initial or case.initial)]
        groups = [{"params": [self.params[i] for i in idx], **_options(lib, opts)}
                  for idx, opts in zip(case.groups, case.group_options)]
        cls = spec.torch_class() if lib == "torch" else spec.refgrad_class()
        with C._watch(lib):
            self.optimizer = cls(groups, **_options(lib, case.kwargs))
        self.objective = case.objective

    def closure(self):
        """Zeroes the gradients, evaluates the objective, backpropagates it and returns it (what a user writes)."""
        self.optimizer.zero_grad()
        loss = objective_loss(_library(self.lib), self.params, self.objective)
        loss.backward()
        return loss

    def step(self, grads: list | None) -> None:
        if grads is None:  # a closure spec
            with C._watch(self.lib):
                self.optimizer.step(self.closure)
            return
        for p, g in zip(self.params, grads):
            if g is None:
                p.grad = None
            elif isinstance(g, tuple):
                p.grad = _sparse_grad(self.lib, *g, tuple(p.shape))
            else:
                p.grad = _tensor(self.lib, g)
        with C._watch(self.lib):
            self.optimizer.step()

    def arrays(self) -> list[np.ndarray]:
        return [C._array(p) for p in self.params]

    def state(self) -> dict:
        """The optimizer state by parameter index, tensors as arrays; a scratch entry (OptimizerSpec.scratch_state)
        as its structure only: its keys, lengths, shapes and dtypes."""
        state = {k: _plain(v) for k, v in self.optimizer.state_dict()["state"].items()}
        return {k: {key: _structure(v) if key in self.spec.scratch_state else v for key, v in entries.items()}
                for k, entries in state.items()}


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if hasattr(value, "shape") and hasattr(value, "dtype"):
        return C._array(value)
    return value


def _structure(value):
    if isinstance(value, list):
        return [_structure(v) for v in value]
    return ("tensor", value.shape, str(value.dtype)) if isinstance(value, np.ndarray) else value


def _compare_state(ours, theirs, tol, where: str) -> list[metrics.Errors]:
    """State values compared recursively: arrays within tol (a 0-d step count too), numbers exactly as numbers."""
    if isinstance(theirs, dict):
        if not isinstance(ours, dict) or list(ours) != list(theirs):
            return [C._failed(f"{where}: refgrad has keys {list(ours) if isinstance(ours, dict) else ours!r}, torch "
                              f"{list(theirs)}")]
        return [e for k in theirs for e in _compare_state(ours[k], theirs[k], tol, f"{where}[{k!r}]")]
    if isinstance(theirs, list):
        if not isinstance(ours, list) or len(ours) != len(theirs):
            return [C._failed(f"{where}: refgrad {ours!r}, torch a list of {len(theirs)}")]
        return [e for i, (a, b) in enumerate(zip(ours, theirs)) for e in _compare_state(a, b, tol, f"{where}[{i}]")]
    if isinstance(theirs, np.ndarray):
        if not isinstance(ours, np.ndarray):
            return [C._failed(f"{where}: refgrad {type(ours).__name__}, torch a tensor")]
        if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
            return [C._failed(f"{where}: refgrad {ours.dtype} {list(ours.shape)}, torch {theirs.dtype} "
                              f"{list(theirs.shape)}")]
        err = metrics.compare(ours, theirs, tol.rtol, tol.atol)
        return [err if err.passed else C._failed(f"{where}: {err.note or 'differs'} (max abs {err.max_abs_err:.3g})")]
    if ours != theirs and not (isinstance(theirs, float) and isinstance(ours, float)
                               and abs(ours - theirs) <= tol.atol + tol.rtol * abs(theirs)):
        return [C._failed(f"{where}: refgrad {ours!r}, torch {theirs!r}")]
    return []


def _record(spec, case, check, dtype, errs, tol, seed, note="") -> Record:
    notes = [e.note for e in errs if e.note] + ([note] if note else [])
    errs = errs or [metrics.Errors(0.0, 0.0, 0.0, 0, True)]
    return Record(op=spec.id, family=spec.family, check=check, dtype=dtype, shapes=case.shapes(), params=case.params(),
                  n_elements=sum(e.n_elements for e in errs), max_abs_err=max(e.max_abs_err for e in errs),
                  max_rel_err=max(e.max_rel_err for e in errs), max_ulp=max(e.max_ulp for e in errs), rtol=tol.rtol,
                  atol=tol.atol, passed=all(e.passed for e in errs), seed=str(seed), note="; ".join(notes[:3]))


def _compare_runs(ours: _Run, theirs: _Run, tol, step: int) -> list[metrics.Errors]:
    errs = []
    for i, (a, b) in enumerate(zip(ours.arrays(), theirs.arrays())):
        err = metrics.compare(a, b, tol.rtol, tol.atol)
        errs.append(err if err.passed else C._failed(f"step {step}: parameter {i} {err.note or 'differs'} "
                                                     f"(max abs {err.max_abs_err:.3g})"))
    errs += _compare_state(ours.state(), theirs.state(), tol, f"step {step}: state")
    return errs


def _step_both(ours: _Run, theirs: _Run, grads, tol, k: int) -> tuple[list[metrics.Errors], bool]:
    """One step of each: the comparison's errors, and whether the run ends (one side raised)."""
    _, their_error = C._outcome(theirs.step, grads)
    _, error = C._outcome(ours.step, grads)
    if their_error is not None:
        if type(error) is not type(their_error):
            return [C._failed(f"step {k}: torch raises {type(their_error).__name__}: {their_error}; refgrad "
                              f"{'does not' if error is None else f'raises {type(error).__name__}: {error}'}")], True
        return [], True
    if error is not None:
        return [C._failed(f"step {k}: refgrad raises {type(error).__name__}: {error}")], True
    return _compare_runs(ours, theirs, tol, k), False


def trajectory(spec: OptimizerSpec, case: OptimizerCase, dtype: str, seed: int) -> list[Record]:
    tol = spec.tol(dtype)
    theirs = _Run(spec, case, "torch")
    ours, error = C._outcome(_Run, spec, case, "refgrad")
    if error is not None:
        return [_record(spec, case, "trajectory", dtype, [C._failed(f"refgrad raises {error!r}")], tol, seed)]
    errs = []
    for k, grads in enumerate(case.grads):
        step_errs, stop = _step_both(ours, theirs, grads, tol, k)
        errs += step_errs
        if stop:
            break
    return [_record(spec, case, "trajectory", dtype, errs, tol, seed)]


def _as_arrays(value):
    """torch's state_dict with every tensor through np.asarray (a user's way of handing it to refgrad)."""
    if isinstance(value, dict):
        return {k: _as_arrays(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_arrays(v) for v in value]
    if isinstance(value, tuple):
        return tuple(_as_arrays(v) for v in value)
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        return np.asarray(value.detach()).copy()
    return value


def resume(spec: OptimizerSpec, case: OptimizerCase, dtype: str, seed: int) -> list[Record]:
    """torch runs half the steps; its state_dict (as arrays) and parameters go into a fresh refgrad optimizer, and
    the state_dict itself into a fresh torch optimizer; both run the rest. The loaded refgrad state_dict's
    param_groups equal torch's. torch's continuation is its resumed optimizer, not the uninterrupted one: the two
    differ where torch's load_state_dict casts floating state to the parameter's dtype (ASGD's float32 eta and mu
    become float64, and with lr a tensor its later etas are no longer rounded to float32)."""
    tol = spec.tol(dtype)
    first = _Run(spec, case, "torch")
    half = len(case.grads) // 2
    for grads in case.grads[:half]:
        _, their_error = C._outcome(first.step, grads)
        if their_error is not None:  # torch's run ends before the middle: the trajectory check covers it
            return [_record(spec, case, "resume", dtype, [], tol, seed, f"torch raises {their_error!r}")]
    saved = first.optimizer.state_dict()
    theirs = _Run(spec, case, "torch", first.arrays())
    with C._watch("torch"):
        theirs.optimizer.load_state_dict(copy.deepcopy(saved))  # a copy: torch's loaded state may share tensors
    errs = []
    ours, error = C._outcome(_Run, spec, case, "refgrad", theirs.arrays())
    if error is None:
        _, error = C._outcome(ours.optimizer.load_state_dict, _as_arrays(saved))
    if error is not None:
        return [_record(spec, case, "resume", dtype, [C._failed(f"refgrad raises {type(error).__name__}: {error}")],
                        tol, seed)]
    ours_groups = ours.optimizer.state_dict()["param_groups"]
    errs += _compare_state(_plain(ours_groups), _plain(saved["param_groups"]), tol, "loaded param_groups")
    errs += _compare_runs(ours, theirs, tol, half)
    for k, grads in enumerate(case.grads[half:], half):
        step_errs, stop = _step_both(ours, theirs, grads, tol, k)
        errs += step_errs
        if stop:
            break
    return [_record(spec, case, "resume", dtype, errs, tol, seed)]


OPTIMIZER_CHECKS = {"trajectory": trajectory, "resume": resume}


def optimizer_error_case(spec: OptimizerSpec, ec: OptimizerErrorCase) -> list[str]:
    """A bad construction or step through torch and refgrad: the same exception class, refgrad's message naming
    every fragment."""
    kwargs = ", ".join(f"{k}={v!r}" for k, v in ec.kwargs.items())
    call = f"optim.{spec.name}({ec.params!r}, {kwargs})" + (".step() with a sparse gradient" if ec.sparse_grad else "")

    def attempt(lib: str):
        module = _library(lib)
        if ec.params == "empty":
            params = []
        elif ec.params == "tensor":
            params = module.nn.Parameter(_tensor(lib, np.zeros(3)))
        else:
            params = [module.nn.Parameter(_tensor(lib, np.zeros(s))) for s in ec.params]
        cls = spec.torch_class() if lib == "torch" else spec.refgrad_class()
        optimizer = cls(params, **_options(lib, ec.kwargs))
        if ec.sparse_grad:
            p = params[0]
            p.grad = _sparse_grad(lib, np.array([0], np.int64), np.ones((1,) + tuple(p.shape[1:])), tuple(p.shape))
            optimizer.step()
        elif spec.sparse:  # a dense gradient to a sparse-only optimizer
            params[0].grad = _tensor(lib, np.ones(tuple(params[0].shape)))
            optimizer.step()
        return optimizer

    return C.compare_raises(call, attempt, ec.fragments)


# ---- schedules ----------------------------------------------------------------------------------------------
@dataclass
class SchedulerCase:
    """The scheduler's settings, each parameter group's initial lr, and the metric passed to every step (None:
    step() without one)."""

    settings: dict
    lrs: list
    metrics: list

    def shapes(self) -> str:
        return ""

    def params(self) -> str:
        return ", ".join([f"{k}={v}" for k, v in sorted(self.settings.items()) if not callable(v)] +
                         [f"lrs={self.lrs}"])


def scheduler_cases(spec: SchedulerSpec):
    @st.composite
    def draw(draw_):
        settings = draw_(spec.settings)
        lrs = draw_(st.lists(st.sampled_from([0.1, 0.01, 1.0, 0.05]), min_size=1, max_size=2))
        metrics_ = draw_(spec.metrics) if spec.metrics is not None else [None] * spec.steps
        return SchedulerCase(settings, lrs, metrics_)

    return draw()


class _Schedule:
    """One library's optimizer (one parameter per group, each group its lr) and scheduler."""

    def __init__(self, spec: SchedulerSpec, case: SchedulerCase, lib: str):
        module = _library(lib)
        self.lib, self.state_keys = lib, spec.state_keys
        groups = [{"params": [module.nn.Parameter(_tensor(lib, np.zeros(2)))], "lr": lr} for lr in case.lrs]
        optimizer_kwargs = {k: v for k, v in spec.optimizer_kwargs.items() if k != "lr"}
        with C._watch(lib):
            self.optimizer = getattr(module.optim, spec.optimizer)(groups, **optimizer_kwargs)
            self.scheduler = spec.build(module, self.optimizer, dict(case.settings))

    def step(self, metric) -> None:
        with C._watch(self.lib):
            self.optimizer.step()
            if metric is None:
                self.scheduler.step()
            else:
                self.scheduler.step(metric)

    def values(self) -> dict:
        """What the schedule sets: every group's numeric options (lr, momentum, betas ...), get_last_lr() and the
        spec's ``state_keys`` of the scheduler."""
        out = {"get_last_lr": [_number(v) for v in self.scheduler.get_last_lr()]}
        for i, group in enumerate(self.optimizer.param_groups):
            for key, value in group.items():
                if key != "params" and isinstance(_number(value), (float, int, list)) and not isinstance(value, bool):
                    out[f"group {i} {key}"] = _number(value)
        for key in self.state_keys:
            out[f"scheduler {key}"] = _number(getattr(self.scheduler, key))
        return out


def _number(value):
    if isinstance(value, (list, tuple)):
        return [_number(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (int, float)):
        return float(value.item())
    return value


def _compare_values(ours: dict, theirs: dict, tol, step: int) -> list[metrics.Errors]:
    errs = []
    if list(ours) != list(theirs):
        errs.append(C._failed(f"step {step}: refgrad sets {sorted(ours)}, torch {sorted(theirs)}"))
    for key in theirs:
        if key not in ours:
            continue
        a, b = np.asarray(ours[key], np.float64), np.asarray(theirs[key], np.float64)
        if a.shape != b.shape:
            errs.append(C._failed(f"step {step}: {key} refgrad {ours[key]}, torch {theirs[key]}"))
            continue
        err = metrics.compare(a, b, tol.rtol, tol.atol)
        errs.append(err if err.passed else C._failed(f"step {step}: {key} refgrad {ours[key]}, torch {theirs[key]}"))
    return errs


def schedule(spec: SchedulerSpec, case: SchedulerCase, dtype: str, seed: int) -> list[Record]:
    tol = spec.tolerance
    theirs = _Schedule(spec, case, "torch")
    ours, error = C._outcome(_Schedule, spec, case, "refgrad")
    if error is not None:
        return [_record(spec, case, "schedule", dtype, [C._failed(f"refgrad raises {type(error).__name__}: {error}")],
                        tol, seed)]
    errs = _compare_values(ours.values(), theirs.values(), tol, 0)
    for k, metric in enumerate(case.metrics, 1):
        theirs.step(metric)
        _, error = C._outcome(ours.step, metric)
        if error is not None:
            errs.append(C._failed(f"step {k}: refgrad raises {type(error).__name__}: {error}"))
            break
        errs += _compare_values(ours.values(), theirs.values(), tol, k)
    return [_record(spec, case, "schedule", dtype, errs, tol, seed)]


def schedule_resume(spec: SchedulerSpec, case: SchedulerCase, dtype: str, seed: int) -> list[Record]:
    """torch's optimizer and scheduler state_dicts taken mid-way load into a fresh refgrad pair, which then continues
    torch's sequence."""
    tol = spec.tolerance
    theirs = _Schedule(spec, case, "torch")
    half = len(case.metrics) // 2
    for metric in case.metrics[:half]:
        theirs.step(metric)
    ours, error = C._outcome(_Schedule, spec, case, "refgrad")
    if error is None:
        def load():
            ours.optimizer.load_state_dict(_as_arrays(theirs.optimizer.state_dict()))
            ours.scheduler.load_state_dict(_plain_state(theirs.scheduler.state_dict()))
        _, error = C._outcome(load)
    if error is not None:
        return [_record(spec, case, "resume", dtype, [C._failed(f"refgrad raises {type(error).__name__}: {error}")],
                        tol, seed)]
    errs = _compare_values(ours.values(), theirs.values(), tol, half)
    for k, metric in enumerate(case.metrics[half:], half + 1):
        theirs.step(metric)
        _, error = C._outcome(ours.step, metric)
        if error is not None:
            errs.append(C._failed(f"step {k}: refgrad raises {type(error).__name__}: {error}"))
            break
        errs += _compare_values(ours.values(), theirs.values(), tol, k)
    return [_record(spec, case, "resume", dtype, errs, tol, seed)]


def _plain_state(value):
    """A scheduler's state_dict with torch tensors made plain numbers or arrays (what a user saves)."""
    if isinstance(value, dict):
        return {k: _plain_state(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain_state(v) for v in value]
    if hasattr(value, "detach") and hasattr(value, "numpy"):
        array = np.asarray(value.detach()).copy()
        return float(array) if array.ndim == 0 else array
    return value


SCHEDULER_CHECKS = {"schedule": schedule, "resume": schedule_resume}
