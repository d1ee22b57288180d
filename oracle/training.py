"""Training runs side by side: a torch model and its refgrad twin, from the same weights and batches, each trained with
the same optimizer (by default a hand-written SGD step) and optionally the same learning-rate schedule, their losses,
parameters and learning rates compared after every step.

    run = train_side_by_side(torch_model, refgrad_model, batches, loss, lr=0.1)
    run = train_side_by_side(torch_model, refgrad_model, batches, loss,
                             optimizer=lambda lib, params: lib.optim.Adam(params, lr=1e-2),
                             scheduler=lambda lib, opt: lib.optim.lr_scheduler.StepLR(opt, step_size=5))
    run.assert_agree(rtol=1e-9)

``loss(lib, model, *batch)`` is written once for both libraries (``lib`` is the torch or the refgrad module, whose
namespaces mirror each other: ``lib.nn.functional.cross_entropy(model(x), y)``); each batch is a tuple of ndarrays,
made tensors of each library. ``optimizer(lib, params)`` and ``scheduler(lib, optimizer)`` build the same object in
each library the same way. The models are trained in float64 unless told otherwise.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Trajectory:
    """Per step: both losses (before the update), the largest relative difference of any parameter after it,
    |refgrad - torch| / max(|torch|, floor) over every element, with the parameter's name, and each side's
    hyperparameters the schedule drives (every group's lr, and momentum or betas where the group has them)."""

    torch_losses: list = field(default_factory=list)
    refgrad_losses: list = field(default_factory=list)
    parameter_errors: list = field(default_factory=list)  # (worst relative difference, parameter name) per step
    torch_rates: list = field(default_factory=list)  # per step: {(group index, key): value}
    refgrad_rates: list = field(default_factory=list)

    def loss_errors(self) -> np.ndarray:
        t, r = np.array(self.torch_losses), np.array(self.refgrad_losses)
        return np.abs(r - t) / np.maximum(np.abs(t), np.finfo(np.float64).tiny)

    def rate_errors(self) -> list:
        """Per step: (the largest relative difference of any scheduled hyperparameter, its (group, key)); a key one
        side has and the other lacks counts as infinitely different."""
        errors = []
        for theirs, ours in zip(self.torch_rates, self.refgrad_rates):
            worst = (0.0, None)
            for key in sorted(theirs.keys() | ours.keys()):
                if key not in theirs or key not in ours:
                    worst = max(worst, (np.inf, key), key=lambda e: e[0])
                    continue
                t, r = np.asarray(theirs[key], dtype=np.float64), np.asarray(ours[key], dtype=np.float64)
                err = float(np.max(np.abs(r - t) / np.maximum(np.abs(t), np.finfo(np.float64).tiny), initial=0.0))
                worst = max(worst, (err, key), key=lambda e: e[0])
            errors.append(worst)
        return errors

    def worst(self) -> float:
        """The largest relative difference of any loss, parameter or scheduled hyperparameter over the run."""
        return max([0.0, *self.loss_errors(), *(e for e, _ in self.parameter_errors),
                    *(e for e, _ in self.rate_errors())])

    def assert_agree(self, rtol) -> None:
        """Raises AssertionError naming the first step whose loss, parameters or learning rates differ by more
        than rtol (one bound, or one per step where the trajectory's own conditioning sets it)."""
        rate_errors = self.rate_errors() or [(0.0, None)] * len(self.parameter_errors)
        bounds = list(rtol) if isinstance(rtol, (list, tuple, np.ndarray)) else [rtol] * len(self.parameter_errors)
        for step, (loss_err, (param_err, name), (rate_err, key), rtol) in enumerate(
                zip(self.loss_errors(), self.parameter_errors, rate_errors, bounds)):
            if not loss_err <= rtol:
                raise AssertionError(f"step {step}: loss refgrad {self.refgrad_losses[step]!r}, torch "
                                     f"{self.torch_losses[step]!r} (relative difference {loss_err:.3e} > {rtol:g})")
            if not param_err <= rtol:
                raise AssertionError(f"step {step}: parameter {name} differs by {param_err:.3e} relative (> {rtol:g})")
            if not rate_err <= rtol:
                group, option = key
                raise AssertionError(f"step {step}: param_groups[{group}][{option!r}] refgrad "
                                     f"{self.refgrad_rates[step].get(key)!r}, torch {self.torch_rates[step].get(key)!r}"
                                     f" (relative difference {rate_err:.3e} > {rtol:g})")


def _relative_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Elementwise |a - b| / max(|b|, scale·1e-3), scale the tensor's largest |b|: an element that crosses zero
    during training is judged against the size of its tensor rather than its own (near zero) size."""
    if theirs.size == 0:
        return 0.0
    floor = max(float(np.max(np.abs(theirs))) * 1e-3, np.finfo(np.float64).tiny)
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), floor)))



# the options a learning-rate schedule writes into the groups (CyclicLR and OneCycleLR cycle momentum or Adam's beta1)
SCHEDULED_OPTIONS = ("lr", "momentum", "betas")


def _scheduled_options(optimizer) -> dict:
    """{(group index, option): value as floats} for the options of SCHEDULED_OPTIONS each group holds."""
    def as_floats(value):
        return tuple(as_floats(v) for v in value) if isinstance(value, (tuple, list)) else float(value)

    return {(i, key): as_floats(group[key]) for i, group in enumerate(optimizer.param_groups)
            for key in SCHEDULED_OPTIONS if key in group}


def _requires_argument(method) -> bool:
    """Whether a step method has a first parameter without a default: LBFGS.step(closure),
    ReduceLROnPlateau.step(metrics)."""
    parameters = list(inspect.signature(method).parameters.values())[1:]  # the method as the class holds it: self
    return bool(parameters) and parameters[0].default is inspect.Parameter.empty and parameters[0].kind in (
        inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)


def train_side_by_side(torch_model, refgrad_model, batches: Iterable[tuple], loss: Callable, lr: float | None = None,
                       dtype: str = "float64", optimizer: Callable | None = None, scheduler: Callable | None = None,
                       closure: bool | None = None) -> Trajectory:
    """Loads torch_model's weights into refgrad_model, casts both to dtype, then for each batch, in each library:

    - without ``optimizer``: the loss, its backward, and p -= lr · p.grad for every parameter (under no_grad), grads
      reset to None;
    - with ``optimizer(lib, params)`` (params: the model's parameters as a list): zero_grad, the loss, its backward,
      ``optimizer.step()``; or, in the closure form, ``optimizer.step(closure)`` with a closure doing the first three
      and returning the loss (the loss recorded is what step returns, the closure's first evaluation). ``closure``
      chooses the form; by default it is the closure form exactly when torch's optimizer's step requires a closure
      (LBFGS);
    - with ``scheduler(lib, optimizer)``: ``scheduler.step()`` after each optimizer step, or
      ``scheduler.step(loss)`` for a schedule whose step takes a metric (ReduceLROnPlateau).

    Records both losses, the worst parameter difference and the groups' scheduled options after every step."""
    import torch

    import refgrad

    if scheduler is not None and optimizer is None:
        raise ValueError("a scheduler needs an optimizer: pass optimizer=lambda lib, params: ...")
    if optimizer is None and lr is None:
        raise ValueError("give lr (for the hand-written SGD step) or an optimizer")
    torch_model.to(getattr(torch, dtype))
    refgrad_model.to(np.dtype(dtype))
    refgrad_model.load_state_dict({k: np.asarray(v) for k, v in torch_model.state_dict().items()})
    sides = []
    for lib, model, make in ((torch, torch_model, lambda a: torch.from_numpy(a.copy())),
                             (refgrad, refgrad_model, lambda a: refgrad.tensor(a.copy()))):
        opt = optimizer(lib, list(model.parameters())) if optimizer is not None else None
        sched = scheduler(lib, opt) if scheduler is not None else None
        sides.append((lib, model, make, opt, sched))
    torch_optimizer, torch_scheduler = sides[0][3], sides[0][4]
    if closure is None:
        closure = torch_optimizer is not None and _requires_argument(type(torch_optimizer).step)
    metric_driven = torch_scheduler is not None and _requires_argument(type(torch_scheduler).step)

    run = Trajectory()
    for batch in batches:
        for lib, model, make, opt, sched in sides:
            inputs = [make(np.asarray(a)) for a in batch]
            if opt is None:
                value = loss(lib, model, *inputs)
                model.zero_grad(set_to_none=True)
                value.backward()
                with lib.no_grad():
                    for p in model.parameters():
                        if p.grad is not None:
                            p -= lr * p.grad
            else:
                def evaluate(lib=lib, model=model, opt=opt, inputs=inputs):
                    opt.zero_grad()
                    value = loss(lib, model, *inputs)
                    value.backward()
                    return value

                if closure:
                    value = opt.step(evaluate)
                else:
                    value = evaluate()
                    opt.step()
                if metric_driven:
                    sched.step(float(value.item()))
                elif sched is not None:
                    sched.step()
                (run.torch_rates if lib is torch else run.refgrad_rates).append(_scheduled_options(opt))
            (run.torch_losses if lib is torch else run.refgrad_losses).append(float(value.item()))
        theirs = dict(torch_model.named_parameters())
        worst = max(((_relative_difference(np.asarray(p.detach()._data), theirs[name].detach().numpy()), name)
                     for name, p in refgrad_model.named_parameters()), default=(0.0, ""))
        run.parameter_errors.append(worst)
    return run
