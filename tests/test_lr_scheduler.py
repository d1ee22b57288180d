"""The closed-form and composite schedules against torch's, called in the tests: their errors (class and message),
bit-equal learning rates from step() and step(epoch) (the harness compares to a tolerance; here the recursive forms
must round as torch's do), state_dict layouts and round trips (callable objects' __dict__, children's states),
resumption with last_epoch, and CosineAnnealingWarmRestarts' float epochs."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
import torch

import refgrad

LIBS = [torch, refgrad]


def _optimizer(lib, lrs=(0.1, 0.05)):
    return lib.optim.SGD([{"params": [lib.nn.Parameter(lib.tensor(np.ones(2)))], "lr": lr} for lr in lrs], lr=0.1)


def _raised(fn):
    try:
        fn()
    except Exception as e:  # noqa: BLE001 - the class and message are compared
        return type(e), str(e)
    return None


def _sched(lib):
    return lib.optim.lr_scheduler


# ---- errors --------------------------------------------------------------------------------------------------------
class _NotAScheduler:
    pass


ERRORS = {
    "LambdaLR lambdas per group": lambda lib, opt: _sched(lib).LambdaLR(opt, [lambda e: 1.0]),
    "MultiplicativeLR lambdas per group": lambda lib, opt: _sched(lib).MultiplicativeLR(opt, (lambda e: 1.0,) * 3),
    "MultiplicativeLR not callable": lambda lib, opt: _sched(lib).MultiplicativeLR(opt, 0.9),
    "MultiplicativeLR one not callable": lambda lib, opt: _sched(lib).MultiplicativeLR(opt, [lambda e: 1.0, "x"]),
    "ConstantLR factor > 1": lambda lib, opt: _sched(lib).ConstantLR(opt, factor=1.5),
    "ConstantLR factor < 0": lambda lib, opt: _sched(lib).ConstantLR(opt, factor=-0.1),
    "LinearLR start_factor 0": lambda lib, opt: _sched(lib).LinearLR(opt, start_factor=0.0),
    "LinearLR start_factor > 1": lambda lib, opt: _sched(lib).LinearLR(opt, start_factor=1.1),
    "LinearLR end_factor > 1": lambda lib, opt: _sched(lib).LinearLR(opt, end_factor=2.0),
    "LinearLR end_factor < 0": lambda lib, opt: _sched(lib).LinearLR(opt, end_factor=-1.0),
    "CosineAnnealingWarmRestarts T_0 0": lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=0),
    "CosineAnnealingWarmRestarts T_0 float": lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=2.5),
    "CosineAnnealingWarmRestarts T_mult 0": lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, 5, T_mult=0),
    "CosineAnnealingWarmRestarts T_mult float": lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, 5, 1.5),
    "CosineAnnealingWarmRestarts eta_min str": lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(
        opt, 5, eta_min="0"),
    "CosineAnnealingWarmRestarts negative epoch": lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(
        opt, 5).step(-1),
    "CosineAnnealingLR T_max 0": lambda lib, opt: _sched(lib).CosineAnnealingLR(opt, T_max=0).step(),
    "SequentialLR no schedulers": lambda lib, opt: _sched(lib).SequentialLR(opt, [], []),
    "SequentialLR not a scheduler": lambda lib, opt: _sched(lib).SequentialLR(opt, [_NotAScheduler()], []),
    "SequentialLR milestones": lambda lib, opt: _sched(lib).SequentialLR(
        opt, [_sched(lib).ExponentialLR(opt, 0.9), _sched(lib).StepLR(opt, 2)], [2, 4]),
    "SequentialLR other optimizer": lambda lib, opt: _sched(lib).SequentialLR(
        opt, [_sched(lib).ExponentialLR(_optimizer(lib, (0.1,)), 0.9)], []),
    "ChainedScheduler no schedulers": lambda lib, opt: _sched(lib).ChainedScheduler([]),
    "ChainedScheduler not a scheduler": lambda lib, opt: _sched(lib).ChainedScheduler(
        [_sched(lib).ExponentialLR(opt, 0.9), _NotAScheduler()]),
    "ChainedScheduler other optimizer": lambda lib, opt: _sched(lib).ChainedScheduler(
        [_sched(lib).ExponentialLR(opt, 0.9), _sched(lib).ExponentialLR(_optimizer(lib, (0.1,)), 0.9)]),
    "ChainedScheduler other optimizer given": lambda lib, opt: _sched(lib).ChainedScheduler(
        [_sched(lib).ExponentialLR(opt, 0.9)], optimizer=_optimizer(lib, (0.1,))),
}


@pytest.mark.parametrize("name", list(ERRORS))
def test_errors_as_torch(name):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = _raised(lambda: ERRORS[name](torch, _optimizer(torch)))
        ours = _raised(lambda: ERRORS[name](refgrad, _optimizer(refgrad)))
    assert theirs is not None
    assert ours == theirs  # the other-optimizer messages include the optimizer's repr, equal too


# ---- learning rates, bit for bit -----------------------------------------------------------------------------------
def _halving(epoch):
    return 0.5 ** (epoch // 3)


SCHEDULES = {
    "MultiStepLR repeats": lambda lib, opt: _sched(lib).MultiStepLR(opt, [3, 3, 7, 2, 7, 7], gamma=0.7),
    "ExponentialLR": lambda lib, opt: _sched(lib).ExponentialLR(opt, 0.93),
    "LambdaLR": lambda lib, opt: _sched(lib).LambdaLR(opt, [_halving, lambda e: 1 / (e + 1)]),
    "MultiplicativeLR": lambda lib, opt: _sched(lib).MultiplicativeLR(opt, lambda e: 0.9 + 0.01 * (e % 5)),
    "ConstantLR": lambda lib, opt: _sched(lib).ConstantLR(opt, factor=0.3, total_iters=7),
    "LinearLR": lambda lib, opt: _sched(lib).LinearLR(opt, start_factor=0.3, end_factor=0.7, total_iters=13),
    "PolynomialLR": lambda lib, opt: _sched(lib).PolynomialLR(opt, total_iters=17, power=1.7),
    "CosineAnnealingLR": lambda lib, opt: _sched(lib).CosineAnnealingLR(opt, T_max=11, eta_min=1e-3),
    "CosineAnnealingWarmRestarts": lambda lib, opt: _sched(lib).CosineAnnealingWarmRestarts(opt, 4, 2, 1e-3),
    "SequentialLR": lambda lib, opt: _sched(lib).SequentialLR(opt, [
        _sched(lib).LinearLR(opt, 0.1, total_iters=5), _sched(lib).CosineAnnealingLR(opt, 9),
        _sched(lib).ExponentialLR(opt, 0.9)], milestones=[5, 20]),
    "ChainedScheduler": lambda lib, opt: _sched(lib).ChainedScheduler([
        _sched(lib).ConstantLR(opt, 0.5, total_iters=4), _sched(lib).CosineAnnealingLR(opt, 7, 1e-4),
        _sched(lib).MultiStepLR(opt, [10, 30])]),
}
CLOSED_FORMS = ["MultiStepLR repeats", "ExponentialLR", "ConstantLR", "LinearLR", "PolynomialLR", "CosineAnnealingLR"]


def _run(lib, name, epochs):
    """The lrs of both groups after construction and after each step (epoch None: step())."""
    opt = _optimizer(lib)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scheduler = SCHEDULES[name](lib, opt)
        seen = [[float(g["lr"]) for g in opt.param_groups]]
        for epoch in epochs:
            opt.step()
            scheduler.step() if epoch is None else scheduler.step(epoch)
            seen.append([float(g["lr"]) for g in opt.param_groups])
            assert [float(v) for v in scheduler.get_last_lr()] == seen[-1]
    return seen


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_step_equals_torch_bit_for_bit(name):
    assert _run(refgrad, name, [None] * 80) == _run(torch, name, [None] * 80)


@pytest.mark.parametrize("name", CLOSED_FORMS + ["CosineAnnealingWarmRestarts"])
def test_step_with_an_epoch_equals_torch_bit_for_bit(name):
    rng = np.random.default_rng(0)
    epochs = [None if rng.random() < 0.3 else int(rng.integers(0, 60)) for _ in range(80)]
    if name == "CosineAnnealingWarmRestarts":  # float epochs, as per batch
        epochs = [e if e is None or rng.random() < 0.5 else e + float(rng.random()) for e in epochs]
    assert _run(refgrad, name, epochs) == _run(torch, name, epochs)


def test_warm_restarts_places_float_epochs_in_their_cycle_as_torch():
    for t_mult in (1, 2, 3):
        state = []
        for lib in LIBS:
            opt = _optimizer(lib)
            scheduler = _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=3, T_mult=t_mult)
            for epoch in (0.5, 2.99, 3.0, 3.25, 11.7, 40.0, 1.5):
                scheduler.step(epoch)
                state.append((scheduler.T_cur, scheduler.T_i, scheduler.last_epoch, scheduler.get_last_lr()))
        assert state[:7] == state[7:]


def test_warm_restarts_step_with_an_epoch_warns_as_torch():
    messages = []
    for lib in LIBS:
        opt = _optimizer(lib)
        scheduler = _sched(lib).CosineAnnealingWarmRestarts(opt, T_0=3)
        opt.step()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.step(2.5)
            scheduler.step()
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1]


@pytest.mark.parametrize("name", ["ExponentialLR", "CosineAnnealingLR", "LinearLR", "PolynomialLR", "MultiStepLR"])
def test_get_lr_outside_step_warns_as_torch(name):
    make = SCHEDULES.get(name) or SCHEDULES[name + " repeats"]
    messages = []
    for lib in LIBS:
        scheduler = make(lib, _optimizer(lib))
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            scheduler.get_lr()
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[0]


# ---- state_dict and resumption -------------------------------------------------------------------------------------
def _layout(value):
    """A state_dict's structure and plain values (tensors as lists), comparable across the libraries."""
    if isinstance(value, dict):
        return {k: _layout(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_layout(v) for v in value]
    if hasattr(value, "numpy"):
        return np.asarray(value).tolist()
    return value


@pytest.mark.parametrize("name", list(SCHEDULES))
def test_state_dict_layout_equals_torch(name):
    layouts = []
    for lib in LIBS:
        opt = _optimizer(lib)
        scheduler = SCHEDULES[name](lib, opt)
        for _ in range(6):
            opt.step()
            scheduler.step()
        layouts.append(_layout(scheduler.state_dict()))
    assert layouts[0] == layouts[1]


class Scaled:
    """A callable object with state: the scheduler's state_dict saves its __dict__."""

    def __init__(self, gamma):
        self.gamma, self.calls = gamma, 0

    def __call__(self, epoch):
        self.calls += 1
        return self.gamma ** self.calls


@pytest.mark.parametrize("kind", ["LambdaLR", "MultiplicativeLR"])
def test_lambda_state_dict_keeps_callable_objects_only(kind):
    """A function or lambda is saved as None, a callable object as its __dict__; loading updates the new object's
    __dict__ (the loaded dict is left as it was), so the schedule continues as torch's does."""
    results = []
    for lib in LIBS:
        opt = _optimizer(lib)
        scheduler = getattr(_sched(lib), kind)(opt, [lambda e: 0.9, Scaled(0.8)])
        for _ in range(5):
            opt.step()
            scheduler.step()
        saved = scheduler.state_dict()
        assert saved["lr_lambdas"] == [None, {"gamma": 0.8, "calls": scheduler.lr_lambdas[1].calls}]
        saved_copy = {**saved, "lr_lambdas": [None, {"gamma": 0.8, "calls": saved["lr_lambdas"][1]["calls"]}]}
        fresh_opt = _optimizer(lib)
        fresh_opt.load_state_dict(opt.state_dict())
        fresh = getattr(_sched(lib), kind)(fresh_opt, [lambda e: 0.9, Scaled(0.8)])
        fresh.load_state_dict(saved)
        assert saved == saved_copy and "lr_lambdas" in saved
        assert fresh.lr_lambdas[1].calls == scheduler.lr_lambdas[1].calls
        lrs = []
        for _ in range(5):
            fresh_opt.step()
            fresh.step()
            lrs.append(fresh.get_last_lr())
        results.append(lrs)
    assert results[0] == results[1]


@pytest.mark.parametrize("name", ["SequentialLR", "ChainedScheduler"])
def test_composite_state_dict_round_trip_continues_as_torch(name):
    """torch's composite state_dict (the children's states inside) loads into refgrad's and continues the same."""
    opt = _optimizer(torch)
    theirs = SCHEDULES[name](torch, opt)
    for _ in range(12):
        opt.step()
        theirs.step()
    ours_opt = _optimizer(refgrad)
    ours = SCHEDULES[name](refgrad, ours_opt)
    ours_opt.load_state_dict({"state": {}, "param_groups": opt.state_dict()["param_groups"]})
    ours.load_state_dict(theirs.state_dict())
    for _ in range(30):
        opt.step()
        ours_opt.step()
        theirs.step()
        ours.step()
        assert ours.get_last_lr() == theirs.get_last_lr()


@pytest.mark.parametrize("name", CLOSED_FORMS)
def test_resuming_with_last_epoch_equals_torch(name):
    """A scheduler built with last_epoch=k over groups that hold initial_lr continues as torch's."""
    runs = []
    for lib in LIBS:
        opt = _optimizer(lib)
        for group in opt.param_groups:
            group["initial_lr"] = group["lr"] * 2
        opt.step()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler = SCHEDULES[name](lib, opt)  # built fresh to learn the settings, then rebuilt resumed
            settings = {k: v for k, v in vars(scheduler).items() if k in (
                "milestones", "gamma", "factor", "start_factor", "end_factor", "total_iters", "power", "T_max",
                "eta_min")}
            if "milestones" in settings:
                settings["milestones"] = list(settings["milestones"].elements())
            scheduler = type(scheduler)(opt, **settings, last_epoch=9)
        seen = [scheduler.get_last_lr()]
        for _ in range(20):
            opt.step()
            scheduler.step()
            seen.append(scheduler.get_last_lr())
        runs.append(seen)
    assert runs[0] == runs[1]


def test_sequential_lr_undoes_the_childrens_initial_steps_as_torch():
    """SequentialLR resets the lrs to initial_lr and takes back every child's (and a nested SequentialLR's
    children's) constructor step: last_epoch of each equals torch's."""
    epochs = []
    for lib in LIBS:
        opt = _optimizer(lib)
        # the outer constructor's step of a nested SequentialLR steps its child before the optimizer: torch warns
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            inner = _sched(lib).SequentialLR(opt, [_sched(lib).ConstantLR(opt, 0.5, 3), _sched(lib).ExponentialLR(
                opt, 0.9)], [3])
            outer = _sched(lib).SequentialLR(opt, [inner, _sched(lib).LinearLR(opt, 0.2)], [6])
            row = [(outer.last_epoch, inner.last_epoch, [s.last_epoch for s in inner._schedulers],
                    outer.get_last_lr())]
            for _ in range(12):
                opt.step()
                outer.step()
                row.append((outer.last_epoch, inner.last_epoch, [s.last_epoch for s in inner._schedulers],
                            outer.get_last_lr()))
        epochs.append(row + [str(w.message) for w in caught])
    assert epochs[0] == epochs[1]


def test_cosine_recursive_and_closed_forms_differ_in_rounding_as_torch():
    """step() follows the recursive form: its lrs differ from the closed form's in the last bits, as torch's do."""
    ours = _run(refgrad, "CosineAnnealingLR", [None] * 60)
    closed = [[0.001 + (b - 0.001) * (1 + math.cos(math.pi * t / 11)) / 2 for b in (0.1, 0.05)] for t in range(61)]
    assert ours != closed and np.allclose(ours, closed, rtol=1e-12, atol=0)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("name", list(SCHEDULES))
def test_tensor_lrs_are_filled_in_place_as_torch(name, dtype):
    """lr given as a 0-d tensor: every schedule fills it in place (its identity kept), with torch's values."""
    runs = []
    for lib in LIBS:
        opt = lib.optim.SGD([{"params": [lib.nn.Parameter(lib.tensor(np.ones(2)))],
                              "lr": lib.tensor(np.array(lr, dtype=dtype))} for lr in (0.1, 0.05)], lr=0.1)
        tensors = [group["lr"] for group in opt.param_groups]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            scheduler = SCHEDULES[name](lib, opt)
            seen = []
            for i in range(40):
                opt.step()
                scheduler.step(i + 3) if i % 5 == 0 and name in CLOSED_FORMS else scheduler.step()
                assert all(group["lr"] is t for group, t in zip(opt.param_groups, tensors))
                seen.append([float(t) for t in tensors] + [float(v) for v in scheduler.get_last_lr()])
        runs.append(seen)
    assert runs[0] == runs[1]


def test_composites_refuse_reduce_lr_on_plateau_as_torch():
    messages = []
    for lib in LIBS:
        opt = _optimizer(lib)
        plateau_class = getattr(_sched(lib), "ReduceLROnPlateau", None)
        if plateau_class is None:  # defined by another part of the module: a stand-in of that name until then
            plateau_class = type("ReduceLROnPlateau", (), {"__init__": lambda self, optimizer: setattr(
                self, "optimizer", optimizer)})
        plateau = plateau_class(opt)
        sched = _sched(lib)
        messages += [_raised(lambda s=sched, o=opt, p=plateau: s.SequentialLR(o, [p], [])),
                     _raised(lambda s=sched, o=opt, p=plateau: s.ChainedScheduler([s.ExponentialLR(o, 0.5), p]))]
    assert messages[:2] == messages[2:] and all(m is not None for m in messages)
