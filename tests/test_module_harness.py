"""The module checks fail when they should: each on a deliberately wrong refgrad twin of torch.nn.Linear or
torch.nn.BatchNorm1d (a ModuleSpec with its own refgrad class)."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad
from oracle.module_checks import MODULE_CHECKS, module_error_case
from oracle.module_spec import ModuleCase, ModuleErrorCase, ModuleSpec

X = np.random.default_rng(0).standard_normal((4, 3))
CASE = ModuleCase((3, 2), inputs=(X,))


class ShiftedLinear(refgrad.nn.Linear):
    """Linear whose output is off by 1e-9: the float64 forward check must see it."""

    def forward(self, input):
        return super().forward(input) + 1e-9


class DetachedBias(refgrad.nn.Linear):
    """Linear whose bias gets no gradient."""

    def forward(self, input):
        return refgrad.nn.functional.linear(input, self.weight, self.bias.detach())


class RenamedLinear(refgrad.nn.Module):
    """Linear whose weight is registered under another name: its state_dict keys differ from torch's."""

    def __init__(self, in_features, out_features):
        super().__init__()
        inner = refgrad.nn.Linear(in_features, out_features)
        self.kernel, self.bias = inner.weight, inner.bias

    def _load_from_state_dict(self, state_dict, prefix, *rest):
        state_dict = {(prefix + "kernel" if k == prefix + "weight" else k): v for k, v in state_dict.items()}
        super()._load_from_state_dict(state_dict, prefix, *rest)

    def forward(self, input):
        return refgrad.nn.functional.linear(input, self.kernel, self.bias)


def _linear(ref):
    return ModuleSpec("Linear", cases=None, ref=ref)


def _failed(check, spec, case=CASE, dtype="float64"):
    records = MODULE_CHECKS[check](spec, case, dtype, 0)
    assert {r.params.split(",")[0] for r in records} == {"mode=train", "mode=eval"}
    return [r for r in records if not r.passed]


def test_a_correct_twin_passes_every_check():
    for check in ("state_dict", "forward", "vjp_torch", "double_backward"):
        assert _failed(check, _linear(None)) == []
    (init,) = MODULE_CHECKS["init"](_linear(None), CASE, "float32", 0)
    assert init.passed and "weight: KS" in init.note and "bias: KS" in init.note


def test_forward_check_sees_a_wrong_output():
    (train, eval_) = _failed("forward", _linear(ShiftedLinear))
    assert "output 0" in train.note and train.max_abs_err == pytest.approx(1e-9, rel=1e-3)


def test_vjp_check_names_the_parameter_whose_gradient_is_wrong():
    failed = _failed("vjp_torch", _linear(DetachedBias))
    assert len(failed) == 2 and all("gradient of bias" in r.note for r in failed)


def test_state_dict_check_sees_a_renamed_parameter():
    failed = _failed("state_dict", _linear(RenamedLinear))
    assert failed and "'kernel'" in failed[0].note


class MisscaledLinear(refgrad.nn.Linear):
    """Linear initialized with kaiming_uniform_'s default a=0 instead of torch's a=√5 (bounds √6 times too wide), and
    a zero bias."""

    def reset_parameters(self):
        refgrad.nn.init.kaiming_uniform_(self.weight)
        refgrad.nn.init.zeros_(self.bias)


def test_init_check_tells_a_wrong_distribution_and_a_wrong_constant():
    (record,) = MODULE_CHECKS["init"](_linear(MisscaledLinear), CASE, "float32", 0)
    assert not record.passed and "parameter weight is not drawn as torch's" in record.note
    assert "parameter bias is not drawn as torch's" in record.note  # zeros where torch draws U(±1/√3)


class OnesLayerNorm(refgrad.nn.LayerNorm):
    def reset_parameters(self):
        refgrad.nn.init.ones_(self.weight)
        refgrad.nn.init.ones_(self.bias)


def test_init_check_requires_torchs_constants_exactly():
    spec = ModuleSpec("LayerNorm", cases=None, ref=OnesLayerNorm)
    (record,) = MODULE_CHECKS["init"](spec, ModuleCase((3,)), "float32", 0)
    assert not record.passed and "torch fills it with 0.0" in record.note


class NoRunningStats(refgrad.nn.Module):
    """BatchNorm1d that normalizes with batch statistics but never updates its running statistics."""

    def __init__(self, num_features):
        super().__init__()
        self.weight = refgrad.nn.Parameter(refgrad.ones(num_features))
        self.bias = refgrad.nn.Parameter(refgrad.zeros(num_features))
        self.register_buffer("running_mean", refgrad.zeros(num_features))
        self.register_buffer("running_var", refgrad.ones(num_features))
        self.register_buffer("num_batches_tracked", refgrad.tensor(0))

    def forward(self, input):
        return refgrad.nn.functional.batch_norm(input, None, None, self.weight, self.bias, True)


def test_forward_check_compares_buffers_after_the_call():
    spec = ModuleSpec("BatchNorm1d", cases=None, ref=NoRunningStats)
    train, _ = MODULE_CHECKS["forward"](spec, ModuleCase((3,), inputs=(X,)), "float64", 0)
    assert not train.passed and "buffer after forward running_mean" in train.note


def test_a_refgrad_exception_is_a_failing_record():
    def broken(*args):
        raise ValueError("not built")

    records = MODULE_CHECKS["forward"](_linear(broken), CASE, "float64", 0)
    assert len(records) == 2 and not any(r.passed for r in records)
    assert "refgrad raises ValueError: not built" in records[0].note


def test_module_error_cases():
    spec = _linear(None)
    good = ModuleErrorCase("features", (3, 2), inputs=(np.ones((4, 5), np.float32),), fragments=("4x5", "3x2"))
    assert module_error_case(spec, good) == []
    accepted = ModuleErrorCase("fine", (3, 2), inputs=(np.ones((4, 3), np.float32),))
    (problem,) = module_error_case(spec, accepted)
    assert "torch accepts" in problem
    unnamed = ModuleErrorCase("features", (3, 2), inputs=(np.ones((4, 5), np.float32),), fragments=("7x7",))
    (problem,) = module_error_case(spec, unnamed)
    assert "does not name ['7x7']" in problem


def test_a_looser_tolerance_or_fewer_modes_must_say_why():
    from oracle.tolerances import Tol

    with pytest.raises(ValueError, match="must say why"):
        ModuleSpec("Linear", None, tolerances={("forward", "float64"): Tol(1e-6, 1e-6)})
    with pytest.raises(ValueError, match="modes_reason"):
        ModuleSpec("Linear", None, modes=("eval",))
    assert torch.nn.Linear  # the torch side is resolved by name
