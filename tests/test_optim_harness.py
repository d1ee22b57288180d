"""The optimizer checks fail when they should: each on a deliberately wrong refgrad twin of torch.optim.SGD."""
from __future__ import annotations

import numpy as np

import refgrad
from oracle.optim_checks import OPTIMIZER_CHECKS, OptimizerCase, optimizer_error_case
from oracle.optim_spec import OptimizerErrorCase, OptimizerSpec

RNG = np.random.default_rng(0)
CASE = OptimizerCase(initial=[RNG.standard_normal((2, 3)), RNG.standard_normal(4)], groups=[[0], [1]],
                     group_options=[{}, {"lr": 0.5}], kwargs={"lr": 0.1, "momentum": 0.9, "dampening": 0.5},
                     grads=[[RNG.standard_normal((2, 3)), None if k == 2 else RNG.standard_normal(4)] for k in range(6)])


class DampedFromTheStart(refgrad.optim.SGD):
    """Dampens the first gradient too (torch's buffer starts as the undamped gradient)."""

    def _update(self, group, params):
        for p in params:
            if "momentum_buffer" not in self.state[p]:
                self.state[p]["momentum_buffer"] = refgrad.tensor((1 - group["dampening"]) * p.grad.numpy())
        super()._update(group, params)


class RenamedState(refgrad.optim.SGD):
    def _update(self, group, params):
        super()._update(group, params)
        for p in params:
            self.state[p]["velocity"] = self.state[p].pop("momentum_buffer")
            self.state[p]["momentum_buffer"] = self.state[p]["velocity"]


def _check(check, ref, dtype="float64"):
    return OPTIMIZER_CHECKS[check](OptimizerSpec("SGD", None, ref=ref), CASE, dtype, 0)[0]


def test_a_correct_optimizer_passes():
    for check in ("trajectory", "resume"):
        assert _check(check, None).passed
    case32 = OptimizerCase([a.astype(np.float32) for a in CASE.initial], CASE.groups, CASE.group_options, CASE.kwargs,
                           [[None if g is None else g.astype(np.float32) for g in step] for step in CASE.grads])
    assert OPTIMIZER_CHECKS["trajectory"](OptimizerSpec("SGD", None), case32, "float32", 0)[0].passed


def test_trajectory_sees_a_wrong_update():
    record = _check("trajectory", DampedFromTheStart)
    assert not record.passed and "step 0: parameter 0" in record.note


def test_trajectory_sees_extra_state():
    record = _check("trajectory", RenamedState)
    assert not record.passed and "'velocity'" in record.note


def test_resume_continues_from_torchs_state():
    record = _check("resume", DampedFromTheStart)  # loading torch's buffer hides the first step's defect
    assert record.passed


def test_error_cases():
    spec = OptimizerSpec("SGD", None)
    assert optimizer_error_case(spec, OptimizerErrorCase("lr", {"lr": -1.0}, fragments=("-1.0",))) == []
    (problem,) = optimizer_error_case(spec, OptimizerErrorCase("fine", {"lr": 1.0}))
    assert "torch accepts" in problem


class ForgetfulPlateau(refgrad.optim.lr_scheduler.ReduceLROnPlateau):
    """Never records a new best after the first (its lrs agree with torch's until the plateau logic diverges)."""

    def step(self, metrics, epoch=None):
        best = self.best
        super().step(metrics, epoch)
        if best != self.mode_worse:
            self.best = best


def test_schedule_checks_compare_state_keys():
    from hypothesis import strategies as st

    from oracle.optim_checks import SCHEDULER_CHECKS, SchedulerCase
    from oracle.optim_spec import SchedulerSpec

    case = SchedulerCase({"patience": 50}, [0.1], [5.0, 4.0, 3.0, 3.0])
    good = SchedulerSpec("ReduceLROnPlateau", st.nothing(), state_keys=("best", "num_bad_epochs"))
    assert all(SCHEDULER_CHECKS[c](good, case, "float64", 0)[0].passed for c in ("schedule", "resume"))
    forgetful = SchedulerSpec("ReduceLROnPlateau", st.nothing(), state_keys=("best",), make=lambda lib, opt, **kw: (
        ForgetfulPlateau if lib is refgrad else lib.optim.lr_scheduler.ReduceLROnPlateau)(opt, **kw))
    record = SCHEDULER_CHECKS["schedule"](forgetful, case, "float64", 0)[0]
    assert not record.passed and "step 2: scheduler best" in record.note


class EarlyStepLR(refgrad.optim.lr_scheduler.StepLR):
    """Decays one step early."""

    def get_lr(self):
        if self.last_epoch > 0 and (self.last_epoch + 1) % self.step_size == 0:
            return [g["lr"] * self.gamma for g in self.optimizer.param_groups]
        return [g["lr"] for g in self.optimizer.param_groups]


def test_schedule_checks():
    from hypothesis import strategies as st

    from oracle.optim_checks import SCHEDULER_CHECKS, SchedulerCase
    from oracle.optim_spec import SchedulerSpec

    case = SchedulerCase({"step_size": 3, "gamma": 0.5}, [0.1, 1.0], [None] * 10)
    good = SchedulerSpec("StepLR", st.nothing())
    assert all(SCHEDULER_CHECKS[c](good, case, "float64", 0)[0].passed for c in ("schedule", "resume"))
    early = SchedulerSpec("StepLR", st.nothing(), make=lambda lib, opt, **kw: (
        EarlyStepLR if lib is refgrad else lib.optim.lr_scheduler.StepLR)(opt, **kw))
    record = SCHEDULER_CHECKS["schedule"](early, case, "float64", 0)[0]
    assert not record.passed and "step 2: get_last_lr" in record.note


class NAdamKeepingFloat32MuProduct(refgrad.optim.NAdam):
    """Loads mu_product without torch's cast to the parameter's dtype."""

    def load_state_dict(self, state_dict):
        super().load_state_dict(state_dict)
        for state in self.state.values():
            state["mu_product"] = refgrad.tensor(state["mu_product"].numpy().astype(np.float32))


def test_resume_follows_torchs_own_loading():
    # torch's load casts NAdam's float32 mu_product to a float64 parameter's dtype: its resumed run is the spec
    case = OptimizerCase(CASE.initial, CASE.groups, [{}, {"lr": 0.5}], {"lr": 0.1}, CASE.grads)
    assert OPTIMIZER_CHECKS["resume"](OptimizerSpec("NAdam", None), case, "float64", 0)[0].passed
    record = OPTIMIZER_CHECKS["resume"](OptimizerSpec("NAdam", None, ref=NAdamKeepingFloat32MuProduct), case,
                                        "float64", 0)[0]
    assert not record.passed and "mu_product" in record.note


def test_options_make_tuples_of_arrays_each_librarys_tensors():
    import torch

    from oracle.optim_checks import _options

    options = {"lr": np.array(0.1), "betas": (np.array(0.9), np.array(0.99)), "eps": 1e-8}
    for lib, tensor_type in (("torch", torch.Tensor), ("refgrad", refgrad.Tensor)):
        converted = _options(lib, options)
        assert isinstance(converted["lr"], tensor_type) and converted["eps"] == 1e-8
        assert isinstance(converted["betas"], tuple) and all(isinstance(b, tensor_type) for b in converted["betas"])


def test_resume_follows_torchs_own_resumed_run():
    """torch's load_state_dict casts ASGD's float32 eta and mu to a float64 parameter's dtype (and with lr a tensor
    its later etas are then no longer rounded to float32): refgrad, loading the same way, is compared with torch's
    resumed optimizer, not with the uninterrupted one."""
    import copy

    import torch

    case = OptimizerCase(CASE.initial, [[0, 1]], [{}], {"lr": np.array(0.1), "t0": 1}, CASE.grads)
    assert OPTIMIZER_CHECKS["resume"](OptimizerSpec("ASGD", None), case, "float64", 0)[0].passed
    p = torch.nn.Parameter(torch.zeros(2, dtype=torch.float64))
    p.grad = torch.ones(2, dtype=torch.float64)
    optimizer = torch.optim.ASGD([p])
    optimizer.step()
    resumed = torch.optim.ASGD([p])
    resumed.load_state_dict(copy.deepcopy(optimizer.state_dict()))
    assert optimizer.state[p]["eta"].dtype == torch.float32 and resumed.state[p]["eta"].dtype == torch.float64


def test_a_step_torch_refuses_must_be_refused_alike():
    """Adafactor's step divides by a size-0 parameter's size: torch's raises, so refgrad's must raise the same."""
    case = OptimizerCase(initial=[np.zeros((0, 2)), np.ones(3)], groups=[[0, 1]], group_options=[{}],
                         kwargs={"lr": 0.1}, grads=[[np.zeros((0, 2)), np.ones(3)]] * 2)
    assert _check_with("Adafactor", None, case).passed

    class Forgiving(refgrad.optim.Adafactor):
        def _update(self, group, params):
            super()._update(group, [p for p in params if p.numel()])

    record = _check_with("Adafactor", Forgiving, case)
    assert not record.passed and "torch raises ZeroDivisionError" in record.note and "refgrad does not" in record.note


def _check_with(name, ref, case, check="trajectory"):
    return OPTIMIZER_CHECKS[check](OptimizerSpec(name, None, ref=ref), case, "float64", 0)[0]


class ShorterStepLBFGS(refgrad.optim.LBFGS):
    """Steps with a learning rate a thousandth too small."""

    def _step(self, closure):
        group = self.param_groups[0]
        lr = group["lr"]
        group["lr"] = lr * 0.999
        try:
            return super()._step(closure)
        finally:
            group["lr"] = lr


def test_closure_cases_run_both_on_the_same_loss():
    """A closure spec's steps are step(closure) on objective_loss; a wrong step length is seen at the first step."""
    case = OptimizerCase(initial=[RNG.standard_normal((2, 2)), RNG.standard_normal(3)], groups=[[0, 1]],
                         group_options=[{}], kwargs={"lr": 0.5, "max_iter": 3}, grads=[None] * 3,
                         objective=[(1 + RNG.random(4), RNG.standard_normal(4)), (np.ones(3), RNG.standard_normal(3))])
    for check in ("trajectory", "resume"):
        assert _check_with("LBFGS", None, case, check).passed
    record = _check_with("LBFGS", ShorterStepLBFGS, case)
    assert not record.passed and "step 0: parameter 0" in record.note


def test_a_scratch_state_entry_is_compared_by_structure_only():
    # (OptimizerSpec.scratch_state: LBFGS's al, a buffer each step rewrites before reading it)
    from oracle.metrics import Errors
    from oracle.optim_checks import _compare_state, _structure
    from oracle.tolerances import Tol

    tol, buffer = Tol(1e-7, 1e-14), [np.ones(3), None]

    def compared(ours) -> list[Errors]:
        return _compare_state(_structure(ours), _structure(buffer), tol, "al")

    assert all(e.passed for e in compared([np.ones(3) + 1e-3, None]))  # its values are one step's intermediates
    for wrong in ([np.ones(4), None], [np.ones(3, np.float32), None], [np.ones(3)], [np.ones(3), np.ones(3)]):
        assert not all(e.passed for e in compared(wrong)), wrong
