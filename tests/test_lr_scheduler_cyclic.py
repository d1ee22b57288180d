"""ReduceLROnPlateau, CyclicLR and OneCycleLR beyond the generated schedules (oracle/specs/optim/
lr_scheduler_cyclic.py): torch's errors and messages, stepping past OneCycleLR's end, 0-d tensor metrics and lrs,
state_dicts with torch's entries, resuming with last_epoch, and the deprecated step(epoch)."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import refgrad
from oracle.checks import compare_raises
from oracle.spec import SAME_MESSAGE
from oracle.specs.optim.lr_scheduler_cyclic import ScaleByHalves

LIBS = {"torch": torch, "refgrad": refgrad}


def _optimizer(lib, lrs=(0.1,), optimizer="SGD", **kwargs):
    groups = [{"params": [lib.nn.Parameter(lib.tensor(np.zeros(2)))], "lr": lr} for lr in lrs]
    if optimizer == "plain":  # an optimizer with neither momentum nor betas
        return lib.optim.Optimizer(groups, {"lr": 0.1})
    return getattr(lib.optim, optimizer)(groups, **({"momentum": 0.9} | kwargs))


def _scheduler(lib, name, *args, lrs=(0.1,), optimizer="SGD", **kwargs):
    return getattr(lib.optim.lr_scheduler, name)(_optimizer(lib, lrs, optimizer), *args, **kwargs)


ERRORS = [
    ("ReduceLROnPlateau", {"factor": 1.0}, ()),
    ("ReduceLROnPlateau", {"mode": "middle"}, ()),
    ("ReduceLROnPlateau", {"threshold_mode": "relative"}, ()),
    ("ReduceLROnPlateau", {"min_lr": [0.1, 0.2], "lrs": (0.1,)}, ()),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "mode": "square"}, ()),
    ("CyclicLR", {"base_lr": [0.01, 0.02, 0.03], "max_lr": 0.1, "lrs": (0.1, 0.2)}, ()),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": [0.1, 0.2]}, ()),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "base_momentum": [0.8, 0.7]}, ()),
    ("CyclicLR", {"base_lr": 0.01, "max_lr": 0.1, "optimizer": "plain"}, ()),
    ("OneCycleLR", {"max_lr": 0.1}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 3}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 0}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10.0}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 0, "steps_per_epoch": 3}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "epochs": 2, "steps_per_epoch": 2.5}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1.5}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "pct_start": 1}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "anneal_strategy": "cosine"}, ()),
    ("OneCycleLR", {"max_lr": [0.1, 0.2], "total_steps": 10}, ()),
    ("OneCycleLR", {"max_lr": 0.1, "total_steps": 10, "optimizer": "plain"}, ()),
]


@pytest.mark.parametrize("name,kwargs,_", ERRORS, ids=[f"{n}-{sorted(k.items())}" for n, k, _ in ERRORS])
def test_errors_as_torch(name, kwargs, _):
    kwargs = dict(kwargs)
    lrs, optimizer = kwargs.pop("lrs", (0.1,)), kwargs.pop("optimizer", "SGD")
    problems = compare_raises(f"{name}({kwargs})", lambda lib: _scheduler(
        LIBS[lib], name, lrs=lrs, optimizer=optimizer, **kwargs), SAME_MESSAGE)
    assert not problems, "\n".join(problems)


def test_reduce_lr_on_plateau_min_lrs_after_a_new_group():
    """A per-group min_lr no longer matching the groups raises when a reduction comes; a scalar one is re-spread."""
    for min_lr, raises in (([0.0], True), (0.0, False)):
        def attempt(lib, min_lr=min_lr):
            module = LIBS[lib]
            optimizer = _optimizer(module)
            scheduler = module.optim.lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, min_lr=min_lr)
            optimizer.add_param_group({"params": [module.nn.Parameter(module.tensor(np.zeros(1)))], "lr": 1.0})
            for metric in (1.0, 2.0):
                scheduler.step(metric)
            return scheduler.min_lrs, [float(g["lr"]) for g in optimizer.param_groups]

        if raises:
            assert not compare_raises("ReduceLROnPlateau with a new group", attempt, SAME_MESSAGE)
        else:
            assert attempt("refgrad") == attempt("torch") == ([0.0, 0.0], [pytest.approx(0.01), 0.1])


def test_one_cycle_raises_past_its_last_step():
    def attempt(lib):
        scheduler = _scheduler(LIBS[lib], "OneCycleLR", 0.1, total_steps=5)
        for _ in range(6):
            scheduler.optimizer.step()
            scheduler.step()

    assert not compare_raises("OneCycleLR stepped 6 times of 5", attempt, SAME_MESSAGE)


def _plain(value):
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(_plain(v) for v in value)
    if isinstance(value, (torch.Tensor, refgrad.Tensor)):
        return float(value)
    return value


def _same(ours, theirs):
    ours, theirs = _plain(ours), _plain(theirs)
    assert sorted(ours) == sorted(theirs)
    for key in theirs:
        a, b = ours[key], theirs[key]
        if isinstance(b, float) and math.isnan(b):
            assert isinstance(a, float) and math.isnan(a), key
        else:
            assert a == b, (key, a, b)


def test_reduce_lr_on_plateau_state_dict_and_tensor_metrics():
    metrics = [3.0, 3.0, 2.0, 2.5, 2.5, 2.5, 2.4, 2.4, 1.0, 1.0, 1.0, 1.0, 1.0]
    runs = {}
    for name, lib in LIBS.items():
        scheduler = _scheduler(lib, "ReduceLROnPlateau", lrs=(0.1, 1.0), patience=1, cooldown=2, threshold=0.05,
                               min_lr=[0.0, 0.05])
        states = [scheduler.state_dict().copy()]
        for metric in metrics:
            scheduler.optimizer.step()
            scheduler.step(lib.tensor(metric, dtype=lib.float64))  # a 0-d tensor, as a loss is
            states.append(scheduler.state_dict().copy())
        runs[name] = states, scheduler.get_last_lr()
    for ours, theirs in zip(runs["refgrad"][0], runs["torch"][0]):
        _same(ours, theirs)
    assert runs["refgrad"][1] == runs["torch"][1] and runs["torch"][1] != [0.1, 1.0]


def test_reduce_lr_on_plateau_step_with_epoch_warns_and_sets_last_epoch():
    for lib in LIBS.values():
        scheduler = _scheduler(lib, "ReduceLROnPlateau")
        with pytest.warns(UserWarning, match="The epoch parameter in `scheduler.step\\(\\)` was not necessary"):
            scheduler.step(1.0, 7)
        assert scheduler.last_epoch == 7


@pytest.mark.parametrize("scale_fn", [None, ScaleByHalves(0.7), lambda x: 0.5])
def test_cyclic_state_dict_as_torchs(scale_fn):
    states = {}
    for name, lib in LIBS.items():
        scheduler = _scheduler(lib, "CyclicLR", 0.01, [0.1, 0.2], lrs=(0.1, 0.3), step_size_up=3, mode="exp_range",
                               gamma=0.9, scale_fn=scale_fn)
        for _ in range(5):
            scheduler.optimizer.step()
            scheduler.step()
        states[name] = scheduler.state_dict()
    assert states["refgrad"]["_scale_fn_custom"] == states["torch"]["_scale_fn_custom"]
    assert ("_scale_fn_custom" in states["refgrad"]) and set(states["refgrad"]) <= set(states["torch"])
    _same({k: v for k, v in states["refgrad"].items() if k != "_scale_fn_custom"},
          {k: v for k, v in states["torch"].items() if k not in ("_scale_fn_custom", "_scale_fn_ref")})


def test_cyclic_loads_a_callable_objects_state():
    theirs = _scheduler(torch, "CyclicLR", 0.01, 0.1, step_size_up=2, scale_fn=ScaleByHalves(0.3))
    ours = _scheduler(refgrad, "CyclicLR", 0.01, 0.1, step_size_up=2, scale_fn=ScaleByHalves(0.9))
    ours.load_state_dict(theirs.state_dict())
    assert ours._scale_fn_custom.base == 0.3


@pytest.mark.parametrize("name,args,kwargs", [
    ("CyclicLR", (0.01, 0.1), {"step_size_up": 4, "mode": "triangular2"}),
    ("OneCycleLR", (0.5,), {"total_steps": 30, "three_phase": True}),
])
def test_tensor_lr_stays_a_tensor(name, args, kwargs):
    """A group lr given as a 0-d tensor is filled in place, as torch does."""
    lrs = {}
    for lib_name, lib in LIBS.items():
        optimizer = lib.optim.SGD([lib.nn.Parameter(lib.tensor(np.zeros(2)))], lr=lib.tensor(0.1), momentum=0.9)
        tensor = optimizer.param_groups[0]["lr"]
        scheduler = getattr(lib.optim.lr_scheduler, name)(optimizer, *args, **kwargs)
        sequence = []
        for _ in range(20):
            optimizer.step()
            scheduler.step()
            assert optimizer.param_groups[0]["lr"] is tensor
            sequence.append((float(tensor), float(optimizer.param_groups[0]["momentum"])))
        lrs[lib_name] = sequence
    np.testing.assert_allclose(lrs["refgrad"], lrs["torch"], rtol=1e-7)  # float32 lr tensors in both


@pytest.mark.parametrize("name,args,kwargs", [
    ("CyclicLR", (0.01, [0.1, 0.2]), {"step_size_up": 4, "step_size_down": 3}),
    ("OneCycleLR", ([0.5, 0.2],), {"epochs": 4, "steps_per_epoch": 10, "anneal_strategy": "linear"}),
])
def test_resume_with_last_epoch(name, args, kwargs):
    """A scheduler rebuilt with last_epoch over an optimizer loaded from a checkpoint continues the sequence."""
    sequences = {}
    for lib_name, lib in LIBS.items():
        first = _scheduler(lib, name, *args, lrs=(0.1, 0.3), **kwargs)
        for _ in range(7):
            first.optimizer.step()
            first.step()
        optimizer = _optimizer(lib, (0.1, 0.3))
        optimizer.load_state_dict(first.optimizer.state_dict())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            second = getattr(lib.optim.lr_scheduler, name)(optimizer, *args, last_epoch=first.last_epoch, **kwargs)
        sequence = []
        for _ in range(10):
            optimizer.step()
            second.step()
            sequence.append(second.get_last_lr() + [g["momentum"] for g in optimizer.param_groups])
        sequences[lib_name] = sequence
    assert sequences["refgrad"] == sequences["torch"]


@pytest.mark.parametrize("name,args,kwargs", [
    ("CyclicLR", (0.01, 0.1), {"step_size_up": 3, "mode": "exp_range", "gamma": 0.95}),
    ("OneCycleLR", (0.5,), {"total_steps": 40}),
])
def test_step_with_an_epoch_jumps_there(name, args, kwargs):
    """step(epoch) (deprecated, warned) evaluates the schedule at that epoch, out of order too."""
    sequences = {}
    for lib_name, lib in LIBS.items():
        scheduler = _scheduler(lib, name, *args, **kwargs)
        sequence = []
        for epoch in (5, 2, 17, 17, 30):
            scheduler.optimizer.step()
            with pytest.warns(UserWarning, match="The epoch parameter"):
                scheduler.step(epoch)
            sequence.append(scheduler.get_last_lr() + [scheduler.optimizer.param_groups[0]["momentum"]])
        sequences[lib_name] = sequence
    assert sequences["refgrad"] == sequences["torch"]
