"""The Adam family beyond the harness: defaults equal torch's, differentiable=True refused clearly, AdamW staying
decoupled after loading an Adam state, the step count's dtype under a float64 default."""
from __future__ import annotations

import numpy as np
import pytest
import torch

import refgrad

FAMILY = ["Adam", "AdamW", "Adamax", "NAdam", "RAdam"]


def _groups(optimizer) -> list[dict]:
    return [{k: v for k, v in g.items() if k != "params"} for g in optimizer.state_dict()["param_groups"]]


@pytest.mark.parametrize("name", FAMILY)
def test_defaults_equal_torchs(name):
    ours = getattr(refgrad.optim, name)([refgrad.nn.Parameter(refgrad.zeros(2))])
    theirs = getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))])
    assert _groups(ours) == _groups(theirs)


@pytest.mark.parametrize("name", FAMILY)
def test_differentiable_is_refused_by_name(name):
    with pytest.raises(NotImplementedError, match=rf"{name}\(differentiable=True\)"):
        getattr(refgrad.optim, name)([refgrad.nn.Parameter(refgrad.zeros(2))], differentiable=True)


def test_adamw_stays_decoupled_after_loading_an_adam_state():
    param = refgrad.nn.Parameter(refgrad.ones(3))
    adamw = refgrad.optim.AdamW([param])
    adamw.load_state_dict(refgrad.optim.Adam([refgrad.nn.Parameter(refgrad.ones(3))]).state_dict())
    assert adamw.param_groups[0]["decoupled_weight_decay"] is True


@pytest.mark.parametrize("name", FAMILY)
def test_step_count_follows_the_default_dtype(name):
    previous = refgrad.get_default_dtype()
    try:
        for default, expected in ((refgrad.float32, np.float32), (refgrad.float64, np.float64)):
            refgrad.set_default_dtype(default)
            param = refgrad.nn.Parameter(refgrad.tensor(np.ones(2, np.float32)))
            optimizer = getattr(refgrad.optim, name)([param])
            param.grad = refgrad.tensor(np.ones(2, np.float32))
            optimizer.step()
            assert optimizer.state[param]["step"].dtype == expected
            assert optimizer.state[param]["exp_avg"].dtype == np.float32
    finally:
        refgrad.set_default_dtype(previous)


def test_fused_adam_counts_steps_in_float32_under_a_float64_default():
    previous = refgrad.get_default_dtype()
    refgrad.set_default_dtype(refgrad.float64)
    torch_previous = torch.get_default_dtype()
    torch.set_default_dtype(torch.float64)
    try:
        param, twin = refgrad.nn.Parameter(refgrad.ones(2)), torch.nn.Parameter(torch.ones(2))
        ours, theirs = refgrad.optim.Adam([param], fused=True), torch.optim.Adam([twin], fused=True)
        param.grad, twin.grad = refgrad.ones(2), torch.ones(2)
        ours.step()
        theirs.step()
        assert str(ours.state[param]["step"].dtype) == str(theirs.state[twin]["step"].dtype).removeprefix("torch.")
    finally:
        refgrad.set_default_dtype(previous)
        torch.set_default_dtype(torch_previous)


@pytest.mark.parametrize("name", FAMILY)
def test_a_state_dict_from_an_older_torch_loads_as_in_torch(name):
    """Before torch 1.12 ``step`` (and NAdam's ``mu_product``) were numbers, and older groups lack newer options:
    torch's __setstate__ fills them in; refgrad's must continue the same trajectory."""
    rng = np.random.default_rng(0)
    start, grads = rng.standard_normal(5), [rng.standard_normal(5) for _ in range(4)]
    twin = torch.nn.Parameter(torch.tensor(start))
    source = getattr(torch.optim, name)([twin], lr=0.1, weight_decay=0.1)
    for g in grads[:2]:
        twin.grad = torch.tensor(g)
        source.step()
    saved = source.state_dict()
    old = {"state": {k: {key: (value.item() if value.ndim == 0 else value.numpy().copy()) for key, value in s.items()}
                     for k, s in saved["state"].items()},
           "param_groups": [{k: v for k, v in g.items() if k not in ("maximize", "foreach", "differentiable")}
                            for g in saved["param_groups"]]}
    theirs_param = torch.nn.Parameter(twin.detach().clone())
    theirs = getattr(torch.optim, name)([theirs_param])
    theirs.load_state_dict({"state": {k: {key: torch.tensor(v) if isinstance(v, np.ndarray) else v
                                          for key, v in s.items()} for k, s in old["state"].items()},
                            "param_groups": old["param_groups"]})
    ours_param = refgrad.nn.Parameter(refgrad.tensor(twin.detach().numpy().copy()))
    ours = getattr(refgrad.optim, name)([ours_param])
    ours.load_state_dict(old)
    for g in grads[2:]:
        theirs_param.grad, ours_param.grad = torch.tensor(g), refgrad.tensor(g)
        theirs.step()
        ours.step()
    np.testing.assert_allclose(ours_param.detach().numpy(), theirs_param.detach().numpy(), rtol=1e-13, atol=1e-15)
    assert _groups(ours) == _groups(theirs)
