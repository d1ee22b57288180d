"""Training runs side by side: a torch model and its refgrad twin, from the same weights and batches, each trained with
the same hand-written SGD step, their losses and parameters compared after every step.

    run = train_side_by_side(torch_model, refgrad_model, batches, loss, lr=0.1)
    run.assert_agree(rtol=1e-9)

``loss(lib, model, *batch)`` is written once for both libraries (``lib`` is the torch or the refgrad module, whose
namespaces mirror each other: ``lib.nn.functional.cross_entropy(model(x), y)``); each batch is a tuple of ndarrays,
made tensors of each library. The models are trained in float64 unless told otherwise.
"""
from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Trajectory:
    """Per step: both losses (before the update) and the largest relative difference of any parameter after it,
    |refgrad - torch| / max(|torch|, floor) over every element, with the parameter's name."""

    torch_losses: list = field(default_factory=list)
    refgrad_losses: list = field(default_factory=list)
    parameter_errors: list = field(default_factory=list)  # (worst relative difference, parameter name) per step

    def loss_errors(self) -> np.ndarray:
        t, r = np.array(self.torch_losses), np.array(self.refgrad_losses)
        return np.abs(r - t) / np.maximum(np.abs(t), np.finfo(np.float64).tiny)

    def assert_agree(self, rtol: float) -> None:
        """Raises AssertionError naming the first step whose loss or parameters differ by more than rtol."""
        for step, (loss_err, (param_err, name)) in enumerate(zip(self.loss_errors(), self.parameter_errors)):
            if not loss_err <= rtol:
                raise AssertionError(f"step {step}: loss refgrad {self.refgrad_losses[step]!r}, torch "
                                     f"{self.torch_losses[step]!r} (relative difference {loss_err:.3e} > {rtol:g})")
            if not param_err <= rtol:
                raise AssertionError(f"step {step}: parameter {name} differs by {param_err:.3e} relative (> {rtol:g})")


def _relative_difference(ours: np.ndarray, theirs: np.ndarray) -> float:
    """Elementwise |a - b| / max(|b|, scale·1e-3), scale the tensor's largest |b|: an element that crosses zero
    during training is judged against the size of its tensor rather than its own (near zero) size."""
    if theirs.size == 0:
        return 0.0
    floor = max(float(np.max(np.abs(theirs))) * 1e-3, np.finfo(np.float64).tiny)
    return float(np.max(np.abs(ours - theirs) / np.maximum(np.abs(theirs), floor)))


def train_side_by_side(torch_model, refgrad_model, batches: Iterable[tuple], loss: Callable, lr: float,
                       dtype: str = "float64") -> Trajectory:
    """Loads torch_model's weights into refgrad_model, casts both to dtype, then for each batch: the loss of each,
    its backward, and p -= lr · p.grad for every parameter (under no_grad), grads reset to None."""
    import torch

    import refgrad

    torch_model.to(getattr(torch, dtype))
    refgrad_model.to(np.dtype(dtype))
    refgrad_model.load_state_dict({k: np.asarray(v) for k, v in torch_model.state_dict().items()})
    run = Trajectory()
    sides = ((torch, torch_model, lambda a: torch.from_numpy(a.copy())),
             (refgrad, refgrad_model, lambda a: refgrad.tensor(a.copy())))
    for batch in batches:
        for lib, model, make in sides:
            value = loss(lib, model, *[make(np.asarray(a)) for a in batch])
            model.zero_grad(set_to_none=True)
            value.backward()
            with lib.no_grad():
                for p in model.parameters():
                    if p.grad is not None:
                        p -= lr * p.grad
            (run.torch_losses if lib is torch else run.refgrad_losses).append(float(value.item()))
        theirs = dict(torch_model.named_parameters())
        worst = max(((_relative_difference(np.asarray(p.detach()._data), theirs[name].detach().numpy()), name)
                     for name, p in refgrad_model.named_parameters()), default=(0.0, ""))
        run.parameter_errors.append(worst)
    return run
